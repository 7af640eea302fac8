"""The trainee's path (pre-test first, then lessons, then the final) and taking a quiz on a
phone without JavaScript: the confirm page, the answered counter, the countdown's data."""

import re

from sqlalchemy import select

from lms.assessments import services
from lms.assessments.models import Attempt
from tests.conftest import post_form


def _mark_all_lessons(db, course, person):
    from lms.courses.models import Enrolment, LessonProgress

    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.person_id == person.id))
    for lesson in course.lessons:
        db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id))
    db.session.commit()


def test_path_is_pretest_then_lessons_then_final(db, bank, learner):
    """The next quiz step: the pre-test until it is taken, none while lessons remain, then
    the final until it is passed; a started final closes the pre-test step for good."""
    course, _questions = bank()
    person = learner(course).person
    assert services.quiz_step(person.id, course, lessons_done=False)["kind"] == "pretest"
    services.submit_attempt(services.start_attempt(person, course, "pretest"))
    assert services.quiz_step(person.id, course, lessons_done=False) is None
    assert services.quiz_step(person.id, course, lessons_done=True)["kind"] == "final"
    other = learner(course).person
    services.start_attempt(other, course, "final")
    assert services.quiz_step(other.id, course, lessons_done=True) == {"kind": "final",
                                                                      "open": True}
    assert services.quiz_step(other.id, course, lessons_done=False) is None


def test_course_page_leads_with_the_pretest(client, db, bank, learner, login_user):
    """After enrolment the course page's primary button is the pre-test, saying it is not
    scored; after it, the lessons; when they are done, the final; once the final has started
    the quiz page no longer offers the pre-test."""
    course, _questions = bank()
    user = login_user(learner(course))
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    primary = re.findall(r'class="btn primary"[^>]*>([^<]+)<', page)
    assert primary[0].strip() == "Làm bài kiểm tra đầu vào"
    assert "không tính điểm đạt" in page
    assert "Làm bài kiểm tra đầu vào" in client.get("/courses/me").get_data(as_text=True)

    services.submit_attempt(services.start_attempt(user.person, course, "pretest"))
    db.session.commit()
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Làm bài kiểm tra" not in page
    assert re.search(r'class="btn primary"[^>]*>Bắt đầu học<', page)

    _mark_all_lessons(db, course, user.person)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Làm bài kiểm tra cuối khóa" in page
    post_form(client, f"/quizzes/course/{course.slug}/final/start",
              page=f"/courses/{course.slug}")
    quizzes = client.get(f"/quizzes/course/{course.slug}").get_data(as_text=True)
    assert "không còn mở vì bạn đã bắt đầu bài kiểm tra cuối khóa" in quizzes
    pretest_card = quizzes.split("Bài kiểm tra cuối khóa</h2>")[0]
    assert "Bắt đầu làm bài" not in pretest_card


def test_pretest_result_says_not_scored_in_history(client, db, bank, learner, login_user):
    """History and the quiz page show a pre-test as "Không tính điểm đạt", never failed."""
    course, _questions = bank()
    user = login_user(learner(course))
    services.submit_attempt(services.start_attempt(user.person, course, "pretest"))
    db.session.commit()
    for url in ("/quizzes/history", f"/quizzes/course/{course.slug}"):
        html = client.get(url).get_data(as_text=True)
        assert "Không tính điểm đạt" in html and "Chưa đạt" not in html, url


def test_submit_without_confirm_names_unanswered_questions(client, db, bank, learner,
                                                           login_user):
    """Without JavaScript, Nộp bài saves the page and shows a confirm page naming the
    unanswered questions; nothing is graded until the learner confirms."""
    course, _questions = bank()
    login_user(learner(course))
    url = post_form(client, f"/quizzes/course/{course.slug}/final/start",
                    page=f"/quizzes/course/{course.slug}").headers["Location"]
    attempt = db.session.scalar(select(Attempt).where(Attempt.kind == "final"))
    first, second = attempt.layout[0]["q"], attempt.layout[1]["q"]
    response = post_form(client, f"/quizzes/attempts/{attempt.id}/submit",
                         {"q": [str(first), str(second)], f"q{first}": "0", "confirm": ""},
                         page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nộp bài?" in html
    assert "Đã trả lời 1/4 câu." in html
    assert re.findall(r'#n-(\d)">câu \d', html) == ["2", "3", "4"]
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).is_open
    assert services.unanswered(attempt) == [2, 3, 4]  # the choice was saved
    done = post_form(client, f"/quizzes/attempts/{attempt.id}/submit", {"confirm": "1"},
                     page=url)
    assert done.status_code == 302 and done.headers["Location"].endswith("/result")
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).is_open is False


def test_time_up_submits_without_confirm(client, db, bank, learner, login_user):
    """When the time is up there is nothing to confirm: the attempt is graded."""
    from datetime import timedelta

    course, _questions = bank(quiz={"final": {"questions": 4, "time_limit_minutes": 1}})
    login_user(learner(course))
    url = post_form(client, f"/quizzes/course/{course.slug}/final/start",
                    page=f"/quizzes/course/{course.slug}").headers["Location"]
    attempt = db.session.scalar(select(Attempt))
    attempt.deadline = attempt.started_at - timedelta(seconds=5)
    db.session.commit()
    response = post_form(client, f"/quizzes/attempts/{attempt.id}/submit", page=url)
    assert response.status_code == 302


def test_attempt_page_carries_counter_timer_and_dialog(client, db, bank, learner,
                                                       login_user):
    """The attempt page has the live counter, the countdown (seconds left from the server,
    shown by quiz.js) and the confirm dialog, and no inline script."""
    course, _questions = bank(quiz={"final": {"questions": 4, "time_limit_minutes": 20}})
    login_user(learner(course))
    url = post_form(client, f"/quizzes/course/{course.slug}/final/start",
                    page=f"/quizzes/course/{course.slug}").headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert '<strong data-answered>0</strong>' in html
    seconds = int(re.search(r'data-remaining="(\d+)"', html)[1])
    assert 19 * 60 <= seconds <= 20 * 60
    assert '<dialog id="quiz-confirm"' in html and "data-submit" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
