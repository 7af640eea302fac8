"""The coverage report as a PDF (reportlab platypus, A4 portrait): official header, period,
definitions, totals, the table, the breakdowns, the charts and "Trang x/y" page numbers, in Be
Vietnam Pro."""

import io
from datetime import date
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lms.certificates.services import issuer_settings
from lms.core import officialdoc
from lms.core.fonts import FONT, FONT_BOLD, register_fonts
from lms.core.text import format_date, format_number, format_percent
from lms.core.timeutil import today
from lms.reports import charts
from lms.reports.sheets import Sheet

BARS_PER_DRAWING = 40


class _NumberedCanvas(canvas.Canvas):
    """Defers page output so every page can say "Trang x/y"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.drawCentredString(A4[0] / 2, 10 * mm,
                                   _("Trang %(x)s/%(y)s", x=self._pageNumber, y=total))
            super().showPage()
        super().save()


def _bar_drawings(chart: charts.BarChart, scale: float) -> list[Drawing]:
    """The bar chart split into drawings of at most BARS_PER_DRAWING bars each."""
    drawings = []
    for start in range(0, len(chart.bars), BARS_PER_DRAWING):
        bars = chart.bars[start:start + BARS_PER_DRAWING]
        height = charts.TOP + charts.ROW_HEIGHT * len(bars) + charts.BOTTOM
        d = Drawing(chart.width * scale, height * scale)
        flip = lambda y, h=height: (h - y) * scale  # noqa: E731 - SVG y grows downwards
        for i, bar in enumerate(bars):
            y = charts.TOP + i * charts.ROW_HEIGHT
            label = bar.label if len(bar.label) <= 34 else bar.label[:33] + "…"
            d.add(String((chart.x0 - 6) * scale, flip(y + charts.ROW_HEIGHT / 2 + 4), label,
                         fontName=FONT, fontSize=11 * scale, textAnchor="end"))
            d.add(Rect(chart.x0 * scale, flip(y + charts.ROW_HEIGHT - 3), bar.width * scale,
                       (charts.ROW_HEIGHT - 6) * scale, fillColor=colors.HexColor(bar.colour),
                       strokeColor=None))
            d.add(String((chart.x0 + bar.width + 4) * scale, flip(y + charts.ROW_HEIGHT / 2 + 4),
                         format_percent(bar.ratio), fontName=FONT, fontSize=10 * scale))
        bottom = height - 20
        x100 = chart.x0 + chart.span
        d.add(Line(x100 * scale, flip(charts.TOP), x100 * scale, flip(bottom),
                   strokeColor=colors.HexColor(charts.LINE), strokeDashArray=[4, 3]))
        d.add(Line(chart.x0 * scale, flip(charts.TOP), chart.x0 * scale, flip(bottom),
                   strokeColor=colors.HexColor(charts.LINE)))
        # the dashed line is the target: its label says so
        for label, x in (("0%", chart.x0), ("50%", chart.x0 + chart.span / 2),
                         (_("Mục tiêu 100%"), x100)):
            d.add(String(x * scale, flip(height - 6), label, fontName=FONT,
                         fontSize=10 * scale, textAnchor="middle"))
        drawings.append(d)
    return drawings


def _trend_drawing(chart: charts.TrendChart, scale: float) -> Drawing:
    """The quarterly trend drawn with reportlab graphics."""
    d = Drawing(chart.width * scale, chart.height * scale)
    flip = lambda y: (chart.height - y) * scale  # noqa: E731
    for frac, label in ((0, "0%"), (0.5, "50%"), (1, "100%")):
        y = chart.y0 - (chart.y0 - chart.y100) * frac
        d.add(Line(chart.x0 * scale, flip(y), (chart.width - 20) * scale, flip(y),
                   strokeColor=colors.HexColor(charts.LINE)))
        d.add(String((chart.x0 - 6) * scale, flip(y + 4), label, fontName=FONT,
                     fontSize=10 * scale, textAnchor="end"))
    previous = None
    for x, y, label, value in chart.points:
        if previous:
            d.add(Line(previous[0] * scale, flip(previous[1]), x * scale, flip(y),
                       strokeColor=colors.HexColor(charts.OK), strokeWidth=2))
        previous = (x, y)
        d.add(Rect((x - 3) * scale, flip(y + 3), 6 * scale, 6 * scale,
                   fillColor=colors.HexColor(charts.OK), strokeColor=None))
        d.add(String(x * scale, flip(chart.height - 18), label, fontName=FONT,
                     fontSize=10 * scale, textAnchor="middle"))
        d.add(String(x * scale, flip(y - 8), format_percent(value), fontName=FONT,
                     fontSize=10 * scale, textAnchor="middle"))
    return d


def _cell_text(sheet: Sheet, i: int, value) -> str:
    """A table cell as printed: ratios and counts in the locale's form."""
    if i in sheet.percent_columns:
        return format_percent(value)
    if value is None:
        return ""
    return format_number(value) if i in sheet.number_columns else str(value)


