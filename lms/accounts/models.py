"""Users, roles, login attempts, conference join requests and the audit log."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from lms.core.timeutil import utcnow
from lms.extensions import db

ROLES = {
    "admin": _l("Quản trị viên"),
    "trainer": _l("Giảng viên"),
    "viewer": _l("Cán bộ theo dõi"),
    "trainee": _l("Học viên"),
}


class User(UserMixin, db.Model):
    """A login. `unit` limits what the user sees to that unit's subtree (None: everything)."""

    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), nullable=False, unique=True)
    password_hash = db.Column(db.String(255), nullable=False)
    full_name = db.Column(db.String(200), nullable=False, default="")
    role = db.Column(db.String(20), nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=True)
    person_id = db.Column(db.Integer, db.ForeignKey("persons.id"), nullable=True, unique=True)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(db.DateTime, nullable=True)
    # Bumped to end every session of the user (lms/accounts/sessions.py).
    session_version = db.Column(db.Integer, nullable=False, default=1, server_default="1")
    # A one-time password (mật khẩu một lần) is set by the bulk tool or a reset: it expires at
    # `password_expires_at` and must be replaced at the first sign-in.
    must_change_password = db.Column(db.Boolean, nullable=False, default=False,
                                     server_default=db.false())
    password_expires_at = db.Column(db.DateTime, nullable=True)

    unit = db.relationship("Unit")
    person = db.relationship("Person")

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def role_label(self) -> str:
        return str(ROLES.get(self.role, self.role))

    def has_role(self, *roles: str) -> bool:
        """True when the user holds one of `roles`."""
        return self.role in roles

    def get_id(self) -> str:
        """The session's name for this user, "id:session_version": bumping the version
        (logout, password change or reset, deactivation) ends every session of the user."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        """Store a salted hash (scrypt), never the password; a chosen password has no expiry."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.must_change_password = False
        self.password_expires_at = None

    def check_password(self, password: str) -> bool:
        """True when `password` matches."""
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        """End every existing session of this user (their cookies name the old version)."""
        self.session_version = (self.session_version or 1) + 1


class LoginAttempt(db.Model):
    """One login attempt, for throttling by account and by client address."""

    __tablename__ = "login_attempts"

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    username = db.Column(db.String(80), nullable=False, index=True)
    ip = db.Column(db.String(45), nullable=False, index=True)
    success = db.Column(db.Boolean, nullable=False)


JOIN_STATUSES = ("pending", "confirmed", "rejected")


class JoinRequest(db.Model):
    """A claim made at a training conference: "I am roster person P" for cohort C, entered on
    the public join page (staff id and birth year). Nothing happens until a trainer of the
    cohort confirms it; then P becomes a member and gets an account."""

    __tablename__ = "join_requests"
    __table_args__ = (db.UniqueConstraint("cohort_id", "person_id"),)

    id = db.Column(db.Integer, primary_key=True)
    cohort_id = db.Column(db.Integer, db.ForeignKey("cohorts.id", ondelete="CASCADE"),
                          nullable=False, index=True)
    person_id = db.Column(db.Integer, db.ForeignKey("persons.id", ondelete="CASCADE"),
                          nullable=False, index=True)
    # Shown on the joiner's phone and in the trainer's list, to confirm the right person.
    check_number = db.Column(db.String(4), nullable=False)
    status = db.Column(db.String(10), nullable=False, default="pending")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    ip = db.Column(db.String(45), nullable=True)
    decided_at = db.Column(db.DateTime, nullable=True)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    # Set when the joiner's own browser has signed in with the new account (once).
    collected_at = db.Column(db.DateTime, nullable=True)

    cohort = db.relationship("Cohort")
    person = db.relationship("Person")


class AuditLog(db.Model):
    """Who did what, when: logins, role changes, imports, exports of personal data."""

    __tablename__ = "audit_log"

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True, index=True)
    actor_name = db.Column(db.String(80), nullable=False, default="")
    action = db.Column(db.String(60), nullable=False, index=True)
    target = db.Column(db.String(200), nullable=False, default="")
    detail = db.Column(db.JSON, nullable=True)
    ip = db.Column(db.String(45), nullable=True)

    actor = db.relationship("User")
