"""Item analysis and knowledge gain against hand-computed values."""

from datetime import datetime

import pytest

from lms.assessments import analytics
from lms.assessments.models import PaperScore

# Correctness of five questions in eight attempts (A1…A8, created in this order).
# Scores: A1 80, A2 60, A3 60, A4 40, A5 40, A6 40, A7 40, A8 20.
# Ranked by score then id: upper 27% = round(0.27 × 8) = 2 attempts {A1, A2};
# lower = {A7, A8}.
MATRIX = [
    [1, 1, 0, 1, 1],
    [1, 0, 0, 1, 1],
    [1, 0, 1, 1, 0],
    [1, 0, 0, 1, 0],
    [1, 0, 1, 0, 0],
    [1, 0, 1, 0, 0],
    [1, 0, 1, 0, 0],
    [1, 0, 0, 0, None],  # A8 leaves Q5 blank
]


@pytest.fixture
def item_fixture(db, make_course, make_question, make_person, graded_attempt):
    """Eight graded final attempts over five single-choice questions (answer a)."""
    course = make_course(quiz={"final": {"questions": 5}})
    questions = [make_question(course, key=f"Q{i}", lesson="bai-1") for i in range(1, 6)]
    people = []
    for row in MATRIX:
        person = make_person()
        people.append(person)
        answers = {}
        for question, mark in zip(questions, row, strict=True):
            chosen = None if mark is None else (["a"] if mark else ["b"])
            answers[question] = (chosen, bool(mark))
        graded_attempt(person, course, answers)
    return course, questions, people


def test_item_statistics_match_hand_computed_values(item_fixture):
    """Attempts, facility, upper–lower discrimination, option counts and flags per question."""
    course, questions, _people = item_fixture
    stats = {s.key: s for s in analytics.item_analysis(course, minimum=8)}
    unused = "unused_distractor"  # nobody picks c or d
    expected = {  # key: (attempts, facility, D, flags)
        "Q1": (8, 1.0, 0.0, ["too_easy", "low_discrimination", unused]),
        "Q2": (8, 0.125, 0.5, ["too_hard", unused]),
        "Q3": (8, 0.5, -0.5, ["negative", unused, "strong_distractor"]),
        "Q4": (8, 0.5, 1.0, [unused]),
        "Q5": (8, 0.25, 1.0, [unused]),
    }
    for key, (attempts, facility, discrimination, flags) in expected.items():
        stat = stats[key]
        assert stat.attempts == attempts, key
        assert stat.facility == pytest.approx(facility), key
        assert stat.discrimination == pytest.approx(discrimination), key
        assert stat.flags == flags, key
    # Q4, right in A1–A4: M1 = 60, M0 = 35, mean 47.5, s = √(2550 − 47.5²) = √293.75, p = ½
    assert stats["Q4"].point_biserial == pytest.approx(25 / 293.75 ** 0.5 * 0.5)
    assert round(stats["Q4"].point_biserial, 4) == 0.7293
    assert stats["Q1"].point_biserial is None  # everyone right: undefined
    counts = {key: times for key, _text, times in stats["Q5"].options}
    assert counts == {"a": 2, "b": 5, "c": 0, "d": 0}
    assert stats["Q5"].unanswered == 1
    assert {k: t for k, _x, t in stats["Q3"].options}["a"] == 4
    assert stats["Q3"].distractors["b"] == (2, 1)  # A1, A2 picked b; of A7, A8 only A8
    assert stats["Q4"].n_discrimination == 4


def test_no_flag_below_the_minimum_responses(item_fixture, app):
    """With the default minimum (30 responses) eight attempts raise no flag, and one more
    than available raises none either; the figures are still computed."""
    course, _questions, _people = item_fixture
    assert app.config["ITEM_MIN_RESPONSES"] == 30
    for stats in (analytics.item_analysis(course), analytics.item_analysis(course, minimum=9)):
        assert all(s.flags == [] for s in stats)
        assert all(s.facility is not None and not s.trusted for s in stats)


def test_item_analysis_for_one_cohort(item_fixture, make_cohort):
    """Limited to a cohort of A1–A4: four attempts; upper {A1}, lower {A4} (round(1.08) = 1)."""
    course, questions, people = item_fixture
    cohort = make_cohort(course, members=people[:4])
    stats = {s.key: s for s in analytics.item_analysis(course, cohort=cohort)}
    assert stats["Q1"].attempts == 4
    assert stats["Q3"].facility == pytest.approx(0.25)
    assert stats["Q5"].discrimination == pytest.approx(1.0)   # A1 right, A4 wrong
    assert stats["Q4"].discrimination == pytest.approx(0.0)   # both right


