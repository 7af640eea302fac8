"""Parallel forms: the pre-test and the final never share an item for one person, a blueprint
gives both forms the same make-up, and gain is computed on matched forms only."""

import random
from collections import Counter

import pytest
from sqlalchemy import select

from lms.assessments import analytics, services
from lms.assessments.models import Attempt, Question

LESSONS = ("bai-1", "bai-2", "bai-3")
BLUEPRINT = [{"lesson": "bai-1", "difficulty": None, "items": 2},
             {"lesson": "bai-2", "difficulty": "easy", "items": 1},
             {"lesson": "bai-2", "difficulty": "hard", "items": 1},
             {"lesson": "bai-3", "difficulty": None, "items": 1}]


@pytest.fixture
def blueprint_bank(make_course, make_question):
    """A course split by a blueprint (5 items per form) over a bank of exactly twice that."""
    def make(forms="split", review="never"):
        quiz = {"forms": forms, "blueprint": BLUEPRINT, "blueprint_id": "bp-one",
                "pretest": {"questions": 5}, "final": {"questions": 5, "max_attempts": 3,
                                                       "review": review}}
        course = make_course(quiz=quiz, lessons=LESSONS)
        plan = [("bai-1", "medium")] * 4 + [("bai-2", "easy")] * 2 + [("bai-2", "hard")] * 2 \
            + [("bai-3", "medium")] * 2
        questions = []
        for i, (lesson, difficulty) in enumerate(plan):
            form = None if forms == "split" else ("pretest" if i % 2 else "final")
            questions.append(make_question(course, lesson=lesson, difficulty=difficulty,
                                           form=form))
        return course, questions

    return make


def _cells(course, layout):
    by_id = {q.id: q for q in Question.query.filter_by(course_id=course.id)}
    return Counter((by_id[i["q"]].lesson_slug, by_id[i["q"]].difficulty) for i in layout)


@pytest.mark.parametrize("forms", ["split", "pools"])
def test_forms_never_overlap_and_follow_the_blueprint(db, blueprint_bank, learner, forms):
    """For many people and draws, the pre-test and the final share no item, and both have
    exactly the blueprint's items per lesson and difficulty."""
    course, questions = blueprint_bank(forms)
    expected = Counter({("bai-1", "medium"): 2, ("bai-2", "easy"): 1, ("bai-2", "hard"): 1,
                        ("bai-3", "medium"): 1})
    for seed in range(15):
        person = learner(course).person
        rng = random.Random(seed)
        pre = services.start_attempt(person, course, "pretest", rng=rng)
        services.submit_attempt(pre)
        final = services.start_attempt(person, course, "final", rng=rng)
        pre_ids = {i["q"] for i in pre.layout}
        final_ids = {i["q"] for i in final.layout}
        assert pre_ids.isdisjoint(final_ids)
        assert _cells(course, pre.layout) == expected == _cells(course, final.layout)
        assert pre.blueprint == final.blueprint == "bp-one"
        services.submit_attempt(final)
        again = services.start_attempt(person, course, "final", rng=rng)
        assert pre_ids.isdisjoint({i["q"] for i in again.layout})
        if forms == "pools":
            by_id = {q.id: q for q in questions}
            assert {by_id[i].form for i in pre_ids} == {"pretest"}
            assert {by_id[i].form for i in final_ids} == {"final"}
        db.session.commit()


def test_without_blueprint_the_final_avoids_pre_test_items(db, bank, learner):
    """A course with no blueprint still never repeats a pre-test item in that person's
    final (the final gets fewer items rather than a repeated one)."""
    course, questions = bank()
    for seed in range(10):
        person = learner(course).person
        pre = services.start_attempt(person, course, "pretest", rng=random.Random(seed))
        services.submit_attempt(pre)
        final = services.start_attempt(person, course, "final", rng=random.Random(seed))
        assert {i["q"] for i in pre.layout}.isdisjoint({i["q"] for i in final.layout})
        assert len(final.layout) == 3  # 6 in the bank, 3 seen on the pre-test
        db.session.commit()


def test_paper_forms_of_one_seed_never_overlap(db, blueprint_bank):
    """The printed pre-test and final of the same seed share no item; the same seed prints
    the same paper again."""
    course, _questions = blueprint_bank()
    for seed in range(10):
        pre = {i["q"] for i in services.paper_layout(course, "pretest", seed)}
        final = services.paper_layout(course, "final", seed)
        assert pre.isdisjoint({i["q"] for i in final})
        assert final == services.paper_layout(course, "final", seed)


def test_pretest_is_not_scored_and_closes_once_the_final_starts(db, bank, learner):
    """A pre-test is neither passed nor failed, and cannot be started after the final."""
    course, _questions = bank(quiz={"pretest": {"questions": 2},
                                    "final": {"questions": 2, "max_attempts": 2}})
    person = learner(course).person
    services.start_attempt(person, course, "final")
    db.session.commit()
    with pytest.raises(services.QuizError, match="không còn mở"):
        services.start_attempt(person, course, "pretest")
    other = learner(course).person
    pre = services.start_attempt(other, course, "pretest")
    services.submit_attempt(pre)
    assert pre.passed is None and pre.score == 0.0


def test_gain_pairs_only_matched_forms(db, blueprint_bank, learner, graded_attempt):
    """Gain pairs a pre-test with a final of the same blueprint; a final drawn to another
    blueprint is counted as unmatched and left out, and the row names the forms."""
    course, questions = blueprint_bank()
    one, two = learner(course).person, learner(course).person
    pre_items = {q: ([], False) for q in questions[:5]}
    post_items = {q: (["a"], True) for q in questions[5:]}
    for person in (one, two):
        graded_attempt(person, course, pre_items, kind="pretest").blueprint = "bp-one"
    graded_attempt(one, course, post_items).blueprint = "bp-one"
    graded_attempt(two, course, post_items).blueprint = "bp-old"
    db.session.commit()
    [row] = analytics.knowledge_gain(course=course)
    assert (row.n_paired, row.n_unmatched, row.forms) == (1, 1, "split")
    assert row.gain == pytest.approx(100.0)


def test_gain_report_says_which_forms(client, db, blueprint_bank, bank, learner,
                                      graded_attempt, login_as):
    """The gain page says whether each course's forms are parallel."""
    parallel, questions = blueprint_bank()
    plain, plain_questions = bank()
    for course, items in ((parallel, questions), (plain, plain_questions)):
        person = learner(course).person
        graded_attempt(person, course, {items[0]: ([], False)}, kind="pretest")
        graded_attempt(person, course, {items[1]: (["a"], True)})
    login_as("admin")
    html = client.get("/quizzes/gain").get_data(as_text=True)
    assert "Đề song song: một ngân hàng chia theo ma trận đề" in html
    assert "Không có đề song song" in html


def test_stored_attempts_remember_their_blueprint(db, blueprint_bank, learner):
    """An attempt stores the blueprint it was drawn to, so a later content change is seen."""
    course, _questions = blueprint_bank()
    attempt = services.start_attempt(learner(course).person, course, "final")
    db.session.commit()
    assert db.session.scalar(select(Attempt.blueprint).where(Attempt.id == attempt.id)) \
        == "bp-one"
