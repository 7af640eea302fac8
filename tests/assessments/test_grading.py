"""Grading: single and true/false exact, multiple all-or-nothing or partial credit."""

import pytest

from lms.assessments import services


@pytest.mark.parametrize(("qtype", "chosen", "expected"), [
    ("single", ["a"], 1.0), ("single", ["b"], 0.0), ("single", [], 0.0), ("single", None, 0.0),
    ("true_false", ["true"], 1.0), ("true_false", ["false"], 0.0),
    ("multiple", ["a", "c"], 1.0), ("multiple", ["a"], 0.0), ("multiple", ["a", "c", "d"], 0.0),
])
def test_all_or_nothing(qtype, chosen, expected):
    """Without partial credit only the exact set of right options scores."""
    right = {"true"} if qtype == "true_false" else ({"a", "c"} if qtype == "multiple" else {"a"})
    assert services.grade_answer(qtype, right, chosen, partial=False) == expected


@pytest.mark.parametrize(("chosen", "expected"), [
    (["a", "c", "e"], 1.0),            # all three right
    (["a", "c"], 2 / 3),               # two right, none wrong
    (["a"], 1 / 3),
    (["a", "c", "b"], 1 / 3),          # two right − one wrong = 1 of 3
    (["a", "b"], 0.0),                 # 1 − 1
    (["b", "d"], 0.0),                 # floored at 0, never negative
    (["a", "b", "c", "d", "e"], 1 / 3),
])
def test_partial_credit(chosen, expected):
    """Partial credit is (right chosen − wrong chosen) / right, floored at 0."""
    got = services.grade_answer("multiple", {"a", "c", "e"}, chosen, partial=True)
    assert got == pytest.approx(expected)


def test_partial_credit_does_not_apply_to_single_choice():
    """A wrong single-choice answer earns nothing even when the course gives partial credit."""
    assert services.grade_answer("single", {"a"}, ["b"], partial=True) == 0.0


def test_true_false_answers_from_the_bank(db, make_course, make_question):
    """A true/false question offers Đúng/Sai and its answer [false] is the key "false"."""
    course = make_course()
    question = make_question(course, qtype="true_false", answer=[False])
    assert services.answer_keys(question) == {"false"}
    assert [o["key"] for o in services.question_options(question)] == ["true", "false"]


def test_submitted_score_uses_partial_credit_setting(db, make_course, make_question, learner):
    """With partial credit, a half-right multiple-choice answer adds half a point to the score."""
    for partial, expected in ((True, 75.0), (False, 50.0)):
        course = make_course(quiz={"final": {"questions": 2}, "partial_credit": partial})
        make_question(course, qtype="multiple", answer=["a", "b"])
        make_question(course, qtype="single", answer=["a"], lesson="bai-2")
        person = learner(course).person
        attempt = services.start_attempt(person, course, "final")
        for answer in attempt.answers:  # single right; multiple one of two right options
            services.save_answer(attempt, answer.question_id, ["a"])
        services.submit_attempt(attempt)
        db.session.commit()
        assert attempt.score == expected
        multiple = next(a for a in attempt.answers if a.question.type == "multiple")
        assert multiple.points == (0.5 if partial else 0.0)
        assert multiple.correct is False
