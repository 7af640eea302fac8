"""Per-item paper answers: the printed paper's answer grid and code, entry as a table or an
XLSX, graded by the same grader, and the same item statistics as online answers."""

import io
import random

import pytest
from openpyxl import Workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from lms.assessments import analytics, services
from lms.assessments.models import Attempt, PaperForm
from lms.core.tabular import ImportFailed
from tests.conftest import post_form

# Chosen option key per person (rows) and question (columns, the bank's order).
MATRIX = [["a", "a", "b", "a"], ["a", "b", "b", "a"], ["a", "c", "a", "b"],
          ["b", "a", "a", None], ["a", "a", "c", "a"], ["c", None, "b", "d"]]


@pytest.fixture
def paper_course(make_course, make_question):
    """A final of 4 questions over a bank of exactly 4 (all single choice, answer a)."""
    course = make_course(quiz={"final": {"questions": 4, "max_attempts": 3}},
                         lessons=("bai-1", "bai-2"))
    questions = [make_question(course, lesson=("bai-1", "bai-2")[i % 2]) for i in range(4)]
    return course, questions


def _letters(form, question_id, key):
    entry = next(e for e in form.layout if e["q"] == question_id)
    return "" if key is None else "ABCD"[entry["o"].index(key)]


def _rows(form, people, questions):
    """Per-item rows as a trainer would type them from the papers (letters, as printed)."""
    rows = []
    for number, (person, chosen) in enumerate(zip(people, MATRIX, strict=True), start=2):
        by_question = dict(zip([q.id for q in questions], chosen, strict=True))
        cells = {f"c{n}": _letters(form, entry["q"], by_question[entry["q"]])
                 for n, entry in enumerate(form.layout, start=1)}
        rows.append((number, {"staff_id": person.staff_id, **cells}))
    return rows


def _stats(stats):
    return {s.question_id: (s.attempts, s.correct, s.facility, s.discrimination,
                            s.n_discrimination, s.point_biserial, s.options, s.unanswered,
                            s.distractors, s.flags) for s in stats}


def test_paper_and_online_answers_give_the_same_item_statistics(
        db, paper_course, learner, make_cohort):
    """Six people answer online, six others give the same answers on paper: item analysis
    of the two cohorts is identical, question by question, and so are their scores."""
    course, questions = paper_course
    online = [learner(course).person for _ in MATRIX]
    paper = [learner(course).person for _ in MATRIX]
    online_cohort, paper_cohort = make_cohort(course, online), make_cohort(course, paper)
    for person, chosen in zip(online, MATRIX, strict=True):
        attempt = services.start_attempt(person, course, "final", rng=random.Random(person.id))
        for question, key in zip(questions, chosen, strict=True):
            services.save_answer(attempt, question.id, [key] if key else [])
        services.submit_attempt(attempt)
    form = services.paper_form(course, "final", 7)
    records = services.check_paper_answers(paper_cohort, form, _rows(form, paper, questions),
                                           {})
    assert services.apply_paper_answers(paper_cohort, form, records) == len(MATRIX)
    db.session.commit()
    on = analytics.item_analysis(course, cohort=online_cohort, minimum=1)
    off = analytics.item_analysis(course, cohort=paper_cohort, minimum=1)
    assert _stats(on) == _stats(off)
    assert any(s.flags for s in on)  # the comparison covers flags too
    scores = db.session.execute(select(Attempt.person_id, Attempt.score, Attempt.passed)
                                .order_by(Attempt.id)).all()
    assert [(s, p) for _id, s, p in scores[:6]] == [(s, p) for _id, s, p in scores[6:]]
    assert all(a.paper_form_id == form.id for a in db.session.scalars(
        select(Attempt).where(Attempt.person_id.in_([p.id for p in paper]))))


