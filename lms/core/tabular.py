"""Reading CSV/XLSX uploads for every import: finding the header, aliases, rows, cell clean-up.

Files come as offices produce them: title rows above the header ("ỦY BAN NHÂN DÂN …",
"Kèm theo Công văn số …"), a numbering row under it, merged cells, empty rows, a signature
block after the last person, several sheets, numbers where text was meant, UTF-16 tab-separated
text from Excel's "Unicode Text". The reader finds the header among the first rows, reads every
sheet that shares it, and reports what it skipped or ignored (`Table.notes`, `Table.ignored`),
so nothing is dropped without a word.

Rows are numbered as a spreadsheet shows them. Errors are collected, never raised one by one,
so an import can report every bad row and write nothing. The work one upload may cause is
bounded by rows and cells scanned (and, for XLSX, by the unpacked size), not only by file size.
"""

import csv
import difflib
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from lms.core.text import clean, fold, slug_key
from lms.core.timeutil import parse_date

MAX_ROWS = 500_000            # data rows in one upload
MAX_SCANNED_ROWS = 600_000    # rows read, blank and skipped ones included
# Cells read, blank (styled) ones included. Reading an XLSX cell costs about 5-9 µs whether
# it holds a value or not, so this keeps the worst upload near 10-18 s of one worker (docs/
# roster.md, "Bounds"), and still takes a 100,000-person roster with 20 columns.
MAX_CELLS = 2_000_000
MAX_BLANK_RUN = 10_000        # rows in a row without any value (formatting only): refused
# Strings in an XLSX's shared-string table, counted in the raw XML before openpyxl parses it
# (about 17 µs each, all at once on opening): a 0.13 MB file may hold three million.
MAX_STRINGS = 500_000
MAX_COLUMNS = 200             # columns looked at; cells further right are not read
MAX_UNPACKED = 400_000_000    # bytes an XLSX may unpack to (a zip bomb is refused up front)
HEADER_SCAN = 30              # the header must be among the first rows of a sheet
INSTRUCTION_SHEETS = {"huong_dan", "instructions", "readme"}


@dataclass(frozen=True)
class Column:
    """One importable column: canonical key, accepted header names, required or not.

    `aliases[0]` is the canonical header (what exports write); the others are the variants
    offices write. Matching ignores case, diacritics, punctuation and notes in brackets.
    """

    key: str
    aliases: tuple[str, ...]
    required: bool = False


