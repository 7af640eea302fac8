"""Quiz settings read from a course's `settings["quiz"]` block, with their defaults.

Imports only models, so the completion rule and the services can both use it.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, select

from lms.assessments.models import FOLLOW_UP, Question
from lms.core.params import ID_MAX, BadParameter, int_arg
from lms.courses.models import Course
from lms.extensions import db

DEFAULT_QUESTIONS = 10
DEFAULT_MAX_ATTEMPTS = {"pretest": 1, "final": 3}
DEFAULT_GRACE_SECONDS = 30


def quiz_settings(course: Course) -> dict:
    """The course's `settings["quiz"]` block (empty dict when absent)."""
    return dict((course.settings or {}).get("quiz") or {})


def quiz_config(course: Course, kind: str) -> dict | None:
    """Settings of one quiz with defaults filled in, or None when the course has no such quiz.

    A follow-up (`followup<days>`, e.g. `followup90`) repeats the final's form and question
    count, once. `review` is when answers and explanations may be shown (default `never`).

    :param kind: `pretest`, `final` or `followup<days>`
    """
    settings = quiz_settings(course)
    if kind.startswith(FOLLOW_UP):
        follow_up = settings.get("follow_up") or {}
        try:
            days = int_arg(kind[len(FOLLOW_UP):], min=1, max=ID_MAX)
        except BadParameter:
            return None
        final = quiz_config(course, "final")
        if final is None or days not in follow_up.get("days", []):
            return None
        return {"questions": final["questions"], "max_attempts": 1, "days": days,
                "time_limit_minutes": follow_up.get("time_limit_minutes")
                or final["time_limit_minutes"],
                "review": follow_up.get("review") or "never"}
    if kind not in ("pretest", "final"):
        return None
    raw = settings.get(kind)
    if raw is None or raw is False:
        return None
    raw = raw if isinstance(raw, dict) else {}
    return {
        "questions": int(raw.get("questions") or DEFAULT_QUESTIONS),
        "time_limit_minutes": raw.get("time_limit_minutes") or None,
        "max_attempts": int(raw.get("max_attempts") or DEFAULT_MAX_ATTEMPTS[kind]),
        "review": "never" if kind == "pretest" else (raw.get("review") or "never"),
    }


def follow_up_kinds(course: Course) -> list[str]:
    """The course's follow-up quiz kinds, earliest first (`["followup90", "followup180"]`)."""
    if quiz_config(course, "final") is None:
        return []
    days = (quiz_settings(course).get("follow_up") or {}).get("days") or []
    return [f"{FOLLOW_UP}{d}" for d in sorted(days)]


def pool_of(kind: str) -> str:
    """The form a quiz draws from: the pre-test's, or the final's (finals and follow-ups)."""
    return "pretest" if kind == "pretest" else "final"


def forms_label(course: Course) -> str:
    """How the course's pre-test and final are made parallel: `split`, `pools` or `none`."""
    settings = quiz_settings(course)
    return settings.get("forms") or ("split" if settings.get("blueprint") else "none")


def has_quiz(course: Course, kind: str) -> bool:
    """True when the course defines the quiz and its bank holds at least one active question."""
    if quiz_config(course, kind) is None:
        return False
    return bool(db.session.scalar(select(exists().where(
        Question.course_id == course.id, Question.active.is_(True)))))


def partial_credit(course: Course) -> bool:
    """The course gives partial credit on multiple-choice questions."""
    return bool(quiz_settings(course).get("partial_credit"))


def grace() -> timedelta:
    """How long after the deadline saved answers still count (config QUIZ_GRACE_SECONDS)."""
    return timedelta(seconds=int(current_app.config.get("QUIZ_GRACE_SECONDS",
                                                        DEFAULT_GRACE_SECONDS)))