def test_paper_answers_count_in_gain_and_completion(db, make_course, make_question, learner,
                                                    make_cohort):
    """A paper pre-test and a paper final of the same seed never share an item and pair in
    the knowledge gain; a passed paper final meets the final requirement."""
    from lms.assessments.completion import final_requirement_met
    from lms.courses.models import Enrolment

    course = make_course(quiz={"pretest": {"questions": 2}, "final": {"questions": 2}},
                         lessons=("bai-1", "bai-2"))
    questions = [make_question(course, lesson=("bai-1", "bai-2")[i % 2]) for i in range(4)]
    person = learner(course).person
    cohort = make_cohort(course, [person])
    pre, final = services.paper_form(course, "pretest", 3), services.paper_form(course, "final", 3)
    assert {e["q"] for e in pre.layout}.isdisjoint({e["q"] for e in final.layout})
    for form, key in ((pre, "b"), (final, "a")):
        row = {"staff_id": person.staff_id}
        row.update({f"c{n}": _letters(form, e["q"], key)
                    for n, e in enumerate(form.layout, start=1)})
        records = services.check_paper_answers(cohort, form, [(2, row)], {})
        services.apply_paper_answers(cohort, form, records)
    db.session.commit()
    [row] = analytics.knowledge_gain(course=course)
    assert (row.n_paired, row.gain) == (1, pytest.approx(100.0))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.person_id == person.id))
    assert final_requirement_met(enrolment)
    assert len(questions) == 4


def test_paper_entry_errors_name_row_and_question_and_write_nothing(db, paper_course, learner,
                                                                    make_cohort, make_person):
    """A wrong letter, two letters on a single-choice question, a stranger and a repeated
    staff id are all reported at once; nothing is written."""
    course, _questions = paper_course
    member = learner(course).person
    cohort = make_cohort(course, [member])
    stranger = make_person()
    form = services.paper_form(course, "final", 1)
    rows = [(2, {"staff_id": member.staff_id, "c1": "E", "c2": "AB", "c3": "a", "c4": ""}),
            (3, {"staff_id": member.staff_id, "c1": "A"}),
            (4, {"staff_id": stranger.staff_id, "c1": "B"}),
            (5, {"staff_id": "", "c1": "", "c2": ""})]  # an empty line: skipped
    with pytest.raises(ImportFailed) as info:
        services.check_paper_answers(cohort, form, rows, {"c1": "cau_1", "c2": "cau_2",
                                                          "staff_id": "ma_nhan_su"})
    errors = [str(e) for e in info.value.errors]
    assert errors == [
        "row 2, column cau_1: 'E' không phải phương án (chọn trong A, B, C, D)",
        "row 2, column cau_2: câu này chỉ chọn một phương án, không phải 'AB'",
        f"row 3, column ma_nhan_su: mã nhân sự {member.staff_id} trùng với dòng 2",
        f"row 4, column ma_nhan_su: {stranger.staff_id} không phải học viên của lớp này"]
    assert db.session.scalar(select(func.count(Attempt.id))) == 0


def test_paper_final_may_not_repeat_a_pre_test_item(db, bank, learner, make_cohort):
    """A person who met items on the pre-test cannot be given a paper final holding them."""
    course, _questions = bank(quiz={"pretest": {"questions": 3}, "final": {"questions": 4}})
    person = learner(course).person
    cohort = make_cohort(course, [person])
    pre = services.start_attempt(person, course, "pretest")
    services.submit_attempt(pre)
    form = services.paper_form(course, "final", 11)
    form.layout = pre.layout  # as if the trainer printed a paper with the same items
    row = {"staff_id": person.staff_id, **{f"c{n}": "A" for n in range(1, 4)}}
    with pytest.raises(ImportFailed) as info:
        services.check_paper_answers(cohort, form, [(2, row)], {})
    assert "đã gặp câu 1, 2, 3 của đề này" in str(info.value.errors[0])


