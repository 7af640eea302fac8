"""The upload reader on files shaped like the ones commune offices send (built with openpyxl)."""

import io
import time
import unicodedata
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook

from lms.core.tabular import (
    Column,
    ImportFailed,
    canonical_phone,
    header_key,
    normalise_id,
    parse_date_cell,
    read_table,
)

COLUMNS = [
    Column("staff_id", ("ma_nhan_su", "Mã nhân sự", "staff_id"), True),
    Column("full_name", ("ho_ten", "Họ và tên", "full_name"), True),
    Column("position", ("chuc_danh", "Chức vụ", "position"), True),
    Column("in_target", ("muc_tieu", "in_target")),
    Column("left_on", ("ngay_nghi", "left_on")),
]
HEADER = ["STT", "Mã nhân sự", "Họ và tên", "Chức vụ", "Ngày nghỉ"]


def xlsx(*sheets, hidden=(), merges=()):
    """XLSX bytes: each sheet is (title, rows); `merges` are ranges on the first sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    for ref in merges:
        workbook.worksheets[0].merge_cells(ref)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def official(rows, footer=True):
    """Title rows, a blank row, the header on row 5, a numbering row, `rows`, a signature."""
    top = [["ỦY BAN NHÂN DÂN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
           ["XÃ TÂN LẬP"],
           ["DANH SÁCH CÁN BỘ THAM GIA TẬP HUẤN"],
           ["Kèm theo Công văn số 12/UBND ngày 01/3/2025"],
           HEADER, ["(1)", "(2)", "(3)", "(4)", "(5)"]]
    bottom = [[], [None, None, None, "Ngày 15 tháng 3 năm 2025"],
              [None, "Người lập biểu", None, "CHỦ TỊCH"],
              [None, "(Ký, ghi rõ họ tên)", None, "(Ký tên, đóng dấu)"], [],
              [None, None, "Nguyễn Văn Ký", "Trần Văn Dấu"]] if footer else []
    return top[:4] + [[]] + top[4:] + rows + bottom


def errors_of(data, filename="x.xlsx", columns=COLUMNS):
    with pytest.raises(ImportFailed) as caught:
        read_table(data, filename, columns)
    return [str(e) for e in caught.value.errors]


def test_title_rows_numbering_and_signature_are_skipped_and_reported(app):
    """The header on row 6 is found; titles, numbering row and footer are skipped with notes."""
    data = xlsx(("DS", official([[1, "QN1", "Nguyễn Thị Hường", "Trưởng thôn", None],
                                 [2, "QN2", "Trần Văn Nam", "Công an xã", None]])))
    table = read_table(data, "x.xlsx", COLUMNS)
    assert table.header_row == 6
    assert [n for n, _row in table.rows] == [8, 9]
    assert table.rows[0][1] == {"staff_id": "QN1", "full_name": "Nguyễn Thị Hường",
                                "position": "Trưởng thôn", "left_on": ""}
    notes = [str(n) for n in table.notes]
    assert notes[0].startswith("row 1: bỏ qua dòng phía trên tiêu đề: ỦY BAN NHÂN DÂN")
    assert any(n.startswith("row 4:") and "Kèm theo" in n for n in notes)
    assert any(n.startswith("row 7: bỏ qua dòng đánh số cột") for n in notes)
    assert any(n.startswith("row 11: bỏ qua phần chân trang") for n in notes)
    assert any(n.startswith("row 15:") and "Nguyễn Văn Ký" in n for n in notes)
    assert table.ignored == ["STT"]
    assert set(table.headers) == {"staff_id", "full_name", "position", "left_on"}


def test_a_row_missing_its_id_before_the_footer_is_data_not_footer(app):
    """A last row with a name but no id is reported as an error row, not swallowed."""
    data = xlsx(("DS", official([[1, "QN1", "A", "Công an", None],
                                 [2, None, "Lê Thị Mai", "Công an", None]])))
    table = read_table(data, "x.xlsx", COLUMNS)
    assert [n for n, _row in table.rows] == [8, 9]
    assert table.rows[1][1]["staff_id"] == ""


def test_empty_rows_in_the_middle_and_group_headings_are_skipped(app):
    """Blank rows between people and "I. Công an" headings do not stop or break the read."""
    data = xlsx(("DS", [HEADER, ["I. Công an xã"], [1, "QN1", "A", "Công an", None], [],
                        [None], ["II. Trưởng thôn"], [2, "QN2", "B", "Trưởng thôn", None]]))
    table = read_table(data, "x.xlsx", COLUMNS)
    assert [r["staff_id"] for _n, r in table.rows] == ["QN1", "QN2"]
    assert [n.row for n in table.notes] == [2, 6]


def test_vertical_merges_fill_down_horizontal_ones_stay_in_the_first_cell(app):
    """A position merged over three people applies to each; a merged title stays one cell."""
    rows = [["DANH SÁCH", None, None, None, None], HEADER,
            [1, "QN1", "A", "Công an", None], [2, "QN2", "B", None, None],
            [3, "QN3", "C", None, None], [4, "QN4", "D", "Khác", None]]
    data = xlsx(("DS", rows), merges=["A1:E1", "D3:D5"])
    table = read_table(data, "x.xlsx", COLUMNS)
    assert [r["position"] for _n, r in table.rows] == ["Công an", "Công an", "Công an", "Khác"]


def test_headers_in_any_spelling_and_notes_in_brackets(app):
    """No diacritics, upper case, a required-mark and a note in brackets all match."""
    data = "MA NHAN SU (*);HO VA TEN;chức vụ\nQN1;A;Khác\n".encode()
    table = read_table(data, "x.csv", COLUMNS)
    assert table.headers == {"staff_id": "MA NHAN SU (*)", "full_name": "HO VA TEN",
                             "position": "chức vụ"}
    assert header_key("Ngày nghỉ (dd/mm/yyyy)") == "ngay_nghi"


def test_near_miss_header_is_an_error_naming_the_known_one(app):
    """"Thuộc mục tiêu" is refused, naming muc_tieu, instead of being silently ignored."""
    data = "ma_nhan_su,ho_ten,chuc_danh,Thuộc mục tiêu,Ghi chú\nQN1,A,Khác,không,x\n".encode()
    errors = errors_of(data, "x.csv")
    assert len(errors) == 1
    assert errors[0].startswith("row 1, column Thuộc mục tiêu: tiêu đề 'Thuộc mục tiêu' gần "
                                "giống cột 'muc_tieu'")


def test_unknown_columns_are_listed_as_ignored(app):
    """Columns the import does not know are listed, never silently dropped."""
    table = read_table("ma_nhan_su,ho_ten,chuc_danh,STT,Ghi chú\nQN1,A,Khác,1,x\n".encode(),
                       "x.csv", COLUMNS)
    assert table.ignored == ["STT", "Ghi chú"]


def test_sheets_sharing_the_header_are_all_read_with_their_names(app):
    """Two sheets with the same columns are both imported; row numbers name the sheet."""
    data = xlsx(("Xã A", [HEADER, [1, "QN1", "A", "Khác"]]),
                ("Xã B", [["DANH SÁCH"], HEADER, [1, "QN2", "B", "Khác"]]),
                ("Trống", []))
    table = read_table(data, "x.xlsx", COLUMNS)
    assert [(str(n), r["staff_id"]) for n, r in table.rows] == [("2 (Xã A)", "QN1"),
                                                                ("3 (Xã B)", "QN2")]
    assert table.sheets == ["Xã A", "Xã B"]


def test_sheets_with_different_headers_are_refused_naming_them(app):
    """A second sheet with other columns refuses the file and names both sheets."""
    data = xlsx(("Xã A", [HEADER, [1, "QN1", "A", "Khác"]]),
                ("Tổng hợp", [["Xã", "Số người"], ["A", 1]]))
    errors = errors_of(data)
    assert any("Tổng hợp" in e and "thiếu cột bắt buộc" in e for e in errors)


def test_hidden_and_instruction_sheets_are_skipped_with_a_note(app):
    """A template's instructions and hidden list sheets are not data."""
    data = xlsx(("Danh sách", [HEADER, [1, "QN1", "A", "Khác"]]),
                ("Hướng dẫn", [["Cột", "Ý nghĩa"], ["Mã nhân sự", "bắt buộc"]]),
                ("Danh mục", [["Công an"]]), hidden=("Danh mục",))
    table = read_table(data, "x.xlsx", COLUMNS)
    assert len(table.rows) == 1
    assert [str(n) for n in table.notes] == ["bỏ qua trang hướng dẫn 'Hướng dẫn'",
                                             "bỏ qua trang tính ẩn 'Danh mục'"]


