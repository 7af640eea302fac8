"""The untrained list per commune: who is listed (an independent reading of the world fixture),
the message to each commune, the page's scope and unit picker, and formula-safe audited
exports."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from lms.accounts.models import AuditLog
from lms.reports import services
from lms.reports.untrained import message
from tests.reports.conftest import TO


def _ids(communes):
    return {c["code"]: sorted(p["staff_id"] for p in c["people"]) for c in communes}


def test_lists_target_people_without_a_counting_completion(world, units):
    """At the end of 2025 in Quảng Ninh: only commune A, with A4 (a course that does not count)
    and A7 (trained after the day); leavers, people outside the target and the trained are not
    listed; communes with nobody are left out; Hà Nội is not in the province."""
    communes = services.untrained_by_commune(units("22"), TO)
    assert _ids(communes) == {"06652": ["A4", "A7"]}
    assert communes[0]["name"] == world["units"]["A"].name


def test_course_and_position_narrow_the_list(world, units):
    """For one course, those who did only another course are untrained too; a position filter
    keeps only that position."""
    basic = world["courses"]["basic"]
    assert _ids(services.untrained_by_commune(units("22"), TO, basic)) == {
        "06652": ["A4", "A6", "A7", "A8"]}
    assert services.untrained_by_commune(units("22"), TO, None, "truong_thon") == []
    assert _ids(services.untrained_by_commune(units("06652", "commune"), TO)) == {
        "06652": ["A4", "A7"]}


def test_message_to_the_commune(world, units):
    """Addressed to the commune's people's committee, with the count, the day, each person
    numbered with position and staff id, and the request."""
    commune = services.untrained_by_commune(units("22"), TO)[0]
    text = message(commune, TO, world["courses"]["basic"])
    assert text.startswith(f"Kính gửi: Ủy ban nhân dân {world['units']['A'].name}\n")
    assert "Danh sách 2 người thuộc mục tiêu chưa hoàn thành tập huấn khóa “co-ban” tính đến " \
           "ngày 31/12/2025:" in text
    assert "Đặng Văn Đức – Cán bộ xã/phường/đặc khu (mã nhân sự A4)" in text
    assert "1. " in text and "2. " in text and "3. " not in text
    assert "Đề nghị xã bố trí" in text


def test_page_for_a_province_viewer(world, client, login_as):
    """A province viewer sees each commune's message in a readonly box and the downloads."""
    login_as("viewer", unit="22")
    html = client.get("/reports/untrained?to=2025-12-31").get_data(as_text=True)
    assert "Đặng Văn Đức" in html and "Người a7" in html
    assert "readonly" in html and 'data-copy="msg-06652"' in html
    assert "/reports/untrained.csv?" in html and "/reports/untrained.xlsx?" in html
    assert "Nguyễn Thị Hường" not in html          # trained
    cover = client.get("/reports/coverage?unit=22").get_data(as_text=True)
    assert "/reports/untrained?unit=22" in cover


def test_unit_by_name_and_scope(world, client, login_as, units):
    """The picker takes a commune's name; a viewer of another province cannot reach Quảng Ninh
    (told it is not found in their scope) and a commune viewer sees only their commune."""
    login_as("viewer", unit="22")
    html = client.get("/reports/untrained?to=2025-12-31&unit=ha+tu").get_data(as_text=True)
    assert "Đặng Văn Đức" in html
    login_as("viewer", unit="01")
    html = client.get("/reports/untrained?to=2025-12-31&unit=22").get_data(as_text=True)
    assert "Đặng Văn Đức" not in html and "phạm vi" in html
    assert client.get("/reports/untrained.csv?to=2025-12-31&unit=22").status_code == 404
    login_as("viewer", unit=units("06658", "commune"))
    html = client.get("/reports/untrained?to=2025-12-31&unit=22").get_data(as_text=True)
    assert "Đặng Văn Đức" not in html
    login_as("trainee")
    assert client.get("/reports/untrained").status_code in (302, 403)


def test_country_admin_is_asked_to_choose(world, client, login_as):
    """The whole country is too large a list: the admin is asked for a province or a commune,
    and the export refuses the country."""
    login_as("admin")
    html = client.get("/reports/untrained?to=2025-12-31").get_data(as_text=True)
    assert "Chọn một tỉnh hoặc một xã" in html and "Đặng Văn Đức" not in html
    assert client.get("/reports/untrained.csv?to=2025-12-31&unit=VN").status_code == 404


def test_exports_are_formula_safe_and_audited(db, world, client, login_as, make_person, units):
    """A name that looks like a formula is written as text in CSV (leading apostrophe) and XLSX
    (a string cell with the quote prefix); each download is audited with its row count."""
    make_person(staff_id="X1", full_name="=HYPERLINK(\"http://x\",\"y\")",
                commune=units("06658", "commune"))
    login_as("viewer", unit="22")
    response = client.get("/reports/untrained.csv?to=2025-12-31&unit=22")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Mã xã", "Xã/phường/đặc khu", "Mã nhân sự", "Họ và tên"]
    assert sorted(r[2] for r in rows[1:]) == ["A4", "A7", "X1"]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in [r[3] for r in rows[1:]]
    xlsx = client.get("/reports/untrained.xlsx?to=2025-12-31&unit=22")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    cell = next(c for row in sheet.iter_rows(min_row=2) for c in row
                if c.value == "=HYPERLINK(\"http://x\",\"y\")")
    assert cell.data_type == "s" and cell.quotePrefix
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "report.export")).all()
    assert [(e.detail["format"], e.detail["rows"]) for e in entries] == [("csv", 3), ("xlsx", 3)]
