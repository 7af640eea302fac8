"""Factories for the certificates tests: courses, completions, cohorts."""

from datetime import date

import pytest


@pytest.fixture
def make_course(db):
    """Factory: a course (defaults: 8 hours, no expiry)."""
    counter = {"n": 0}

    def make(**kw):
        from lms.courses.models import Course

        counter["n"] += 1
        course = Course(slug=kw.pop("slug", f"khoa-{counter['n']}"),
                        title=kw.pop("title", "Nhận diện mua bán người và khung pháp lý mới"),
                        hours=kw.pop("hours", 8), **kw)
        db.session.add(course)
        db.session.commit()
        return course

    return make


@pytest.fixture
def complete(db):
    """Record a completion through the courses service (firing the signal) and commit."""
    def record(person, course, on=date(2025, 8, 10), source="online", **kw):
        from lms.courses.services import record_completion

        completion, _created = record_completion(person, course, on, source, **kw)
        db.session.commit()
        return completion

    return record


@pytest.fixture
def make_cert(make_person, make_course, complete):
    """Factory: a person completes a course online and so receives a certificate."""
    def make(person=None, course=None, on=date(2025, 8, 10), **person_kw):
        from lms.certificates.services import live_certificate

        person = person or make_person(**person_kw)
        course = course or make_course()
        return live_certificate(complete(person, course, on, "online"))

    return make


@pytest.fixture
def make_cohort(db, units, make_course):
    """Factory: a cohort hosted in Quảng Ninh with the given members."""
    def make(members=(), course=None, trainers=(), **kw):
        from lms.cohorts.models import Cohort, CohortMember

        cohort = Cohort(course=course or make_course(), name=kw.pop("name", "Lớp Hạ Long 8/2025"),
                        host_unit=kw.pop("host_unit", None) or units("22", "province"),
                        starts_on=kw.pop("starts_on", date(2025, 8, 1)),
                        ends_on=kw.pop("ends_on", date(2025, 8, 10)), status="closed", **kw)
        cohort.trainers = list(trainers)
        db.session.add(cohort)
        for person in members:
            db.session.add(CohortMember(cohort=cohort, person=person, completed=True))
        db.session.commit()
        return cohort

    return make
