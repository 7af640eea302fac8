"""The list of untrained people per commune (danh sách chưa tập huấn), for an official to send
to each commune: a message to copy, and CSV/XLSX of the whole list (formula-safe writers)."""

from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _

from lms.accounts import audit
from lms.core.tabular import write_csv, write_xlsx
from lms.core.text import format_date
from lms.reports import services
from lms.reports.sheets import Sheet
from lms.units.positions import gender_label, position_label


def message(commune: dict, date_to: date, course=None, rule: str = "any") -> str:
    """The plain-text message to one commune, in Vietnamese: who, numbered, and the request.

    :param commune: an entry of `services.untrained_by_commune`
    """
    with force_locale("vi"):
        what = (f" khóa “{course.title}”" if course is not None else
                " đủ các khóa trong lộ trình của chức danh" if rule == "path" else "")
        lines = [f"Kính gửi: Ủy ban nhân dân {commune['name']}",
                 f"Danh sách {len(commune['people'])} người thuộc mục tiêu chưa hoàn thành tập "
                 f"huấn{what} tính đến ngày {format_date(date_to)}:"]
        lines += [f"{i}. {p['full_name']} – {position_label(p['position'])} "
                  f"(mã nhân sự {p['staff_id']})" for i, p in enumerate(commune["people"], 1)]
    lines.append("Đề nghị xã bố trí để các đồng chí có tên trên tham gia lớp tập huấn gần "
                 "nhất hoặc học trực tuyến.")
    return "\n".join(lines)


def sheet(communes: list[dict]) -> Sheet:
    """One row per untrained person, commune first."""
    headers = [_("Mã xã"), _("Xã/phường/đặc khu"), _("Mã nhân sự"), _("Họ và tên"),
               _("Chức danh"), _("Giới tính"), _("Hoàn thành gần nhất")]
    rows = [[c["code"], c["name"], p["staff_id"], p["full_name"], position_label(p["position"]),
             gender_label(p["gender"]), format_date(p["last_completed_on"])]
            for c in communes for p in c["people"]]
    return Sheet(headers, rows, set(), [9, 26, 14, 28, 30, 10, 16], _("Chưa tập huấn"))


def export(fmt: str, unit, date_to: date, course=None, position=None, *, by=None,
           rule: str = "any") -> bytes:
    """The list of `unit` as CSV or XLSX, audited (names of people: personal data).

    :param fmt: csv or xlsx
    :param by: the acting user
    """
    communes = services.untrained_by_commune(unit, date_to, course, position, rule)
    table = sheet(communes)
    audit.record("report.export", actor=by, target=unit.code, format=fmt, list="untrained",
                 rows=len(table.rows), to=date_to.isoformat(), rule=rule)
    if fmt == "csv":
        return write_csv(table.headers, table.rows)
    return write_xlsx(table.headers, table.rows, table.title, widths=table.widths)
