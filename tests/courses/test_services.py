"""Enrolment, progress, resume and completion rules."""

import pytest
from sqlalchemy import func, select

from lms.courses import services
from lms.courses.models import Completion, Enrolment
from lms.courses.services import CourseError, PeopleFilter

pytestmark = pytest.mark.usefixtures("request_ctx")


def _lesson(course, slug):
    return next(lesson for lesson in course.lessons if lesson.slug == slug)


def test_trainee_enrols_self_once(db, load_course, trainee):
    """Self-enrolment is idempotent: a second call returns the same enrolment."""
    course = load_course()
    first, created = services.enrol(trainee.person, course, by=trainee)
    second, created_again = services.enrol(trainee.person, course, by=trainee)
    assert (created, created_again, first.id) == (True, False, second.id)
    assert db.session.scalar(select(func.count(Enrolment.id))) == 1


def test_trainee_cannot_enrol_someone_else(db, load_course, trainee, make_person):
    """A trainee enrols only themself."""
    course = load_course()
    with pytest.raises(CourseError):
        services.enrol(make_person(), course, by=trainee)


def test_trainee_without_person_gets_clear_message(db, load_course, make_user):
    """A trainee account without a roster person cannot enrol and is told why."""
    course = load_course()
    user = make_user("trainee")
    with pytest.raises(CourseError, match="danh sách nhân sự"):
        services.enrol(None, course, by=user)


def test_trainer_enrols_within_scope_only(db, load_course, make_user, make_person, units):
    """A Quảng Ninh trainer enrols a Quảng Ninh person by staff id, not a Hà Nội one."""
    course = load_course()
    trainer = make_user("trainer", unit="22")
    make_person(staff_id="QN1")
    hanoi = db.session.scalar(select(units("01", "province").children.subquery().c.id))
    from lms.units.models import Unit

    make_person(staff_id="HN1", commune=db.session.get(Unit, hanoi))
    enrolment, created = services.enrol_by_staff_id("QN1", course, by=trainer)
    assert created and enrolment.enrolled_by_id == trainer.id
    with pytest.raises(CourseError, match="HN1"):
        services.enrol_by_staff_id("HN1", course, by=trainer)


def test_viewer_cannot_enrol(db, load_course, make_user, make_person):
    """Viewers are read-only: they enrol nobody."""
    course = load_course()
    viewer = make_user("viewer", unit="22")
    with pytest.raises(CourseError):
        services.enrol(make_person(), course, by=viewer)
    with pytest.raises(CourseError):
        services.enrol_many(course, PeopleFilter(), by=viewer)


def test_enrol_many_by_filter(db, load_course, make_user, make_person):
    """Bulk enrolment takes the position filter, skips the trained and the already enrolled."""
    course = load_course()
    trainer = make_user("trainer", unit="22")
    police = [make_person(position="cong_an") for _ in range(3)]
    make_person(position="can_bo_xa")
    services.record_completion(police[0], course, services.today(), "import")
    services.enrol(police[1], course, by=trainer)
    db.session.flush()
    people = PeopleFilter(position="cong_an", not_trained=True)
    assert services.count_enrollable(course, people, by=trainer) == 1
    assert services.enrol_many(course, people, by=trainer) == 1
    assert services.enrol_many(course, people, by=trainer) == 0
    enrolled = set(db.session.scalars(select(Enrolment.person_id)))
    assert enrolled == {police[1].id, police[2].id}


def test_progress_and_resume(db, load_course, trainee):
    """Progress counts active lessons done; resume returns the last lesson opened while it is
    not done, else the next one to do."""
    course = load_course(quiz=False)
    enrolment, _ = services.enrol(trainee.person, course, by=trainee)
    assert services.resume_lesson(enrolment).slug == "mot"
    services.mark_lesson_complete(enrolment, _lesson(course, "mot"), by=trainee)
    assert services.progress(enrolment) == (1, 3)
    assert services.next_lesson(enrolment).slug == "hai"
    services.record_visit(enrolment, _lesson(course, "ba"))
    assert services.resume_lesson(enrolment).slug == "ba"
    services.mark_lesson_complete(enrolment, _lesson(course, "ba"), by=trainee)
    assert services.resume_lesson(enrolment).slug == "hai"  # never back to a lesson done


def test_course_without_quiz_completes_on_lessons(db, load_course, trainee):
    """All lessons done, no final quiz: completed today with an online Completion and signal."""
    course = load_course(quiz=False)
    enrolment, _ = services.enrol(trainee.person, course, by=trainee)
    received = []

    def listener(completion):
        received.append(completion)

    services.completion_recorded.connect(listener)
    try:
        results = [services.mark_lesson_complete(enrolment, lesson, by=trainee)
                   for lesson in course.active_lessons]
    finally:
        services.completion_recorded.disconnect(listener)
    assert results == [False, False, True]
    assert enrolment.status == "completed" and enrolment.completed_on == services.today()
    completion = db.session.scalar(select(Completion))
    assert (completion.source, completion.person_id) == ("online", trainee.person_id)
    assert received == [completion]
    assert services.check_completion(enrolment) is False  # only once


def test_course_with_final_quiz_waits_for_it(db, load_course, trainee):
    """All lessons done but a final quiz required: the enrolment stays active."""
    course = load_course(quiz=True)
    enrolment, _ = services.enrol(trainee.person, course, by=trainee)
    for lesson in course.active_lessons:
        services.mark_lesson_complete(enrolment, lesson, by=trainee)
    assert enrolment.status == "active"
    assert db.session.scalar(select(func.count(Completion.id))) == 0


def test_marking_a_lesson_twice_counts_once(db, load_course, trainee):
    """Marking the same lesson complete twice keeps one progress row."""
    course = load_course()
    enrolment, _ = services.enrol(trainee.person, course, by=trainee)
    lesson = _lesson(course, "hai")
    services.mark_lesson_complete(enrolment, lesson, by=trainee)
    services.mark_lesson_complete(enrolment, lesson, by=trainee)
    assert services.progress(enrolment) == (1, 3)


def test_catalogue_puts_my_position_first_and_searches_without_diacritics(db, load_course):
    """Courses for the learner's position come first; search ignores diacritics."""
    load_course("a-chung", title="An toàn cho mọi người", audience="[khac]")
    load_course("b-rieng", title="Bảo vệ nạn nhân", audience="[can_bo_xa]")
    assert [c.slug for c in services.catalogue("can_bo_xa")] == ["b-rieng", "a-chung"]
    assert [c.slug for c in services.catalogue("khac")] == ["a-chung", "b-rieng"]
    assert [c.slug for c in services.catalogue(None, "bao ve")] == ["b-rieng"]
    assert [c.slug for c in services.catalogue(None, "NẠN nhân")] == ["b-rieng"]
    assert services.catalogue(None, "khong co") == []
