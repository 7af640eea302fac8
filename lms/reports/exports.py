"""Coverage exports as JSON, CSV (UTF-8 with BOM) and XLSX, and the charts' texts; the PDF
lives in `pdf.py`, the tables in `sheets.py`."""

import json

from flask_babel import gettext as _

from lms.core.tabular import XlsxSheet, write_csv, write_xlsx_sheets
from lms.core.text import format_percent, xlsx_percent_format
from lms.reports.sheets import Sheet

FORMATS = ("json", "csv", "xlsx", "pdf")


def to_json(doc: dict) -> bytes:
    """The API document as UTF-8 JSON."""
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def _csv_rows(sheet: Sheet) -> list[list]:
    return [["" if (i in sheet.percent_columns and v is None) else
             f"{v:.4f}" if i in sheet.percent_columns else v for i, v in enumerate(row)]
            for row in sheet.rows]


def to_csv(sheets: list[Sheet]) -> bytes:
    """UTF-8 CSV with BOM, a machine format: the first table with its header on the first
    line, then each further table after an empty line, as its title on a line of its own, its
    header and its rows; ratios as decimals with 4 places (empty for no target), counts as
    plain integers."""
    first, *rest = sheets
    rows = _csv_rows(first)
    for sheet in rest:
        rows += [[], [sheet.title], sheet.headers, *_csv_rows(sheet)]
    return write_csv(first.headers, rows)


def to_xlsx(sheets: list[Sheet]) -> bytes:
    """An XLSX workbook, one sheet per table: bold frozen header, column widths, ratios in the
    configured percent format, counts with thousands separators (both shown by Excel in the
    reader's locale)."""
    specs = []
    for sheet in sheets:
        specs.append(XlsxSheet(sheet.title or "coverage", sheet.headers, sheet.rows,
                               sheet.widths, sheet.percent_columns, sheet.number_columns))
    return write_xlsx_sheets(specs, percent_format=xlsx_percent_format())


def chart_texts(doc: dict) -> tuple[str, str]:
    """Title and description of the coverage-by-unit chart, for screen readers and the PDF."""
    unit = doc["unit"]
    level = _("tỉnh/thành phố") if unit["kind"] == "country" else _("xã/phường/đặc khu")
    title = _("Độ bao phủ theo %(l)s — %(u)s", l=level, u=unit["name"])
    # counted on the exact figures, not the rounded ratio: 1,999 of 2,000 is not at target
    at_target = sum(1 for r in doc["rows"] if r["target"] and r["trained"] >= r["target"])
    no_target = sum(1 for r in doc["rows"] if not r["target"])
    desc = _("%(n)s đơn vị; %(a)s đạt 100%%; %(b)s chưa đạt; %(c)s chưa có mục tiêu. "
             "Đường đứt nét là mức 100%%.", n=len(doc["rows"]), a=at_target,
             b=len(doc["rows"]) - at_target - no_target, c=no_target)
    return title, desc


def trend_texts(doc: dict, points: list[dict]) -> tuple[str, str]:
    """Title and description of the quarterly trend chart."""
    title = _("Xu hướng độ bao phủ theo quý — %(u)s", u=doc["unit"]["name"])
    desc = "; ".join(f"{pt['quarter']}: {format_percent(pt['coverage'])}" for pt in points)
    return title, desc
