"""Attempts: drawing papers, the attempt limit, the time limit, grading exactly once."""

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lms.assessments import services
from lms.assessments.models import Attempt, AttemptAnswer, Question
from lms.core.timeutil import utcnow


def _right(question):
    return sorted(services.answer_keys(question))


def test_draw_spreads_questions_across_lessons(db, bank):
    """Three questions from a bank of three lessons take one question from each lesson, and
    every option order is a permutation of the bank's options."""
    course, questions = bank()
    by_id = {q.id: q for q in questions}
    for seed in range(20):
        layout = services.draw_layout(course, 3, random.Random(seed))
        lessons = sorted(by_id[item["q"]].lesson_slug for item in layout)
        assert lessons == ["bai-1", "bai-2", "bai-3"]
        for item in layout:
            assert sorted(item["o"]) == ["a", "b", "c", "d"]


def test_draw_shuffles_options_and_takes_at_most_the_bank(db, bank):
    """Asking for more questions than the bank holds draws each question once; option orders
    vary between draws."""
    course, questions = bank()
    layout = services.draw_layout(course, 50, random.Random(1))
    assert sorted(item["q"] for item in layout) == sorted(q.id for q in questions)
    orders = {tuple(item["o"]) for seed in range(10)
              for item in services.draw_layout(course, 6, random.Random(seed))}
    assert len(orders) > 1


def test_start_returns_the_open_attempt_and_stores_the_layout(db, bank, learner):
    """Starting twice continues the same attempt; its questions are stored server-side."""
    course, _ = bank()
    person = learner(course).person
    first = services.start_attempt(person, course, "final")
    db.session.commit()
    again = services.start_attempt(person, course, "final")
    assert again.id == first.id
    assert len(first.layout) == 4
    assert [a.question_id for a in first.answers] == [item["q"] for item in first.layout]


def test_attempt_limit_is_enforced(db, bank, learner):
    """After max_attempts submitted attempts, a new start is refused."""
    course, _ = bank()  # final: max 2 attempts
    person = learner(course).person
    for _ in range(2):
        attempt = services.start_attempt(person, course, "final")
        services.submit_attempt(attempt)
        db.session.commit()
    with pytest.raises(services.QuizError, match="hết 2 lượt"):
        services.start_attempt(person, course, "final")


def test_passed_final_cannot_be_retaken(db, bank, learner):
    """A learner who passed the final is not offered another attempt."""
    course, questions = bank()
    person = learner(course).person
    attempt = services.start_attempt(person, course, "final")
    by_id = {q.id: q for q in questions}
    for item in attempt.layout:
        services.save_answer(attempt, item["q"], _right(by_id[item["q"]]))
    assert services.submit_attempt(attempt)
    db.session.commit()
    assert attempt.passed and attempt.score == 100.0
    with pytest.raises(services.QuizError, match="đã đạt"):
        services.start_attempt(person, course, "final")


