"""Account rules: authentication with throttling, creating and editing users."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from lms.accounts import audit, passwords
from lms.accounts.models import ROLES, LoginAttempt, User
from lms.accounts.permissions import managed_accounts, scope_unit, unit_in_scope
from lms.cohorts.models import Cohort, CohortMember, cohort_trainers
from lms.core.text import clean
from lms.core.timeutil import utcnow
from lms.extensions import db
from lms.units.models import Person, Unit
from lms.units.services import lookup_unit


class AccountError(ValueError):
    """A rule was broken; the message is shown to the user."""


@dataclass
class LoginResult:
    """Outcome of one login attempt."""

    user: User | None
    error: str | None = None
    locked_until: datetime | None = None


def _recent_failures(column, value, since: datetime) -> list[datetime]:
    stmt = (select(LoginAttempt.at)
            .where(column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
            .order_by(LoginAttempt.at.desc()))
    return list(db.session.scalars(stmt))


def account_locked_until(username: str, now: datetime | None = None) -> datetime | None:
    """When the account's lock ends, or None: N failures within the window lock it.

    Refused attempts are not recorded as failures, so the lock ends a fixed time after
    the failure that triggered it.
    """
    cfg = current_app.config
    now = now or utcnow()
    window = timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    lock = timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    failures = _recent_failures(LoginAttempt.username, username, now - window - lock)
    limit = cfg["LOGIN_MAX_FAILURES"]
    # Slide over runs of `limit` consecutive failures: any run inside one window locks.
    for i in range(len(failures) - limit + 1):
        newest, oldest = failures[i], failures[i + limit - 1]
        if newest - oldest <= window and now < newest + lock:
            return newest + lock
    return None


def address_blocked(ip: str, now: datetime | None = None) -> bool:
    """True when one client address failed too often within the window (any accounts)."""
    cfg = current_app.config
    now = now or utcnow()
    since = now - timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    count = db.session.scalar(
        select(func.count()).select_from(LoginAttempt)
        .where(LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at >= since))
    return count >= cfg["LOGIN_IP_MAX_FAILURES"]


def _minutes_until(moment: datetime) -> int:
    return max(1, int((moment - utcnow()).total_seconds() // 60) + 1)


def authenticate(username: str, password: str, ip: str) -> LoginResult:
    """Check a login, applying per-account and per-address throttling; records the attempt.

    :param username: as typed (trimmed, case-insensitive)
    :param password: as typed
    :param ip: the client address
    """
    username = clean(username).lower()
    locked = account_locked_until(username)
    if locked is not None:
        audit.record("login.refused", target=username, reason="account locked")
        return LoginResult(None, _("Tài khoản tạm khóa do đăng nhập sai nhiều lần. "
                                   "Vui lòng thử lại sau %(minutes)s phút.",
                                   minutes=_minutes_until(locked)),
                           locked_until=locked)
    if address_blocked(ip):
        audit.record("login.refused", target=username, reason="address blocked")
        return LoginResult(None, _("Quá nhiều lần đăng nhập sai từ địa chỉ này. "
                                   "Vui lòng thử lại sau %(minutes)s phút.",
                                   minutes=current_app.config["LOGIN_WINDOW_MINUTES"]))
    user = db.session.scalar(select(User).where(func.lower(User.username) == username))
    if user is not None and user.password_expires_at is not None:
        password = "".join(password.split()).lower()  # slips print it in groups of four
    ok = user is not None and user.active and user.check_password(password)
    if not ok and (user is None or not user.active or user.password_expires_at is not None):
        # A failure costs one chosen-password check whether or not the username exists (a
        # one-time password's hash is cheaper, so its accounts pay it too).
        passwords.check_dummy(password)
    db.session.add(LoginAttempt(username=username, ip=ip, success=ok))
    if not ok:
        audit.record("login.failure", target=username)
        return LoginResult(None, _("Tên đăng nhập hoặc mật khẩu không đúng."))
    if user.password_expires_at is not None and user.password_expires_at <= utcnow():
        audit.record("login.refused", target=username, reason="one-time password expired")
        return LoginResult(None, _("Mật khẩu một lần này đã hết hạn. Hãy nhờ quản trị viên hoặc "
                                   "giảng viên của lớp cấp mật khẩu mới."))
    if user.password_expires_at is None and passwords.needs_rehash(user.password_hash):
        user.set_password(password)  # the hashing settings changed since it was stored
        audit.record("user.password_rehash", actor=user, target=username)
    user.last_login_at = utcnow()
    audit.record("login.success", actor=user, target=username)
    return LoginResult(user)


def generate_password() -> str:
    """A random password easy to read out over the phone (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def check_new_password(password: str, role: str) -> None:
    """AccountError when `password` may not be chosen for an account of `role`."""
    reason = passwords.problem(password, role)
    if reason:
        raise AccountError(reason)


def set_one_time_password(user: User, password: str, password_hash: str | None = None) -> None:
    """Give `user` a one-time password: it expires after OTP_VALID_DAYS and must be replaced at
    the first sign-in (caller ends sessions if it is a reset)."""
    user.password_hash = password_hash or passwords.hash_one_time([password])[0]
    user.must_change_password = True
    user.password_expires_at = utcnow() + timedelta(days=current_app.config["OTP_VALID_DAYS"])


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """The user replaces their password (a one-time one, or their own); ends every other
    session (the caller signs the current one in again).

    :param current: the password they signed in with
    :param new: the new password, checked against the policy of their role
    """
    if not user.check_password(current):
        raise AccountError(_("Mật khẩu hiện tại không đúng."))
    if new != confirm:
        raise AccountError(_("Hai lần nhập mật khẩu mới không giống nhau."))
    if new == current:
        raise AccountError(_("Mật khẩu mới phải khác mật khẩu hiện tại."))
    check_new_password(new, user.role)
    user.set_password(new)
    user.end_sessions()
    audit.record("user.password_change", actor=user, target=user.username)


def can_reset_password(by, user: User) -> bool:
    """Admins reset accounts within their scope (not their own); trainers reset the trainee
    accounts of members of the cohorts they run."""
    if not by.is_authenticated or by.id == user.id:
        return False
    if by.has_role("admin"):
        place = user.person.commune if user.person is not None else user.unit
        return unit_in_scope(by, place) and (place is not None or by.unit_id is None)
    if by.has_role("trainer") and user.role == "trainee" and user.person_id is not None:
        runs = (select(CohortMember.id).join(Cohort, Cohort.id == CohortMember.cohort_id)
                .join(cohort_trainers, cohort_trainers.c.cohort_id == Cohort.id)
                .where(CohortMember.person_id == user.person_id,
                       cohort_trainers.c.user_id == by.id, Cohort.status != "closed"))
        return db.session.scalar(runs.limit(1)) is not None
    return False


def reset_password(user: User, *, by) -> str:
    """Issue a new one-time password for `user` (returned, shown once on a slip); ends every
    session of the user.

    :param by: an admin or trainer allowed by `can_reset_password`
    """
    if not can_reset_password(by, user):
        raise AccountError(_("Bạn không có quyền cấp lại mật khẩu cho tài khoản này."))
    password = passwords.one_time_password()
    set_one_time_password(user, password)
    user.end_sessions()
    audit.record("user.password_reset", actor=by, target=user.username)
    return password


def end_sessions(user: User, *, by=None, reason: str = "logout") -> None:
    """End every session of `user` (logout ends them all, on every device)."""
    user.end_sessions()
    audit.record(f"session.end.{reason}", actor=by or user, target=user.username)


def find_unit(code: str | None) -> Unit | None:
    """A current unit by code (zero-padding optional); AccountError when unknown."""
    if not code:
        return None
    unit = lookup_unit(code)
    if unit is None:
        raise AccountError(_("Không tìm thấy đơn vị có mã %(code)s.", code=code))
    return unit


def _check_scope(by, unit: Unit | None, person: Person | None) -> None:
    """The unit an account is limited to and the roster person it is linked to must lie
    within the acting admin's scope (a scoped admin cannot make a national account)."""
    if by is None:
        return
    if scope_unit(by) is not None and unit is None:
        raise AccountError(_("Đơn vị nằm ngoài phạm vi quản lý của bạn."))
    if unit is not None and not unit_in_scope(by, unit):
        raise AccountError(_("Đơn vị nằm ngoài phạm vi quản lý của bạn."))
    if person is not None and not unit_in_scope(by, person.commune):
        raise AccountError(_("Người này nằm ngoài phạm vi quản lý của bạn."))


def create_user(username: str, role: str, password: str, *, by=None, full_name: str = "",
                unit: Unit | None = None, person: Person | None = None) -> User:
    """Create an account.

    :param username: unique login name (stored lower-case)
    :param role: one of admin, trainer, viewer, trainee
    :param password: a chosen password, checked by `passwords.problem` for the role
    :param by: the acting user (None for the command line)
    :param unit: limits the account to this unit's subtree
    :param person: the roster entry of a trainee
    """
    _check_scope(by, unit, person)
    username = clean(username).lower()
    if not username or len(username) > 80 or any(ch.isspace() for ch in username):
        raise AccountError(_("Tên đăng nhập không hợp lệ (không dấu cách, tối đa 80 ký tự)."))
    if role not in ROLES:
        raise AccountError(_("Vai trò không hợp lệ: %(role)s.", role=role))
    check_new_password(password, role)
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username)):
        raise AccountError(_("Tên đăng nhập %(u)s đã tồn tại.", u=username))
    if person is not None and db.session.scalar(select(User.id).where(User.person_id == person.id)):
        raise AccountError(_("Người này đã có tài khoản."))
    user = User(username=username, role=role, full_name=clean(full_name) or
                (person.full_name if person else ""), unit=unit, person=person)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor=by, target=username, role=role,
                 unit=unit.code if unit else None)
    return user


