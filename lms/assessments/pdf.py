"""Printable paper tests (reportlab): questions without answers, an answer grid to mark
(one row per question, a box per option letter) carrying the paper's code, then the answer key
on separate pages. Vietnamese text uses the embedded Be Vietnam Pro TrueType font."""

from io import BytesIO

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from lms.assessments.services import answer_keys
from lms.core.fonts import FONT, FONT_BOLD, register_fonts

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MARGIN = 18 * mm


class _Writer:
    """Flowing text on A4 pages with a running page break."""

    def __init__(self, canvas: Canvas, footer: str):
        self.c = canvas
        self.width, self.height = A4
        self.footer = footer
        self.page = 1
        self.y = self.height - MARGIN

    def _footer(self) -> None:
        self.c.setFont(FONT, 8)
        self.c.drawString(MARGIN, 10 * mm, f"{self.footer} · {self.page}")

    def new_page(self) -> None:
        """Finish the current page and start another."""
        self._footer()
        self.c.showPage()
        self.page += 1
        self.y = self.height - MARGIN

    def text(self, value: str, size: float = 10.5, bold: bool = False, indent: float = 0,
             gap: float = 2, keep: float = 0) -> None:
        """Write a wrapped paragraph, breaking the page when it would not fit."""
        font = FONT_BOLD if bold else FONT
        lines = simpleSplit(value, font, size, self.width - 2 * MARGIN - indent) or [""]
        leading = size * 1.35
        if self.y - leading * len(lines) - keep < MARGIN + 8 * mm:
            self.new_page()
        self.c.setFont(font, size)
        for line in lines:
            self.c.drawString(MARGIN + indent, self.y - size, line)
            self.y -= leading
        self.y -= gap

    def grid_row(self, number: int, letters: str) -> None:
        """One row of the answer grid: the question number and a box per option letter."""
        size, box = 10.5, 5 * mm
        if self.y - box - 2 < MARGIN + 8 * mm:
            self.new_page()
        self.c.setFont(FONT_BOLD, size)
        self.c.drawRightString(MARGIN + 10 * mm, self.y - box + 1.2 * mm, f"{number}.")
        for index, letter in enumerate(letters):
            x = MARGIN + 14 * mm + index * 12 * mm
            self.c.rect(x, self.y - box, box, box)
            self.c.setFont(FONT, size)
            self.c.drawString(x + box + 1.2 * mm, self.y - box + 1.2 * mm, letter)
        self.y -= box + 2.5 * mm

    def finish(self) -> None:
        """Close the last page."""
        self._footer()
        self.c.showPage()


def paper_labels(kind: str, title: str) -> dict:
    """The translated texts printed on a paper test of `kind` (`pretest` or `final`)."""
    heading = _("Bài kiểm tra đầu vào") if kind == "pretest" else _("Bài kiểm tra cuối khóa")
    return {"heading": heading.upper(),
            "name_line": _("Họ và tên: ........................................   "
                           "Mã nhân sự: ....................   Điểm: ........"),
            "key_heading": _("ĐÁP ÁN"), "multiple_hint": _("chọn tất cả đáp án đúng"),
            "grid_heading": _("PHIẾU TRẢ LỜI"),
            "grid_hint": _("Đánh dấu X vào ô của phương án bạn chọn (câu nhiều đáp án: đánh "
                           "dấu mọi ô đúng)."),
            "code": _("Mã đề: %(c)s", c="{code}"), "footer": title}


def paper_test_pdf(title: str, paper: list, labels: dict, code: int | None = None) -> bytes:
    """The PDF of a paper test: header lines, numbered questions with lettered options, the
    answer grid (with the paper's code, so per-item answers can be entered), then the answer
    key starting on a new page.

    :param title: the course title
    :param paper: `(question, options)` pairs from `services.paper_test`
    :param labels: translated texts from `paper_labels`
    :param code: the paper form's id, printed on every part of the paper
    """
    register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{labels['heading']} — {title}")
    out = _Writer(canvas, labels["footer"])
    out.text(labels["heading"], size=15, bold=True)
    out.text(title, size=12, bold=True, gap=6)
    code_line = labels["code"].replace("{code}", str(code)) if code is not None else ""
    if code_line:
        out.text(code_line, bold=True, gap=4)
    out.text(labels["name_line"], gap=10)
    key_lines = []
    for number, (question, options) in enumerate(paper, start=1):
        hint = f" ({labels['multiple_hint']})" if question.type == "multiple" else ""
        out.text(f"{number}. {question.text}{hint}", bold=True, keep=14 * len(options))
        letters = {}
        for index, option in enumerate(options):
            letters[option["key"]] = LETTERS[index]
            out.text(f"{LETTERS[index]}. {option['text']}", indent=6 * mm, gap=1)
        out.y -= 6
        right = _answer_letters(question, letters)
        key_lines.append(f"{number}. {right}")
    out.new_page()
    out.text(labels["grid_heading"] + (f" — {code_line}" if code_line else ""), size=14,
             bold=True)
    out.text(labels["name_line"], gap=4)
    out.text(labels["grid_hint"], size=9.5, gap=8)
    for number, (_question, options) in enumerate(paper, start=1):
        out.grid_row(number, LETTERS[:len(options)])
    out.new_page()
    out.text(labels["key_heading"] + (f" — {code_line}" if code_line else ""), size=14,
             bold=True)
    out.text(title, size=11, gap=8)
    for line in key_lines:
        out.text(line, gap=1)
    out.finish()
    canvas.save()
    return buffer.getvalue()


def _answer_letters(question, letters: dict) -> str:
    keys = answer_keys(question)
    return ", ".join(sorted(letters[k] for k in keys if k in letters))
