"""The cohort's notice (thông báo lớp): a plain-text message to paste into the messaging groups
communes use, and the same facts as a printable A4 notice in the official layout. Always in
Vietnamese: it is read by the commune, whatever language the trainer's screen is in."""

import io
from xml.sax.saxutils import escape

from flask_babel import force_locale
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lms.certificates.services import issuer_settings
from lms.cohorts.forms import MODE_LABELS
from lms.cohorts.models import Cohort, CohortSession
from lms.core import officialdoc
from lms.core.fonts import FONT, FONT_BOLD, register_fonts
from lms.core.text import format_date
from lms.core.timeutil import today

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def _vi(label) -> str:
    with force_locale("vi"):
        return str(label)


def session_day(session: CohortSession) -> str:
    """"Thứ Hai, 14/12/2026"."""
    return f"{WEEKDAYS[session.date.weekday()]}, {format_date(session.date)}"


def session_when(session: CohortSession) -> str:
    """"Thứ Hai, 14/12/2026, 08:00–11:30" (the times when set)."""
    when = session_day(session)
    if session.start_time:
        when += f", {session.start_time:%H:%M}"
        if session.end_time:
            when += f"–{session.end_time:%H:%M}"
    return when


def place(cohort: Cohort) -> str:
    """The venue, or the host unit when none is given; online cohorts say so."""
    if cohort.mode == "online" and not cohort.venue:
        return "Trực tuyến"
    return cohort.venue or cohort.host_unit.name


def facts(cohort: Cohort, login_url: str, join_url: str | None) -> list[tuple[str, str]]:
    """(label, value) lines of the notice, in reading order."""
    lines = [("Khóa học", cohort.course.title), ("Lớp", cohort.name),
             ("Đơn vị tổ chức", cohort.host_unit.name),
             ("Thời gian", f"từ {format_date(cohort.starts_on)} đến "
                           f"{format_date(cohort.ends_on)}"),
             ("Địa điểm", place(cohort)), ("Hình thức", _vi(MODE_LABELS[cohort.mode]))]
    trainers = ", ".join(t.full_name or t.username for t in cohort.trainers)
    if trainers:
        lines.append(("Giảng viên", trainers))
    lines.append(("Đăng nhập", login_url))
    if cohort.join_code and join_url:
        lines.append(("Mã tham gia lớp", f"{cohort.join_code} (mở {join_url} rồi nhập mã nhân "
                                         "sự và năm sinh)"))
    return lines


def notice_text(cohort: Cohort, login_url: str, join_url: str | None = None) -> str:
    """The message to copy: title, facts, the schedule one session a line, a closing request.

    :param login_url: the address where trainees sign in
    :param join_url: the address of the cohort's join page, when it has a join code
    """
    out = [f"THÔNG BÁO LỚP TẬP HUẤN: {cohort.course.title.upper()}"]
    out += [f"{label}: {value}" for label, value in facts(cohort, login_url, join_url)]
    if cohort.sessions:
        out.append("Lịch học:")
        out += [f"- Buổi {i}: {session_when(s)}{' – ' + s.topic if s.topic else ''}"
                for i, s in enumerate(cohort.sessions, 1)]
    else:
        out.append("Lịch học: sẽ thông báo sau.")
    out.append("Đề nghị các đồng chí có tên trong danh sách tham dự đầy đủ, đúng giờ.")
    return "\n".join(out)


def notice_pdf(cohort: Cohort, login_url: str, join_url: str | None = None) -> bytes:
    """The notice on A4 portrait in the official layout (Số: ……/TB-…, motto, date line,
    title, facts, the schedule as a table, recipients and the head of unit's signature)."""
    register_fonts()
    who = officialdoc.issuer(issuer_settings())
    base = ParagraphStyle("n", fontName=FONT, fontSize=11, leading=15)
    title = ParagraphStyle("nt", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18,
                           alignment=TA_CENTER, spaceBefore=8)
    sub = ParagraphStyle("ns", parent=base, fontName=FONT_BOLD, alignment=TA_CENTER,
                         spaceAfter=8)
    head = ParagraphStyle("nh", parent=base, fontName=FONT_BOLD, alignment=TA_CENTER)
    story = [officialdoc.header(who, "TB", today()), Spacer(1, 4 * mm),
             Paragraph("THÔNG BÁO", title),
             Paragraph(escape(f"Về việc tổ chức lớp tập huấn “{cohort.course.title}”"), sub)]
    for label, value in facts(cohort, login_url, join_url):
        story.append(Paragraph(f"<b>{escape(label)}:</b> {escape(value)}", base))
    story.append(Spacer(1, 3 * mm))
    if cohort.sessions:
        rows = [[Paragraph(h, head) for h in ("Buổi", "Thời gian", "Nội dung")]]
        rows += [[Paragraph(str(i), base), Paragraph(escape(session_when(s)), base),
                  Paragraph(escape(s.topic or ""), base)]
                 for i, s in enumerate(cohort.sessions, 1)]
        table = Table(rows, colWidths=[15 * mm, 70 * mm, 95 * mm], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story.append(table)
    else:
        story.append(Paragraph("Lịch học: sẽ thông báo sau.", base))
    story += [Spacer(1, 3 * mm),
              Paragraph("Đề nghị các đồng chí có tên trong danh sách tham dự đầy đủ, đúng giờ.",
                        base), Spacer(1, 8 * mm),
              officialdoc.footer(who, recipients=(f"{cohort.host_unit.name}", "Học viên",
                                                  "Lưu: VT"), prepared_by=False)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                      topMargin=15 * mm, bottomMargin=15 * mm, title=f"Thông báo – {cohort.name}",
                      author=who.agency).build(story)
    return out.getvalue()
