"""Bounded work: an upload is refused early, naming the limit, when it would make the reader
scan far more rows, cells or strings than it holds data (small files that unpack to a sheet
formatted a million rows down, or to millions of shared strings)."""

import io
import time
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from lms.core import tabular
from lms.core.tabular import Column, ImportFailed, read_table
from tests.cohorts.conftest import make_cohort, make_course  # noqa: F401
from tests.conftest import csrf_token

COLUMNS = [Column("staff_id", ("ma_nhan_su",), True), Column("full_name", ("ho_ten",))]
SST = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
       "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings")


def xlsx(rows_xml: str = "", strings: int = 0) -> bytes:
    """A workbook with a header and one person, then `rows_xml` appended to its sheet's data
    and, with `strings`, a shared-string table of that many entries."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ma_nhan_su", "ho_ten"])
    sheet.append(["QN1", "Nguyễn Thị Hường"])
    sheet["A2"].fill = PatternFill("solid", fgColor="FFFF00")   # style 1, for blank cells
    out = io.BytesIO()
    workbook.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", rows_xml.encode() + b"</sheetData>")
            if strings and info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                                    f'ContentType="{SST[0]}"/></Types>'.encode())
            if strings and info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rIdS" Type="'
                                    f'{SST[1]}" Target="sharedStrings.xml"/></Relationships>'
                                    .encode())
            target.writestr(info, data)
        if strings:
            target.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats'
                            '.org/spreadsheetml/2006/main">' + "<si><t>a</t></si>" * strings
                            + "</sst>")
    return result.getvalue()


def refused(data: bytes, name: str = "x.xlsx") -> tuple[str, float]:
    """The first error read_table gives and the seconds it took."""
    started = time.perf_counter()
    with pytest.raises(ImportFailed) as failed:
        read_table(data, name, COLUMNS)
    return str(failed.value.errors[0]), time.perf_counter() - started


def test_a_sheet_formatted_a_million_rows_down_is_refused_at_once(app):
    """Rows 3 to 1,000,000 styled but empty (max_row 1,000,000, a 2.5 MB file): refused after
    10,000 of them, in well under a second's worth of a worker, naming the limit and row."""
    rows = "".join(f'<row r="{n}" s="1" customFormat="1"/>' for n in range(3, 1_000_001))
    message, seconds = refused(xlsx(rows))
    assert "10000 dòng trống liên tiếp từ dòng 3" in message and message.startswith("row 10003")
    assert seconds < 3


def test_styled_blank_cells_without_coordinates_are_refused_at_once(app):
    """A 0.1 MB file of rows of 20 styled empty cells (which once took most of a minute)."""
    rows = ('<row s="1" customFormat="1">' + '<c s="1"/>' * 20 + "</row>") * 100_000
    data = xlsx(rows)
    assert len(data) < 500_000
    message, seconds = refused(data)
    assert "10000 dòng trống liên tiếp" in message
    assert seconds < 5


def test_a_csv_of_empty_lines_is_refused_at_once(app):
    """Five million empty lines (or lines of separators only) under a header."""
    for filler in (b"\n", b",,,\n"):
        message, seconds = refused(b"ma_nhan_su,ho_ten\nQN1,A\n" + filler * 5_000_000, "x.csv")
        assert "10000 dòng trống liên tiếp từ dòng 3" in message
        assert seconds < 3


def test_data_after_fewer_blank_rows_than_the_limit_is_read(app):
    """A gap shorter than the limit is not a reason to stop: the person after it is read."""
    gap = "".join(f'<row r="{n}" s="1" customFormat="1"/>' for n in range(3, 10_003))
    person = '<row r="10003"><c r="A10003" t="inlineStr"><is><t>QN2</t></is></c></row>'
    table = read_table(xlsx(gap + person), "x.xlsx", COLUMNS)
    assert [row["staff_id"] for _n, row in table.rows] == ["QN1", "QN2"]


def test_cells_are_counted_blank_or_not(app, monkeypatch):
    """Wide rows of styled cells beyond any data count against the cell budget."""
    monkeypatch.setattr(tabular, "MAX_CELLS", 50_000)
    row = '<row><c t="inlineStr"><is><t>QN9</t></is></c>' + '<c s="1"/>' * 16_000 + "</row>"
    message, _seconds = refused(xlsx(row * 10))
    assert "tệp quá lớn" in message and "50000 ô" in message


def test_a_huge_shared_string_table_is_refused_before_it_is_parsed(app):
    """600,000 shared strings in a 0.01 MB file: counted in the raw XML, refused at once
    (parsing them would take about ten seconds)."""
    message, seconds = refused(xlsx(strings=600_000))
    assert "hơn 500000 chuỗi" in message
    assert seconds < 2


def test_a_normal_shared_string_table_is_read(app):
    """The count does not refuse an ordinary file, whose strings are shared."""
    table = read_table(xlsx(strings=1000), "x.xlsx", COLUMNS)
    assert table.rows[0][1]["staff_id"] == "QN1"


def test_the_member_upload_refuses_a_mostly_empty_sheet_quickly(client, db, login_as,
                                                                 make_cohort):  # noqa: F811
    """Through a real upload route: the page answers 400 within seconds, listing the limit."""
    cohort = make_cohort()
    login_as(user=cohort.trainers[0])
    # styled empty rows down to row 1,000,000; kept under 500 KB, so the test client's body
    # stays in memory
    rows = '<row s="1" customFormat="1"/>' * 20_000 + '<row r="1000000" s="1"/>'
    data = xlsx(rows)
    assert len(data) < 500_000
    page = f"/cohorts/{cohort.id}/members"
    started = time.perf_counter()
    response = client.post(f"{page}/upload", data={
        "csrf_token": csrf_token(client, page),
        "file": (io.BytesIO(data), "danh-sach.xlsx")}, content_type="multipart/form-data")
    assert time.perf_counter() - started < 5
    assert response.status_code == 400
    assert "10000 dòng trống liên tiếp" in response.get_data(as_text=True)
