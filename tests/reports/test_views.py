"""Coverage pages, exports and the JSON API: rendering, sorting and scope."""

import io

from tests.reports.conftest import FROM, TO

PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat()}


def test_country_page_for_admin(world, client, login_as):
    """An admin sees the country's provinces, a bar per row, the charts and the definitions."""
    login_as("admin")
    html = client.get("/reports/coverage", query_string=PERIOD).get_data(as_text=True)
    assert "Quảng Ninh" in html and "Hà Nội" in html
    assert 'class="bar-fg' in html and 'role="img"' in html
    assert "<details" in html and "Định nghĩa" in html
    assert "style=" not in html and "<script>" not in html


def test_province_page_sorted_by_coverage(world, client, login_as):
    """Rows sort on the server by a query argument; the commune with no target sorts last."""
    login_as("admin")
    html = client.get("/reports/coverage", query_string=PERIOD | {
        "unit": "22", "sort": "coverage", "dir": "desc"}).get_data(as_text=True)
    assert html.index("Phường Cao Xanh") < html.index("Phường Hà Tu") < html.index(
        "Phường Việt Hưng")
    assert 'aria-sort="descending"' in html


def test_commune_page_lists_untrained_names(world, client, login_as):
    """A commune page lists its people, trained or not, for follow-up."""
    login_as("viewer", unit="22")
    html = client.get("/reports/coverage", query_string=PERIOD | {"unit": "06652"}
                      ).get_data(as_text=True)
    assert "Nguyễn Thị Hường" in html and "Đặng Văn Đức" in html
    assert "Chưa" in html


def test_viewer_sees_only_their_province(world, client, login_as):
    """A viewer of province 22 asking for the country gets 22; Hà Nội is forbidden everywhere."""
    login_as("viewer", unit="22")
    html = client.get("/reports/coverage").get_data(as_text=True)
    assert "Quảng Ninh" in html and "Phường Hà Tu" in html and "Hà Nội" not in html
    html = client.get("/reports/coverage?unit=VN").get_data(as_text=True)
    assert "Phường Hà Tu" in html
    for url in ("/reports/coverage?unit=01", "/reports/coverage?unit=00004",
                "/reports/coverage.csv?unit=00004", "/reports/coverage.pdf?unit=01",
                "/api/v1/coverage?unit=01", "/api/v1/coverage?unit=VN"):
        assert client.get(url).status_code == 403, url
    assert client.get("/api/v1/coverage").get_json()["unit"]["code"] == "22"


def test_trainee_cannot_see_reports(world, client, login_as):
    """Trainees get 403 on the pages and the API."""
    login_as("trainee")
    assert client.get("/reports/coverage").status_code == 403
    assert client.get("/api/v1/coverage").status_code == 403


def test_api_requires_login_with_json_error(world, client):
    """Anonymous API calls get a 401 JSON error, not a login page."""
    response = client.get("/api/v1/coverage")
    assert response.status_code == 401 and response.get_json()["error"] == 401


def test_api_document_matches_service(world, client, login_as):
    """The API returns the service's document for the same parameters."""
    from lms.reports import services

    login_as("admin")
    response = client.get("/api/v1/coverage", query_string=PERIOD | {
        "unit": "22", "mode": "period", "course": "co-ban"})
    assert response.status_code == 200
    doc = response.get_json()
    assert doc == services.coverage(world["units"]["A"].parent, FROM, TO, "period",
                                    world["courses"]["basic"])
    assert set(doc) == {"unit", "period", "totals", "rows", "by_position", "by_gender",
                        "by_ethnicity"}


def test_api_bad_parameters(world, client, login_as):
    """from after to, a bad date and an unknown course are 400 JSON errors."""
    login_as("admin")
    for args in ({"from": "2025-12-31", "to": "2025-01-01"}, {"to": "31/12/2025"},
                 {"course": "nope"}, {"mode": "weekly"}):
        response = client.get("/api/v1/coverage", query_string=args)
        assert response.status_code == 400 and response.is_json, args
    assert client.get("/api/v1/coverage?unit=99999").status_code == 404


def test_csv_export_has_bom_and_figures(world, client, login_as):
    """CSV exports start with a UTF-8 BOM and carry the rows and a total line."""
    login_as("admin")
    response = client.get("/reports/coverage.csv", query_string=PERIOD | {"unit": "22"})
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "06658,Phường Cao Xanh,2,2,1.0000,2,2" in text
    assert "22,Tổng: Thành phố Quảng Ninh,8,6,0.7500,9,8" in text


def test_xlsx_export_frozen_and_percent(world, client, login_as):
    """XLSX opens with openpyxl: header frozen, widths set, coverage formatted 0.0%."""
    from openpyxl import load_workbook

    login_as("admin")
    response = client.get("/reports/coverage.xlsx", query_string=PERIOD | {"unit": "22"})
    ws = load_workbook(io.BytesIO(response.data)).active
    assert ws.freeze_panes == "A2"
    assert ws["E1"].value == "Độ bao phủ" and ws["E2"].number_format == "0.0%"
    assert ws.column_dimensions["B"].width == 27
    last = ws.max_row
    assert [c.value for c in ws[last]][2:5] == [8, 6, 0.75]


def test_pdf_export_text(world, client, login_as):
    """The PDF of a commune names its people in Vietnamese and numbers its pages."""
    from pypdf import PdfReader

    login_as("admin")
    response = client.get("/reports/coverage.pdf", query_string=PERIOD | {"unit": "06652"})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Nguyễn Thị Hường" in text and "Đặng Văn Đức" in text
    assert f"Trang 1/{len(reader.pages)}" in text
    assert "BÁO CÁO ĐỘ BAO PHỦ TẬP HUẤN" in text


def test_province_pdf_has_chart(world, client, login_as):
    """A province PDF has its communes' chart and a second page numbered."""
    from pypdf import PdfReader

    login_as("admin")
    response = client.get("/reports/coverage.pdf", query_string=PERIOD | {"unit": "22"})
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2 and f"Trang 2/{len(reader.pages)}" in text
    assert "Độ bao phủ theo xã/phường/đặc khu" in text


def test_commune_export_is_audited(world, client, login_as, db):
    """Exporting a commune's names writes an audit entry; a province export does not."""
    from lms.accounts.models import AuditLog

    user = login_as("admin")
    client.get("/reports/coverage.csv", query_string=PERIOD | {"unit": "22"})
    client.get("/reports/coverage.csv", query_string=PERIOD | {"unit": "06652"})
    entries = db.session.query(AuditLog).filter_by(action="report.export").all()
    assert [(e.target, e.actor_id) for e in entries] == [("06652", user.id)]
