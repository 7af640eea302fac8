"""Question bank (ngân hàng câu hỏi) loaded from `content/<course>/questions.yml`."""

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
