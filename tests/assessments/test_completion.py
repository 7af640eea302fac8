"""The final-test requirement and the completion hook."""

from lms.assessments import services
from lms.assessments.completion import final_requirement_met
from lms.courses.models import Enrolment


def _enrolment(db, person, course):
    enrolment = Enrolment(person_id=person.id, course_id=course.id)
    db.session.add(enrolment)
    db.session.commit()
    return enrolment


def test_course_without_final_needs_no_test(db, make_course, make_person):
    """A course with only a pre-test (or none) never gates completion on a test."""
    course = make_course(quiz={"pretest": {"questions": 2}})
    assert final_requirement_met(_enrolment(db, make_person(), course)) is True


def test_failed_then_passed_online_final(db, bank, learner, monkeypatch):
    """A failed final does not meet the requirement; a passed one does, and its final_passed
    signal makes lms.courses.services check the completion of the enrolment."""
    from lms.courses import services as course_services

    calls = []
    monkeypatch.setattr(course_services, "check_completion",
                        lambda enrolment, **_kw: calls.append(enrolment), raising=False)
    course, questions = bank()
    person = learner(course).person
    enrolment = Enrolment.query.filter_by(person_id=person.id).one()
    attempt = services.start_attempt(person, course, "final")
    services.submit_attempt(attempt)
    db.session.commit()
    assert final_requirement_met(enrolment) is False and calls == []
    attempt = services.start_attempt(person, course, "final")
    by_id = {q.id: q for q in questions}
    for item in attempt.layout:
        services.save_answer(attempt, item["q"], sorted(services.answer_keys(by_id[item["q"]])))
    services.submit_attempt(attempt)
    db.session.commit()
    assert final_requirement_met(enrolment) is True
    assert calls == [enrolment]


def test_pretest_never_completes(db, bank, learner):
    """A perfect pre-test does not meet the final requirement."""
    course, questions = bank()
    person = learner(course).person
    enrolment = Enrolment.query.filter_by(person_id=person.id).one()
    attempt = services.start_attempt(person, course, "pretest")
    by_id = {q.id: q for q in questions}
    for item in attempt.layout:
        services.save_answer(attempt, item["q"], sorted(services.answer_keys(by_id[item["q"]])))
    services.submit_attempt(attempt)
    db.session.commit()
    assert attempt.score == 100.0
    assert final_requirement_met(enrolment) is False