def test_item_analysis_without_attempts(db, make_course, make_question):
    """A bank nobody answered yet lists its questions with no figures and no flags."""
    course = make_course()
    make_question(course)
    [stat] = analytics.item_analysis(course)
    assert stat.attempts == 0 and stat.facility is None and stat.flags == []


@pytest.fixture
def gain_fixture(db, units, make_course, make_question, make_person, graded_attempt):
    """Four people, pass mark 70, online and paper results mixed (see the test for values)."""
    course = make_course(quiz={"pretest": {"questions": 1}, "final": {"questions": 1}})
    q = make_question(course)
    p1, p2, p3 = make_person(), make_person(), make_person()
    p4 = make_person(commune=units("00004", "commune") or units("00001", "commune"))
    early, late = datetime(2026, 3, 1, 8), datetime(2026, 3, 5, 8)
    # P1: online pre 40 then 90 (first counts), online finals 60 and 80 (best counts)
    graded_attempt(p1, course, {q: (["a"], True)}, kind="pretest", score=40, submitted_at=early)
    graded_attempt(p1, course, {q: (["a"], True)}, kind="pretest", score=90, submitted_at=late)
    graded_attempt(p1, course, {q: (["a"], True)}, score=60)
    graded_attempt(p1, course, {q: (["a"], True)}, score=80)
    # P2: paper only, 50 → 90
    db.session.add(PaperScore(person_id=p2.id, course_id=course.id, pre_score=50,
                              post_score=90))
    # P3: online pre 80 (early), a later paper pre 20; no post
    graded_attempt(p3, course, {q: (["a"], True)}, kind="pretest", score=80, submitted_at=early)
    db.session.add(PaperScore(person_id=p3.id, course_id=course.id, pre_score=20,
                              entered_at=late))
    # P4 (another province): paper post 70 only
    db.session.add(PaperScore(person_id=p4.id, course_id=course.id, post_score=70))
    db.session.commit()
    return course, (p1, p2, p3, p4)


def test_gain_for_a_course_mixes_online_and_paper(gain_fixture):
    """pre = {40, 50, 80}, post = {80, 90, 70}; gain over P1, P2 = 40; pass shares 1/3 → 1."""
    course, _people = gain_fixture
    [row] = analytics.knowledge_gain(course=course)
    assert (row.people, row.n_pre, row.n_post, row.n_paired) == (4, 3, 3, 2)
    assert row.pre_mean == pytest.approx(170 / 3)
    assert row.post_mean == pytest.approx(80.0)
    assert row.gain == pytest.approx(40.0)
    assert row.pre_pass_share == pytest.approx(1 / 3)
    assert row.post_pass_share == pytest.approx(1.0)


def test_gain_for_a_commune_a_learner_and_a_cohort(gain_fixture, units, make_cohort):
    """The commune of P1–P3 excludes P4; one learner; a cohort of P2 and P4."""
    course, (p1, p2, _p3, p4) = gain_fixture
    [commune] = analytics.knowledge_gain(unit=units("06652", "commune"))
    assert commune.people == 3
    assert commune.post_mean == pytest.approx(85.0)
    [one] = analytics.knowledge_gain(person=p1)
    assert (one.pre_mean, one.post_mean, one.gain) == (40.0, 80.0, 40.0)
    cohort = make_cohort(course, members=[p2, p4])
    [group] = analytics.knowledge_gain(cohort=cohort)
    assert (group.n_pre, group.n_post, group.pre_mean, group.post_mean) == (1, 2, 50.0, 80.0)
    assert group.gain == pytest.approx(40.0)
    # a viewer limited to Quảng Ninh does not see P4
    [scoped] = analytics.knowledge_gain(course=course, scope=units("22", "province"))
    assert scoped.people == 3


def test_item_analysis_page_flags_questions(client, item_fixture, login_as):
    """The trainer's page shows the figures with their counts and the flags with the number
    of responses they rest on; below the minimum it says how many responses are missing."""
    course, _questions, _people = item_fixture
    login_as("trainer", unit="22")
    url = f"/quizzes/course/{course.slug}/items"
    html = client.get(url).get_data(as_text=True)
    assert "Chưa đủ 30 lượt để đánh giá (mới có 8)." in html
    assert "quá dễ (n=" not in html
    client.application.config["ITEM_MIN_RESPONSES"] = 8
    try:
        html = client.get(url).get_data(as_text=True)
    finally:
        client.application.config["ITEM_MIN_RESPONSES"] = 30
    for text in ("quá dễ (n=8)", "quá khó (n=8)", "phân biệt âm (n=8)", "-0.50 <small>(n=4)",
                 "0.12 <small>(n=8)", "phương án nhiễu không ai chọn (n=8)",
                 "nhóm giỏi chọn phương án nhiễu (n=8)"):
        assert text in html, text
