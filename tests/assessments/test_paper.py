"""Paper tests: the printable PDF and paper-score entry (table and CSV/XLSX upload)."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lms.assessments import services
from lms.assessments.completion import final_requirement_met
from lms.assessments.models import PaperScore
from lms.core.tabular import ImportFailed
from lms.courses.models import Enrolment
from tests.conftest import post_form

QUESTION = "Khi phát hiện dấu hiệu mua bán người, cán bộ xã cần làm gì đầu tiên?"


@pytest.fixture
def scored_cohort(db, make_course, make_person, make_user, make_cohort):
    """A cohort of three members (QN1…QN3), its trainer, and an outsider QN9."""
    course = make_course(pass_mark=70)
    members = [make_person(staff_id=f"QN{i}") for i in (1, 2, 3)]
    make_person(staff_id="QN9")
    trainer = make_user("trainer", unit="22")
    cohort = make_cohort(course, members=members, trainers=[trainer])
    return cohort, members, trainer


def _count(db):
    return db.session.scalar(select(func.count()).select_from(PaperScore))


def test_upload_with_bad_rows_writes_nothing(db, scored_cohort):
    """Every bad row is reported as row/column, and nothing is written."""
    cohort, _members, _trainer = scored_cohort
    data = (b"ma_nhan_su,diem_truoc,diem_sau\n"
            b"QN1,40,80\n"        # row 2: fine
            b"QN404,50,60\n"      # row 3: unknown staff id
            b"QN9,50,60\n"        # row 4: not a member
            b"QN2,120,\n"         # row 5: out of range
            b"QN3,,abc\n"         # row 6: not a number
            b"QN1,10,20\n")  # row 7: duplicate
    with pytest.raises(ImportFailed) as exc:
        services.import_paper_scores(cohort, data, "diem.csv")
    assert [str(e) for e in exc.value.errors] == [
        "row 3, column ma_nhan_su: không có mã nhân sự QN404 trong danh sách",
        "row 4, column ma_nhan_su: QN9 không phải học viên của lớp này",
        "row 5, column diem_truoc: điểm '120' không hợp lệ (số từ 0 đến 100, để trống nếu "
        "không thi)",
        "row 6, column diem_sau: điểm 'abc' không hợp lệ (số từ 0 đến 100, để trống nếu "
        "không thi)",
        "row 7, column ma_nhan_su: mã nhân sự QN1 trùng với dòng 2",
    ]
    assert _count(db) == 0


def test_upload_english_headers_and_xlsx(db, scored_cohort):
    """English headers, decimal commas and empty cells (not taken) are accepted; XLSX too."""
    from openpyxl import Workbook

    cohort, members, _trainer = scored_cohort
    csv_data = b"staff_id;pre_score;post_score\nQN1;40,5;80\nQN2;;\n"
    assert services.import_paper_scores(cohort, csv_data, "x.csv") == 1
    db.session.commit()
    row = db.session.scalar(select(PaperScore).where(PaperScore.person_id == members[0].id))
    assert (row.pre_score, row.post_score, row.cohort_id) == (40.5, 80.0, cohort.id)

    book = Workbook()
    sheet = book.active
    sheet.append(["Mã nhân sự", "Điểm sau"])
    sheet.append(["QN2", 65])
    buffer = io.BytesIO()
    book.save(buffer)
    assert services.import_paper_scores(cohort, buffer.getvalue(), "x.xlsx") == 1
    db.session.commit()
    assert _count(db) == 2
    # the file without diem_truoc left QN1's pre score alone
    assert db.session.get(PaperScore, row.id).pre_score == 40.5


def test_upload_needs_a_score_column(db, scored_cohort):
    """A file with only staff ids is refused at the header."""
    cohort, _members, _trainer = scored_cohort
    with pytest.raises(ImportFailed) as exc:
        services.import_paper_scores(cohort, b"ma_nhan_su\nQN1\n", "x.csv")
    assert str(exc.value.errors[0]).startswith("row 1, column diem_truoc | diem_sau")


def test_paper_post_score_meets_the_final_requirement(db, scored_cohort, make_question):
    """A paper post score at the pass mark counts for completion exactly like an online pass."""
    cohort, members, _trainer = scored_cohort
    make_question(cohort.course)
    enrolment = Enrolment(person_id=members[0].id, course_id=cohort.course_id)
    db.session.add(enrolment)
    db.session.commit()
    assert final_requirement_met(enrolment) is False
    services.import_paper_scores(cohort, b"ma_nhan_su,diem_sau\nQN1,69.5\n", "x.csv")
    db.session.commit()
    assert final_requirement_met(enrolment) is False
    services.import_paper_scores(cohort, b"ma_nhan_su,diem_sau\nQN1,70\n", "x.csv")
    db.session.commit()
    assert final_requirement_met(enrolment) is True


def test_table_form_saves_and_rejects_bad_cells(client, db, scored_cohort, login_user):
    """The trainer's table form saves valid scores; a bad cell shows its row and column and
    saves nothing."""
    cohort, members, trainer = scored_cohort
    login_user(trainer)
    url = f"/quizzes/cohorts/{cohort.id}/paper-scores"
    assert client.get(url).status_code == 200
    bad = post_form(client, url, {f"pre_{members[0].id}": "55", f"post_{members[1].id}": "101"},
                    page=url)
    html = bad.get_data(as_text=True)
    assert "dòng 3, cột Điểm sau" in html
    assert _count(db) == 0
    good = post_form(client, url, {f"pre_{members[0].id}": "55", f"post_{members[0].id}": "90",
                                   f"pre_{members[1].id}": "", f"post_{members[1].id}": ""},
                     page=url)
    assert good.status_code == 302
    row = db.session.scalar(select(PaperScore))
    assert (row.person_id, row.pre_score, row.post_score) == (members[0].id, 55, 90)
    assert row.entered_by_id == trainer.id


def test_upload_page_shows_errors(client, db, scored_cohort, login_user):
    """The upload route lists every error and writes nothing."""
    cohort, _members, trainer = scored_cohort
    login_user(trainer)
    url = f"/quizzes/cohorts/{cohort.id}/paper-scores"
    response = post_form(client, url + "/upload", {
        "file": (io.BytesIO(b"ma_nhan_su,diem_truoc\nQN1,-1\nQN9,5\n"), "diem.csv")},
        page=url, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "dòng 2, cột diem_truoc" in html and "dòng 3, cột ma_nhan_su" in html
    assert _count(db) == 0


def test_paper_test_pdf(client, db, make_course, make_question, login_as):
    """The PDF holds the Vietnamese question text on the first page and the answer key only
    on a later page."""
    course = make_course(quiz={"final": {"questions": 3}})
    make_question(course, text=QUESTION, options=[
        {"key": "a", "text": "Báo ngay cho công an xã và bảo đảm an toàn cho nạn nhân"},
        {"key": "b", "text": "Chờ đến cuộc họp tháng sau"}], answer=["a"])
    make_question(course, qtype="true_false", answer=[False], text="Nạn nhân phải tự chi trả "
                  "chi phí hỗ trợ y tế.", lesson="bai-2")
    make_question(course, qtype="multiple", answer=["a", "c"], lesson="bai-2")
    login_as("trainer", unit="22")
    response = client.get(f"/quizzes/course/{course.slug}/paper-test.pdf?seed=3")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) >= 2
    assert QUESTION in pages[0]
    assert "Báo ngay cho công an xã và bảo đảm an toàn cho nạn nhân" in pages[0]
    assert not any("ĐÁP ÁN" in page for page in pages[:-1])
    assert "ĐÁP ÁN" in pages[-1]
    assert "Giải thích" not in " ".join(pages)
    # the key gives a letter for every question
    paper = services.paper_test(course, "final", seed=3)
    assert len(paper) == 3
    for number, (question, options) in enumerate(paper, start=1):
        right = services.answer_keys(question)
        letters = ", ".join("ABCD"[i] for i, o in enumerate(options) if o["key"] in right)
        assert f"{number}. {letters}" in pages[-1]
        assert f"{number}. {question.text}" in pages[0]
