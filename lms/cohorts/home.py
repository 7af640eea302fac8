"""The trainer's home section (trang chủ giảng viên): today's and this week's sessions, sessions
whose attendance is not taken, cohorts missing final-test scores, cohorts ready to close.

Every list covers only the cohorts the trainer runs, is computed in SQL and is cut at LIMIT.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from lms.assessments.models import Attempt, PaperScore
from lms.cohorts.models import Attendance, Cohort, CohortMember, CohortSession, cohort_trainers
from lms.cohorts.services import final_test_required
from lms.core.home import home_sections
from lms.core.timeutil import zone
from lms.extensions import db

LIMIT = 10


@dataclass
class TrainerHome:
    """The trainer's lists; `scores_missing` holds (cohort, members without a final score)."""

    today: list[CohortSession] = field(default_factory=list)
    week: list[CohortSession] = field(default_factory=list)
    no_attendance: list[CohortSession] = field(default_factory=list)
    scores_missing: list[tuple[Cohort, int]] = field(default_factory=list)
    ready_to_close: list[Cohort] = field(default_factory=list)
    clock: time | None = None   # the local time the lists were made at

    def has_started(self, session: CohortSession) -> bool:
        """A session of today's list has started (attendance can be taken)."""
        return session.start_time is None or self.clock is None or session.start_time <= self.clock

    def empty(self) -> bool:
        """Nothing to show at all."""
        return not (self.today or self.week or self.no_attendance or self.scores_missing
                    or self.ready_to_close)


def _own(user):
    """Select of the ids of the cohorts `user` runs."""
    return select(cohort_trainers.c.cohort_id).where(cohort_trainers.c.user_id == user.id)


def _has_members():
    return exists().where(CohortMember.cohort_id == Cohort.id)


def _sessions(user, *where) -> list[CohortSession]:
    return db.session.scalars(
        select(CohortSession).join(Cohort, Cohort.id == CohortSession.cohort_id)
        .options(contains_eager(CohortSession.cohort))
        .where(Cohort.id.in_(_own(user)), *where)
        .order_by(CohortSession.date, CohortSession.start_time, CohortSession.id)
        .limit(LIMIT)).all()


def started(day: date, now: time):
    """Clause: the session has started by `now` of `day` (a session without a start time
    starts with its day)."""
    return or_(CohortSession.date < day,
               and_(CohortSession.date == day,
                    or_(CohortSession.start_time.is_(None), CohortSession.start_time <= now)))


def ready_to_close(user, day: date) -> list[Cohort]:
    """The trainer's cohorts that `services.close_cohort` would close on `day`: not closed,
    the end date come, at least one member."""
    return db.session.scalars(
        select(Cohort).where(Cohort.id.in_(_own(user)), Cohort.status != "closed",
                             Cohort.ends_on <= day, _has_members())
        .order_by(Cohort.ends_on, Cohort.id).limit(LIMIT)).all()


def scores_missing(user, day: date) -> list[tuple[Cohort, int]]:
    """(cohort, how many members have no final-test score) for the trainer's open cohorts that
    require the final test and whose last session has come by `day` (or, without sessions,
    whose end date has): a member has a score with a paper post-test score in the cohort or a
    submitted online final of the course."""
    last = (select(func.max(CohortSession.date)).where(CohortSession.cohort_id == Cohort.id)
            .scalar_subquery())
    paper = exists().where(PaperScore.person_id == CohortMember.person_id,
                           PaperScore.cohort_id == CohortMember.cohort_id,
                           PaperScore.post_score.is_not(None))
    online = exists().where(Attempt.person_id == CohortMember.person_id,
                            Attempt.course_id == Cohort.course_id, Attempt.kind == "final",
                            Attempt.submitted_at.is_not(None))
    rows = db.session.execute(
        select(Cohort, func.count(CohortMember.id)).options(selectinload(Cohort.course))
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(Cohort.id.in_(_own(user)), Cohort.status != "closed",
               func.coalesce(last, Cohort.ends_on) <= day, ~paper, ~online)
        .group_by(Cohort.id).order_by(Cohort.ends_on, Cohort.id)).all()
    return [(cohort, n) for cohort, n in rows if final_test_required(cohort)][:LIMIT]


def trainer_home(user, now: datetime | None = None) -> TrainerHome:
    """What the trainer should do today, from the cohorts they run.

    :param user: the trainer
    :param now: local time (default: now in the configured zone)
    """
    now = now or datetime.now(zone())
    day, clock = now.date(), now.time().replace(tzinfo=None)
    sunday = day + timedelta(days=6 - day.weekday())
    no_attendance = ~exists().where(Attendance.session_id == CohortSession.id)
    return TrainerHome(
        today=_sessions(user, CohortSession.date == day),
        week=_sessions(user, CohortSession.date > day, CohortSession.date <= sunday),
        no_attendance=_sessions(user, Cohort.status != "closed", _has_members(),
                                started(day, clock), no_attendance),
        scores_missing=scores_missing(user, day),
        ready_to_close=ready_to_close(user, day), clock=clock)


@home_sections.connect
def trainer_section(user):
    """The home page's section for trainers."""
    if not user.has_role("trainer"):
        return None
    return "cohorts/_home.html", trainer_home(user)
