"""The coverage report's tables (sheets) shared by the CSV, XLSX and PDF exports."""

from dataclasses import dataclass

from flask_babel import gettext as _

from lms.core.text import format_date
from lms.units.positions import gender_label, position_label


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
