"""The administrator's home section: roster imports waiting or failed, roster people in post
without an account (by commune), and accounts whose one-time password expired unused."""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, or_, select

from lms.accounts.models import User
from lms.accounts.permissions import filter_persons, managed_accounts
from lms.core.home import home_sections
from lms.core.timeutil import today, utcnow
from lms.extensions import db
from lms.units.models import ImportJob, Person, Unit

LIMIT = 10
RECENT_IMPORTS = timedelta(days=14)


@dataclass
class AdminHome:
    """The admin's pending tasks; `communes` holds (unit, people without an account)."""

    imports: list[ImportJob] = field(default_factory=list)
    without_account: int = 0
    communes: list[tuple[Unit, int]] = field(default_factory=list)
    expired: int = 0
    expired_users: list[User] = field(default_factory=list)

    def empty(self) -> bool:
        """No task at all."""
        return not (self.imports or self.without_account or self.expired)


def awaits_action(job: ImportJob) -> bool:
    """The job is queued or running, failed, or a successful preview not yet confirmed."""
    if job.status != "done":
        return True
    return bool(job.options.get("dry_run")) and not (job.result or {}).get("confirmed_by")


def pending_imports(user) -> list[ImportJob]:
    """The admin's own imports of the last two weeks that still need them (newest first)."""
    jobs = db.session.scalars(
        select(ImportJob).where(ImportJob.created_by_id == user.id,
                                ImportJob.created_at >= utcnow() - RECENT_IMPORTS)
        .order_by(ImportJob.id.desc()).limit(4 * LIMIT)).all()
    return [job for job in jobs if awaits_action(job)][:LIMIT]


def people_without_account(user) -> tuple[int, list[tuple[Unit, int]]]:
    """How many roster people in post within scope have no account, and the communes with
    the most of them (one pass over the roster: the total is a window over the groups)."""
    has_user = select(User.id).where(User.person_id == Person.id).exists()
    in_post = or_(Person.left_on.is_(None), Person.left_on > today())
    n = func.count()
    rows = db.session.execute(filter_persons(
        user, select(Person.commune_id, n, func.sum(n).over()).where(in_post, ~has_user)
        .group_by(Person.commune_id).order_by(n.desc(), Person.commune_id).limit(LIMIT))).all()
    if not rows:
        return 0, []
    units = {u.id: u for u in db.session.scalars(select(Unit).where(
        Unit.id.in_([commune_id for commune_id, _n, _t in rows])))}
    return int(rows[0][2]), [(units[commune_id], count) for commune_id, count, _t in rows]


def expired_one_time(user) -> tuple[int, list[User]]:
    """Active accounts within scope whose one-time password expired before it was replaced:
    how many, and the first of them by username."""
    where = [User.active.is_(True), User.must_change_password.is_(True),
             User.password_expires_at < utcnow()]
    scope = managed_accounts(user)
    if scope is not None:
        where.append(scope)
    count = db.session.scalar(select(func.count()).select_from(User).where(*where))
    users = db.session.scalars(select(User).where(*where).order_by(User.username)
                               .limit(LIMIT)).all() if count else []
    return count, users


def admin_home(user) -> AdminHome:
    """The admin's pending import and account tasks."""
    without, communes = people_without_account(user)
    expired, expired_users = expired_one_time(user)
    return AdminHome(pending_imports(user), without, communes, expired, expired_users)


@home_sections.connect
def admin_section(user):
    """The home page's section for administrators."""
    if not user.has_role("admin"):
        return None
    return "accounts/_home.html", admin_home(user)
