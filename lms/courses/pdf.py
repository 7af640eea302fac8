"""Large-type A5 handouts (reportlab), one per lesson, for village meetings without screens.

A handout carries the lesson's key points (its "Ghi nhớ" / "Điểm chính" section, else its first
list), its "Nên làm" list when it has one, and the referral numbers, in the embedded Vietnamese
font at 14 pt. The text comes from the lesson's Markdown, so the PDF matches the lesson page.
"""

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from markdown_it import MarkdownIt
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, ListFlowable, Paragraph, SimpleDocTemplate, Spacer

from lms.core.fonts import FONT, FONT_BOLD, register_fonts

KEY_HEADINGS = ("ghi nhớ", "điểm chính")
DO_HEADINGS = ("nên làm",)
MAX_ITEMS = 8
BODY_SIZE = 14


@dataclass(frozen=True)
class HandoutLabels:
    """The fixed texts of a handout, translated by the caller."""

    key_points: str
    to_do: str
    referral: str
    referral_lines: tuple[str, ...]
    footer: str


def default_labels() -> HandoutLabels:
    """The labels in the current locale (needs an app or request context for Flask-Babel)."""
    return HandoutLabels(
        key_points=_("Ghi nhớ"), to_do=_("Nên làm"), referral=_("Khi cần giúp đỡ, báo tin"),
        referral_lines=(
            _("Tổng đài 111: miễn phí, 24/7 (bảo vệ trẻ em; phòng, chống mua bán người)"),
            _("Công an, UBND cấp xã, Bộ đội Biên phòng, Cảnh sát biển nơi gần nhất"),
            _("Số của xã: ................................"),
        ),
        footer=_("Tập Huấn · tờ in của bài học"))


def _inline_text(token) -> str:
    """The plain text of an inline token (emphasis and code marks dropped)."""
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _sections(body_md: str) -> tuple[dict[str, list[str]], list[str]]:
    """{h2 heading (lower case): its list items} and the items of the body's first list."""
    tokens = MarkdownIt("commonmark", {"html": False}).enable("table").parse(body_md)
    sections: dict[str, list[str]] = {}
    first_list: list[str] = []
    current, depth, first_state = None, 0, "before"
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            current = _inline_text(tokens[i + 1]).lower()
            sections.setdefault(current, [])
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            first_state = "inside" if first_state == "before" else first_state
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            first_state = "after" if first_state == "inside" and not depth else first_state
        elif token.type == "inline" and depth and tokens[i - 1].type == "paragraph_open":
            text = _inline_text(token)
            if current is not None:
                sections[current].append(text)
            if first_state == "inside":
                first_list.append(text)
    return sections, first_list


def key_points(body_md: str) -> tuple[list[str], list[str]]:
    """(key points, things to do) of a lesson, at most MAX_ITEMS each."""
    sections, first_list = _sections(body_md)
    points = next((sections[h] for h in KEY_HEADINGS if sections.get(h)), first_list)
    to_do = next((sections[h] for h in DO_HEADINGS if sections.get(h)), [])
    return points[:MAX_ITEMS], to_do[:MAX_ITEMS]


def lesson_handout(course_title: str, lesson_title: str, body_md: str,
                   labels: HandoutLabels) -> bytes:
    """The A5 handout of one lesson as PDF bytes."""
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.3)
    small = ParagraphStyle("small", parent=body, fontSize=11, leading=14)
    title = ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=19, leading=24,
                           spaceAfter=4 * mm)
    heading = ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=16,
                             leading=20, spaceBefore=3 * mm, spaceAfter=2 * mm)

    def bullets(items):
        return ListFlowable([Paragraph(escape(item), body) for item in items],
                            bulletType="bullet", start="•", leftIndent=6 * mm,
                            bulletFontName=FONT, bulletFontSize=BODY_SIZE)

    points, to_do = key_points(body_md)
    story = [Paragraph(escape(course_title), small), Spacer(0, 2 * mm),
             Paragraph(escape(lesson_title), title)]
    if points:
        story += [Paragraph(escape(labels.key_points), heading), bullets(points)]
    if to_do:
        story += [Paragraph(escape(labels.to_do), heading), bullets(to_do)]
    story.append(KeepTogether([Paragraph(escape(labels.referral), heading),
                               bullets(labels.referral_lines)]))

    def footer(canvas, doc):
        canvas.setFont(FONT, 9)
        canvas.drawString(12 * mm, 8 * mm, f"{labels.footer} · {doc.page}")

    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A5, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=16 * mm, title=lesson_title,
                            author=course_title)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
