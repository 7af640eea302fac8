"""Quiz pages render for a learner from start to feedback."""

import re

from tests.conftest import post_form


def test_learner_takes_final_and_sees_feedback(client, bank, learner, login_user):
    """A learner starts the final, saves answers, submits and sees score and explanations (the
    final's review policy: after the last attempt, and it has one)."""
    course, questions = bank(quiz={"final": {"questions": 4, "max_attempts": 1,
                                             "review": "after_last_attempt"}})
    user = login_user(learner(course))
    page = client.get(f"/quizzes/course/{course.slug}")
    assert page.status_code == 200
    response = post_form(client, f"/quizzes/course/{course.slug}/final/start",
                         page=f"/quizzes/course/{course.slug}")
    assert response.status_code == 302
    url = response.headers["Location"]
    html = client.get(url).get_data(as_text=True)
    qids = re.findall(r'name="q" value="(\d+)"', html)
    assert len(qids) == 4
    data = {"q": qids, "confirm": "1", **{f"q{q}": "0" for q in qids}}
    attempt_id = int(url.rstrip("/").split("/")[-1])
    response = post_form(client, f"/quizzes/attempts/{attempt_id}/submit", data, page=url)
    assert response.status_code == 302
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Điểm" in result
    assert "Giải thích bí mật" in result
    assert user.person_id
