"""The official's home section: their unit's coverage at a glance, the units one level below
with the lowest coverage first, and the trend over the last four quarters (the report
services' own figures, not a second count)."""

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from lms.accounts.permissions import scope_unit
from lms.core.home import home_sections
from lms.core.timeutil import today
from lms.reports import charts, exports, services

LAGGING = 10
TREND_QUARTERS = 4


@dataclass
class Glance:
    """The coverage document of the unit, its lagging rows and the trend chart."""

    unit: object
    doc: dict
    lagging: list[dict]
    trend_svg: Markup


def trend_start(day: date, quarters: int = TREND_QUARTERS) -> date:
    """The first day of the quarter `quarters - 1` quarters before `day`'s."""
    index = day.year * 4 + (day.month - 1) // 3 - (quarters - 1)
    return date(index // 4, index % 4 * 3 + 1, 1)


def lagging(rows: list[dict], limit: int = LAGGING) -> list[dict]:
    """The rows short of their target, lowest coverage first (then the fewest trained), at
    most `limit`."""
    short = [r for r in rows if r["target"] and r["trained"] < r["target"]]
    return sorted(short, key=lambda r: (r["coverage"], r["trained"], r["code"]))[:limit]


def glance(user) -> Glance | None:
    """The home page's coverage figures for `user`'s unit (the country without a scope), or
    None before any unit is loaded."""
    unit = scope_unit(user) or services.root_unit()
    if unit is None:
        return None
    doc = services.coverage(unit)
    day = today()
    points = services.trend(unit, trend_start(day), day)
    # charts.py escapes every text it writes into the SVG
    svg = Markup(charts.trend_svg(charts.trend_chart(  # noqa: S704
        points, *exports.trend_texts(doc, points)), ident="home-trend"))
    return Glance(unit, doc, lagging(doc["rows"]), svg)


@home_sections.connect
def official_section(user):
    """The home page's section for officials (read-only viewers)."""
    if not user.has_role("viewer"):
        return None
    seen = glance(user)
    return ("reports/_home.html", seen) if seen else None
