"""Coverage exports as CSV (UTF-8 with BOM) and XLSX; the PDF lives in `pdf.py`."""

import json
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from lms.core.tabular import write_csv, write_xlsx
from lms.core.text import format_date, format_percent
from lms.units.positions import gender_label, position_label

FORMATS = ("json", "csv", "xlsx", "pdf")
MIME = {"json": "application/json", "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf"}


@dataclass
class Sheet:
    """A table to export: headers, rows, which columns are ratios, and suggested widths."""

    headers: list[str]
    rows: list[list]
    percent_columns: set[int]
    widths: list[int]


def unit_sheet(doc: dict) -> Sheet:
    """The rows one level below U, then a total line."""
    headers = [_("Mã"), _("Đơn vị"), _("Mục tiêu"), _("Đã tập huấn"), _("Độ bao phủ"),
               _("Lượt"), _("Số người")]
    rows = [[r["code"], r["name"], r["target"], r["trained"], r["coverage"], r["person_times"],
             r["people"]] for r in doc["rows"]]
    t = doc["totals"]
    rows.append([doc["unit"]["code"], _("Tổng: %(u)s", u=doc["unit"]["name"]), t["target"],
                 t["trained"], t["coverage"], t["person_times"], t["people"]])
    return Sheet(headers, rows, {4}, [10, 40, 12, 14, 12, 10, 10])


def people_sheet(people: list[dict]) -> Sheet:
    """A commune's people: who is trained, who is not (personal data)."""
    headers = [_("Mã nhân sự"), _("Họ và tên"), _("Chức danh"), _("Giới tính"),
               _("Thuộc mục tiêu"), _("Đã tập huấn"), _("Hoàn thành gần nhất"), _("Lượt")]
    yes, no = _("Có"), _("Không")
    rows = [[p["staff_id"], p["full_name"], position_label(p["position"]),
             gender_label(p["gender"]), yes if p["in_target"] else no,
             yes if p["trained"] else no, format_date(p["last_completed_on"]),
             p["person_times"]] for p in people]
    return Sheet(headers, rows, set(), [12, 30, 30, 10, 14, 12, 18, 8])


def sheet_for(doc: dict, people: list[dict] | None) -> Sheet:
    """The commune's people when given, else the unit rows."""
    return people_sheet(people) if people is not None else unit_sheet(doc)


def to_json(doc: dict) -> bytes:
    """The API document as UTF-8 JSON."""
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 CSV with BOM; ratios written as decimals with 4 places (empty for no target)."""
    rows = [["" if (i in sheet.percent_columns and v is None) else
             f"{v:.4f}" if i in sheet.percent_columns else v for i, v in enumerate(row)]
            for row in sheet.rows]
    return write_csv(sheet.headers, rows)


def to_xlsx(sheet: Sheet, title: str) -> bytes:
    """An XLSX workbook: bold frozen header, column widths, ratios formatted 0.0%."""
    return write_xlsx(sheet.headers, sheet.rows, title or "coverage", widths=sheet.widths,
                      percent_columns=sheet.percent_columns)


def chart_texts(doc: dict) -> tuple[str, str]:
    """Title and description of the coverage-by-unit chart, for screen readers and the PDF."""
    unit = doc["unit"]
    level = _("tỉnh/thành phố") if unit["kind"] == "country" else _("xã/phường/đặc khu")
    title = _("Độ bao phủ theo %(l)s — %(u)s", l=level, u=unit["name"])
    below = [r for r in doc["rows"] if r["coverage"] is not None and r["coverage"] < 1]
    desc = _("%(n)s đơn vị; %(a)s đạt 100%%; %(b)s chưa đạt; %(c)s chưa có mục tiêu. "
             "Đường đứt nét là mức 100%%.", n=len(doc["rows"]),
             a=sum(1 for r in doc["rows"] if r["coverage"] == 1), b=len(below),
             c=sum(1 for r in doc["rows"] if r["coverage"] is None))
    return title, desc


def trend_texts(doc: dict, points: list[dict]) -> tuple[str, str]:
    """Title and description of the quarterly trend chart."""
    title = _("Xu hướng độ bao phủ theo quý — %(u)s", u=doc["unit"]["name"])
    desc = "; ".join(f"{pt['quarter']}: {format_percent(pt['coverage'])}" for pt in points)
    return title, desc


def build(fmt: str, unit, date_from, date_to, mode: str = "cumulative", course=None,
          position=None, *, by=None) -> tuple[bytes, str]:
    """Compute the report of `unit` and render it as `fmt`; returns (bytes, file name).

    A commune's CSV/XLSX/PDF lists its people by name: personal data, so it is audited.

    :param fmt: json, csv, xlsx or pdf
    :param by: the acting user (None from the command line)
    """
    from lms.accounts import audit
    from lms.reports import charts, services

    doc = services.coverage(unit, date_from, date_to, mode, course, position)
    name = f"coverage-{doc['unit']['code']}-{doc['period']['from']}-{doc['period']['to']}.{fmt}"
    if fmt == "json":
        return to_json(doc), name
    people = None
    if doc["unit"]["kind"] == "commune":
        people = services.commune_people(unit, date.fromisoformat(doc["period"]["from"]),
                                         date.fromisoformat(doc["period"]["to"]), mode, course,
                                         position)
        audit.record("report.export", actor=by, target=doc["unit"]["code"], format=fmt,
                     rows=len(people), period=doc["period"])
    sheet = sheet_for(doc, people)
    if fmt == "csv":
        return to_csv(sheet), name
    title = _("Báo cáo độ bao phủ tập huấn")
    if fmt == "xlsx":
        return to_xlsx(sheet, doc["unit"]["name"]), name
    from lms.reports.pdf import coverage_pdf

    bar = charts.coverage_chart(doc["rows"], *chart_texts(doc)) if doc["rows"] else None
    points = services.trend(unit, date.fromisoformat(doc["period"]["from"]),
                            date.fromisoformat(doc["period"]["to"]), course, position)
    trend = charts.trend_chart(points, *trend_texts(doc, points))
    if people is not None and unit.parent is not None:
        # commune names repeat across provinces: a paper report names the province too
        doc = doc | {"unit": doc["unit"] | {"name": f"{unit.name}, {unit.parent.name}"}}
    return coverage_pdf(doc, sheet, services.definitions(), bar, trend, title), name