def coverage_pdf(doc: dict, sheet: Sheet, breakdowns: list[Sheet],
                 definitions: list[tuple[str, str]], bar_chart: charts.BarChart | None,
                 trend_chart: charts.TrendChart | None, title: str) -> bytes:
    """Render the report; returns the PDF bytes.

    :param doc: the coverage document (unit, period, totals)
    :param sheet: the table to print (unit rows or a commune's people)
    :param breakdowns: the breakdown tables (position, gender, ethnicity), each with its title
    :param definitions: (term, explanation) pairs
    :param bar_chart: coverage by unit, if any rows
    :param trend_chart: the quarterly trend, if any
    :param title: the report's title
    """
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=12.5)
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11)
    centre = ParagraphStyle("centre", parent=base, alignment=TA_CENTER)
    centre_bold = ParagraphStyle("centreb", parent=centre, fontName=FONT_BOLD)
    heading = ParagraphStyle("h", parent=centre_bold, fontSize=14, leading=18, spaceBefore=6,
                             spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=11, spaceBefore=8,
                        spaceAfter=4)
    cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5)
    cell_head = ParagraphStyle("cellh", parent=cell, fontName=FONT_BOLD, fontSize=7.5, leading=9)

    def p(text, style=base):
        return Paragraph(escape(str(text)), style)

    who = officialdoc.issuer(issuer_settings())
    period = doc["period"]
    mode = _("lũy kế") if period["mode"] == "cumulative" else _("trong kỳ")
    if period.get("rule") == "path":
        mode = _("%(m)s, đã tập huấn = hoàn thành cả lộ trình của chức danh", m=mode)
    story = [officialdoc.header(who, "BC", today()), Spacer(1, 6 * mm), p(title.upper(), heading),
             p(_("%(u)s — từ %(a)s đến %(b)s (%(m)s)", u=doc["unit"]["name"],
                 a=format_date(date.fromisoformat(period["from"])),
                 b=format_date(date.fromisoformat(period["to"])), m=mode), centre),
             Spacer(1, 4 * mm)]
    t = doc["totals"]
    story.append(p(_("Tổng hợp"), h2))
    n = {k: format_number(v) for k, v in t.items() if k != "coverage"}
    summary = [
        [_("Mục tiêu"), n["target"], _("Đã tập huấn"), n["trained"]],
        [_("Độ bao phủ"), format_percent(t["coverage"]), _("Lượt / số người"),
         f'{n["person_times"]} / {n["people"]}'],
        [_("Số xã"), n["units_total"], _("Xã có người tập huấn / đạt 100%"),
         f'{n["units_reached"]} / {n["units_at_target"]}'],
    ]
    summary_table = Table([[p(v, cell) for v in row] for row in summary],
                          colWidths=[35 * mm, 45 * mm, 55 * mm, 40 * mm])
    summary_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey)]))
    story.append(summary_table)

    total_width = 180 * mm
    for heading_text, table_sheet in ((_("Số liệu chi tiết"), sheet),
                                      *((b.title, b) for b in breakdowns)):
        story.append(p(heading_text, h2))
        data = [[p(h, cell_head) for h in table_sheet.headers]]
        data += [[p(_cell_text(table_sheet, i, v), cell) for i, v in enumerate(row)]
                 for row in table_sheet.rows]
        weights = sum(table_sheet.widths)
        table = Table(data, colWidths=[total_width * w / weights for w in table_sheet.widths],
                      repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eceff1")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]))
        story.append(table)

    scale = (180 * mm) / charts.BAR_WIDTH
    if bar_chart is not None and bar_chart.bars:
        story.append(p(bar_chart.title, h2))
        story.extend(_bar_drawings(bar_chart, scale))
    if trend_chart is not None and trend_chart.points:
        story.append(KeepTogether([p(trend_chart.title, h2),
                                   _trend_drawing(trend_chart, scale)]))

    story.append(p(_("Định nghĩa"), h2))
    for term, text in definitions:
        story.append(p(f"{term}: {text}", small))
    story += [Spacer(1, 8 * mm), KeepTogether([officialdoc.footer(who)])]

    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                      topMargin=15 * mm, bottomMargin=18 * mm, title=title,
                      author=who.agency).build(story, canvasmaker=_NumberedCanvas)
    return out.getvalue()
