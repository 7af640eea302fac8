"""Review policy: a pre-test shows the score only; each quiz shows answers when its policy
allows, never before; a sweep of every page a trainee (or trainer) can open finds no pre-test
answer or explanation."""

import re

import pytest
from sqlalchemy import select

from lms.assessments import services
from lms.assessments.models import Attempt
from lms.core.timeutil import utcnow
from tests.conftest import post_form

MARKERS = (">đáp án đúng<", 'class="right', "quiz-explanation", "Giải thích bí mật")


def _leaks(text: str, questions) -> list[str]:
    found = [q.explanation for q in questions if q.explanation in text]
    return found + [m for m in MARKERS if m in text]


def _take(client, course, kind, right=False, questions=()):
    from lms.extensions import db

    """Start and submit a quiz over HTTP; returns the attempt id."""
    page = f"/quizzes/course/{course.slug}"
    response = post_form(client, f"{page}/{kind}/start", page=page)
    url = response.headers["Location"]
    attempt_id = int(url.rsplit("/", 1)[-1])
    data = {}
    if right:
        attempt = db.session.get(Attempt, attempt_id)
        by_id = {q.id: q for q in questions}
        data["q"] = [str(i["q"]) for i in attempt.layout]
        for item in attempt.layout:
            keys = services.answer_keys(by_id[item["q"]])
            data[f"q{item['q']}"] = [str(n) for n, k in enumerate(item["o"]) if k in keys]
    post_form(client, f"/quizzes/attempts/{attempt_id}/submit", {**data, "confirm": "1"},
              page=url)
    return attempt_id


def test_pretest_shows_score_only(client, db, bank, learner, login_user):
    """A submitted pre-test shows its score and "not scored", never answers or explanations,
    even once the final has been passed."""
    course, questions = bank(quiz={"pretest": {"questions": 3},
                                   "final": {"questions": 3, "review": "after_pass"}})
    login_user(learner(course))
    pre_id = _take(client, course, "pretest")
    page = client.get(f"/quizzes/attempts/{pre_id}/result").get_data(as_text=True)
    assert "Không tính điểm đạt" in page and "Chưa đạt" not in page
    assert _leaks(page, questions) == []
    final_id = _take(client, course, "final", right=True, questions=questions)
    assert ">đáp án đúng<" in client.get(f"/quizzes/attempts/{final_id}/result").get_data(
        as_text=True)
    assert _leaks(client.get(f"/quizzes/attempts/{pre_id}/result").get_data(as_text=True),
                  questions) == []


@pytest.mark.parametrize("policy", ["never", "after_last_attempt", "after_pass",
                                    "after_cohort_closes"])
def test_each_policy_holds_answers_until_allowed(client, db, bank, learner, login_user,
                                                 make_cohort, policy):
    """A failed first attempt shows no answer under every policy; then each policy opens
    exactly when its event happens (never: not at all)."""
    course, questions = bank(quiz={"final": {"questions": 4, "max_attempts": 2,
                                             "review": policy}})
    user = login_user(learner(course))
    cohort = make_cohort(course, members=[user.person])
    first = _take(client, course, "final")
    assert _leaks(client.get(f"/quizzes/attempts/{first}/result").get_data(as_text=True),
                  questions) == []
    if policy == "after_cohort_closes":
        cohort.closed_at = utcnow()
        db.session.commit()
    else:
        _take(client, course, "final", right=policy == "after_pass", questions=questions)
    shown = client.get(f"/quizzes/attempts/{first}/result").get_data(as_text=True)
    if policy == "never":
        assert _leaks(shown, questions) == []
        assert "chỉ cho biết điểm" in shown
    else:
        assert ">đáp án đúng<" in shown


def _fill(rule, values):
    """A URL for a rule, its arguments taken from `values`, or None when one is unknown."""
    args = {}
    for name in rule.arguments:
        if name not in values:
            return None
        args[name] = values[name]
    return rule.build(args, append_unknown=False)[1]


def _sweep(app, client, values) -> dict[str, str]:
    """GET every route without side effects whose arguments are known; url → body."""
    bodies = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or "logout" in rule.rule:
            continue
        url = _fill(rule, values)
        if url is None:
            continue
        for kind in ("", "?kind=pretest", "?kind=final"):
            response = client.get(url + kind)
            body = response.get_data()
            if response.mimetype == "application/pdf":
                bodies[url + kind] = "PDF"
            else:
                bodies[url + kind] = body.decode("utf-8", "replace")
    return bodies


def test_no_pretest_answer_reaches_any_page(app, client, db, bank, learner, login_user,
                                            login_as, make_cohort, make_user):
    """Every GET route of the application whose arguments name a course, lesson, attempt,
    person or cohort (the rest — units, users, sessions, certificates, assets — hold no
    question), opened by the trainee who took the pre-test and by their trainer, with and
    without `?kind=`, is free of the pre-test's answers and explanations (HTML and JSON); the
    paper test PDF, which carries the key, is never served to the trainee."""
    course, questions = bank(quiz={"pretest": {"questions": 3},
                                   "final": {"questions": 3, "review": "after_pass"}})
    user = login_user(learner(course))
    pre_id = _take(client, course, "pretest")
    pre = db.session.get(Attempt, pre_id)
    seen = {q.id for q in questions} & {i["q"] for i in pre.layout}
    pre_questions = [q for q in questions if q.id in seen]
    trainer = make_user("trainer", unit=user.person.commune)
    cohort = make_cohort(course, members=[user.person], trainers=[trainer])
    values = {"slug": course.slug, "attempt_id": pre_id, "staff_id": user.person.staff_id,
              "cohort_id": cohort.id, "id": cohort.id, "person_id": user.person.id,
              "course_id": course.id, "kind": "pretest", "lesson_slug": "bai-1"}
    bodies = _sweep(app, client, values)
    assert f"/quizzes/attempts/{pre_id}/result" in bodies
    for url, body in bodies.items():
        assert body != "PDF" or "paper-test" not in url, url
        assert _leaks(body, pre_questions) == [], url
    login_user(trainer)
    for url, body in _sweep(app, client, values).items():
        if body == "PDF":
            continue  # the printed paper's answer key is for trainers, by design
        assert _leaks(body, pre_questions) == [], url


def test_save_reply_never_carries_answers(client, db, bank, learner, login_user):
    """The JSON reply of an auto-save holds only whether and when it was saved."""
    course, _questions = bank()
    login_user(learner(course))
    page = f"/quizzes/course/{course.slug}"
    url = post_form(client, f"{page}/pretest/start", page=page).headers["Location"]
    attempt = db.session.scalar(select(Attempt))
    html = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]
    reply = client.post(f"/quizzes/attempts/{attempt.id}/answer.json",
                        json={"question_id": attempt.layout[0]["q"], "chosen": ["0"]},
                        headers={"X-CSRFToken": token})
    assert set(reply.get_json()) == {"saved", "saved_at"}
