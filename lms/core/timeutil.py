"""Time helpers: stored times are naive UTC; shown and dated in the configured zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def utcnow() -> datetime:
    """Naive UTC now (the storage convention on SQLite and PostgreSQL alike)."""
    return datetime.now(UTC).replace(tzinfo=None)


def zone() -> ZoneInfo:
    """The configured local zone."""
    name = current_app.config.get("TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def to_local(value: datetime) -> datetime:
    """Naive UTC → aware local time."""
    return value.replace(tzinfo=UTC).astimezone(zone())


def today() -> date:
    """Today's date in the configured zone."""
    return datetime.now(zone()).date()


def parse_date(value) -> date | None:
    """Parse dd/mm/yyyy or yyyy-mm-dd (or a spreadsheet date); ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)
