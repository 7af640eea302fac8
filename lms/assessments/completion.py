"""The final-test requirement of course completion (online attempt or paper score)."""

from sqlalchemy import exists, select

from lms.assessments.models import SUBMITTED, Attempt, PaperScore
from lms.assessments.settings import has_quiz
from lms.extensions import db


def final_requirement_met(enrolment) -> bool:
    """True when the course has no final quiz, or the person passed an online final attempt,
    or a paper post-test score (any cohort) reaches the course's pass mark."""
    course = enrolment.course
    if not has_quiz(course, "final"):
        return True
    online = exists().where(
        Attempt.person_id == enrolment.person_id, Attempt.course_id == course.id,
        Attempt.kind == "final", Attempt.status == SUBMITTED, Attempt.passed.is_(True))
    paper = exists().where(
        PaperScore.person_id == enrolment.person_id, PaperScore.course_id == course.id,
        PaperScore.post_score >= course.pass_mark)
    return bool(db.session.scalar(select(online | paper)))