def update_user(user: User, *, by, role: str, full_name: str, unit: Unit | None, active: bool,
                person: Person | None = None, password: str | None = None) -> User:
    """Edit an account; role, scope and activation changes are audited.

    :param user: the account to change
    :param by: the acting admin
    """
    if role not in ROLES:
        raise AccountError(_("Vai trò không hợp lệ: %(role)s.", role=role))
    _check_scope(by, unit, person)
    if user.id == getattr(by, "id", None) and (not active or role != "admin"):
        raise AccountError(_("Bạn không thể tự khóa hoặc tự bỏ quyền quản trị của mình."))
    if password:
        check_new_password(password, role)
        user.set_password(password)
        user.end_sessions()
        audit.record("user.password_reset", actor=by, target=user.username)
    if person is not None and person.id != user.person_id and db.session.scalar(
            select(User.id).where(User.person_id == person.id, User.id != user.id)):
        raise AccountError(_("Người này đã có tài khoản."))
    if role != user.role or (unit.id if unit else None) != user.unit_id:
        audit.record("user.role_change", actor=by, target=user.username,
                     old_role=user.role, new_role=role,
                     old_unit=user.unit.code if user.unit else None,
                     new_unit=unit.code if unit else None)
    if active != user.active:
        audit.record("user.activate" if active else "user.deactivate", actor=by,
                     target=user.username)
        if not active:
            user.end_sessions()
    user.role, user.unit, user.active = role, unit, active
    user.full_name = clean(full_name)
    user.person = person
    return user


def cohort_accounts(cohort) -> dict:
    """For a cohort page: the members' accounts (person, user) and how many have none."""
    rows = db.session.execute(
        select(Person, User).join(CohortMember, CohortMember.person_id == Person.id)
        .outerjoin(User, User.person_id == Person.id)
        .where(CohortMember.cohort_id == cohort.id).order_by(Person.full_name)).all()
    return {"accounts": [(p, u) for p, u in rows if u is not None],
            "without": sum(1 for _, u in rows if u is None)}


def visible_users(by, q: str = ""):
    """The accounts an admin manages, by role and username; `q` matches username or name."""
    stmt = select(User).order_by(User.role, User.username)
    where = managed_accounts(by)
    if where is not None:
        stmt = stmt.where(where)
    if q:
        needle = clean(q).lower()
        stmt = stmt.where(or_(User.username.contains(needle, autoescape=True),
                              func.lower(User.full_name).contains(needle, autoescape=True)))
    return stmt


def user_in_scope(by, user: User) -> bool:
    """True when `user` is one of the accounts `by` manages (see `visible_users`)."""
    where = managed_accounts(by)
    if where is None:
        return True
    return db.session.scalar(select(User.id).where(User.id == user.id, where)) is not None
