"""Integrity: no right answer or explanation reaches the browser before submission; the
feedback page shows them after, unless the course holds them back until a pass."""

import json
import re

from sqlalchemy import select

from lms.assessments import services
from lms.assessments.models import Attempt, Question
from tests.conftest import csrf_token, post_form

_TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


def _strip_tokens(html: str) -> str:
    return _TOKEN.sub(r'\1"', html)


def _leaks(text: str, questions) -> list[str]:
    """Explanations, or answer markers, found in a page or JSON body."""
    found = [q.explanation for q in questions if q.explanation in text]
    for marker in ("Giải thích", ">đáp án đúng<", "explanation", '"answer"', "data-correct",
                   "class=\"right"):
        if marker in text:
            found.append(marker)
    return found


def _positions(attempt, question):
    """The option positions (as the page posts them) of the question's right answer."""
    item = next(i for i in attempt.layout if i["q"] == question.id)
    right = services.answer_keys(question)
    return [str(n) for n, key in enumerate(item["o"]) if key in right]


def _start(client, course):
    page = f"/quizzes/course/{course.slug}"
    response = post_form(client, f"/quizzes/course/{course.slug}/final/start", page=page)
    assert response.status_code == 302
    return response.headers["Location"]


def test_no_answer_in_any_page_or_json_before_submission(client, db, bank, learner,
                                                         login_user):
    """Every page and JSON reply of an attempt in progress is free of explanations and answer
    markers; the same pages show them once submitted (review after the last attempt, and
    this is the only one)."""
    course, questions = bank(quiz={"final": {"questions": 4, "max_attempts": 1,
                                             "review": "after_last_attempt"}})
    login_user(learner(course))
    url = _start(client, course)
    attempt_id = int(url.rsplit("/", 1)[-1])
    bodies = [client.get(f"/quizzes/course/{course.slug}").get_data(as_text=True),
              client.get(url).get_data(as_text=True),
              client.get("/quizzes/history").get_data(as_text=True)]
    html = bodies[1]
    qids = re.findall(r'name="q" value="(\d+)"', html)
    saved = post_form(client, f"/quizzes/attempts/{attempt_id}/save",
                      {"q": qids[:2], f"q{qids[0]}": "0", "save": qids[0]}, page=url,
                      follow_redirects=True)
    bodies.append(saved.get_data(as_text=True))
    reply = client.post(f"/quizzes/attempts/{attempt_id}/answer.json",
                        data=json.dumps({"question_id": int(qids[1]), "chosen": ["2"]}),
                        headers={"X-CSRFToken": csrf_token(client, url),
                                 "Content-Type": "application/json"})
    assert reply.status_code == 200 and reply.get_json()["saved"] is True
    assert set(reply.get_json()) == {"saved", "saved_at"}
    bodies.append(reply.get_data(as_text=True))
    # the result URL of an open attempt only sends the learner back to the attempt
    early = client.get(f"/quizzes/attempts/{attempt_id}/result")
    assert early.status_code == 302
    bodies.append(early.get_data(as_text=True))
    for body in bodies:
        assert _leaks(body, questions) == []
    assert "Phương án" in html  # the options themselves are shown
    values = re.findall(r'type="(?:radio|checkbox)" name="q\d+" value="([^"]*)"', html)
    assert values and all(v.isdigit() for v in values)  # positions, not the bank's keys

    post_form(client, f"/quizzes/attempts/{attempt_id}/submit", {"confirm": "1"}, page=url)
    result = client.get(f"/quizzes/attempts/{attempt_id}/result").get_data(as_text=True)
    shown = [q for q in questions if str(q.id) in qids]
    assert all(q.explanation in result for q in shown)
    assert ">đáp án đúng<" in result


def test_attempt_page_does_not_depend_on_the_answers(client, db, bank, learner, login_user):
    """Changing every right answer and explanation in the bank leaves the attempt page
    byte-for-byte the same (apart from the CSRF token)."""
    course, questions = bank()
    login_user(learner(course))
    url = _start(client, course)
    before = _strip_tokens(client.get(url).get_data(as_text=True))
    for question in db.session.scalars(select(Question)):
        question.answer = ["b", "d"] if question.type == "multiple" else ["d"]
        question.explanation = "Một giải thích khác hoàn toàn."
    db.session.commit()
    after = _strip_tokens(client.get(url).get_data(as_text=True))
    assert before == after


def test_answers_held_back_until_pass(client, db, bank, learner, login_user):
    """With review after_pass a failed attempt shows the score but no right answers or
    explanations; after a pass they appear, also on the earlier attempt."""
    course, questions = bank(quiz={"final": {"questions": 4, "max_attempts": 3,
                                             "review": "after_pass"}})
    user = login_user(learner(course))
    url = _start(client, course)
    first_id = int(url.rsplit("/", 1)[-1])
    post_form(client, f"/quizzes/attempts/{first_id}/submit", {"confirm": "1"}, page=url)
    failed = client.get(f"/quizzes/attempts/{first_id}/result").get_data(as_text=True)
    assert "0,0%" in failed
    assert _leaks(failed, questions) == []

    url = _start(client, course)
    second = db.session.get(Attempt, int(url.rsplit("/", 1)[-1]))
    by_id = {q.id: q for q in questions}
    data = {"q": [str(i["q"]) for i in second.layout]}
    for item in second.layout:
        data[f"q{item['q']}"] = _positions(second, by_id[item["q"]])
    post_form(client, f"/quizzes/attempts/{second.id}/submit", {**data, "confirm": "1"},
              page=url)
    db.session.expire_all()
    assert db.session.get(Attempt, second.id).passed is True
    again = client.get(f"/quizzes/attempts/{first_id}/result").get_data(as_text=True)
    assert ">đáp án đúng<" in again
    assert user.person_id == second.person_id