def test_trainer_enters_answers_in_the_table_and_by_xlsx(client, db, paper_course, learner,
                                                         make_cohort, make_user, login_user):
    """The cohort's trainer prints a paper (code in the PDF with the answer grid), types one
    member's letters in the table, uploads another's by XLSX; re-entering the same changes
    nothing; a bad cell is refused with its row and question."""
    course, questions = paper_course
    one, two = learner(course).person, learner(course).person
    trainer = make_user("trainer", unit=one.commune)
    cohort = make_cohort(course, [one, two], trainers=[trainer])
    login_user(trainer)
    response = client.get(f"/quizzes/course/{course.slug}/paper-test.pdf")
    assert response.status_code == 302 and "seed=" in response.headers["Location"]
    pdf = client.get(response.headers["Location"])
    form = db.session.scalar(select(PaperForm))
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert f"PHIẾU TRẢ LỜI — Mã đề: {form.id}" in text and f"Mã đề: {form.id}" in text
    url = f"/quizzes/cohorts/{cohort.id}/paper-answers?form={form.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'name="a_{one.id}_4"' in page
    right = {f"a_{one.id}_{n}": _letters(form, e["q"], "a")
             for n, e in enumerate(form.layout, start=1)}
    bad = post_form(client, url, {**right, f"a_{one.id}_2": "Z"}, page=url)
    assert bad.status_code == 400 and "dòng 2, cột câu 2" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Attempt.id))) == 0
    assert post_form(client, url, right, page=url).status_code == 302
    again = post_form(client, url, right, page=url, follow_redirects=True)
    assert "0 người thay đổi" in again.get_data(as_text=True)

    book = Workbook()
    sheet = book.active
    sheet.append(["ma_nhan_su"] + [f"cau_{n}" for n in range(1, 5)])
    sheet.append([two.staff_id] + [_letters(form, e["q"], "b") for e in form.layout])
    data = io.BytesIO()
    book.save(data)
    upload = post_form(client, f"/quizzes/cohorts/{cohort.id}/paper-answers/upload",
                       {"form": str(form.id), "file": (io.BytesIO(data.getvalue()), "de.xlsx")},
                       page=url, content_type="multipart/form-data", follow_redirects=True)
    assert "1 người thay đổi" in upload.get_data(as_text=True)
    scores = dict(db.session.execute(select(Attempt.person_id, Attempt.score)).all())
    assert scores == {one.id: 100.0, two.id: 0.0}
    assert len(questions) == 4


def test_cli_imports_paper_answers(app, db, runner, paper_course, learner, make_cohort,
                                   tmp_path):
    """`lms quiz paper-test` prints the paper code; `lms quiz paper-answers` grades a CSV of
    that paper, and a bad letter exits 1 with its row and column, writing nothing."""
    course, _questions = paper_course
    person = learner(course).person
    cohort = make_cohort(course, [person])
    printed = runner.invoke(args=["lms", "quiz", "paper-test", course.slug, "--seed", "5",
                                  "-o", str(tmp_path / "de.pdf")])
    assert printed.exit_code == 0, printed.output
    form = db.session.scalar(select(PaperForm))
    assert f"paper code {form.id}, seed 5" in printed.output
    bad = tmp_path / "bad.csv"
    bad.write_text(f"ma_nhan_su,cau_1,cau_2,cau_3,cau_4\n{person.staff_id},A,Q,A,A\n",
                   encoding="utf-8")
    failed = runner.invoke(args=["lms", "quiz", "paper-answers", str(cohort.id), str(form.id),
                                 str(bad)])
    assert failed.exit_code == 1 and "row 2, column cau_2" in failed.output
    assert db.session.scalar(select(func.count(Attempt.id))) == 0
    letters = ",".join(_letters(form, e["q"], "a") for e in form.layout)
    good = tmp_path / "good.csv"
    good.write_text(f"ma_nhan_su,cau_1,cau_2,cau_3,cau_4\n{person.staff_id},{letters}\n",
                    encoding="utf-8")
    done = runner.invoke(args=["lms", "quiz", "paper-answers", str(cohort.id), str(form.id),
                               str(good)])
    assert done.exit_code == 0 and "1 attempt(s) graded" in done.output
    assert db.session.scalar(select(Attempt.score)) == 100.0
