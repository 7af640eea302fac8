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
    entered_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    entered_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    person = db.relationship("Person")
    course = db.relationship("Course")
