"""Vietnamese text helpers: NFC normalisation, diacritic folding for search, display filters."""

import re
import unicodedata
from datetime import date, datetime

from lms.core.timeutil import to_local

_SPACES = re.compile(r"\s+")


def clean(value: str | None) -> str:
    """NFC-normalise, trim and collapse inner white space."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def fold(value: str | None) -> str:
    """Lower-case ASCII form for search: "Nguyễn Thị Hường" → "nguyen thi huong"."""
    text = clean(value).lower().replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slug_key(value: str | None) -> str:
    """Header key: folded, with spaces and dashes as underscores ("Mã nhân sự" → "ma_nhan_su")."""
    return re.sub(r"[\s\-]+", "_", fold(value))


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy, the Vietnamese convention; empty for None."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in the configured time zone."""
    if value is None:
        return ""
    return to_local(value).strftime("%d/%m/%Y %H:%M")


def format_percent(value: float | None, digits: int = 1) -> str:
    """A ratio as a percentage ("—" for None)."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def init_app(app) -> None:
    """Register the Jinja filters."""
    app.jinja_env.filters["vdate"] = format_date
    app.jinja_env.filters["vdatetime"] = format_datetime
    app.jinja_env.filters["percent"] = format_percent