def test_numeric_ids_keep_zeros_shown_by_their_format_and_dates_stay_dates(app):
    """An id typed as a number with format 00000 keeps its zeros; a date cell is a date."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([1, 123, "A", "Khác", date(2025, 6, 30)])
    sheet["B2"].number_format = "00000"
    sheet.append([2, "00124", "B", "Khác", 45838])
    out = io.BytesIO()
    workbook.save(out)
    table = read_table(out.getvalue(), "x.xlsx", COLUMNS)
    (_n1, first), (_n2, second) = table.rows
    assert first["staff_id"] == "00123" and first["left_on"] == date(2025, 6, 30)
    assert second["staff_id"] == "00124"
    assert parse_date_cell(second["left_on"]) == date(2025, 6, 30)


def test_nfd_text_is_read_as_nfc(app):
    """Decomposed Vietnamese in cells and headers comes out NFC and still matches."""
    nfd = unicodedata.normalize("NFD", "Họ và tên")
    data = xlsx(("DS", [["Mã nhân sự", nfd, "Chức vụ"],
                        ["QN1", unicodedata.normalize("NFD", "Nguyễn Thị Hường"), "Khác"]]))
    table = read_table(data, "x.xlsx", COLUMNS)
    assert table.rows[0][1]["full_name"] == unicodedata.normalize("NFC", "Nguyễn Thị Hường")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_tab_separated_text_is_read(app, encoding):
    """Excel's "Unicode Text" (UTF-16, tabs), with or without its byte-order mark."""
    text = "Mã nhân sự\tHọ và tên\tChức vụ\r\nQN1\tNguyễn Thị Hường\tCông an\r\n"
    table = read_table(text.encode(encoding), "x.txt", COLUMNS)
    assert table.rows[0][1]["full_name"] == "Nguyễn Thị Hường"


