"""The coverage report PDF in the administrative layout of Decree 30/2020/NĐ-CP: every element
read back from the PDF, the issuer settings, and the chart ranked by coverage with its target
line."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from lms.core.models import set_setting
from lms.core.officialdoc import date_line, number_line
from lms.core.timeutil import today
from tests.reports.conftest import FROM, TO

PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat()}


def _text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("day, expected", [
    (date(2026, 2, 5), "Hạ Long, ngày 05 tháng 02 năm 2026"),
    (date(2026, 12, 8), "Hạ Long, ngày 08 tháng 12 năm 2026"),
    (date(2026, 3, 15), "Hạ Long, ngày 15 tháng 3 năm 2026"),
])
def test_date_line_zero_pads_days_below_10_and_months_below_3(day, expected):
    """Decree 30: 05, 02, but tháng 3 and tháng 12."""
    assert date_line("Hạ Long", day) == expected


def test_unset_place_and_number_are_left_to_fill():
    """No place set: dots; the number is always left for the clerk."""
    assert date_line("", date(2026, 1, 1)).startswith("……, ngày 01 tháng 01")
    assert number_line("BC", "SYT") == "Số: ……/BC-SYT"


def test_report_carries_every_element_with_defaults(world, client, login_as):
    """Issuing body and its parent, number and symbol, motto, today's date line, title,
    recipients ending in "Lưu: VT.", prepared-by and head-of-unit signature blocks."""
    login_as("admin")
    data = client.get("/reports/coverage.pdf", query_string=PERIOD | {"unit": "22"}).data
    text = _text(data)
    d = today()
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    for part in ("ỦY BAN NHÂN DÂN TỈNH", "SỞ Y TẾ", "Số: ……/BC-SYT",
                 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 f"……, ngày {d.day:02d} tháng {month} năm {d.year}",
                 "BÁO CÁO ĐỘ BAO PHỦ TẬP HUẤN", "Nơi nhận:", "- Bộ Y tế (để báo cáo);",
                 "- Lưu: VT.", "NGƯỜI LẬP BÁO CÁO", "(Ký, ghi rõ họ tên)", "GIÁM ĐỐC",
                 "(Ký, đóng dấu, ghi rõ họ tên)"):
        assert part in text, part
    assert text.index("SỞ Y TẾ") < text.index("BÁO CÁO ĐỘ BAO PHỦ") < text.index("Nơi nhận:")


def test_issuer_settings_fill_the_layout(app, db, world, client, login_as):
    """The agency, place and signer from the issuer settings; symbol, recipients and
    prepared-by from the REPORT_* / AGENCY_SYMBOL settings."""
    set_setting("issuer", {"agency": "Sở Y tế tỉnh Quảng Ninh", "parent_agency": "UBND tỉnh "
                           "Quảng Ninh", "place": "Quảng Ninh",
                           "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
                           "signer_name": "Trần Văn Bình"})
    db.session.commit()
    app.config.update(AGENCY_SYMBOL="SYT-QN", REPORT_RECIPIENTS="Bộ Y tế;Sở Tài chính;Lưu: VT, NVY",
                      REPORT_PREPARER_TITLE="Người lập biểu", REPORT_PREPARER_NAME="Lê Thị Thu")
    login_as("admin")
    text = _text(client.get("/reports/coverage.pdf", query_string=PERIOD | {"unit": "22"}).data)
    for part in ("UBND TỈNH QUẢNG NINH", "SỞ Y TẾ TỈNH QUẢNG NINH", "Số: ……/BC-SYT-QN",
                 f"Quảng Ninh, ngày {today().day:02d}", "- Bộ Y tế;", "- Sở Tài chính;",
                 "- Lưu: VT, NVY.", "NGƯỜI LẬP BIỂU", "Lê Thị Thu", "KT. GIÁM ĐỐC",
                 "PHÓ GIÁM ĐỐC", "Trần Văn Bình"):
        assert part in text, part
    assert "Bộ Y tế (để báo cáo)" not in text


def test_chart_ranks_lowest_coverage_first_with_the_target_line(db, units, make_person,
                                                                client, login_as):
    """Code order is Hà Tu (06652, 1/1) before Hà Trung (06658, 0/1); the chart puts Hà Trung
    first, communes without a target after both, and labels the dashed line as the target."""
    from lms.courses.models import Course
    from lms.courses.services import record_completion

    course = Course(slug="cb", title="cb", counts_toward_target=True)
    db.session.add(course)
    full, empty = units("06652", "commune"), units("06658", "commune")
    record_completion(make_person(commune=full), course, date(2025, 3, 1), "import")
    make_person(commune=empty)
    db.session.commit()
    login_as("admin")
    text = _text(client.get("/reports/coverage.pdf", query_string=PERIOD | {"unit": "22"}).data)
    chart = text[text.index("Độ bao phủ theo xã/phường/đặc khu"):]
    assert chart.index(empty.name) < chart.index(full.name)
    other = units("06661", "commune").name   # no target: after the communes with one
    assert chart.index(full.name) < chart.index(other)
    assert "Mục tiêu 100%" in chart
