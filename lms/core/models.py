"""Settings edited by an admin (e.g. the issuing agency's name, which changed in 2025)."""

from lms.extensions import db


class Setting(db.Model):
    """One named setting; value is JSON."""

    __tablename__ = "settings"

    key = db.Column(db.String(80), primary_key=True)
    value = db.Column(db.JSON, nullable=True)


def get_setting(key: str, default=None):
    """Return a setting's value, or `default` when unset."""
    row = db.session.get(Setting, key)
    return default if row is None or row.value is None else row.value


def set_setting(key: str, value) -> None:
    """Create or replace a setting (caller commits)."""
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