def test_double_submit_over_http_keeps_the_score(client, db, bank, learner, login_user):
    """A second POST to submit (back button, second tab) with other answers changes nothing."""
    course, questions = bank()
    login_user(learner(course))
    url = _start(client, course)
    attempt = db.session.get(Attempt, int(url.rsplit("/", 1)[-1]))
    qids = [str(i["q"]) for i in attempt.layout]
    post_form(client, f"/quizzes/attempts/{attempt.id}/submit", {"q": qids, "confirm": "1"},
              page=url)
    by_id = {q.id: q for q in questions}
    right = {"q": qids, "confirm": "1"}
    for qid in qids:
        right[f"q{qid}"] = _positions(attempt, by_id[int(qid)])
    second = post_form(client, f"/quizzes/attempts/{attempt.id}/submit", right,
                       page=f"/quizzes/attempts/{attempt.id}/result", follow_redirects=True)
    assert "điểm không thay đổi" in second.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Attempt, attempt.id)
    assert stored.score == 0.0
    assert all(a.chosen is None for a in stored.answers)


def test_json_save_needs_the_csrf_token(client, db, bank, learner, login_user):
    """The auto-save endpoint refuses a request without the CSRF header."""
    course, _questions = bank()
    login_user(learner(course))
    url = _start(client, course)
    attempt = db.session.get(Attempt, int(url.rsplit("/", 1)[-1]))
    reply = client.post(f"/quizzes/attempts/{attempt.id}/answer.json",
                        data=json.dumps({"question_id": attempt.layout[0]["q"],
                                         "chosen": ["0"]}),
                        headers={"Content-Type": "application/json"})
    assert reply.status_code == 400
    db.session.expire_all()
    assert all(a.chosen is None for a in db.session.get(Attempt, attempt.id).answers)


def test_saved_positions_map_to_the_drawn_options(client, db, bank, learner, login_user):
    """Posting position 1 of a question saves the key shown second in that attempt; a position
    beyond the options is refused and saves nothing."""
    course, _questions = bank()
    login_user(learner(course))
    url = _start(client, course)
    attempt = db.session.get(Attempt, int(url.rsplit("/", 1)[-1]))
    item = next(i for i in attempt.layout
                if db.session.get(Question, i["q"]).type == "single")
    post_form(client, f"/quizzes/attempts/{attempt.id}/save",
              {"q": str(item["q"]), f"q{item['q']}": "1"}, page=url)
    bad = post_form(client, f"/quizzes/attempts/{attempt.id}/save",
                    {"q": str(item["q"]), f"q{item['q']}": "9"}, page=url,
                    follow_redirects=True)
    assert "Lựa chọn không hợp lệ" in bad.get_data(as_text=True)
    db.session.expire_all()
    answer = next(a for a in db.session.get(Attempt, attempt.id).answers
                  if a.question_id == item["q"])
    assert answer.chosen == [item["o"][1]]


def test_two_tabs_submitting_at_once_grade_once(app, db, bank, learner):
    """Two logged-in sessions of one learner POST submit at the same moment with different
    answers: the attempt is graded once and both see the same stored score."""
    import threading

    from tests.conftest import TEST_PASSWORD

    course, questions = bank()
    user = learner(course)
    attempt = services.start_attempt(user.person, course, "final")
    db.session.commit()
    by_id = {q.id: q for q in questions}
    qids = [str(i["q"]) for i in attempt.layout]
    right = {"q": qids, **{f"q{q}": _positions(attempt, by_id[int(q)]) for q in qids}}
    tabs = []
    for data in ({**right, "confirm": "1"}, {"q": qids, "confirm": "1"}):
        tab = app.test_client()
        with app.app_context():  # a fresh `g`, so the other tab's login is not reused
            post_form(tab, "/accounts/login", {"username": user.username,
                                               "password": TEST_PASSWORD},
                      page="/accounts/login")
            page = f"/quizzes/attempts/{attempt.id}"
            tabs.append((tab, {**data, "csrf_token": csrf_token(tab, page)}))
    barrier = threading.Barrier(2)
    statuses = []

    def submit(tab, data):
        barrier.wait()
        statuses.append(tab.post(f"/quizzes/attempts/{attempt.id}/submit", data=data)
                        .status_code)

    threads = [threading.Thread(target=submit, args=tab) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [302, 302]
    db.session.expire_all()
    stored = db.session.get(Attempt, attempt.id)
    assert stored.status == "submitted"
    graded = [a.points for a in stored.answers]
    assert stored.score == 100.0 * sum(graded) / len(graded)
    assert stored.score in (0.0, 100.0)  # one tab's answers, never a mix graded twice
