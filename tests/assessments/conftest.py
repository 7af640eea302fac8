"""Factories for the assessments tests: courses with quiz settings, questions, enrolled
learners, attempts and cohorts."""

from datetime import date

import pytest

from tests.conftest import TEST_PASSWORD, csrf_token


@pytest.fixture
def make_course(db):
    """Factory: a course with quiz settings (default: final of 4 questions, pass mark 70)."""
    counter = {"n": 0}

    def make(quiz=None, pass_mark=70, lessons=("bai-1", "bai-2"), **kw):
        from lms.courses.models import Course, Lesson

        counter["n"] += 1
        slug = kw.pop("slug", f"khoa-{counter['n']}")
        settings = {"quiz": quiz if quiz is not None else {"final": {"questions": 4}}}
        course = Course(slug=slug, title=kw.pop("title", f"Khóa học {counter['n']}"),
                        pass_mark=pass_mark, settings=settings, **kw)
        course.lessons = [Lesson(slug=s, title=s, position=i) for i, s in enumerate(lessons)]
        db.session.add(course)
        db.session.commit()
        return course

    return make


@pytest.fixture
def make_question(db):
    """Factory: a question (single choice a/b/c with answer a unless told otherwise)."""
    counter = {"n": 0}

    def make(course, qtype="single", answer=None, options=None, lesson="bai-1", **kw):
        from lms.assessments.models import Question

        counter["n"] += 1
        if options is None:
            options = [] if qtype == "true_false" else [
                {"key": k, "text": f"Phương án {k} của câu {counter['n']}"} for k in "abcd"]
        if answer is None:
            answer = [True] if qtype == "true_false" else ["a"]
        question = Question(course_id=course.id, key=kw.pop("key", f"q{counter['n']}"),
                            lesson_slug=lesson, type=qtype,
                            text=kw.pop("text", f"Câu hỏi số {counter['n']} về hỗ trợ nạn nhân?"),
                            options=options, answer=answer,
                            explanation=kw.pop("explanation",
                                               f"Giải thích bí mật số {counter['n']}."), **kw)
        db.session.add(question)
        db.session.commit()
        return question

    return make


@pytest.fixture
def bank(make_course, make_question):
    """A course whose final draws 4 of 6 questions (3 lessons) and a pretest of 3."""
    def make(quiz=None, **kw):
        course = make_course(quiz=quiz or {"pretest": {"questions": 3},
                                           "final": {"questions": 4, "max_attempts": 2}},
                             lessons=("bai-1", "bai-2", "bai-3"), **kw)
        questions = []
        for lesson in ("bai-1", "bai-2", "bai-3"):
            questions.append(make_question(course, lesson=lesson))
            questions.append(make_question(course, qtype="multiple", answer=["a", "c"],
                                           lesson=lesson))
        return course, questions

    return make


@pytest.fixture
def learner(db, make_person, make_user):
    """Factory: a trainee account linked to a roster person, enrolled in `course`."""
    def make(course=None, **kw):
        from lms.courses.models import Enrolment

        person = make_person(**kw)
        user = make_user("trainee", person=person, unit=person.commune)
        if course is not None:
            db.session.add(Enrolment(person_id=person.id, course_id=course.id))
            db.session.commit()
        return user

    return make


@pytest.fixture
def login_user(client):
    """Log the test client in as an existing user."""
    def login(user):
        client.post("/accounts/logout", data={"csrf_token": csrf_token(client)})
        response = client.post("/accounts/login", data={
            "username": user.username, "password": TEST_PASSWORD,
            "csrf_token": csrf_token(client, "/accounts/login")})
        assert response.status_code == 302
        return user

    return login


@pytest.fixture
def make_cohort(db, units):
    """Factory: a cohort of `course` hosted in Quảng Ninh, with `members` and `trainers`."""
    def make(course, members=(), trainers=(), host="22"):
        from lms.cohorts.models import Cohort, CohortMember

        cohort = Cohort(course_id=course.id, name=f"Lớp {course.title}", host_unit=units(host),
                        starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 4))
        cohort.trainers = list(trainers)
        cohort.members = [CohortMember(person_id=p.id) for p in members]
        db.session.add(cohort)
        db.session.commit()
        return cohort

    return make


@pytest.fixture
def graded_attempt(db):
    """Factory: a submitted attempt with given per-question correctness and chosen keys.

    `answers` maps question → (chosen keys, correct?). The score is the share correct.
    """
    counter = {}

    def make(person, course, answers: dict, kind="final", score=None, submitted_at=None):
        from lms.assessments.models import SUBMITTED, Attempt, AttemptAnswer
        from lms.core.timeutil import utcnow

        number = counter.get((person.id, kind), 0) + 1
        counter[(person.id, kind)] = number
        right = sum(1 for _c, ok in answers.values() if ok)
        value = score if score is not None else round(100.0 * right / len(answers), 2)
        attempt = Attempt(person_id=person.id, course_id=course.id, kind=kind, number=number,
                          status=SUBMITTED, layout=[{"q": q.id, "o": ["a", "b", "c", "d"]}
                                                    for q in answers],
                          submitted_at=submitted_at or utcnow(), score=value,
                          passed=value >= course.pass_mark)
        attempt.answers = [AttemptAnswer(question_id=q.id, position=i, chosen=chosen or None,
                                         saved_at=utcnow(), correct=ok,
                                         points=1.0 if ok else 0.0)
                           for i, (q, (chosen, ok)) in enumerate(answers.items(), start=1)]
        db.session.add(attempt)
        db.session.commit()
        return attempt

    return make
