"""Number, percentage and date formatting in the current locale (lms/core/text.py)."""

from datetime import date

import pytest
from flask_babel import force_locale

from lms.config import Config
from lms.core.text import (
    format_date,
    format_decimal,
    format_number,
    format_percent,
    xlsx_percent_format,
)


def _all(locale):
    with force_locale(locale):
        return (format_percent(0.019), format_number(8315), format_decimal(4),
                format_number(7.5, 1), format_percent(None), format_date(date(2025, 3, 9)))


def test_vietnamese_figures(app):
    """Vietnamese writes a decimal comma and a dot between thousands."""
    assert _all("vi") == ("1,9%", "8.315", "4,0", "7,5", "—", "09/03/2025")


def test_english_figures(app):
    """English writes them the English way."""
    assert _all("en") == ("1.9%", "8,315", "4.0", "7.5", "—", "09/03/2025")


@pytest.mark.parametrize("locale, shown", [("vi", "99,9%"), ("en", "99.9%")])
def test_below_target_never_shows_100(app, locale, shown):
    """99.95% (2,004 of 2,005, and the 4-decimal ratio 0.9995) is cut to 99.9%, not 100.0%."""
    with force_locale(locale):
        assert format_percent(2004 / 2005) == shown
        assert format_percent(0.9995) == shown
        assert format_percent(0.99999, 0) == "99%"
        assert format_percent(1) == "100" + shown[2] + "0%"


def test_other_values_round_half_up(app):
    """Away from 100% a percentage rounds half up at the shown precision."""
    with force_locale("vi"):
        assert format_percent(0.99949) == "99,9%"
        assert format_percent(0.12345, 2) == "12,35%"
        assert format_percent(2 / 3) == "66,7%"
        assert format_percent(1.25) == "125,0%"


def test_decimals_are_a_setting(app):
    """LMS_PERCENT_DECIMALS sets the decimals of pages and of the XLSX format."""
    app.config["PERCENT_DECIMALS"] = 2
    try:
        with force_locale("vi"):
            assert format_percent(0.01234) == "1,23%"
            assert format_percent(0.99996) == "99,99%"
        assert xlsx_percent_format() == "0.00%"
        app.config["PERCENT_DECIMALS"] = 0
        assert xlsx_percent_format() == "0%"
    finally:
        app.config["PERCENT_DECIMALS"] = 1


def test_percent_decimals_from_the_environment(monkeypatch, tmp_path):
    """LMS_PERCENT_DECIMALS is read as 0, 1 or 2; anything else is refused by name."""
    monkeypatch.setenv("LMS_PERCENT_DECIMALS", "2")
    assert Config.from_env(str(tmp_path))["PERCENT_DECIMALS"] == 2
    monkeypatch.setenv("LMS_PERCENT_DECIMALS", "một")
    with pytest.raises(ValueError, match="LMS_PERCENT_DECIMALS must be 0, 1 or 2"):
        Config.from_env(str(tmp_path))


def test_scores_never_round_up_to_the_pass_mark(app):
    """A test score below the pass mark (or below 100) is cut, not rounded up to it."""
    from lms.core.text import format_score

    with force_locale("vi"):
        assert format_score(69.96, 70) == "69,9%"
        assert format_score(69.96) == "70,0%"
        assert format_score(70, 70) == "70,0%"
        assert format_score(99.96, 70) == "99,9%"
        assert format_score(None) == "—"
    with force_locale("en"):
        assert format_score(82.35, 70) == "82.4%"


def test_signed_decimals(app):
    """Gains are written with their sign in the locale's form."""
    with force_locale("vi"):
        assert (format_decimal(4.26, 1, signed=True), format_decimal(-3, 1, signed=True)) == (
            "+4,3", "-3,0")
