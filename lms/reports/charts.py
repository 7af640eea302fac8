"""Charts for the coverage report: geometry computed once, drawn as accessible inline SVG for
the page (role="img", <title>, <desc>; no JavaScript) and with reportlab graphics for the PDF.
"""

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from lms.core.text import format_percent

BAR_WIDTH = 640        # drawing width in user units
LABEL_WIDTH = 220      # left margin for the unit names
ROW_HEIGHT = 18
TOP = 8
BOTTOM = 28
OK, LOW, NONE = "#2e7d32", "#c62828", "#9e9e9e"
LINE, INK = "#37474f", "#212121"


@dataclass
class Bar:
    """One horizontal bar: a label, the ratio (None: no target) and its box."""

    label: str
    ratio: float | None
    y: float
    width: float
    colour: str


@dataclass
class BarChart:
    """Coverage by unit: horizontal bars against a 100% line."""

    title: str
    desc: str
    width: float
    height: float
    x0: float
    span: float
    bars: list[Bar] = field(default_factory=list)


def _colour(value: float | None) -> str:
    if value is None:
        return NONE
    return OK if value >= 1 else LOW if value < 0.5 else "#ef6c00"


def coverage_chart(rows: list[dict], title: str, desc: str) -> BarChart:
    """Lay out one bar per row (`name`, `coverage`), in the given order."""
    span = BAR_WIDTH - LABEL_WIDTH - 50
    chart = BarChart(title, desc, BAR_WIDTH, TOP + ROW_HEIGHT * len(rows) + BOTTOM,
                     LABEL_WIDTH, span)
    for i, row in enumerate(rows):
        value = row.get("coverage")
        chart.bars.append(Bar(row["name"], value, TOP + i * ROW_HEIGHT,
                              span * min(value or 0, 1), _colour(value)))
    return chart


@dataclass
class TrendChart:
    """Coverage at the end of each quarter, as a line with points."""

    title: str
    desc: str
    width: float
    height: float
    points: list[tuple[float, float, str, float | None]]   # x, y, label, ratio
    x0: float
    y0: float
    y100: float


def trend_chart(points: list[dict], title: str, desc: str) -> TrendChart:
    """Lay out the quarterly points (`quarter`, `coverage`) left to right."""
    width, height, left, right, top, bottom = BAR_WIDTH, 220.0, 50.0, 20.0, 16.0, 36.0
    step = (width - left - right) / max(len(points), 1)
    y0, y100 = height - bottom, top
    placed = []
    for i, point in enumerate(points):
        value = point.get("coverage")
        y = y0 - (y0 - y100) * min(value or 0, 1)
        placed.append((left + step * (i + 0.5), y, point["quarter"], value))
    return TrendChart(title, desc, width, height, placed, left, y0, y100)


def _svg_open(chart, ident: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {chart.width:.0f} {chart.height:.0f}" '
            f'aria-labelledby="{ident}-t {ident}-d">',
            f'<title id="{ident}-t">{escape(chart.title)}</title>',
            f'<desc id="{ident}-d">{escape(chart.desc)}</desc>']


def coverage_svg(chart: BarChart, ident: str = "cov") -> str:
    """The bar chart as an inline SVG string (every text XML-escaped)."""
    parts = _svg_open(chart, ident)
    for bar in chart.bars:
        mid = bar.y + ROW_HEIGHT / 2 + 4
        label = bar.label if len(bar.label) <= 34 else bar.label[:33] + "…"
        parts.append(f'<text x="{chart.x0 - 6:.0f}" y="{mid:.1f}" text-anchor="end" '
                     f'font-size="11" fill="{INK}">{escape(label)}</text>')
        parts.append(f'<rect x="{chart.x0:.0f}" y="{bar.y + 3:.1f}" width="{bar.width:.1f}" '
                     f'height="{ROW_HEIGHT - 6}" fill="{bar.colour}"/>')
        parts.append(f'<text x="{chart.x0 + bar.width + 4:.1f}" y="{mid:.1f}" font-size="10" '
                     f'fill="{INK}">{escape(format_percent(bar.ratio))}</text>')
    x100 = chart.x0 + chart.span
    bottom = chart.height - 20
    parts.append(f'<line x1="{x100:.0f}" y1="{TOP}" x2="{x100:.0f}" y2="{bottom:.0f}" '
                 f'stroke="{LINE}" stroke-dasharray="4 3"/>')
    parts.append(f'<line x1="{chart.x0:.0f}" y1="{TOP}" x2="{chart.x0:.0f}" y2="{bottom:.0f}" '
                 f'stroke="{LINE}"/>')
    for label, x in (("0%", chart.x0), ("50%", chart.x0 + chart.span / 2), ("100%", x100)):
        parts.append(f'<text x="{x:.0f}" y="{chart.height - 6:.0f}" text-anchor="middle" '
                     f'font-size="10" fill="{INK}">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def trend_svg(chart: TrendChart, ident: str = "trend") -> str:
    """The quarterly trend as an inline SVG string."""
    parts = _svg_open(chart, ident)
    right = chart.width - 20
    for frac, label in ((0, "0%"), (0.5, "50%"), (1, "100%")):
        y = chart.y0 - (chart.y0 - chart.y100) * frac
        dash = ' stroke-dasharray="4 3"' if frac == 1 else ""
        parts.append(f'<line x1="{chart.x0:.0f}" y1="{y:.1f}" x2="{right:.0f}" y2="{y:.1f}" '
                     f'stroke="{LINE}"{dash}/>')
        parts.append(f'<text x="{chart.x0 - 6:.0f}" y="{y + 4:.1f}" text-anchor="end" '
                     f'font-size="10" fill="{INK}">{label}</text>')
    if chart.points:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _label, _v in chart.points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{OK}" stroke-width="2"/>')
    for x, y, label, value in chart.points:
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{OK}">'
                     f'<title>{escape(label)}: {escape(format_percent(value))}</title></circle>')
        parts.append(f'<text x="{x:.1f}" y="{chart.height - 18:.0f}" text-anchor="middle" '
                     f'font-size="10" fill="{INK}">{escape(label)}</text>')
        parts.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="10" '
                     f'fill="{INK}">{escape(format_percent(value))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)

