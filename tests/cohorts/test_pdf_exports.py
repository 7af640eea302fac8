"""Sign-in sheet PDF (text, diacritics, repeated header, A4 portrait) and CSV/XLSX exports."""

import io

from pypdf import PdfReader
from sqlalchemy import select

from lms.accounts.models import AuditLog
from lms.cohorts import services
from lms.cohorts.pdf import signin_sheet

NAMES = ["Nguyễn Thị Hường", "Đặng Văn Ước", "Hoàng Thị Ngọc Ánh", "Bùi Đức Tuấn",
         "Triệu Thị Mỹ", "Lý Văn Sử", "Phạm Thị Thùy Dương", "Vũ Quang Hưng"]


def _pages(data: bytes) -> list[str]:
    """Each page's text with white space collapsed (table cells wrap)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def _sheet(db, make_cohort, make_person, sessions, n):
    cohort = make_cohort(venue="Hội trường UBND phường Hà Tu")
    people = [make_person(full_name=f"{NAMES[i % len(NAMES)]} {i // len(NAMES) or ''}".strip())
              for i in range(n)]
    services.add_members(cohort, [p.id for p in people], by=cohort.trainers[0])
    session = sessions(cohort, 1)[0]
    return cohort, people, signin_sheet(session, [r.person for r in
                                                  services.member_results(cohort)])


def test_every_name_with_diacritics_and_header(db, make_cohort, make_person, sessions):
    """Every member's name, with its diacritics, the columns, cohort, course and venue."""
    cohort, people, data = _sheet(db, make_cohort, make_person, sessions, 8)
    text = "\n".join(_pages(data))
    for person in people:
        assert person.full_name in text
    for label in ("STT", "Họ và tên", "Chức danh", "Đơn vị", "Ký tên",
                  "DANH SÁCH KÝ TÊN THAM DỰ", cohort.name, cohort.course.title,
                  "Hội trường UBND phường Hà Tu", "SỞ Y TẾ", "Cán bộ xã/phường/đặc khu"):
        assert label in text
    assert "Trang 1" in text


def test_a4_portrait_and_header_on_every_page(db, make_cohort, make_person, sessions):
    """More than 30 members span pages; each page repeats the header row and is A4 portrait."""
    _, people, data = _sheet(db, make_cohort, make_person, sessions, 45)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    for number, page in enumerate(reader.pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)
        text = " ".join(page.extract_text().split())
        assert "Họ và tên" in text and "Ký tên" in text
        assert f"Trang {number}" in text
    text = "\n".join(_pages(data))
    assert all(p.full_name in text for p in people)


def test_issuer_setting_names_the_agency(db, make_cohort, make_person, sessions):
    """The `issuer` setting, when set, replaces the configured agency name."""
    from lms.core.models import set_setting

    set_setting("issuer", {"agency": "Sở Y tế tỉnh Quảng Ninh", "parent_agency": "UBND tỉnh"})
    db.session.commit()
    _, _, data = _sheet(db, make_cohort, make_person, sessions, 1)
    assert "SỞ Y TẾ TỈNH QUẢNG NINH" in "\n".join(_pages(data))


def test_exports_hold_attendance_scores_and_outcome(db, make_cohort, fill, sessions, mark,
                                                    paper):
    """CSV (with BOM) and XLSX carry the same rows; both are audited."""
    from openpyxl import load_workbook

    cohort = make_cohort(final=True)
    a, b = fill(cohort, 2)
    s = sessions(cohort, 2)
    mark(s[0])
    mark(s[1], {b: "excused"})
    paper(a, pre=40, post=85)
    services.close_cohort(cohort, by=cohort.trainers[0])
    csv_bytes = services.export_csv(cohort, by=cohort.trainers[0])
    assert csv_bytes.startswith("\ufeff".encode())
    lines = csv_bytes.decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    assert header[:4] == ["ma_nhan_su", "ho_ten", "chuc_danh", "don_vi"]
    assert header[-6:] == ["so_buoi_co_mat", "ty_le_du", "diem_truoc", "diem_sau", "ket_qua",
                           "ly_do"]
    rows = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    row_a = rows[a.person.staff_id]
    assert row_a[4:6] == ["có mặt", "có mặt"]
    assert row_a[-6:-1] == ["2", "100%", "40.0", "85.0", "hoàn thành"]
    row_b = rows[b.person.staff_id]
    assert row_b[5] == "vắng có phép" and row_b[-2:] == ["không hoàn thành",
                                                         "chưa đạt bài kiểm tra cuối"]
    book = load_workbook(io.BytesIO(services.export_xlsx(cohort, by=cohort.trainers[0])))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == header
    assert sheet.column_dimensions["B"].width >= len(a.person.full_name)
    assert sheet.max_row == 3
    actions = list(db.session.scalars(select(AuditLog.action).where(
        AuditLog.action == "cohort.export")))
    assert len(actions) == 2


def test_stats_are_sql_aggregates_of_the_cohort(db, make_cohort, fill, sessions, mark, paper):
    """Attendance rate leaves excused out; means and paired gain come from paper scores."""
    cohort = make_cohort(final=False)
    a, b, c = fill(cohort, 3)
    s = sessions(cohort, 2)
    mark(s[0], {c: "absent"})
    mark(s[1], {b: "excused", c: "absent"})
    paper(a, pre=40, post=80)
    paper(b, pre=60, post=90)
    paper(c, pre=50)
    stats = services.cohort_stats(cohort)
    assert (stats.members, stats.sessions, stats.present, stats.excused) == (3, 2, 3, 1)
    assert stats.attendance_rate == 3 / 5
    assert stats.pre_mean == 50 and stats.post_mean == 85
    assert (stats.gain, stats.gain_n, stats.pre_n, stats.post_n) == (35, 2, 3, 2)
