"""The sign-in sheet (danh sách ký tên) of one session: A4 portrait, Be Vietnam Pro embedded,
the table header repeated on every page, page numbers at the foot."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from lms.certificates.services import issuer_settings
from lms.cohorts.notice import place, session_day
from lms.core.fonts import FONT, FONT_BOLD, FONT_ITALIC, register_fonts
from lms.core.officialdoc import BLANK, MOTTO, date_line
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
        "italic": ParagraphStyle("italic", parent=base, alignment=TA_CENTER,
                                 fontName=FONT_ITALIC),
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


def session_hours(session) -> str:
    """"08:00 – 11:30", or dots to fill in by hand when the session has no times."""
    start = f"{session.start_time:%H:%M}" if session.start_time else f"{BLANK}giờ{BLANK}"
    end = f"{session.end_time:%H:%M}" if session.end_time else f"{BLANK}giờ{BLANK}"
    return f"từ {start} đến {end}"


def _confirmation(session, st) -> Table:
    """The trainer's confirmation, right: date line, title, "(Ký, ghi rõ họ tên)", room to sign
    and the trainers' names."""
    names = ", ".join(t.full_name or t.username for t in session.cohort.trainers)
    block = [Paragraph(escape(date_line(issuer_settings()["place"], session.date)),
                       st["italic"]),
             Paragraph("XÁC NHẬN CỦA GIẢNG VIÊN", st["agency"]),
             Paragraph(escape(f"Tôi xác nhận danh sách trên đúng với số người dự buổi "
                              f"{format_date(session.date)}."), st["center"]),
             Paragraph("(Ký, ghi rõ họ tên)", st["italic"]), Spacer(1, 16 * mm),
             Paragraph(escape(names), st["agency"])]
    table = Table([["", block]], colWidths=[80 * mm, 100 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


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

    header = Table([[p(parent.upper(), "center"), p(MOTTO[0], "agency")],
                    [p(agency.upper(), "agency"), p(MOTTO[1], "agency")]],
                   colWidths=[80 * mm, 100 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    info = [("Lớp", cohort.name), ("Khóa học", cohort.course.title),
            ("Ngày", session_day(session)),
            ("Thời gian", session_hours(session)), ("Nội dung", session.topic),
            ("Địa điểm", place(cohort))]
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
    story.append(p(f"Tổng số: {len(members)} người. Có mặt: {BLANK} người. "
                   f"Vắng: {BLANK} người.", "base"))
    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([_confirmation(session, st)]))

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=18 * mm,
                            title=f"{cohort.name} – {format_date(session.date)}",
                            author=agency, subject="Danh sách ký tên")
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()
