"""Which cohort (lớp) a completion was earned in: the rule shared by online completions, the
migration's backfill (migrations/versions/0013_completion_cohort.py) and `flask lms
completions unlinked`.

A completion matches a cohort when the cohort is of the same course, the person is one of its
members and the completion date lies within the cohort's dates. Only a single match is a link;
two or more are never guessed between.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select

from lms.cohorts.models import Cohort, CohortMember
from lms.courses.models import Completion, Course
from lms.extensions import db
from lms.units.models import Person


def _matches(person_id, course_id, on):
    """The ids of the cohorts matching (person, course, date): columns or values."""
    return (select(Cohort.id).join(CohortMember, CohortMember.cohort_id == Cohort.id)
            .where(CohortMember.person_id == person_id, Cohort.course_id == course_id,
                   Cohort.starts_on <= on, Cohort.ends_on >= on))


def only_cohort(person_id: int, course_id: int, on: date) -> Cohort | None:
    """The one cohort matching a completion of `course_id` by `person_id` on `on`, or None
    when there is none or more than one."""
    ids = db.session.scalars(_matches(person_id, course_id, on).limit(2)).all()
    return db.session.get(Cohort, ids[0]) if len(ids) == 1 else None


@dataclass(frozen=True)
class Unlinked:
    """A completion the backfill could not link: `cohorts` lists its candidate cohort ids."""

    completion_id: int
    staff_id: str
    course: str
    completed_on: date
    source: str
    cohorts: tuple[int, ...]

    @property
    def ambiguous(self) -> bool:
        """More than one cohort matches."""
        return len(self.cohorts) > 1


def unlinked() -> list[Unlinked]:
    """Completions without a cohort that need a person's decision: those matching two or more
    cohorts (ambiguous), and cohort completions (source `cohort`) matching none (unmatched)."""
    c = Completion
    candidates = (select(Cohort.id.label("cohort_id"), CohortMember.person_id, Cohort.course_id,
                         Cohort.starts_on, Cohort.ends_on)
                  .join(CohortMember, CohortMember.cohort_id == Cohort.id).subquery())
    rows = db.session.execute(
        select(c.id, Person.staff_id, Course.slug, c.completed_on, c.source,
               candidates.c.cohort_id)
        .join(Person, Person.id == c.person_id).join(Course, Course.id == c.course_id)
        .outerjoin(candidates, and_(candidates.c.person_id == c.person_id,
                                    candidates.c.course_id == c.course_id,
                                    candidates.c.starts_on <= c.completed_on,
                                    candidates.c.ends_on >= c.completed_on))
        .where(c.cohort_id.is_(None))
        .order_by(c.id, candidates.c.cohort_id)).all()
    found: dict[int, list] = {}
    for cid, staff_id, slug, on, source, cohort_id in rows:
        entry = found.setdefault(cid, [staff_id, slug, on, source, []])
        if cohort_id is not None:
            entry[4].append(cohort_id)
    return [Unlinked(cid, staff_id, slug, on, source, tuple(ids))
            for cid, (staff_id, slug, on, source, ids) in found.items()
            if len(ids) > 1 or (not ids and source == "cohort")]


def link_unique() -> int:
    """Link every completion without a cohort that matches exactly one; returns how many."""
    c = Completion
    matches = _matches(c.person_id, c.course_id, c.completed_on)
    count = matches.with_only_columns(func.count()).scalar_subquery()
    first = matches.with_only_columns(func.min(Cohort.id)).scalar_subquery()
    result = db.session.execute(
        c.__table__.update().where(c.cohort_id.is_(None), count == 1).values(cohort_id=first))
    return result.rowcount
