"""The sign-in sheet (danh sách ký tên) of one session: A4 portrait, Be Vietnam Pro embedded,
the table header repeated on every page, page numbers at the foot."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lms.certificates.services import issuer_settings
from lms.core.fonts import FONT, FONT_BOLD, register_fonts
from lms.core.text import format_date
from lms.units.positions import position_label


def agency_names() -> tuple[str, str]:
    """(parent agency, issuing agency) from the admin's issuer settings."""
    issuer = issuer_settings()
    return issuer["parent_agency"], issuer["agency"]


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=13)
    return {
        "base": base,
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "agency": ParagraphStyle("agency", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD),
        "title": ParagraphStyle("title", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD,
                                fontSize=14, leading=18, spaceBefore=6, spaceAfter=6),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=9.5,
                               leading=12, alignment=TA_CENTER),
    }


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8.5)
    canvas.drawRightString(A4[0] - doc.rightMargin, 10 * mm, f"Trang {doc.page}")
    canvas.drawString(doc.leftMargin, 10 * mm, doc.title or "")
    canvas.restoreState()


def signin_sheet(session, members) -> bytes:
    """A4 portrait PDF of one session's sign-in sheet.

    :param session: the CohortSession
    :param members: the Person rows to list, in order
    """
    register_fonts()
    cohort = session.cohort
    st = _styles()
    parent, agency = agency_names()
    p = lambda text, style="base": Paragraph(escape(str(text)), st[style])  # noqa: E731

    header = Table([[p(parent.upper(), "center"),
                     p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "agency")],
                    [p(agency.upper(), "agency"), p("Độc lập – Tự do – Hạnh phúc", "agency")]],
                   colWidths=[80 * mm, 100 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    when = format_date(session.date)
    if session.start_time:
        when += f", {session.start_time:%H:%M}"
        if session.end_time:
            when += f"–{session.end_time:%H:%M}"
    info = [("Lớp", cohort.name), ("Khóa học", cohort.course.title), ("Buổi", when),
            ("Nội dung", session.topic), ("Địa điểm", cohort.venue or cohort.host_unit.name)]
    story = [header, Spacer(1, 6 * mm), p("DANH SÁCH KÝ TÊN THAM DỰ", "title")]
    for label, value in info:
        if value:
            story.append(Paragraph(f"<b>{escape(label)}:</b> {escape(str(value))}", st["base"]))
    story.append(Spacer(1, 4 * mm))

    rows = [[p(h, "head") for h in ("STT", "Họ và tên", "Chức danh", "Đơn vị", "Ký tên")]]
    for number, person in enumerate(members, 1):
        rows.append([p(number, "cell"), p(person.full_name, "cell"),
                     p(position_label(person.position), "cell"),
                     p(person.commune.name, "cell"), ""])
    table = Table(rows, colWidths=[13 * mm, 52 * mm, 40 * mm, 40 * mm, 35 * mm],
                  rowHeights=[None] + [11 * mm] * len(members), repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf1")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 1), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 4),
    ]))
    story.append(table)
    story.append(Spacer(1, 6 * mm))
    story.append(p(f"Tổng số: {len(members)} người.", "base"))

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=18 * mm,
                            title=f"{cohort.name} – {format_date(session.date)}",
                            author=agency, subject="Danh sách ký tên")
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()
