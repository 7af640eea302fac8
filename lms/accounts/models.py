"""Users, roles, login attempts and the audit log."""

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


class AccountMixin(UserMixin):
    """What a signed-in account answers from its `role` and `active` columns: the ORM `User`
    and the light user of lms/core/userload.py share it."""

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def role_label(self) -> str:
        return str(ROLES.get(self.role, self.role))

    def has_role(self, *roles: str) -> bool:
        """True when the user holds one of `roles`."""
        return self.role in roles


class User(AccountMixin, db.Model):
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

    unit = db.relationship("Unit")
    person = db.relationship("Person")

    def set_password(self, password: str) -> None:
        """Store a salted hash (scrypt), never the password."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """True when `password` matches."""
        return check_password_hash(self.password_hash, password)

class LoginAttempt(db.Model):
    """One login attempt, for throttling by account and by client address."""

    __tablename__ = "login_attempts"

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    username = db.Column(db.String(80), nullable=False, index=True)
    ip = db.Column(db.String(45), nullable=False, index=True)
    success = db.Column(db.Boolean, nullable=False)


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
