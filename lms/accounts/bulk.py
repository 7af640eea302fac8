"""Accounts from the roster, in bulk (tạo tài khoản hàng loạt từ danh sách nhân sự).

For every roster person of a unit subtree (or of a cohort) who has no account and has not left,
make a trainee account: the username comes from the staff id, the password is a one-time
password printed on a login slip (lms/accounts/pdf.py) and listed in a CSV/XLSX. People whose
leaving date has passed lose their account's access in the same run. Persons are read in id
order a batch at a time and the accounts written with one multi-row INSERT a batch, so time is
spent hashing and memory stays flat in the number of people.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, or_, select, tuple_, update

from lms.accounts import audit, passwords
from lms.accounts.models import User
from lms.accounts.pdf import Slip, write_commune_slips, write_slips
from lms.accounts.permissions import can_edit_cohort, filter_persons, unit_in_scope
from lms.accounts.services import set_one_time_password
from lms.cohorts.models import CohortMember
from lms.core.tabular import CsvSink
from lms.core.text import fold
from lms.core.timeutil import utcnow
from lms.extensions import db
from lms.units.models import Person, Unit

BATCH = 1000
CSV_HEADERS = ["ma_nhan_su", "ho_ten", "ma_xa", "ten_dang_nhap", "mat_khau_mot_lan"]


class BulkError(ValueError):
    """The run cannot start (scope, unknown unit); the message is shown to the user."""


def username_for(staff_id: str) -> str:
    """The username a staff id gives: folded to lower-case ASCII letters and digits
    ("QN-000123" → "qn000123"), easy to type on a phone."""
    return re.sub(r"[^a-z0-9]", "", fold(staff_id)) or "hv"


def unique_usernames(staff_ids: list[str]) -> list[str]:
    """Unique usernames for these staff ids: `username_for`, with -2, -3 … when taken."""
    wanted = [username_for(s) for s in staff_ids]
    taken = set(db.session.scalars(select(User.username).where(User.username.in_(wanted))))
    names = []
    for name in wanted:
        candidate, n = name, 1
        if candidate in taken:  # rare: look up this name's numbered variants once
            taken.update(db.session.scalars(select(User.username).where(
                User.username.like(f"{name}-%"))))
        while candidate in taken:
            n += 1
            candidate = f"{name}-{n}"
        taken.add(candidate)
        names.append(candidate)
    return names


def create_for_person(person: Person) -> tuple[User, str]:
    """One trainee account for `person` with a one-time password (returned); caller commits."""
    (username,) = unique_usernames([person.staff_id])
    password = passwords.one_time_password()
    user = User(username=username, role="trainee", full_name=person.full_name, person=person)
    set_one_time_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user, password


@dataclass
class Run:
    """One run over a unit subtree or a cohort; `slips()` does the work as it is iterated."""

    by: object
    unit: Unit | None = None
    cohort: object = None
    dry_run: bool = False
    today: date = field(default_factory=lambda: utcnow().date())
    created: int = 0
    already: int = 0
    deactivated: int = 0

    def __post_init__(self):
        by = self.by
        if self.cohort is not None:
            if by is not None and not can_edit_cohort(by, self.cohort):
                raise BulkError(_("Bạn không quản lý lớp này."))
        elif by is not None and (not by.has_role("admin") or not unit_in_scope(by, self.unit)):
            raise BulkError(_("Đơn vị nằm ngoài phạm vi quản lý của bạn."))

    def _people(self):
        """The roster people this run covers (a Person query, scoped to the actor)."""
        stmt = select(Person.id)
        if self.cohort is not None:
            stmt = stmt.where(Person.id.in_(select(CohortMember.person_id).where(
                CohortMember.cohort_id == self.cohort.id)))
        if self.unit is not None:
            subtree = select(Unit.id).where(Unit.path.startswith(self.unit.path, autoescape=True))
            stmt = stmt.where(Person.commune_id.in_(subtree))
        if self.by is not None:
            stmt = filter_persons(self.by, stmt)
        return stmt

    def _in_post(self):
        return or_(Person.left_on.is_(None), Person.left_on > self.today)

    def count_existing(self) -> int:
        """People covered who already have an account."""
        return db.session.scalar(select(func.count()).select_from(User).where(
            User.person_id.in_(self._people())))

    def deactivate_leavers(self) -> int:
        """Deactivate the accounts of people covered who have left (ends their sessions)."""
        leavers = self._people().where(Person.left_on <= self.today)
        where = (User.person_id.in_(leavers), User.active.is_(True))
        if self.dry_run:
            return db.session.scalar(select(func.count()).select_from(User).where(*where))
        result = db.session.execute(update(User).where(*where).values(
            active=False, session_version=User.session_version + 1))
        return result.rowcount

    def _batches(self) -> Iterator[list]:
        """(person id, staff id, full name, commune code, commune name) rows without an
        account, BATCH at a time by commune code then id (keyset: flat memory, no OFFSET), so
        each commune's slips come together."""
        base = (select(Person.id, Person.staff_id, Person.full_name, Unit.code, Unit.name)
                .join(Unit, Unit.id == Person.commune_id)
                .where(Person.id.in_(self._people()), self._in_post(),
                       ~select(User.id).where(User.person_id == Person.id).exists())
                .order_by(Unit.code, Person.id).limit(BATCH))
        after = None
        while True:
            stmt = base if after is None else base.where(tuple_(Unit.code, Person.id) > after)
            rows = db.session.execute(stmt).all()
            if not rows:
                return
            yield rows
            after = (rows[-1][3], rows[-1][0])

    def slips(self) -> Iterator[Slip]:
        """Create the accounts batch by batch, yielding a slip for each (nothing is created
        on a dry run: the slips carry no password). The caller commits."""
        self.already = self.count_existing()
        expires_at = utcnow().replace(microsecond=0) + _valid_for()
        now = utcnow()
        for rows in self._batches():
            names = unique_usernames([r[1] for r in rows])
            if self.dry_run:
                secrets_ = [""] * len(rows)
            else:
                secrets_ = [passwords.one_time_password() for _ in rows]
                hashes = passwords.hash_one_time(secrets_)
                db.session.execute(insert(User), [
                    {"username": name, "password_hash": hashed, "full_name": row[2],
                     "role": "trainee", "person_id": row[0], "active": True,
                     "created_at": now, "session_version": 1, "must_change_password": True,
                     "password_expires_at": expires_at}
                    for row, name, hashed in zip(rows, names, hashes, strict=True)])
            self.created += len(rows)
            for row, name, secret in zip(rows, names, secrets_, strict=True):
                yield Slip(row[1], row[2], row[3], row[4], name, secret, expires_at.date())

    def finish(self) -> None:
        """Deactivate leavers and write the audit entry (after `slips()` is exhausted)."""
        self.deactivated = self.deactivate_leavers()
        if not self.dry_run:
            audit.record("accounts.from_roster", actor=self.by,
                         target=self.cohort.name if self.cohort is not None else
                         (self.unit.code if self.unit else "all"),
                         created=self.created, already=self.already,
                         deactivated=self.deactivated)


