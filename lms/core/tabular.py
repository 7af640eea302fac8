"""Reading CSV/XLSX uploads for every import: header aliases, row numbers, cell clean-up.

Rows are numbered as a spreadsheet shows them (the header is row 1). Errors are collected,
never raised one by one, so an import can report every bad row and write nothing.
"""

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _

from lms.core.text import clean, slug_key

MAX_ROWS = 500_000


@dataclass(frozen=True)
class Column:
    """One importable column: canonical key, accepted header names, required or not."""

    key: str
    aliases: tuple[str, ...]
    required: bool = False


@dataclass
class RowError:
    """One problem, located as `row N, column X`."""

    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason

    def localised(self) -> str:
        """The same in the current UI language (Vietnamese: `dòng N, cột X: …`)."""
        where = []
        if self.row is not None:
            where.append(_("dòng %(n)s", n=self.row))
        if self.column:
            where.append(_("cột %(c)s", c=self.column))
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class ImportFailed(Exception):
    """Raised with every error found; nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class Table:
    """Parsed upload: which header each key came from, and the data rows."""

    headers: dict[str, str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)


def clean_text(value: str) -> str:
    """`lms.core.text.clean` for a string, faster: the same NFC form and collapsed white space.

    `str.split()` and the regular expression `\\s` use the same Unicode white-space table, and
    ASCII text is always NFC, so most cells skip the normalisation entirely.
    """
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


def _cell(value) -> object:
    """Normalise one cell: NFC strings, whole floats as ints, dates kept as dates."""
    if type(value) is str:  # every CSV cell, most XLSX cells
        return clean_text(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return clean(value)


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    nul = data.find(b"\x00")
    if nul != -1:
        # No text file holds NUL, and PostgreSQL text cannot store it: refuse, saying where.
        raise ImportFailed([RowError(data.count(b"\n", 0, nul) + 1, None, _(
            "tệp chứa ký tự NUL: đây không phải tệp CSV văn bản"))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed([RowError(None, None, _(
            "tệp CSV không phải mã UTF-8 (byte lỗi ở vị trí %(pos)s); hãy lưu lại dưới dạng "
            "CSV UTF-8", pos=exc.start))]) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFailed([RowError(None, None,
                                     _("tệp XLSX bị hỏng hoặc không đọc được"))]) from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def read_table(data: bytes, filename: str, columns: list[Column]) -> Table:
    """Parse CSV (UTF-8, with or without BOM; comma or semicolon) or XLSX against `columns`.

    :param data: the file's bytes
    :param filename: its name; `.xlsx` selects the spreadsheet reader
    :param columns: the accepted columns
    :raises ImportFailed: with every header-level error
    """
    if not data:
        raise ImportFailed([RowError(None, None, _("tệp rỗng"))])
    is_xlsx = filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
    reader = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed([RowError(None, None, _("tệp rỗng"))]) from None
    except csv.Error as exc:
        raise ImportFailed([RowError(1, None, _("CSV không hợp lệ: %(e)s", e=exc))]) from exc

    alias_to_key = {slug_key(a): c.key for c in columns for a in c.aliases}
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, raw in enumerate(header):
        name = clean(_cell(raw)) if raw is not None else ""
        key = alias_to_key.get(slug_key(name))
        if key is None:
            continue  # extra columns (STT, notes…) are allowed and ignored
        if key in positions:
            errors.append(RowError(1, name, _("cột bị lặp lại")))
            continue
        headers[key] = name
        positions[key] = index
    for column in columns:
        if column.required and column.key not in positions:
            errors.append(RowError(1, column.aliases[0], _(
                "thiếu cột bắt buộc (tên chấp nhận: %(names)s)", names=" | ".join(column.aliases))))
    if errors:
        raise ImportFailed(errors)

    table = Table(headers=headers)
    wanted = list(positions.items())
    try:
        for number, raw_row in enumerate(reader, start=2):
            width = len(raw_row)
            values = {key: _cell(raw_row[i]) if i < width else "" for key, i in wanted}
            if not any(v != "" for v in values.values()):
                continue
            table.rows.append((number, values))
            if len(table.rows) > MAX_ROWS:
                raise ImportFailed([RowError(number, None, _(
                    "tệp có quá %(n)s dòng; hãy chia nhỏ", n=MAX_ROWS))])
    except csv.Error as exc:
        raise ImportFailed([RowError(None, None, _("CSV không hợp lệ: %(e)s", e=exc))]) from exc
    return table


def parse_bool(value, default: bool = True) -> bool:
    """có/không, yes/no, 1/0, true/false (any case); empty → default; else ValueError."""
    text = slug_key(str(value)) if value not in (None, "") else ""
    if text == "":
        return default
    if text in {"co", "yes", "y", "1", "true", "x", "dung"}:
        return True
    if text in {"khong", "no", "n", "0", "false", "sai"}:
        return False
    raise ValueError(value)


def write_csv(headers: list[str], rows) -> bytes:
    """UTF-8 CSV with BOM (so Excel shows Vietnamese), comma-separated."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(headers: list[str], rows, title: str, *, widths: list[int] | None = None,
               percent_columns=()) -> bytes:
    """An XLSX workbook: bold frozen header, column widths (given, or fitted to the content),
    ratios in `percent_columns` (0-based) formatted 0.0%."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = [list(row) for row in rows]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31] or "Sheet1"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for i in percent_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
            cell.number_format = "0.0%"
    if widths is None:
        widths = [min(max(max([len(str(h))] + [len(str(r[i])) for r in rows if i < len(r)]) + 2,
                          8), 50) for i, h in enumerate(headers)]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
