"""The audit log (who, what, when): writing entries, their names in words, and reading them
within the reader's scope.

Scope: an admin limited to a unit reads an entry when its actor is one of the accounts they
manage (an account of a unit in their subtree, or linked to a roster person of one of its
communes), or when it is about one of those accounts or roster people (its target is their
username or staff id: a failed sign-in to a commune official's account, an export of a
person's data by a national admin). Entries of the system or of anonymous visitors about
nothing in the subtree (a conference join code typed wrongly) are for national admins only.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from lms.accounts.models import AuditLog, User
from lms.accounts.permissions import managed_accounts, scope_unit
from lms.core import reasons
from lms.core.tabular import write_csv, write_xlsx
from lms.core.text import format_datetime
from lms.core.timeutil import today, zone
from lms.extensions import db
from lms.units.models import Person, Unit

EXPORT_MAX = 100_000  # rows in one export; past that the reader narrows the filters


class AuditError(ValueError):
    """A request on the audit log that cannot be carried out; the message says why."""


# Every action the product records, in words; a code missing here is shown as it is.
ACTIONS = {
    "login.success": _l("Đăng nhập"),
    "login.failure": _l("Đăng nhập sai mật khẩu"),
    "login.refused": _l("Từ chối đăng nhập"),
    "session.end.logout": _l("Đăng xuất"),
    "user.create": _l("Tạo tài khoản"),
    "user.role_change": _l("Đổi vai trò hoặc phạm vi"),
    "user.activate": _l("Mở khóa tài khoản"),
    "user.deactivate": _l("Khóa tài khoản"),
    "user.password_change": _l("Đổi mật khẩu"),
    "user.password_reset": _l("Đặt lại mật khẩu"),
    "user.password_rehash": _l("Nâng cấp mã hóa mật khẩu"),
    "accounts.from_roster": _l("Tạo tài khoản hàng loạt"),
    "units.import": _l("Nhập đơn vị hành chính"),
    "roster.import": _l("Nhập danh sách nhân sự"),
    "roster.export": _l("Xuất danh sách nhân sự"),
    "roster.name_correction": _l("Sửa họ tên trong danh sách nhân sự"),
    "position_alias.add": _l("Thêm tên gọi chức danh"),
    "position_alias.delete": _l("Xóa tên gọi chức danh"),
    "person.export": _l("Xuất dữ liệu cá nhân"),
    "person.anonymise": _l("Ẩn danh hồ sơ"),
    "cohort.create": _l("Tạo lớp"),
    "cohort.delete": _l("Xóa lớp"),
    "cohort.members_import": _l("Nhập học viên vào lớp"),
    "cohort.close": _l("Đóng lớp"),
    "cohort.reopen": _l("Mở lại lớp"),
    "cohort.outcome_correct": _l("Điều chỉnh kết quả lớp"),
    "cohort.export": _l("Xuất danh sách lớp"),
    "cohort.signin_sheet": _l("In danh sách ký tên"),
    "cohort.join_open": _l("Mở mã tham gia lớp"),
    "cohort.join_close": _l("Đóng mã tham gia lớp"),
    "join.request": _l("Yêu cầu tham gia lớp"),
    "join.no_match": _l("Yêu cầu tham gia không khớp danh sách"),
    "join.confirm": _l("Xác nhận yêu cầu tham gia"),
    "join.reject": _l("Từ chối yêu cầu tham gia"),
    "join.collect": _l("Nhận tài khoản sau khi tham gia"),
    "paper_scores.save": _l("Lưu điểm bài kiểm tra trên giấy"),
    "paper_answers.save": _l("Lưu bài làm trên giấy"),
    "records.import": _l("Nhập hồ sơ hoàn thành"),
    "report.export": _l("Xuất báo cáo có họ tên"),
    "certificates.issue": _l("Cấp giấy chứng nhận"),
    "certificates.reissue": _l("Cấp lại giấy chứng nhận"),
    "certificates.revoke": _l("Thu hồi giấy chứng nhận"),
    "certificates.release": _l("Tách giấy chứng nhận khỏi kết quả đã rút"),
    "certificates.print": _l("In giấy chứng nhận của lớp"),
    "certificates.issuer": _l("Sửa thông tin cơ quan cấp"),
    "audit.export": _l("Xuất nhật ký hoạt động"),
}


def record(action: str, actor=None, target: str = "", **detail) -> AuditLog:
    """Add an audit entry (caller commits).

    :param action: dotted name, e.g. `login.success`, `roster.import`, `user.role_change`
    :param actor: the acting User, or None for the system / an anonymous client
    :param target: what was acted on, e.g. a username or a file name
    """
    entry = AuditLog(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", "") or "",
        target=str(target)[:200],
        detail=detail or None,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def action_label(code: str) -> str:
    """The action in words (in the current language), or the code when it has no name."""
    return str(ACTIONS[code]) if code in ACTIONS else code


@dataclass(frozen=True)
class Filters:
    """What the reader asks for: part of the actor's username, an action code, local dates."""

    actor: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _utc(day: date) -> datetime:
    """The first instant of a local day, as stored (naive UTC)."""
    return datetime.combine(day, time(), tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def entries(by, filters: Filters = Filters()):
    """A select of the audit entries `by` may read (see the module docstring), newest first,
    narrowed by `filters`.

    :param by: the reading admin
    :param filters: actor (part of the username, any case), action code, first and last day
        (inclusive, in the configured time zone)
    """
    stmt = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    accounts = managed_accounts(by)
    if accounts is not None:
        subtree = select(Unit.id).where(Unit.path.startswith(scope_unit(by).path,
                                                             autoescape=True))
        stmt = stmt.where(or_(
            AuditLog.actor_id.in_(select(User.id).where(accounts)),
            AuditLog.target.in_(select(User.username).where(accounts)),
            AuditLog.target.in_(select(Person.staff_id).where(Person.commune_id.in_(subtree)))))
    if filters.actor:
        stmt = stmt.where(func.lower(AuditLog.actor_name).contains(filters.actor.lower(),
                                                                    autoescape=True))
    if filters.action:
        stmt = stmt.where(AuditLog.action == filters.action)
    if filters.date_from:
        stmt = stmt.where(AuditLog.at >= _utc(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(AuditLog.at < _utc(filters.date_to + timedelta(days=1)))
    return stmt


def detail_text(detail) -> str:
    """An entry's details as "key: value" pairs, for the page and the exports."""
    if not detail:
        return ""
    if not isinstance(detail, dict):
        return str(detail)
    return "; ".join(f"{key}: {reasons.render(value) if key == 'reason' else value}"
                     for key, value in detail.items())


def export(by, filters: Filters, fmt: str) -> tuple[bytes, str]:
    """The entries `by` may read under `filters` as CSV or XLSX, and its file name (audited).

    :param by: the reading admin
    :param filters: as for `entries`
    :param fmt: `csv` or `xlsx`
    :raises AuditError: an unknown format, or more than EXPORT_MAX entries
    """
    if fmt not in ("csv", "xlsx"):
        raise AuditError(_("Định dạng không hỗ trợ: %(f)s.", f=fmt))
    stmt = entries(by, filters)
    count = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    if count > EXPORT_MAX:
        raise AuditError(_("Có %(n)s dòng, quá %(m)s dòng của một lần xuất; hãy thu hẹp "
                           "khoảng ngày.", n=count, m=EXPORT_MAX))
    headers = [_("Thời gian"), _("Người thực hiện"), _("Mã hành động"), _("Hành động"),
               _("Đối tượng"), _("Chi tiết"), _("Địa chỉ")]
    rows = ([format_datetime(e.at), e.actor_name, e.action, action_label(e.action), e.target,
             detail_text(e.detail), e.ip or ""]
            for e in db.session.scalars(stmt).yield_per(1000))
    data = (write_csv(headers, rows) if fmt == "csv"
            else write_xlsx(headers, rows, _("Nhật ký")))
    scope = scope_unit(by)
    record("audit.export", actor=by, target=scope.code if scope else "", format=fmt, rows=count)
    return data, f"nhat-ky-{today():%Y%m%d}.{fmt}"
