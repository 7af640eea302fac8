"""The DHIS2 data value set: its shape, its periods, its figures against an independent count,
its scope, the CSV and the command line."""

import csv
import io
from datetime import date

import pytest

from tests.reports.test_breakdowns import mixed, person_rows  # noqa: F401 - a fixture

ELEMENTS = ("TH_TARGET", "TH_TRAINED", "TH_PERSON_TIMES", "TH_PEOPLE")


def _expected(unit_code):
    """{(org unit, combo, data element): value} counted here, person by person."""
    rows, communes = person_rows(unit_code)
    sums = {}
    for commune_id, position, gender, _ethnicity, tgt, trn, times in rows:
        key = (communes[commune_id].code, f"TH_{position}_{gender}".upper())
        total = sums.setdefault(key, [0, 0, 0, 0])
        for i, v in enumerate((tgt, trn, times, int(times > 0))):
            total[i] += v
    return {(unit, combo, element): str(value) for (unit, combo), values in sums.items()
            for element, value in zip(ELEMENTS, values, strict=True)}


@pytest.mark.parametrize(("period", "first", "last"), [
    ("2025", date(2025, 1, 1), date(2025, 12, 31)),
    ("2025Q1", date(2025, 1, 1), date(2025, 3, 31)),
    ("2025Q4", date(2025, 10, 1), date(2025, 12, 31)),
    ("202402", date(2024, 2, 1), date(2024, 2, 29)),
    ("202512", date(2025, 12, 1), date(2025, 12, 31)),
])
def test_periods(app, period, first, last):
    """Years, quarters and months in DHIS2's notation."""
    from lms.reports.dhis2 import parse_period

    assert parse_period(period) == (first, last)


@pytest.mark.parametrize("period", ["", "2025Q5", "202513", "25Q1", "2025-01", "2025W3"])
def test_bad_periods_are_refused_with_the_accepted_forms(app, period):
    from lms.reports.dhis2 import parse_period
    from lms.reports.services import ReportError

    with pytest.raises(ReportError, match="2026Q4"):
        parse_period(period)


def test_json_shape_and_every_value_against_an_independent_count(mixed, client, login_as,  # noqa: F811
                                                                   app):
    """Each data value has DHIS2's keys; together they are exactly the count made here, and
    they add up to the coverage report's totals."""
    app.config["DHIS2_DATA_SET"] = "TH_COVERAGE"
    login_as("admin")
    response = client.get("/reports/dhis2.json", query_string={"unit": "22", "period": "2025"})
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["dataSet"] == "TH_COVERAGE" and doc["period"] == "2025"
    assert all(set(v) == {"dataElement", "period", "orgUnit", "categoryOptionCombo", "value"}
               and v["period"] == "2025" for v in doc["dataValues"])
    got = {(v["orgUnit"], v["categoryOptionCombo"], v["dataElement"]): v["value"]
           for v in doc["dataValues"]}
    assert len(got) == len(doc["dataValues"])  # no value twice
    expected = _expected("22")
    assert got == expected
    assert ("06652", "TH_TRUONG_THON_FEMALE", "TH_TRAINED") in got  # not trivially empty
    report = client.get("/api/v1/coverage", query_string={
        "unit": "22", "from": "2025-01-01", "to": "2025-12-31"}).get_json()["totals"]
    for element, key in zip(ELEMENTS, ("target", "trained", "person_times", "people"),
                            strict=True):
        assert sum(int(v) for k, v in got.items() if k[2] == element) == report[key]


def test_csv_is_dhis2s_column_order(mixed, client, login_as):  # noqa: F811
    """The CSV: DHIS2's ten columns, one line per data value, the same values as the JSON."""
    login_as("admin")
    query = {"unit": "22", "period": "2025"}
    response = client.get("/reports/dhis2.csv", query_string=query)
    assert response.status_code == 200 and not response.data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8"))))
    assert lines[0][:6] == ["dataelement", "period", "orgunit", "categoryoptioncombo",
                            "attributeoptioncombo", "value"] and len(lines[0]) == 10
    got = {(r[2], r[3], r[0]): r[5] for r in lines[1:]}
    assert got == _expected("22") and all(r[1] == "2025" and len(r) == 10 for r in lines[1:])


def test_scope_and_bad_period(mixed, client, login_as):  # noqa: F811
    """A Hà Nội official cannot export Quảng Ninh; a bad period is a 400 that says why; the
    coverage page links the export of its quarter."""
    login_as("viewer", unit="01")
    assert client.get("/reports/dhis2.json",
                      query_string={"unit": "22", "period": "2025"}).status_code == 403
    own = client.get("/reports/dhis2.json", query_string={"unit": "01", "period": "2025"})
    assert {v["orgUnit"] for v in own.get_json()["dataValues"]} == {"00004"}
    bad = client.get("/reports/dhis2.json", query_string={"unit": "01", "period": "2025Q9"})
    assert bad.status_code == 400 and "2025Q9" in bad.get_data(as_text=True)
    page = client.get("/reports/coverage", query_string={"unit": "01", "to": "2025-11-30"})
    assert "/reports/dhis2.csv?unit=01&amp;period=2025Q4" in page.get_data(as_text=True)


def test_cli_writes_the_same_document(mixed, runner, tmp_path):  # noqa: F811
    out = tmp_path / "qn.json"
    result = runner.invoke(args=["lms", "report", "dhis2", "--unit", "22", "--period", "2025",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    import json

    values = json.loads(out.read_text("utf-8"))["dataValues"]
    assert {(v["orgUnit"], v["categoryOptionCombo"], v["dataElement"]): v["value"]
            for v in values} == _expected("22")
    bad = runner.invoke(args=["lms", "report", "dhis2", "--unit", "22", "--period", "x"])
    assert bad.exit_code != 0 and "2026Q4" in bad.output
