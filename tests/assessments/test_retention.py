"""Retention: follow-up tests N days after completion appear when due, draw the final's form,
and the gain report adds final → follow-up per course, cohort and commune."""

from datetime import timedelta

import pytest

from lms.assessments import analytics, services
from lms.assessments.settings import follow_up_kinds
from lms.core.timeutil import utcnow

QUIZ = {"pretest": {"questions": 2}, "final": {"questions": 2, "max_attempts": 2},
        "follow_up": {"days": [90, 180]}}


def _complete(db, person, course, days_ago):
    from lms.courses.models import Completion

    db.session.add(Completion(person_id=person.id, course_id=course.id, source="online",
                              completed_on=utcnow().date() - timedelta(days=days_ago)))
    db.session.commit()


def test_follow_up_opens_when_due(db, bank, learner):
    """A follow-up is refused before its day, then is the next step and can be taken once;
    it never repeats an item of the person's pre-test."""
    course, _questions = bank(quiz=QUIZ)
    person = learner(course).person
    pre = services.start_attempt(person, course, "pretest")
    services.submit_attempt(pre)
    assert follow_up_kinds(course) == ["followup90", "followup180"]
    with pytest.raises(services.QuizError, match="chưa đến hạn"):
        services.start_attempt(person, course, "followup90")
    final = services.start_attempt(person, course, "final")
    services.submit_attempt(final)
    _complete(db, person, course, days_ago=95)
    assert services.follow_up_due(person.id, course, "followup90")
    assert not services.follow_up_due(person.id, course, "followup180")
    # the final was failed (no answers): the final comes first while attempts remain
    assert services.quiz_step(person.id, course, lessons_done=True)["kind"] == "final"
    services.submit_attempt(services.start_attempt(person, course, "final"))
    assert services.quiz_step(person.id, course, lessons_done=True)["kind"] == "followup90"
    follow = services.start_attempt(person, course, "followup90")
    assert {i["q"] for i in follow.layout}.isdisjoint({i["q"] for i in pre.layout})
    services.submit_attempt(follow)
    assert follow.passed is False
    assert services.quiz_step(person.id, course, lessons_done=True) is None
    with pytest.raises(services.QuizError, match="hết 1 lượt"):
        services.start_attempt(person, course, "followup90")


def test_due_follow_up_is_on_the_trainee_page(client, db, bank, learner, login_user):
    """The trainee's dashboard and course page offer a due follow-up test."""
    course, questions = bank(quiz=QUIZ)
    user = login_user(learner(course))
    person = user.person
    services.submit_attempt(services.start_attempt(person, course, "pretest"))
    final = services.start_attempt(person, course, "final")
    for item in final.layout:
        question = next(q for q in questions if q.id == item["q"])
        services.save_answer(final, question.id, sorted(services.answer_keys(question)))
    services.submit_attempt(final)
    db.session.commit()
    assert "nhắc lại" not in client.get("/courses/me").get_data(as_text=True)
    _complete(db, person, course, days_ago=91)
    from lms.courses.models import Enrolment, LessonProgress

    enrolment = Enrolment.query.filter_by(person_id=person.id).one()
    for lesson in course.lessons:
        db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id))
    db.session.commit()
    for url in ("/courses/me", f"/courses/{course.slug}"):
        html = client.get(url).get_data(as_text=True)
        assert "Làm bài kiểm tra nhắc lại sau 90 ngày" in html, url


def test_retention_per_course_cohort_and_commune(db, make_course, make_question, make_person,
                                                 make_cohort, graded_attempt, units):
    """Retention = mean(follow-up − best final) over the people with both, per course, per
    cohort and per commune, for each follow-up."""
    course = make_course(quiz=QUIZ)
    question = make_question(course)
    near = [make_person(), make_person()]
    far = make_person(commune=units("00004", "commune") or units("00001", "commune"))
    make_cohort(course, members=near)
    make_cohort(course, members=[far])
    for person, final, follow in ((near[0], 100, 80), (near[1], 80, 80), (far, 90, 60)):
        graded_attempt(person, course, {question: (["a"], True)}, score=final)
        graded_attempt(person, course, {question: (["a"], True)}, kind="followup90",
                       score=follow)
    graded_attempt(make_person(), course, {question: (["a"], True)}, score=50)  # no follow-up
    [row] = analytics.retention(course=course)
    assert (row.days, row.people) == (90, 3)
    assert row.final_mean == pytest.approx(90.0)
    assert row.follow_up_mean == pytest.approx(220 / 3)
    assert row.retention == pytest.approx(-50 / 3)
    by_commune = {r.group: (r.people, r.retention) for r in analytics.retention(by="commune")}
    assert sorted(by_commune.values()) == [(1, pytest.approx(-30.0)), (2, pytest.approx(-10.0))]
    by_cohort = analytics.retention(by="cohort")
    assert sorted(r.people for r in by_cohort) == [1, 2]
    gain_by_cohort = analytics.knowledge_gain(by="cohort")
    assert sorted(r.people for r in gain_by_cohort) == [1, 1, 2]  # one person in no cohort


def test_gain_page_shows_retention(client, db, make_course, make_question, make_person,
                                   graded_attempt, login_as):
    """The gain page has the retention table and splits by commune on request."""
    course = make_course(quiz=QUIZ, title="Khóa ghi nhớ")
    question = make_question(course)
    person = make_person()
    graded_attempt(person, course, {question: (["a"], True)}, score=90)
    graded_attempt(person, course, {question: (["a"], True)}, kind="followup180", score=70)
    login_as("admin")
    html = client.get("/quizzes/gain?by=commune").get_data(as_text=True)
    assert "Ghi nhớ sau khóa học" in html
    assert "-20,0 <small>(n=1)</small>" in html
    assert person.commune.name in html
