"""Demo cohorts: a closed and a running one for the demo trainer, idempotent, skipped without
a course."""

from sqlalchemy import func, select

from lms.cohorts.models import Attendance, Cohort
from lms.courses.models import Completion
from lms.demo import create_demo


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_cohorts_once(db, units, make_course):
    """With a course loaded the demo makes one closed and one running cohort; again: no change."""
    make_course(final=True)
    create_demo()
    db.session.commit()
    cohorts = {c.status: c for c in db.session.scalars(select(Cohort))}
    assert set(cohorts) == {"closed", "running"}
    assert [u.username for u in cohorts["closed"].trainers] == ["trainer"]
    assert all(len(c.sessions) == 2 and len(c.members) >= 10 for c in cohorts.values())
    assert cohorts["closed"].host_unit.parent.code == "22"
    completions, attendance = _count(db, Completion), _count(db, Attendance)
    assert completions > 0
    create_demo()
    db.session.commit()
    assert (_count(db, Cohort), _count(db, Completion), _count(db, Attendance)) == (
        2, completions, attendance)


def test_demo_without_course_has_no_cohorts(db, units):
    """No course loaded: no demo cohort."""
    create_demo()
    db.session.commit()
    assert _count(db, Cohort) == 0