def _run_threads(app, count, work):
    """Run `work()` in `count` threads, each in its own app context, released together."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def runner():
        with app.app_context():
            try:
                barrier.wait()
                results.append(work())
            except Exception as exc:  # noqa: BLE001 — collected and asserted on
                errors.append(exc)
            finally:
                from lms.extensions import db as _db

                _db.session.rollback()
                _db.session.remove()

    threads = [threading.Thread(target=runner) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def test_concurrent_starts_create_one_attempt(app, db, bank, learner):
    """Four simultaneous "start" requests with one attempt allowed create exactly one attempt,
    and every request gets that attempt (or a clear refusal)."""
    course, _ = bank(quiz={"final": {"questions": 4, "max_attempts": 1}})
    person_id, course_id = learner(course).person_id, course.id

    def work():
        from lms.courses.models import Course
        from lms.extensions import db as _db
        from lms.units.models import Person

        attempt = services.start_attempt(_db.session.get(Person, person_id),
                                         _db.session.get(Course, course_id), "final")
        attempt_id = attempt.id
        _db.session.commit()
        return attempt_id

    results, errors = _run_threads(app, 4, work)
    assert all(isinstance(e, services.QuizError) for e in errors), errors
    rows = db.session.scalars(select(Attempt).where(Attempt.person_id == person_id)).all()
    assert len(rows) == 1
    assert set(results) == {rows[0].id}
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 4


def test_concurrent_submits_grade_once(app, db, bank, learner):
    """Four simultaneous submits of one attempt: exactly one grades; the score is stored once."""
    course, questions = bank()
    person = learner(course).person
    attempt = services.start_attempt(person, course, "final")
    by_id = {q.id: q for q in questions}
    first = attempt.layout[0]["q"]
    services.save_answer(attempt, first, _right(by_id[first]))
    db.session.commit()
    attempt_id = attempt.id

    def work():
        from lms.extensions import db as _db

        graded = services.submit_attempt(_db.session.get(Attempt, attempt_id))
        _db.session.commit()
        return graded

    results, errors = _run_threads(app, 4, work)
    assert not errors, errors
    assert sorted(results) == [False, False, False, True]
    db.session.expire_all()
    stored = db.session.get(Attempt, attempt_id)
    assert stored.status == "submitted" and stored.score == 25.0


def test_double_submit_keeps_the_first_score(db, bank, learner):
    """A second submit returns False and leaves score and answers unchanged; saving after
    submission is refused."""
    course, questions = bank()
    person = learner(course).person
    attempt = services.start_attempt(person, course, "final")
    assert services.submit_attempt(attempt)
    db.session.commit()
    assert attempt.score == 0.0
    by_id = {q.id: q for q in questions}
    qid = attempt.layout[0]["q"]
    with pytest.raises(services.QuizError):
        services.save_answer(attempt, qid, _right(by_id[qid]))
    # Even a direct write of a right answer is not graded again by a second submit.
    db.session.execute(update(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id,
                                                   AttemptAnswer.question_id == qid)
                       .values(chosen=_right(by_id[qid]), saved_at=utcnow()))
    assert services.submit_attempt(attempt) is False
    db.session.commit()
    assert db.session.get(Attempt, attempt.id).score == 0.0


def test_saving_is_refused_after_deadline_plus_grace(db, bank, learner):
    """Within the grace period a save succeeds; after deadline + grace it is refused."""
    course, questions = bank(quiz={"final": {"questions": 4, "time_limit_minutes": 20}})
    person = learner(course).person
    attempt = services.start_attempt(person, course, "final")
    db.session.commit()
    assert attempt.deadline - attempt.started_at == timedelta(minutes=20)
    qid = attempt.layout[0]["q"]
    attempt.deadline = utcnow() - timedelta(seconds=10)  # inside the 30 s grace
    db.session.commit()
    services.save_answer(attempt, qid, ["a"])
    attempt.deadline = utcnow() - timedelta(seconds=31)
    db.session.commit()
    with pytest.raises(services.QuizError, match="hết giờ"):
        services.save_answer(attempt, qid, ["b"])


def test_late_answers_do_not_count(db, bank, learner, app):
    """Grading counts only answers saved before deadline + grace (QUIZ_GRACE_SECONDS)."""
    app.config["QUIZ_GRACE_SECONDS"] = 60
    try:
        course, questions = bank(quiz={"final": {"questions": 4, "time_limit_minutes": 10}})
        by_id = {q.id: q for q in questions}
        person = learner(course).person
        attempt = services.start_attempt(person, course, "final")
        for item in attempt.layout:
            services.save_answer(attempt, item["q"], _right(by_id[item["q"]]))
        db.session.commit()
        # Move the clock: the deadline passed 5 minutes ago; two answers were saved 59 s and
        # 61 s after it.
        deadline = utcnow() - timedelta(minutes=5)
        attempt.started_at, attempt.deadline = deadline - timedelta(minutes=10), deadline
        answers = attempt.answers
        for answer in answers:
            answer.saved_at = deadline - timedelta(minutes=1)
        answers[0].saved_at = deadline + timedelta(seconds=59)
        answers[1].saved_at = deadline + timedelta(seconds=61)
        db.session.commit()
        assert services.close_if_overdue(attempt)
        db.session.commit()
        assert attempt.score == 75.0
        assert [a.correct for a in attempt.answers] == [True, False, True, True]
    finally:
        app.config.pop("QUIZ_GRACE_SECONDS")


def test_overdue_attempt_is_submitted_when_opened(client, db, bank, learner, login_user):
    """Opening an attempt past its deadline grades it with the saved answers and shows the
    result."""
    course, _ = bank(quiz={"final": {"questions": 4, "time_limit_minutes": 5}})
    user = login_user(learner(course))
    attempt = services.start_attempt(user.person, course, "final")
    attempt.deadline = utcnow() - timedelta(minutes=2)
    db.session.commit()
    response = client.get(f"/quizzes/attempts/{attempt.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/quizzes/attempts/{attempt.id}/result")
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).status == "submitted"


def test_save_rejects_options_not_in_the_question(db, bank, learner):
    """Unknown option keys, two options on a single-choice question and foreign questions are
    refused."""
    course, questions = bank()
    person = learner(course).person
    attempt = services.start_attempt(person, course, "final")
    single = next(item["q"] for item in attempt.layout
                  if db.session.get(Question, item["q"]).type == "single")
    with pytest.raises(services.QuizError):
        services.save_answer(attempt, single, ["z"])
    with pytest.raises(services.QuizError):
        services.save_answer(attempt, single, ["a", "b"])
    other = next(q.id for q in questions if q.id not in {i["q"] for i in attempt.layout})
    with pytest.raises(services.QuizError):
        services.save_answer(attempt, other, ["a"])
