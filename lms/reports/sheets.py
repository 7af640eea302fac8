"""The coverage report's tables (sheets) shared by the CSV, XLSX and PDF exports: the units
below U (or a commune's people), the totals, and the breakdowns by position, gender and
ethnicity."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import pgettext

from lms.core.text import format_date
from lms.units.positions import gender_label, position_label


@dataclass
class Sheet:
    """A table to export: title, headers, rows, which columns are ratios and counts, widths."""

    headers: list[str]
    rows: list[list]
    percent_columns: set[int]
    widths: list[int]
    title: str = ""
    number_columns: set[int] = field(default_factory=set)


def _times() -> str:
    """"Lượt" as person-times (the same word is an attempt on the quiz pages)."""
    return pgettext("person-times", "Lượt")


def unit_sheet(doc: dict) -> Sheet:
    """The rows one level below U, then a total line."""
    headers = [_("Mã"), _("Đơn vị"), _("Mục tiêu"), _("Đã tập huấn"), _("Độ bao phủ"),
               _times(), _("Số người"), _("Số xã"), _("Xã có người tập huấn"),
               _("Xã đạt 100%")]
    fields = ("target", "trained", "coverage", "person_times", "people", "units_total",
              "units_reached", "units_at_target")
    rows = [[r["code"], r["name"], *(r[f] for f in fields)] for r in doc["rows"]]
    rows.append([doc["unit"]["code"], _("Tổng: %(u)s", u=doc["unit"]["name"]),
                 *(doc["totals"][f] for f in fields)])
    return Sheet(headers, rows, {4}, [11, 27, 11, 11, 11, 11, 10, 12, 12, 12], doc["unit"]["name"],
                 {2, 3, 5, 6, 7, 8, 9})


def totals_sheet(doc: dict) -> Sheet:
    """U's totals on one line, communes reached and at target included."""
    t = doc["totals"]
    headers = [_("Mục tiêu"), _("Đã tập huấn"), _("Độ bao phủ"), _times(), _("Số người"),
               _("Số xã"), _("Xã có người tập huấn"), _("Xã đạt 100%")]
    row = [t[f] for f in ("target", "trained", "coverage", "person_times", "people",
                          "units_total", "units_reached", "units_at_target")]
    return Sheet(headers, [row], {2}, [12] * 8, _("Tổng hợp"), {0, 1, 3, 4, 5, 6, 7})


def ethnicity_label(key: str | None) -> str:
    """The label of a by_ethnicity row: the official name, "Chưa rõ" or "Khác"."""
    if key == "other":
        return _("Khác (ngoài danh mục)")
    if not key or key == "unknown":
        return _("Chưa rõ")
    return key


def breakdown_sheets(doc: dict) -> list[Sheet]:
    """One sheet per breakdown: by position, by gender, by ethnicity."""
    sheets = []
    for title, column, key, label in (
            (_("Theo chức danh"), _("Chức danh"), "position", position_label),
            (_("Theo giới tính"), _("Giới tính"), "gender",
             lambda g: gender_label(g) or _("Chưa rõ")),
            (_("Theo dân tộc"), _("Dân tộc"), "ethnicity", ethnicity_label)):
        headers = [_("Mã"), column, _("Mục tiêu"), _("Đã tập huấn"), _("Độ bao phủ"),
                   _times(), _("Số người")]
        rows = [[item[key], label(item[key]), item["target"], item["trained"],
                 item["coverage"], item["person_times"], item["people"]]
                for item in doc["by_" + key]]
        sheets.append(Sheet(headers, rows, {4}, [14, 32, 10, 12, 12, 11, 10], title,
                            {2, 3, 5, 6}))
    return sheets


def people_sheet(people: list[dict], title: str = "") -> Sheet:
    """A commune's people: who is trained, who is not (personal data)."""
    headers = [_("Mã nhân sự"), _("Họ và tên"), _("Chức danh"), _("Giới tính"),
               _("Thuộc mục tiêu"), _("Đã tập huấn"), _("Hoàn thành gần nhất"), _times()]
    yes, no = _("Có"), _("Không")
    rows = [[p["staff_id"], p["full_name"], position_label(p["position"]),
             gender_label(p["gender"]), yes if p["in_target"] else no,
             yes if p["trained"] else no, format_date(p["last_completed_on"]),
             p["person_times"]] for p in people]
    return Sheet(headers, rows, set(), [12, 30, 30, 10, 14, 12, 18, 8], title, {7})


def sheets_for(doc: dict, people: list[dict] | None) -> list[Sheet]:
    """The commune's people when given, else the unit rows; then the totals and the
    breakdowns."""
    main = (people_sheet(people, doc["unit"]["name"]) if people is not None
            else unit_sheet(doc))
    return [main, totals_sheet(doc), *breakdown_sheets(doc)]
