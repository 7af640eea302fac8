"""Report figures in both locales, and a unit below its target is never shown at 100%."""

import io

import pytest
from flask_babel import force_locale

from lms.reports import exports, services, sheets
from lms.reports.pdf import coverage_pdf
from tests.conftest import post_form
from tests.reports.conftest import FROM, TO

PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat()}


def _doc():
    """A province where Hà Tu has 2,004 of 2,005 trained and Cao Xanh is at target."""
    def figures(target, trained, **kw):
        return {"target": target, "trained": trained,
                "coverage": services.ratio(trained, target), "person_times": 8315,
                "people": 1234, **kw}

    units = {"units_total": 1, "units_reached": 1}
    rows = [{"code": "06652", "name": "Phường Hà Tu", "kind": "commune",
             **figures(2005, 2004, units_at_target=0, **units)},
            {"code": "06658", "name": "Phường Cao Xanh", "kind": "commune",
             **figures(10, 10, units_at_target=1, **units)}]
    zero = figures(0, 0)
    return {"unit": {"code": "22", "name": "Quảng Ninh", "kind": "province"},
            "period": {"from": "2025-01-01", "to": "2025-12-31", "mode": "cumulative"},
            "totals": figures(2015, 2014, units_total=2, units_reached=2, units_at_target=1),
            "rows": rows, "by_position": [{"position": "truong_thon", **zero}],
            "by_gender": [{"gender": "unknown", **figures(2015, 2014)}],
            "by_ethnicity": [{"ethnicity": "Dao", **figures(2005, 2004)}]}


def test_ratio_never_rounds_up_to_one():
    """19,999 of 20,000 is 0.9999 (not 1.0); 2,004 of 2,005 is 0.9995; at target it is 1."""
    assert services.ratio(19999, 20000) == 0.9999
    assert services.ratio(2004, 2005) == 0.9995
    assert services.ratio(20000, 20000) == 1.0


def test_chart_summary_counts_units_at_target_exactly(app):
    """Hà Tu (2,004/2,005) is not at target; Cao Xanh is; the summary says so in both
    locales."""
    doc = _doc()
    doc["rows"][0]["coverage"] = 1.0  # even a ratio rounded to 1 does not make it reach
    with force_locale("vi"):
        assert "2 đơn vị; 1 đạt 100%; 1 chưa đạt; 0 chưa có mục tiêu" in \
            exports.chart_texts(doc)[1]
    with force_locale("en"):
        assert exports.chart_texts(doc)[1].startswith("2 units; 1 at 100%; 1 below")


@pytest.mark.parametrize("locale, figures", [
    ("vi", ["99,9%", "2.005", "2.004", "8.315 / 1.234"]),
    ("en", ["99.9%", "2,005", "2,004", "8,315 / 1,234"])])
def test_pdf_figures_in_the_locale(app, locale, figures):
    """The PDF writes counts and ratios the locale's way, 99.95% as 99.9%, never 100%."""
    from pypdf import PdfReader

    doc = _doc()
    with force_locale(locale):
        tables = sheets.sheets_for(doc, None)
        data = coverage_pdf(doc, tables[0], tables[2:], [], None, None, "T")
    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(data)).pages)
    for figure in figures:
        assert figure in text, figure
    assert ("Xã đạt 100%" if locale == "vi" else "Communes at 100%") in text
    assert "06652 Phường Hà Tu " + " ".join(figures[1:3]) + " " + figures[0] in text
    assert "100,0%" in text if locale == "vi" else "100.0%" in text   # Cao Xanh
    assert text.count("100,0%" if locale == "vi" else "100.0%") == 1


def test_page_in_both_locales(world, client, login_as):
    """The province page shows 75,0% in Vietnamese and 75.0% in English."""
    login_as("admin")
    vi = client.get("/reports/coverage", query_string=PERIOD | {"unit": "22"}).get_data(
        as_text=True)
    assert '<span class="bar-label">75,0%</span>' in vi and "75.0%" not in vi
    post_form(client, "/lang/en")
    en = client.get("/reports/coverage", query_string=PERIOD | {"unit": "22"}).get_data(
        as_text=True)
    assert '<span class="bar-label">75.0%</span>' in en and "75,0%" not in en


def test_xlsx_percent_format_follows_the_setting(world, client, login_as, app):
    """LMS_PERCENT_DECIMALS = 2 formats the XLSX ratios 0.00%."""
    from openpyxl import load_workbook

    login_as("admin")
    app.config["PERCENT_DECIMALS"] = 2
    try:
        data = client.get("/reports/coverage.xlsx", query_string=PERIOD | {"unit": "22"}).data
    finally:
        app.config["PERCENT_DECIMALS"] = 1
    assert load_workbook(io.BytesIO(data)).active["E2"].number_format == "0.00%"


def test_csv_stays_a_machine_format(world, client, login_as):
    """The CSV writes ratios with a dot and counts without grouping, whatever the locale."""
    login_as("admin")
    post_form(client, "/lang/en")
    en = client.get("/reports/coverage.csv", query_string=PERIOD | {"unit": "22"}).data
    post_form(client, "/lang/vi")
    vi = client.get("/reports/coverage.csv", query_string=PERIOD | {"unit": "22"}).data
    assert b",0.7500," in vi and b"0,7500" not in vi
    assert en.split(b"\r\n")[1:] and en.count(b",0.7500,") == vi.count(b",0.7500,")


def test_luot_is_person_times_in_reports_and_an_attempt_on_quizzes(app):
    """One Vietnamese word, three English ones: "Lượt" is translated by its context."""
    from flask_babel import force_locale

    from lms.reports.sheets import unit_sheet

    fields = ("target", "trained", "coverage", "person_times", "people", "units_total",
              "units_reached", "units_at_target")
    doc = {"rows": [], "totals": dict.fromkeys(fields, 0), "unit": {"code": "22", "name": "QN"}}
    with app.test_request_context(), force_locale("en"):
        headers = unit_sheet(doc).headers
        env = app.jinja_env
        attempt = env.from_string('{{ pgettext("attempt", "Lượt") }}').render()
        responses = env.from_string('{{ pgettext("responses", "Lượt") }}').render()
    assert "Person-times" in headers and "Attempts" not in headers
    assert (attempt, responses) == ("Attempt", "Responses")
    with app.test_request_context(), force_locale("vi"):
        assert "Lượt" in unit_sheet(doc).headers
