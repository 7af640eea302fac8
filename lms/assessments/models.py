"""Question bank (ngân hàng câu hỏi) loaded from `content/<course>/questions.yml`."""

from lms.core.timeutil import utcnow
from lms.extensions import db


class Question(db.Model):
    """One question; `answer` and `explanation` never reach the browser before submission."""

    __tablename__ = "questions"
    __table_args__ = (db.UniqueConstraint("course_id", "key"),)

    id = db.Column(db.Integer, primary_key=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False, index=True)
    key = db.Column(db.String(50), nullable=False)           # the id in questions.yml
    lesson_slug = db.Column(db.String(100), nullable=True)
    type = db.Column(db.String(20), nullable=False)           # single | multiple | true_false
    text = db.Column(db.Text, nullable=False)
    options = db.Column(db.JSON, nullable=False, default=list)  # [{"key": "a", "text": "…"}]
    answer = db.Column(db.JSON, nullable=False)                 # ["a"] / ["a", "c"] / [true]
    explanation = db.Column(db.Text, nullable=False, default="")
    active = db.Column(db.Boolean, nullable=False, default=True)
    difficulty = db.Column(db.String(10), nullable=False, default="medium")  # easy|medium|hard
    form = db.Column(db.String(20), nullable=True)  # pretest | final (pools); NULL: either

    course = db.relationship("Course")


class PaperScore(db.Model):
    """Pre/post test scores (percent, 0–100) taken on paper, counted exactly like online ones."""

    __tablename__ = "paper_scores"
    __table_args__ = (db.UniqueConstraint("person_id", "course_id", "cohort_id"),)

    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("persons.id"), nullable=False, index=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False, index=True)
    cohort_id = db.Column(db.Integer, db.ForeignKey("cohorts.id"), nullable=True, index=True)
    pre_score = db.Column(db.Float, nullable=True)
    post_score = db.Column(db.Float, nullable=True)
    blueprint = db.Column(db.String(12), nullable=True)  # the course's blueprint when entered
    entered_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    entered_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    person = db.relationship("Person")
    course = db.relationship("Course")


class PaperForm(db.Model):
    """A printed test (đề giấy): the drawn paper, kept so per-item answers can be entered and
    graded against exactly what was printed. Its id is the code printed on the paper."""

    __tablename__ = "paper_forms"
    __table_args__ = (db.UniqueConstraint("course_id", "kind", "seed"),)

    id = db.Column(db.Integer, primary_key=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False, index=True)
    kind = db.Column(db.String(20), nullable=False)
    seed = db.Column(db.Integer, nullable=False)
    layout = db.Column(db.JSON, nullable=False, default=list)  # as Attempt.layout
    blueprint = db.Column(db.String(12), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    course = db.relationship("Course")


KINDS = ("pretest", "final")
FOLLOW_UP = "followup"  # follow-up kinds are "followup<days>", e.g. "followup90"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"


class Attempt(db.Model):
    """One sitting of a quiz (lượt làm bài) by a roster person.

    `layout` is the drawn paper, kept server-side: `[{"q": question id, "o": [option keys in
    the order shown]}]`. `number` counts a person's attempts at one quiz from 1; the unique
    constraint makes the attempt limit hold when two "start" requests race.
    """

    __tablename__ = "attempts"
    __table_args__ = (
        db.UniqueConstraint("person_id", "course_id", "kind", "number"),
        db.Index("ix_attempts_course_kind_status", "course_id", "kind", "status"),
    )

    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("persons.id"), nullable=False, index=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False)
    kind = db.Column(db.String(20), nullable=False)             # pretest | final
    number = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(20), nullable=False, default=IN_PROGRESS)
    layout = db.Column(db.JSON, nullable=False, default=list)
    started_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    deadline = db.Column(db.DateTime, nullable=True)            # None: no time limit
    submitted_at = db.Column(db.DateTime, nullable=True)
    score = db.Column(db.Float, nullable=True)                   # percent, 0–100
    passed = db.Column(db.Boolean, nullable=True)                # NULL for a pre-test
    blueprint = db.Column(db.String(12), nullable=True)         # the blueprint drawn to
    paper_form_id = db.Column(db.Integer, db.ForeignKey("paper_forms.id"), nullable=True,
                              index=True)                        # per-item paper answers
    cohort_id = db.Column(db.Integer, db.ForeignKey("cohorts.id"), nullable=True)

    person = db.relationship("Person")
    course = db.relationship("Course")
    answers = db.relationship("AttemptAnswer", back_populates="attempt",
                              order_by="AttemptAnswer.position", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        """True while the attempt is in progress."""
        return self.status == IN_PROGRESS


class AttemptAnswer(db.Model):
    """A learner's answer to one question of an attempt; `correct`/`points` set when graded."""

    __tablename__ = "attempt_answers"
    __table_args__ = (db.UniqueConstraint("attempt_id", "question_id"),)

    id = db.Column(db.Integer, primary_key=True)
    attempt_id = db.Column(db.Integer, db.ForeignKey("attempts.id"), nullable=False, index=True)
    question_id = db.Column(db.Integer, db.ForeignKey("questions.id"), nullable=False,
                            index=True)
    position = db.Column(db.Integer, nullable=False)
    chosen = db.Column(db.JSON(none_as_null=True), nullable=True)  # ["a", "c"]; NULL: blank
    saved_at = db.Column(db.DateTime, nullable=True)
    correct = db.Column(db.Boolean, nullable=True)
    points = db.Column(db.Float, nullable=True)                  # 0–1

    attempt = db.relationship("Attempt", back_populates="answers")
    question = db.relationship("Question")