def _valid_for() -> timedelta:
    return timedelta(days=current_app.config["OTP_VALID_DAYS"])


def csv_row(slip: Slip) -> list[str]:
    """The CSV/XLSX row of a slip (columns `CSV_HEADERS`)."""
    return [slip.staff_id, slip.full_name, slip.commune_code, slip.username, slip.password]


def slip_for(user: User, password: str) -> Slip:
    """The slip of one account (after a reset)."""
    person = user.person
    commune = person.commune if person is not None else None
    expires = user.password_expires_at.date() if user.password_expires_at else None
    return Slip(person.staff_id if person else "", user.full_name or user.username,
                commune.code if commune else "", commune.name if commune else "",
                user.username, password, expires)


def write_outputs(run: Run, *, base_url: str, csv_out=None, slips_out=None, slips_zip=None,
                  xlsx: list | None = None) -> int:
    """Carry out `run`, writing each slip to the CSV file, the slips PDF `slips_out` (one file)
    or the open ZipFile `slips_zip` (a PDF per commune), and/or the `xlsx` row list as it comes;
    returns the slips' page count (0 without slips). The caller commits."""
    sink = CsvSink(csv_out, CSV_HEADERS) if csv_out is not None else None

    def tee():
        for slip in run.slips():
            if sink is not None:
                sink.writerow(csv_row(slip))
            if xlsx is not None:
                xlsx.append(csv_row(slip))
            yield slip

    if slips_zip is not None:
        pages = write_commune_slips(tee(), base_url, slips_zip)
    elif slips_out is not None:
        pages = write_slips(tee(), base_url, slips_out)
    else:
        pages = 0
        for _slip in tee():
            pass
    if sink is not None:
        sink.close()
    run.finish()
    return pages
