"""Factories for the cohorts tests: a course, a cohort with members and sessions."""

from datetime import date, timedelta

import pytest


@pytest.fixture
def make_course(db):
    """Factory: a course; `final=True` gives it a final test (quiz.final in course.yml)."""
    counter = {"n": 0}

    def make(final: bool = True, pass_mark: int = 70, **kw):
        from lms.courses.models import Course

        counter["n"] += 1
        settings = {"quiz": {"final": {"questions": 10}}} if final else {}
        course = Course(slug=kw.pop("slug", f"khoa-{counter['n']}"),
                        title=kw.pop("title", f"Nhận diện mua bán người {counter['n']}"),
                        pass_mark=pass_mark, settings=settings, **kw)
        db.session.add(course)
        db.session.commit()
        return course

    return make


@pytest.fixture
def make_cohort(db, make_course, make_user, units):
    """Factory: a cohort in Quảng Ninh run by `trainer` (a new one by default), already ended."""
    from lms.cohorts.services import CohortSpec, create_cohort

    def make(trainer=None, course=None, **kw):
        trainer = trainer or make_user("trainer", unit="22")
        course = course or make_course(final=kw.pop("final", True))
        end = kw.pop("ends_on", date.today() - timedelta(days=1))
        spec = CohortSpec(course_id=course.id, name=kw.pop("name", "Lớp Hạ Long 1"),
                          host_unit_code=kw.pop("host_unit_code", "22"),
                          starts_on=kw.pop("starts_on", end - timedelta(days=2)), ends_on=end,
                          trainer_ids=[trainer.id], **kw)
        cohort = create_cohort(spec, by=trainer)
        db.session.commit()
        return cohort

    return make


@pytest.fixture
def fill(db, make_person):
    """Add `n` new roster people to a cohort; returns the members."""
    from lms.cohorts.services import add_members

    def do(cohort, n, by=None, **kw):
        people = [make_person(**kw) for _ in range(n)]
        add_members(cohort, [p.id for p in people], by=by or cohort.trainers[0])
        db.session.commit()
        return sorted(cohort.members, key=lambda m: m.id)[-n:]

    return do


@pytest.fixture
def sessions(db):
    """Add `n` sessions on the cohort's first days; returns them."""
    from lms.cohorts.services import save_session

    def do(cohort, n):
        made = [save_session(cohort, by=cohort.trainers[0],
                             day=cohort.starts_on + timedelta(days=i % 3), topic=f"Buổi {i + 1}")
                for i in range(n)]
        db.session.commit()
        return made

    return do


@pytest.fixture
def mark(db):
    """Record attendance: mark(session, {member: status}); unlisted members are present."""
    from lms.cohorts.services import record_attendance

    def do(session, statuses=None):
        statuses = statuses or {}
        values = {m.id: statuses.get(m, "present") for m in session.cohort.members}
        record_attendance(session, values, by=session.cohort.trainers[0])
        db.session.commit()

    return do


@pytest.fixture
def paper(db):
    """Enter a paper pre/post score for a member."""
    from lms.assessments.models import PaperScore

    def do(member, post=None, pre=None):
        cohort = member.cohort
        db.session.add(PaperScore(person_id=member.person_id, course_id=cohort.course_id,
                                  cohort_id=cohort.id, pre_score=pre, post_score=post))
        db.session.commit()

    return do

