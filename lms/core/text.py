"""Vietnamese text helpers: NFC normalisation, diacritic folding for search, and the one place
where numbers, percentages and dates are formatted for people (pages, PDFs), in the current
locale through Flask-Babel (within the app): "8.315", "1,9%", "4,0" in Vietnamese, "8,315",
"1.9%", "4.0" in English. CSV stays a machine format (dot decimals, no grouping) and does not
come here."""

import re
import unicodedata
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache

import flask_babel
from babel.numbers import NumberPattern, parse_pattern
from flask import current_app, has_app_context

from lms.core.timeutil import to_local

_SPACES = re.compile(r"\s+")


def clean(value: str | None) -> str:
    """NFC-normalise, trim and collapse inner white space."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def unmark(text: str) -> str:
    """Vietnamese letters without their marks, case kept: "Đặng Thị Hà" → "Dang Thi Ha"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(value: str | None) -> str:
    """Lower-case ASCII form for search: "Nguyễn Thị Hường" → "nguyen thi huong"."""
    return unmark(clean(value).lower())


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


DEFAULT_PERCENT_DECIMALS = 1


def percent_decimals() -> int:
    """How many decimals percentages show (LMS_PERCENT_DECIMALS, default 1)."""
    if not has_app_context():
        return DEFAULT_PERCENT_DECIMALS
    return current_app.config.get("PERCENT_DECIMALS", DEFAULT_PERCENT_DECIMALS)


def _pattern(digits: int, optional: bool = False) -> str:
    return "#,##0" + ("." + ("#" if optional else "0") * digits if digits else "")


@lru_cache(maxsize=64)
def _parsed(pattern: str) -> NumberPattern:
    """Babel's parsed form of a number pattern, made once per process (a province's report
    page formats some 1,300 figures; parsing was a third of each)."""
    return parse_pattern(pattern)


def _apply(value, pattern: str) -> str:
    """`value` in `pattern` for the request's locale, as flask_babel.format_decimal and
    format_percent do (their own call, when no locale is known)."""
    locale = flask_babel.get_locale()
    if locale is None:
        return flask_babel.format_decimal(value, pattern)
    return _parsed(pattern).apply(value, locale)


def format_number(value: float | int | None, digits: int = 0) -> str:
    """A number with the locale's grouping, at most `digits` decimals, trailing zeros dropped
    ("8.315", "7,5"; English "8,315", "7.5"); "—" for None."""
    if value is None:
        return "—"
    return _apply(value, _pattern(digits, optional=True))


def format_decimal(value: float | int | None, digits: int = 1, signed: bool = False) -> str:
    """A number with exactly `digits` decimals in the locale's form ("4,0"; signed: "+4,0");
    "—" for None."""
    if value is None:
        return "—"
    pattern = _pattern(digits)
    if signed:
        pattern = f"+{pattern};-{pattern}"
    return _apply(value, pattern)


def shown_percent(value: float, digits: int, marks=(1,)) -> Decimal:
    """The percentage shown for ratio `value` at `digits` decimals: rounded half up, except
    that it never reaches a mark (the 100% target; a test's pass mark) that the value is below:
    then it is cut at the shown precision (2,004/2,005 = 99.95% shows 99.9%, not 100.0%; a
    score of 69.96% with a pass mark of 70% shows 69.9%). A value at or above a mark is never
    shown below it, and one above 0 is shown as it rounds (0,0% means "under 0.05%")."""
    exact = Decimal(str(value)) * 100
    step = Decimal(1).scaleb(-digits)
    shown = exact.quantize(step, rounding=ROUND_HALF_UP)
    if any(exact < Decimal(str(mark)) * 100 <= shown for mark in marks):
        shown = exact.quantize(step, rounding=ROUND_DOWN)
    return shown


def format_percent(value: float | None, digits: int | None = None, marks=(1,)) -> str:
    """A ratio as a percentage in the locale's form ("1,9%"; "—" for None), with
    LMS_PERCENT_DECIMALS decimals unless `digits` is given; never rounded up to a mark."""
    if value is None:
        return "—"
    digits = percent_decimals() if digits is None else digits
    return _apply(shown_percent(value, digits, marks) / 100, _pattern(digits) + "%")


def format_score(score: float | None, pass_mark: float | None = None) -> str:
    """A test score (a percent, 0–100) as a percentage ("75,0%"), never rounded up to 100% or,
    when below it, to the pass mark (a percent too)."""
    if score is None:
        return "—"
    marks = (1,) if pass_mark is None else (1, Decimal(str(pass_mark)) / 100)
    return format_percent(Decimal(str(score)) / 100, marks=marks)


def xlsx_percent_format() -> str:
    """The XLSX number format for ratios with the configured decimals ("0.0%"): Excel shows
    it in the reader's own locale."""
    digits = percent_decimals()
    return "0" + ("." + "0" * digits if digits else "") + "%"


def init_app(app) -> None:
    """Register the Jinja filters."""
    app.jinja_env.filters["vdate"] = format_date
    app.jinja_env.filters["vdatetime"] = format_datetime
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["decimal"] = format_decimal
    app.jinja_env.filters["score"] = format_score
