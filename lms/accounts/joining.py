"""Joining at a training conference (tham gia lớp tại hội nghị).

A trainer opens a cohort's join code and shows it, with its QR code, on the projector. A person
scans it, types their staff id and birth year, and is matched to the roster; that only files a
`JoinRequest` with a four-digit check number shown on their phone. Nothing is granted until a
trainer of the cohort confirms the request in the member list (seeing the name, commune and
check number): then the person becomes a member and, if they had none, gets an account. The
phone that made the request (its signed session names the request) is then signed in once and
sent to choose a password. No one can claim a roster person without that confirmation.
"""

import secrets

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from lms.accounts import audit, bulk
from lms.accounts.models import JoinRequest, User
from lms.accounts.passwords import ALPHABET
from lms.accounts.permissions import can_edit_cohort, unit_in_scope
from lms.cohorts.models import Cohort, CohortMember
from lms.cohorts.services import CohortError, add_members, require_open
from lms.core.params import int_arg
from lms.core.text import clean
from lms.core.timeutil import utcnow
from lms.extensions import db
from lms.units.models import Person

CODE_ALPHABET = ALPHABET.upper()  # no 0/O, 1/I/L: read off a projector screen
CODE_LENGTH = 6


class JoinError(ValueError):
    """The request cannot be made or decided; the message is shown to the user."""


def _require_open(cohort) -> None:
    """The cohorts room's one closed check, as a JoinError (a closed cohort takes no one)."""
    try:
        require_open(cohort)
    except CohortError as exc:
        raise JoinError(str(exc)) from exc


def normalise_code(code: str) -> str:
    """A join code as typed: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:12]


def open_code(cohort, *, by) -> str:
    """Give the cohort a fresh join code (replacing any earlier one)."""
    _require_open(cohort)
    if not can_edit_cohort(by, cohort):
        raise JoinError(_("Bạn không quản lý lớp này."))
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(Cohort.id).where(Cohort.join_code == code)) is None:
            break
    cohort.join_code = code
    audit.record("cohort.join_open", actor=by, target=cohort.name, code=code)
    return code


def close_code(cohort, *, by) -> None:
    """Stop joining by code (pending requests stay for the trainer to decide)."""
    _require_open(cohort)
    if not can_edit_cohort(by, cohort):
        raise JoinError(_("Bạn không quản lý lớp này."))
    cohort.join_code = None
    audit.record("cohort.join_close", actor=by, target=cohort.name)


def cohort_for_code(code: str):
    """The open cohort whose join code this is, or None."""
    code = normalise_code(code)
    if not code:
        return None
    return db.session.scalar(select(Cohort).where(Cohort.join_code == code,
                                                  Cohort.status != "closed"))


def request_join(cohort, staff_id: str, birth_year: str, ip: str | None) -> JoinRequest:
    """File (or find again) the request of the roster person with this staff id and birth year.

    :raises JoinError: the cohort is closed, or no such person still in post (the message
        names neither)
    """
    _require_open(cohort)
    staff_id = clean(staff_id)
    try:
        year = int_arg(birth_year, min=1, max=9999, default=None)
    except ValueError:
        year = None
    today = utcnow().date()
    person = None
    if staff_id and year:
        person = db.session.scalar(select(Person).where(
            func.lower(Person.staff_id) == staff_id.lower(), Person.birth_year == year,
            or_(Person.left_on.is_(None), Person.left_on > today)))
    if person is None:
        audit.record("join.no_match", target=cohort.name, staff_id=staff_id[:50])
        raise JoinError(_("Không tìm thấy người có mã nhân sự và năm sinh này trong danh sách "
                          "nhân sự. Hãy kiểm tra lại, hoặc báo giảng viên."))
    existing = db.session.scalar(select(JoinRequest).where(
        JoinRequest.cohort_id == cohort.id, JoinRequest.person_id == person.id))
    if existing is not None:
        if existing.status == "rejected":  # asking again puts it back in the trainer's list
            existing.status, existing.decided_at, existing.decided_by_id = "pending", None, None
            existing.check_number = f"{secrets.randbelow(10000):04d}"
        return existing
    join = JoinRequest(cohort_id=cohort.id, person_id=person.id, ip=ip,
                       check_number=f"{secrets.randbelow(10000):04d}")
    db.session.add(join)
    db.session.flush()
    audit.record("join.request", target=cohort.name, staff_id=person.staff_id)
    return join


def pending(cohort) -> list[JoinRequest]:
    """The cohort's requests waiting for a trainer, oldest first."""
    return list(db.session.scalars(select(JoinRequest).where(
        JoinRequest.cohort_id == cohort.id, JoinRequest.status == "pending")
        .order_by(JoinRequest.created_at, JoinRequest.id)))


def decide(join: JoinRequest, accept: bool, *, by) -> None:
    """A trainer of the cohort confirms (member + account) or rejects a request.

    :raises JoinError: not the actor's cohort, the person out of the actor's scope, decided
    """
    cohort = join.cohort
    _require_open(cohort)
    if not can_edit_cohort(by, cohort):
        raise JoinError(_("Bạn không quản lý lớp này."))
    if join.status != "pending":
        raise JoinError(_("Yêu cầu này đã được xử lý."))
    join.decided_at, join.decided_by_id = utcnow(), by.id
    if not accept:
        join.status = "rejected"
        audit.record("join.reject", actor=by, target=cohort.name, staff_id=join.person.staff_id)
        return
    person = join.person
    if not unit_in_scope(by, person.commune):
        raise JoinError(_("Người này nằm ngoài phạm vi quản lý của bạn."))
    member = db.session.scalar(select(CohortMember.id).where(
        CohortMember.cohort_id == cohort.id, CohortMember.person_id == person.id))
    if member is None:
        try:
            add_members(cohort, [person.id], by=by)
        except CohortError as exc:
            raise JoinError(str(exc)) from exc
    if db.session.scalar(select(User.id).where(User.person_id == person.id)) is None:
        bulk.create_for_person(person)
    join.status = "confirmed"
    audit.record("join.confirm", actor=by, target=cohort.name, staff_id=person.staff_id)


def collect(join_id: int | None) -> tuple[JoinRequest | None, User | None]:
    """For the phone that made request `join_id`: the request, and the account to sign in once
    (a confirmed request whose account has never been used), else None for the account."""
    join = db.session.get(JoinRequest, join_id) if join_id else None
    if join is None or join.status != "confirmed" or join.collected_at is not None:
        return join, None
    user = db.session.scalar(select(User).where(User.person_id == join.person_id))
    if user is None or not user.active or user.last_login_at is not None:
        return join, None
    join.collected_at = user.last_login_at = utcnow()
    user.must_change_password = True
    audit.record("join.collect", actor=user, target=join.cohort.name)
    return join, user