def test_other_encodings_and_old_excel_are_refused_with_advice(app):
    """A Windows-1258 CSV or an .xls file is refused, saying how to save it."""
    assert "CSV UTF-8" in errors_of(b"M\xe3 nh\xe2n s\xf1,H\xf4 t\xean\n", "x.csv")[0]
    assert ".xlsx" in errors_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "x.xls")[0]


def test_a_huge_stated_dimension_costs_nothing(app):
    """Cells at A1 and XFD1048576 only: read at once (rows absent from the file are skipped)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ma_nhan_su", "ho_ten", "chuc_danh"])
    sheet.append(["QN1", "A", "Khác"])
    sheet.cell(row=1_048_576, column=16_384, value="x")
    out = io.BytesIO()
    workbook.save(out)
    started = time.perf_counter()
    table = read_table(out.getvalue(), "x.xlsx", COLUMNS)
    assert time.perf_counter() - started < 5   # a guard against a hang, not a speed test
    assert len(table.rows) == 1


def test_many_formatted_empty_rows_are_stopped_by_the_row_budget(app, monkeypatch):
    """Rows are counted as scanned, blank ones included: past the budget the file is refused."""
    monkeypatch.setattr("lms.core.tabular.MAX_SCANNED_ROWS", 1000)
    rows = "\n".join(["ma_nhan_su,ho_ten,chuc_danh", "QN1,A,Khác"] + [",,"] * 2000)
    errors = errors_of(rows.encode(), "x.csv")
    assert "tệp quá lớn" in errors[0] and errors[0].startswith("row 1001")


def test_zip_bombs_are_refused_before_unpacking(app, monkeypatch):
    """An XLSX that unpacks past the limit is refused from its directory alone."""
    monkeypatch.setattr("lms.core.tabular.MAX_UNPACKED", 1000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<x/>" * 1000)
    assert "giải nén" in errors_of(out.getvalue())[0]


def test_ids_are_normalised_so_look_alikes_are_one():
    """NFKC, no invisible characters or spaces, upper case."""
    assert {normalise_id(v) for v in ["QN001", "qn001", "QN 001", "QN001\u200b",
                                      "\ufeffQN001", "ＱＮ００１", "qn\u00a0001"]} == {"QN001"}


@pytest.mark.parametrize(("raw", "canonical"), [
    ("0912345678", "0912345678"), ("0912 345 678", "0912345678"), ("+84 912-345-678",
    "0912345678"), ("84912345678", "0912345678"), ("912345678", "0912345678"),
    ("(024) 3823 4567", "02438234567"), ("+1 202 555 0100", "+12025550100"), ("", None)])
def test_phone_numbers_have_one_canonical_form(raw, canonical):
    """Spaces, dashes, +84/84 prefixes and a lost leading zero all give national digits."""
    assert canonical_phone(raw) == canonical


@pytest.mark.parametrize("raw", ["12345", "09123456789012", "0912 abc", "1912345678"])
def test_bad_phone_numbers_are_refused(raw):
    """Too short, too long, letters, or not starting with 0 after normalisation."""
    with pytest.raises(ValueError):
        canonical_phone(raw)


def test_dates_in_every_office_spelling(app):
    """dd/mm/yyyy, d/m/yyyy, dd.mm.yyyy, ISO and Excel serials; nonsense is refused."""
    assert {parse_date_cell(v) for v in ["30/06/2025", "30/6/2025", "30.06.2025",
                                         "2025-06-30", "45838", date(2025, 6, 30)]} == {
        date(2025, 6, 30)}
    with pytest.raises(ValueError):
        parse_date_cell("31/02/2025")


def test_multi_sheet_workbook_keeps_formulas_as_text_and_names_valid():
    """write_xlsx_sheets: one sheet each, names made valid and unique, every cell on every
    sheet through as_text (formula-like text stays text), ratio and count formats."""
    from openpyxl import load_workbook

    from lms.core.tabular import XlsxSheet, write_xlsx_sheets

    data = write_xlsx_sheets([
        XlsxSheet("Tỉnh/thành: [A]", ["Tên", "Tỷ lệ", "Số"], [["=1+1", 0.5, 1234]],
                  percent_columns={1}, number_columns={2}),
        XlsxSheet("Tỉnh-thành- -A-", ["=cmd|' /C calc'!A0"], [["@SUM(A1)"]]),
    ], percent_format="0.00%")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Tỉnh-thành- -A-", "Tỉnh-thành- -A- 2"]
    first, second = book.worksheets
    assert first["A2"].value == "=1+1" and first["A2"].data_type == "s"
    assert first["B2"].number_format == "0.00%" and first["C2"].number_format == "#,##0"
    assert second["A1"].data_type == "s" and second["A2"].value == "@SUM(A1)"
    assert first.freeze_panes == second.freeze_panes == "A2"