class RowNumber(int):
    """A row number that also names its sheet, for workbooks with several data sheets."""

    sheet: str | None = None

    def __new__(cls, number: int, sheet: str | None = None):
        obj = super().__new__(cls, number)
        obj.sheet = sheet
        return obj

    def __str__(self) -> str:
        return f"{int(self)} ({self.sheet})" if self.sheet else int.__repr__(self)


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
    """A parsed upload.

    `headers` maps each key whose column is present in the file to the header as written there
    (a key absent from `headers` was not in the file: an import leaves that field alone);
    `rows` holds (row number, {key: cell}); `notes` says which rows were skipped and why (titles,
    numbering, footers, hidden sheets); `ignored` lists the headers of columns not imported.
    """

    headers: dict[str, str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    header_row: int = 1
    notes: list[RowError] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


def clean_text(value: str) -> str:
    """`lms.core.text.clean` for a string, faster: the same NFC form and collapsed white space.

    `str.split()` and the regular expression `\\s` use the same Unicode white-space table, and
    ASCII text is always NFC, so most cells skip the normalisation entirely.
    """
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


def _cell(value) -> object:
    """Normalise one cell: NFC strings, whole floats as ints, dates kept as dates; the
    apostrophe our own CSV exports put before formula-like text is taken off again."""
    if type(value) is str:  # every CSV cell, most XLSX cells
        value = clean_text(value)
        if value[:1] == "'" and value[1:2] in FORMULA_LEADS:
            return value[1:]
        return value
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


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def header_key(value) -> str:
    """The matching form of a header: folded, notes in brackets and punctuation dropped.

    "Họ và tên (*)" → "ho_va_ten", "SĐT" → "sdt", "Ngày nghỉ (dd/mm/yyyy)" → "ngay_nghi".
    """
    text = fold(str(value))
    stripped = _BRACKETS.sub(" ", text)
    if stripped.strip():
        text = stripped
    return _NON_ALNUM.sub("_", text).strip("_")


def _near_miss(key: str, columns: Iterable[Column]) -> Column | None:
    """The column a header seems meant for: it contains all the words of one of its
    several-word names ("thuoc_muc_tieu" ⊃ "muc_tieu"), or is spelt almost like one."""
    words = set(key.split("_"))
    for column in columns:
        for alias in column.aliases:
            alias_key = header_key(alias)
            alias_words = alias_key.split("_")
            if len(alias_words) >= 2 and words.issuperset(alias_words):
                return column
            if min(len(key), len(alias_key)) >= 5 and difflib.SequenceMatcher(
                    None, key, alias_key).ratio() >= 0.85:
                return column
    return None


# --- raw rows from the file ------------------------------------------------------------------

@dataclass
class _Sheet:
    """Raw rows of one sheet (blank rows left out) and its merged ranges."""

    title: str | None
    rows: list[tuple[int, list]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # c1, r1, c2, r2


class _Budget:
    """Rows and cells scanned so far in one upload; refuses the file past the limits."""

    def __init__(self):
        self.rows = 0
        self.cells = 0
        self.blank_run = 0

    def take(self, number: int, cells: int, blank: bool) -> None:
        """Count one row of `cells` cells read (`blank`: none holds a value)."""
        self.rows += 1
        self.cells += cells
        self.blank_run = self.blank_run + 1 if blank else 0
        if self.blank_run > MAX_BLANK_RUN:
            # A sheet formatted far below its data: stop now rather than read on to the end.
            raise ImportFailed([RowError(number, None, _(
                "tệp có hơn %(m)s dòng trống liên tiếp từ dòng %(n)s (thường là định dạng kéo "
                "dài xuống dưới dữ liệu); hãy xoá các dòng trống ở cuối trang tính rồi tải lên "
                "lại",
                m=MAX_BLANK_RUN, n=number - MAX_BLANK_RUN))])
        if self.rows > MAX_SCANNED_ROWS or self.cells > MAX_CELLS:
            raise ImportFailed([RowError(number, None, _(
                "tệp quá lớn: đã đọc %(r)s dòng và %(c)s ô (giới hạn %(mr)s dòng, %(mc)s ô, kể "
                "cả dòng trống có định dạng); hãy xoá các dòng, cột trống ở cuối trang hoặc "
                "chia nhỏ tệp", r=self.rows, c=self.cells, mr=MAX_SCANNED_ROWS, mc=MAX_CELLS))])


def _decode(data: bytes) -> str:
    """Text from UTF-8 (with or without BOM) or UTF-16 (Excel's "Unicode Text"); else refuse."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    elif b"\x00" in data[:4096] and data[1:4096:2].count(0) > len(data[:4096]) // 4:
        encoding = "utf-16-le"   # UTF-16 without its byte-order mark: ASCII leaves NUL bytes
    elif b"\x00" in data[:4096] and data[0:4096:2].count(0) > len(data[:4096]) // 4:
        encoding = "utf-16-be"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFailed([RowError(None, None, _(
            "tệp văn bản không đọc được bằng mã %(enc)s (byte lỗi ở vị trí %(pos)s); trong Excel "
            "hãy lưu lại dưới dạng \"CSV UTF-8\" hoặc \"Unicode Text\", hoặc gửi tệp .xlsx",
            enc=encoding.upper().removesuffix("-SIG"), pos=exc.start))]) from exc
    nul = text.find("\x00")
    if nul != -1:
        # No text file holds NUL, and PostgreSQL text cannot store it: refuse, saying where.
        raise ImportFailed([RowError(text.count("\n", 0, nul) + 1, None, _(
            "tệp chứa ký tự NUL: đây không phải tệp CSV văn bản"))])
    return text


def _csv_sheet(data: bytes, budget: _Budget) -> _Sheet:
    text = _decode(data)
    head = text[:65536].splitlines()[:HEADER_SCAN]
    # the separator that splits some line of the head into the most cells; ties go to ","
    delimiter = max(",;\t", key=lambda d: max((line.count(d) for line in head), default=0))
    rows = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""),
                                                delimiter=delimiter), start=1):
            filled = any(row)
            budget.take(number, len(row), not filled)
            if filled:
                rows.append((number, row[:MAX_COLUMNS]))
    except csv.Error as exc:
        raise ImportFailed([RowError(None, None, _("CSV không hợp lệ: %(e)s", e=exc))]) from exc
    return _Sheet(None, rows)


_ZERO_FORMAT = re.compile(r"0{2,}")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")


def _shared_strings(archive: zipfile.ZipFile) -> int:
    """How many strings the shared-string tables hold (up to just past `MAX_STRINGS`): their
    `<si>` elements counted in the unpacked XML a megabyte at a time, without parsing."""
    count = 0
    for name in archive.namelist():
        if not name.lower().endswith("sharedstrings.xml"):
            continue
        with archive.open(name) as part:
            carry = b""
            while chunk := part.read(1 << 20):
                data = carry + chunk
                cut = data.rfind(b"<")   # a tag cut by the chunk's end goes on to the next
                cut = len(data) if cut == -1 else cut
                count += len(_SHARED_STRING.findall(data, 0, cut))
                if count > MAX_STRINGS:
                    return count   # enough to refuse: stop early
                carry = data[cut:]
            count += len(_SHARED_STRING.findall(carry))
    return count


def _xlsx_sheets(data: bytes, budget: _Budget, notes: list[RowError]) -> list[_Sheet]:
    from openpyxl import load_workbook
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
    from openpyxl.utils.cell import range_boundaries

    # The streaming parser behind openpyxl's read-only mode, used directly: it yields only the
    # rows present in the file (a huge stated dimension costs nothing) with each cell's style.
    from openpyxl.worksheet._reader import WorkSheetParser

    broken = _("tệp XLSX bị hỏng hoặc không đọc được; hãy mở bằng Excel và lưu lại dạng .xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED:
                raise ImportFailed([RowError(None, None, _(
                    "tệp XLSX giải nén ra %(n)s MB, quá giới hạn %(m)s MB; hãy chia nhỏ tệp",
                    n=unpacked // 1_000_000, m=MAX_UNPACKED // 1_000_000))])
            strings = _shared_strings(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ImportFailed([RowError(None, None, broken)]) from exc
    if strings > MAX_STRINGS:
        raise ImportFailed([RowError(None, None, _(
            "tệp XLSX có hơn %(m)s chuỗi văn bản khác nhau; hãy chia nhỏ tệp", m=MAX_STRINGS))])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ImportFailed([RowError(None, None, broken)]) from exc

    pads: dict[int, int] = {}

    def pad_width(style_id: int) -> int:
        """Digits a number shown with this style keeps ("00000" → 5; 0 for other formats)."""
        if style_id not in pads:
            fmt_id = workbook._cell_styles[style_id].numFmtId
            fmt = (BUILTIN_FORMATS.get(fmt_id, "") if fmt_id < BUILTIN_FORMATS_MAX_SIZE
                   else workbook._number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE])
            pads[style_id] = len(fmt) if _ZERO_FORMAT.fullmatch(fmt) else 0
        return pads[style_id]

    sheets = []
    try:
        for ws in workbook.worksheets:
            if ws.sheet_state != "visible":
                notes.append(RowError(None, None, _("bỏ qua trang tính ẩn '%(s)s'", s=ws.title)))
                continue
            if header_key(ws.title) in INSTRUCTION_SHEETS:
                notes.append(RowError(None, None, _("bỏ qua trang hướng dẫn '%(s)s'",
                                                    s=ws.title)))
                continue
            rows = []
            source = ws._get_source()
            try:
                parser = WorkSheetParser(source, workbook.shared_strings, data_only=True,
                                         epoch=workbook.epoch,
                                         date_formats=workbook._date_formats,
                                         timedelta_formats=workbook._timedelta_formats)
                budget.blank_run = 0
                for number, cells in parser.parse():
                    row: list = []
                    for cell in cells:
                        value, column = cell["value"], cell["column"]
                        if value is None or column > MAX_COLUMNS:
                            continue
                        if type(value) is int and cell["style_id"] and value >= 0:
                            # an id typed as a number but shown with leading zeros ("00123")
                            width = pad_width(cell["style_id"])
                            if width:
                                value = str(value).zfill(width)
                        if column > len(row):
                            row.extend([None] * (column - len(row)))
                        row[column - 1] = value
                    budget.take(number, len(cells), not row)
                    if row:
                        rows.append((number, row))
                merges = []
                if parser.merged_cells is not None:
                    merges = [range_boundaries(m.ref) for m in parser.merged_cells.mergeCell]
            finally:
                source.close()
            sheets.append(_Sheet(ws.title, rows, merges))
    except ImportFailed:
        raise
    except (KeyError, ValueError, TypeError, SyntaxError, zipfile.BadZipFile) as exc:
        raise ImportFailed([RowError(None, None, broken)]) from exc
    finally:
        workbook.close()
    return sheets


# --- from raw rows to a table ----------------------------------------------------------------

_NUMBERING = re.compile(r"\(?\d{1,3}\)?|\(?[a-z]\)?")
_HEADING = re.compile(r"([ivxlc]+|\d{1,3}|[a-z])[.)]\s")
_FOOTER = re.compile(r"nguoi lap|\bky\b|ghi ro ho ten|xac nhan|chu tich|\btm\b|\bkt\b|"
                     r"thu truong|giam doc|truong phong|\bngay\b.*\bthang\b|noi nhan|tong cong|"
                     r"tong so|dong dau")


def _text_of(row: list) -> str:
    return " | ".join(str(v) for v in row if v not in (None, ""))[:80]


def _keep(entry: tuple, table_rows: list, notes: list[RowError], at) -> None:
    """A row held back as a possible footer that turned out to lie between people."""
    number, values, raw_row = entry
    if any(v != "" for v in values.values()):
        table_rows.append((at(number), values))
    else:
        notes.append(RowError(at(number), None, _(
            "bỏ qua dòng chỉ có dữ liệu ở các cột không nhập: %(t)s", t=_text_of(raw_row))))


def _read_sheet(sheet: _Sheet, columns: list[Column], alias_to_key: dict[str, str],
                table_rows: list, notes: list[RowError], errors: list[RowError],
                many: bool) -> tuple[dict[str, str], list[str], int]:
    """Find the header of one sheet and append its data rows: (headers, ignored, header row)."""
    def at(number: int) -> int:
        return RowNumber(number, sheet.title) if many else number

    best, best_score = 0, 0   # no known header at all: the first row, reported as such
    for position, (_number, row) in enumerate(sheet.rows[:HEADER_SCAN]):
        score = len({alias_to_key.get(header_key(v)) for v in row
                     if v not in (None, "")} - {None})
        if score > best_score:
            best, best_score = position, score
    header_row, header = sheet.rows[best]
    for number, row in sheet.rows[:best]:
        notes.append(RowError(at(number), None, _("bỏ qua dòng phía trên tiêu đề: %(t)s",
                                                  t=_text_of(row))))
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    unknown: list[tuple[str, str]] = []
    for index, raw in enumerate(header):
        if raw in (None, ""):
            continue
        name = clean(str(_cell(raw)))
        key = alias_to_key.get(header_key(name))
        if key is None:
            unknown.append((name, header_key(name)))
        elif key in positions:
            errors.append(RowError(at(header_row), name, _(
                "cột bị lặp lại (đã có cột '%(h)s'); hãy xoá một trong hai", h=headers[key])))
        else:
            headers[key] = name
            positions[key] = index
    absent = [c for c in columns if c.key not in positions]
    ignored = []
    for name, key in unknown:
        near = _near_miss(key, absent) if key else None
        if near is not None:
            errors.append(RowError(at(header_row), name, _(
                "tiêu đề '%(h)s' gần giống cột '%(k)s' nhưng không khớp: nếu đúng là cột đó hãy "
                "đổi tiêu đề thành '%(k)s', nếu không hãy đặt tên khác hẳn",
                h=name, k=near.aliases[0])))
        else:
            ignored.append(name)
    for column in columns:
        if column.required and column.key not in positions:
            errors.append(RowError(at(header_row), column.aliases[0], _(
                "thiếu cột bắt buộc (tên chấp nhận: %(names)s; dòng tiêu đề phải nằm trong "
                "%(n)s dòng đầu)", names=" | ".join(column.aliases), n=HEADER_SCAN)))

    data = sheet.rows[best + 1:]
    if data:
        first_number, first = data[0]
        marks = [fold(str(v)) for v in first if v not in (None, "")]
        if len(marks) >= 2 and all(_NUMBERING.fullmatch(m) for m in marks):
            notes.append(RowError(at(first_number), None, _("bỏ qua dòng đánh số cột: %(t)s",
                                                            t=_text_of(first))))
            data = data[1:]

    # vertical merges below the header fill their column downwards (a commune code merged over
    # the people of that commune); horizontal ones keep the value in their first column only
    starts: dict[int, list[tuple[int, int]]] = {}
    for c1, r1, _c2, r2 in sheet.merges:
        if r2 > r1 > header_row:
            starts.setdefault(r1, []).append((c1 - 1, r2))
    active: dict[int, tuple[int, object]] = {}

    wanted = list(positions.items())
    key_column = next((c.key for c in columns if c.required and c.key in positions), None)
    required = [c.key for c in columns if c.required and c.key in positions]
    pending: list[tuple[int, dict, list]] = []   # rows that may be the footer
    signed = False
    for number, raw_row in data:
        if starts and number in starts:
            for index, end in starts[number]:
                if index < len(raw_row):
                    active[index] = (end, raw_row[index])
        if active:
            raw_row = list(raw_row)
            for index, (end, value) in list(active.items()):
                if number > end:
                    del active[index]
                    continue
                if index >= len(raw_row):
                    raw_row.extend([None] * (index + 1 - len(raw_row)))
                if raw_row[index] in (None, ""):
                    raw_row[index] = value
        width = len(raw_row)
        values = {key: _cell(raw_row[i]) if i < width else "" for key, i in wanted}
        if not all(values[k] != "" for k in required):
            # maybe not a person: a group heading, a note, the signature block
            filled = [v for v in raw_row if v not in (None, "")]
            text = fold(" ".join(str(v) for v in filled))
            if len(filled) == 1 and _HEADING.match(text):
                notes.append(RowError(at(number), None, _("bỏ qua dòng tiêu đề nhóm: %(t)s",
                                                          t=_text_of(raw_row))))
                continue
            # the signature block runs from a row such as "Người lập biểu", "(Ký, ghi rõ họ
            # tên)" or "Ngày … tháng … năm" to the end, the signers' names under it included
            phrase = _FOOTER.search(text) is not None
            signed = signed or phrase
            keyless = key_column is not None and values[key_column] == ""
            if phrase or (keyless and signed) or not any(values[k] != "" for k in required):
                pending.append((number, values, raw_row))
                continue
        for entry in pending:   # not the footer after all: data rows (errors to report)
            _keep(entry, table_rows, notes, at)
        pending.clear()
        signed = False
        table_rows.append((at(number), values))
        if len(table_rows) > MAX_ROWS:
            raise ImportFailed([RowError(at(number), None, _(
                "tệp có quá %(n)s dòng; hãy chia nhỏ", n=MAX_ROWS))])
    for number, _values, raw_row in pending:
        notes.append(RowError(at(number), None, _(
            "bỏ qua phần chân trang sau dòng dữ liệu cuối: %(t)s", t=_text_of(raw_row))))
    return headers, ignored, header_row


def read_table(data: bytes, filename: str, columns: list[Column]) -> Table:
    """Parse a CSV/text file (UTF-8 or UTF-16; comma, semicolon or tab) or XLSX against `columns`.

    The header is the row among the first `HEADER_SCAN` that names the most known columns; the
    rows above it are skipped and noted. Every visible sheet with data is read; they must share
    the same columns. Near-miss headers, duplicated columns and missing required ones are
    errors; other unknown columns are listed in `Table.ignored`.

    :param data: the file's bytes
    :param filename: its name; `.xlsx` (or a zip signature) selects the spreadsheet reader
    :param columns: the accepted columns
    :raises ImportFailed: with every file- and header-level error
    """
    if not data:
        raise ImportFailed([RowError(None, None, _("tệp rỗng"))])
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFailed([RowError(None, None, _(
            "tệp Excel 97-2003 (.xls) không được hỗ trợ; hãy mở bằng Excel và lưu lại dạng "
            ".xlsx"))])
    budget = _Budget()
    notes: list[RowError] = []
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        sheets = _xlsx_sheets(data, budget, notes)
    else:
        sheets = [_csv_sheet(data, budget)]
    sheets = [s for s in sheets if s.rows]
    if not sheets:
        raise ImportFailed([RowError(None, None, _("tệp rỗng"))])

    alias_to_key = {header_key(a): c.key for c in columns for a in c.aliases}
    many = len(sheets) > 1
    table = Table(headers={})
    errors: list[RowError] = []
    found: list[tuple[str | None, dict[str, str]]] = []
    for sheet in sheets:
        headers, ignored, header_row = _read_sheet(sheet, columns, alias_to_key, table.rows,
                                                   notes, errors, many)
        if not found:
            table.headers, table.header_row = headers, header_row
        found.append((sheet.title, headers))
        table.ignored.extend(i for i in ignored if i not in table.ignored)
        table.sheets.append(sheet.title or "")
    first_title, first_headers = found[0] if found else (None, {})
    for title, headers in found[1:]:
        if set(headers) != set(first_headers):
            errors.append(RowError(None, None, _(
                "trang tính '%(a)s' có các cột %(ca)s nhưng trang '%(b)s' có %(cb)s; các trang "
                "phải cùng tiêu đề (hoặc tách thành các tệp riêng)", a=first_title,
                ca=", ".join(first_headers.values()), b=title, cb=", ".join(headers.values()))))
    if errors:
        raise ImportFailed(errors)
    table.notes = notes
    return table


# --- cell values -----------------------------------------------------------------------------

_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Zs"}


def normalise_id(value) -> str:
    """An identifier in one form: NFKC, no spaces or invisible characters, upper case.

    Look-alike ids ("qn 001", "QN001\\u200b", full-width "ＱＮ００１") become "QN001", so they
    cannot make two people.
    """
    text = str(value)
    if text.isascii() and text.isalnum():
        return text.upper()
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE).upper()


def canonical_phone(value) -> str | None:
    """A Vietnamese phone number as national digits ("+84 912-345-678" → "0912345678").

    A mobile number typed as a number (its leading zero lost, "912345678") gets it back.
    Empty → None; anything but digits, spaces, `+ . - ( )` or a wrong length → ValueError.
    """
    text = str(value).strip()
    if not text:
        return None
    if len(text) == 10 and text[0] == "0" and text.isascii() and text.isdigit():
        return text   # most cells: already the canonical form
    if any(ch not in "0123456789 +.-()" for ch in text):
        raise ValueError(value)
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+") and not digits.startswith("84"):
        if 8 <= len(digits) <= 15:
            return "+" + digits   # a foreign number stays international
        raise ValueError(value)
    if digits.startswith("84") and (text.startswith("+") or len(digits) in (11, 12)):
        digits = "0" + digits[2:]
    elif len(digits) == 9 and digits[0] in "35789":
        digits = "0" + digits
    if not (10 <= len(digits) <= 11 and digits.startswith("0")):
        raise ValueError(value)
    return digits


EXCEL_EPOCH = date(1899, 12, 30)


def parse_date_cell(value) -> date | None:
    """A date from a cell: a date cell, an Excel serial number ("45473"), dd/mm/yyyy,
    dd.mm.yyyy, dd-mm-yyyy or yyyy-mm-dd; empty → None; ValueError otherwise."""
    if type(value) is str and len(value) == 5 and value.isdigit():
        # a date cell formatted as a number, or typed where Excel stores serials: 1927…2173
        return EXCEL_EPOCH + timedelta(days=int(value))
    if type(value) is str and value.count(".") == 2:
        value = value.replace(".", "/")
    return parse_date(value)


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


# Text starting with one of these is a formula to Excel, LibreOffice or Google Sheets (OWASP's
# CSV injection guidance: "=", "+", "-", "@", tab and carriage return).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def neutralise(value):
    """A CSV cell that no spreadsheet evaluates: formula-like text gets a leading apostrophe
    (which the reader takes off again); a plain signed number ("-2", "+84912…") and anything
    else is returned as it is."""
    if (type(value) is str and value.startswith(FORMULA_LEADS)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


class CsvSink:
    """`write_csv` row by row into a binary file (flat memory for long exports); every cell
    goes through `neutralise`."""

    def __init__(self, out, headers: list[str], *, bom: bool = True):
        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        if bom:  # so Excel shows Vietnamese; machine formats (DHIS2) go without
            self._text.write("\ufeff")
        self._writer = csv.writer(self._text, lineterminator="\r\n")
        self._writer.writerow(headers)

    def writerow(self, row) -> None:
        """Append one row."""
        self._writer.writerow([neutralise(value) for value in row])

    def close(self) -> None:
        """Flush, leaving `out` open."""
        self._text.flush()
        self._text.detach()


def write_csv(headers: list[str], rows, *, bom: bool = True) -> bytes:
    """UTF-8 CSV with BOM (so Excel shows Vietnamese; `bom=False` for machine formats),
    comma-separated."""
    out = io.BytesIO()
    sink = CsvSink(out, headers, bom=bom)
    for row in rows:
        sink.writerow(row)
    sink.close()
    return out.getvalue()


def as_text(cell) -> None:
    """Keep an XLSX cell's text a value: openpyxl stores text starting with "=" as a formula;
    formula-like text is written as a string with Excel's own quote prefix instead, so it is
    shown (and read back) exactly as it is and never evaluated."""
    if type(cell.value) is str and cell.value.startswith(FORMULA_LEADS):
        cell.data_type = "s"
        cell.quotePrefix = True


def write_xlsx(headers: list[str], rows, title: str, *, widths: list[int] | None = None,
               percent_columns=(), percent_format: str = "0.0%") -> bytes:
    """An XLSX workbook of one sheet (see `write_xlsx_sheets`)."""
    return write_xlsx_sheets([XlsxSheet(title, headers, rows, widths, percent_columns)],
                             percent_format=percent_format)


@dataclass
class XlsxSheet:
    """One sheet of `write_xlsx_sheets`: its name, header, rows, widths, ratio columns and
    count columns (shown with thousands separators)."""

    title: str
    headers: list[str]
    rows: list
    widths: list[int] | None = None
    percent_columns: Iterable[int] = ()
    number_columns: Iterable[int] = ()


_SHEET_NAME_BAD = re.compile(r"[\\/*?:\[\]]")


def _sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: Excel's forbidden characters replaced, at most 31 characters."""
    base = _SHEET_NAME_BAD.sub("-", title).strip("'")[:31] or "Sheet"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base[:31 - len(str(n)) - 1]} {n}"
    taken.add(name.lower())
    return name


def write_xlsx_sheets(sheets: list[XlsxSheet], *, percent_format: str = "0.0%") -> bytes:
    """An XLSX workbook with one sheet each: bold frozen header, column widths (given, or
    fitted to the content), ratios in `percent_columns` (0-based) in `percent_format`, counts
    in `number_columns` as #,##0; every cell through `as_text`, so no text becomes a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for spec in sheets:
        rows = [list(row) for row in spec.rows]
        sheet = workbook.create_sheet(_sheet_name(spec.title, taken))
        sheet.append(spec.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            as_text(cell)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                as_text(cell)
        for columns, number_format in ((spec.percent_columns, percent_format),
                                       (spec.number_columns, "#,##0")):
            for i in columns:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
                    cell.number_format = number_format
        widths = spec.widths
        if widths is None:
            widths = [min(max(max([len(str(h))] + [len(str(r[i])) for r in rows if i < len(r)])
                              + 2, 8), 50) for i, h in enumerate(spec.headers)]
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class TemplateColumn:
    """One column of a blank import template: its header, how to fill it, a drop-down list."""

    header: str
    note: str
    required: bool = False
    choices: tuple[str, ...] = ()
    text: bool = False       # formatted as text, so ids and phones keep their leading zeros
    date: bool = False       # formatted dd/mm/yyyy
    width: int = 18


LIST_SHEET = "Danh mục"
INSTRUCTIONS_SHEET = "Hướng dẫn"


def write_template(title: str, columns: list[TemplateColumn], instructions: list[str], *,
                   reference: tuple[list[str], list[list]] | None = None,
                   rows: int = 1000) -> bytes:
    """A blank XLSX template: the header row, drop-down lists (data validation on a hidden list
    sheet), text format where zeros matter, and an instructions sheet that the reader skips.

    :param title: the data sheet's name
    :param columns: the columns, in order
    :param instructions: lines written at the top of the instructions sheet
    :param reference: an optional (headers, rows) table added under the instructions
    :param rows: how many rows get the drop-downs and formats
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    lists = workbook.create_sheet(LIST_SHEET)
    lists.sheet_state = "hidden"
    bold, required_fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    sheet.append([c.header for c in columns])
    list_column = 0
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=1, column=index)
        head.font = bold
        head.alignment = Alignment(wrap_text=True, vertical="center")
        if column.required:
            head.fill = required_fill
        sheet.column_dimensions[letter].width = column.width
        if column.text or column.date:
            for (cell,) in sheet.iter_rows(min_row=2, max_row=rows + 1, min_col=index,
                                           max_col=index):
                cell.number_format = "@" if column.text else "DD/MM/YYYY"
        if column.choices:
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=column.header)
            for row_number, choice in enumerate(column.choices, start=2):
                lists.cell(row=row_number, column=list_column, value=choice)
            source = (f"{quote_sheetname(LIST_SHEET)}!${list_letter}$2:"
                      f"${list_letter}${len(column.choices) + 1}")
            validation = DataValidation(
                type="list", formula1=source, allow_blank=True, showErrorMessage=True,
                errorStyle="warning", errorTitle=column.header,
                error=_("Giá trị không có trong danh sách; hãy chọn từ danh sách."))
            validation.add(f"{letter}2:{letter}{rows + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(INSTRUCTIONS_SHEET, 1)
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 12
    guide.column_dimensions["C"].width = 90
    for line in instructions:
        guide.append([line])
    guide.append([])
    guide.append([_("Cột"), _("Bắt buộc"), _("Cách ghi")])
    for cell in guide[guide.max_row]:
        cell.font = bold
    for column in columns:
        guide.append([column.header, _("có") if column.required else "", column.note])
    if reference is not None:
        headers, table = reference
        guide.append([])
        guide.append(headers)
        for cell in guide[guide.max_row]:
            cell.font = bold
        for row in table:
            guide.append(row)
    for worksheet in (lists, guide):  # vocabulary labels and reference names are data too
        for row in worksheet.iter_rows():
            for cell in row:
                as_text(cell)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
