"""An official's journey: the coverage report of their province, down to a commune's names,
the three exports, and the limits of their scope."""

import csv
import io
import re

import pytest

from tests.browser.conftest import JOURNEY_PASSWORD

pytestmark = pytest.mark.browser

ROWS = "section[aria-labelledby=rows-title] table tbody tr"
PEOPLE = "section[aria-labelledby=people-title] table tbody tr"


def _download(page, link_text: str) -> tuple[bytes, str]:
    """Click an export link and return the downloaded bytes and the suggested file name."""
    with page.expect_download() as info:
        page.click(f"main a.btn:has-text('{link_text}')")
    download = info.value
    with open(download.path(), "rb") as handle:
        return handle.read(), download.suggested_filename


def vi(n: int) -> str:
    """A count as the Vietnamese page writes it (8.315)."""
    return f"{n:,}".replace(",", ".")


def test_viewer_desktop_coverage_drill_down_exports_and_scope(desktop_page, live_server, journal,
                                                              login, viewer_22, loaded_courses):
    """A Quảng Ninh viewer opens the coverage report (their province by default), reads the
    figures table and the SVG chart, drills down to a commune's untrained names, downloads
    CSV/XLSX/PDF that open, is kept to their province for the country and refused Hà Nội, and
    gets the API document of the issue."""
    import openpyxl
    import pypdf

    page = desktop_page
    login(page, viewer_22, JOURNEY_PASSWORD)

    # The API first: the reference figures the page must show.
    api = page.request.get(f"{live_server.url}/api/v1/coverage?unit=22")
    assert api.status == 200 and api.headers["content-type"].startswith("application/json")
    doc = api.json()
    assert set(doc) == {"unit", "period", "totals", "rows", "by_position", "by_gender",
                        "by_ethnicity"}
    # the units package names it "Thành phố Quảng Ninh" since its 2026 data
    assert doc["unit"]["code"] == "22" and doc["unit"]["kind"] == "province"
    assert doc["unit"]["name"].endswith("Quảng Ninh")
    assert set(doc["period"]) == {"from", "to", "mode", "rule"}
    assert (doc["period"]["mode"], doc["period"]["rule"]) == ("cumulative", "any")
    assert set(doc["totals"]) == {"target", "trained", "coverage", "person_times", "people",
                                  "units_total", "units_reached", "units_at_target"}
    assert doc["rows"] and all(set(r) == {"code", "name", "kind", "target", "trained",
                                          "coverage", "person_times", "people",
                                          "units_total", "units_reached", "units_at_target"}
                               for r in doc["rows"])
    assert [r["code"] for r in doc["rows"]] == sorted(r["code"] for r in doc["rows"])
    assert {r["kind"] for r in doc["rows"]} == {"commune"}
    assert doc["totals"]["units_total"] == len(doc["rows"])
    assert all(set(p) == {"position", "target", "trained", "coverage", "person_times", "people"}
               for p in doc["by_position"])
    assert {g["gender"] for g in doc["by_gender"]} <= {"male", "female", "other", "unknown"}
    assert 0 < doc["totals"]["trained"] < doc["totals"]["target"], doc["totals"]

    # The report page, without a unit: the viewer's province.
    page.goto(f"{live_server.url}/reports/coverage")
    assert "Quảng Ninh" in page.inner_text("h1")
    totals = dict(zip(page.locator(".report-totals dt").all_inner_texts(),
                      page.locator(".report-totals dd").all_inner_texts(), strict=True))
    assert totals["Mục tiêu"] == vi(doc["totals"]["target"])
    assert totals["Đã tập huấn"] == vi(doc["totals"]["trained"])
    rows = page.locator(ROWS)
    assert rows.count() == len(doc["rows"])
    shown = [rows.nth(i).locator("td").all_inner_texts()[:4] for i in range(rows.count())]
    assert shown == [[r["code"], r["name"], vi(r["target"]), vi(r["trained"])]
                     for r in doc["rows"]]
    chart = page.locator("figure.report-chart svg").first
    assert chart.count() == 1
    assert chart.locator("title").count() >= 1
    assert chart.locator("title").first.text_content().strip()

    # Sort by trained, most first (two clicks on the header), on the server.
    for _click in range(2):
        with page.expect_navigation():
            page.click("section[aria-labelledby=rows-title] thead a:has-text('Đã tập huấn')")
    assert "sort=trained" in page.url and "dir=desc" in page.url
    trained = [int(t.replace(".", ""))
               for t in page.locator(f"{ROWS} td:nth-child(4)").all_inner_texts()]
    assert trained == sorted((r["trained"] for r in doc["rows"]), reverse=True)

    # The period mode through the filter form matches the API's figures for that mode.
    page.select_option("form.filters select[name=mode]", "period")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert "mode=period" in page.url
    period = page.request.get(f"{live_server.url}/api/v1/coverage?unit=22&mode=period").json()
    assert period["period"]["mode"] == "period"
    assert period["totals"]["trained"] <= doc["totals"]["trained"]
    assert page.locator(".report-totals dd").nth(1).inner_text() == \
        vi(period["totals"]["trained"])
    page.goto(f"{live_server.url}/reports/coverage")

    # Drill down to a commune that still has untrained people.
    behind = next(r for r in doc["rows"] if r["target"] > 0 and r["trained"] < r["target"])
    with page.expect_navigation():
        page.click(f"{ROWS} a:text-is('{behind['name']}')")
    assert f"unit={behind['code']}" in page.url
    assert behind["name"] in page.inner_text("h1")
    assert page.locator("nav.crumbs a", has_text="Quảng Ninh").count() == 1
    untrained = page.locator(PEOPLE, has=page.locator(".badge.bad"))
    assert untrained.count() >= behind["target"] - behind["trained"] > 0
    untrained_names = untrained.locator("td:nth-child(2)").all_inner_texts()
    assert all(name.strip() for name in untrained_names)

    # The commune's exports carry the names; all three open.
    data, name = _download(page, "Tải CSV")
    assert name.endswith(".csv")
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][:2] == ["Mã nhân sự", "Họ và tên"]
    assert set(untrained_names) <= {row[1] for row in table[1:] if len(row) > 1}

    data, name = _download(page, "Tải XLSX")
    assert name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(untrained_names) <= names

    data, name = _download(page, "Tải PDF")
    assert name.endswith(".pdf") and data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert f"{behind['name']}, {doc['unit']['name']}" in text  # the province named too
    assert all(n in text for n in untrained_names)

    # Back up to the province with the crumb; its PDF names the province too.
    with page.expect_navigation():
        page.click("nav.crumbs a:has-text('Quảng Ninh')")
    assert page.locator(ROWS).count() == len(doc["rows"])
    data, _name = _download(page, "Tải PDF")
    assert "Quảng Ninh" in "\n".join(p.extract_text()
                                      for p in pypdf.PdfReader(io.BytesIO(data)).pages)

    # The country shows their province instead; Hà Nội is refused.
    page.goto(f"{live_server.url}/reports/coverage?unit=VN")
    assert "Quảng Ninh" in page.inner_text("h1")
    response = page.goto(f"{live_server.url}/reports/coverage?unit=01")
    assert response.status == 403
    assert "Hà Nội" not in page.inner_text("main")
    assert page.request.get(f"{live_server.url}/api/v1/coverage?unit=01").status == 403
    assert page.request.get(f"{live_server.url}/api/v1/coverage?unit=VN").status == 403

    journal.assert_clean(allow=(r"status of 403 .*unit=01",))
    assert not re.search(r"Traceback|Internal Server Error", page.content())
