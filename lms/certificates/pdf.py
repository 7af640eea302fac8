"""Certificate PDFs (reportlab lives only here): A4 landscape, Vietnamese administrative layout.

The font is Be Vietnam Pro from the `fontpkg_be_vietnam_pro` package, embedded as a subset and
registered once per process, so every diacritic prints and extracts as the exact NFC text.
A batch is one canvas, a page per certificate, each page's content deflated as soon as it is
finished (about 3 KB a page until the file is written); the parts that are the same on every page
of one issuer (frame, national title, agency block) are drawn once as a form XObject and reused.
"""

import unicodedata
import zlib
from collections.abc import Iterable
from datetime import date
from io import BytesIO

import segno
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream
from reportlab.pdfgen.canvas import Canvas

from lms.core.fonts import FONT, FONT_BOLD, FONT_ITALIC, register_fonts
from lms.core.officialdoc import MOTTO, day_words

PAGE_W, PAGE_H = landscape(A4)
REGULAR, BOLD, ITALIC = FONT, FONT_BOLD, FONT_ITALIC
RED = HexColor("#9b1c1c")
INK = HexColor("#1d1d1f")
BLUE = HexColor("#17365d")
GREY = HexColor("#55575c")
WATERMARK = Color(0.75, 0.1, 0.1, alpha=0.14)

NATIONAL_TITLE, NATIONAL_MOTTO = MOTTO
TITLE = "GIẤY CHỨNG NHẬN"
STAMPS = {"revoked": "ĐÃ THU HỒI", "superseded": "ĐÃ ĐƯỢC THAY THẾ"}

LEFT_X = 205.0            # centre of the agency column
RIGHT_X = PAGE_W - 215.0  # centre of the national-title and signature column
MID_X = PAGE_W / 2
BODY_W = PAGE_W - 160.0   # the widest a centred body line may be

def nfc(text) -> str:
    """NFC form of `text` ('' for None), as drawn and as extracted."""
    return unicodedata.normalize("NFC", str(text or ""))


def vn_date_line(place: str, on: date) -> str:
    """The place-and-date line, e.g. "Quảng Ninh, ngày 10 tháng 8 năm 2025" (without a place,
    "Ngày 10 tháng 8 năm 2025")."""
    when = day_words(on)
    return f"{nfc(place)}, {when}" if place else when.capitalize()


def short_date(on: date | None) -> str:
    """dd/mm/yyyy ('' for None)."""
    return on.strftime("%d/%m/%Y") if on else ""


def format_hours(hours: float | None) -> str:
    """8.0 → "8", 7.5 → "7,5" (Vietnamese decimal comma)."""
    value = float(hours or 0)
    return str(int(value)) if value.is_integer() else f"{value:g}".replace(".", ",")


def _centred(c: Canvas, x: float, y: float, text: str, font: str, size: float,
             max_width: float | None = None) -> None:
    """Draw `text` centred on x, shrinking the size so it fits `max_width`."""
    text = nfc(text)
    width = pdfmetrics.stringWidth(text, font, size)
    if max_width and width > max_width:
        size, width = size * max_width / width, max_width
    c.setFont(font, size)
    c.drawString(x - width / 2, y, text)


def _frame_form(c: Canvas, parent_agency: str, agency: str) -> str:
    """The parts shared by every page of one issuer, drawn once per canvas as a form XObject."""
    forms = c.__dict__.setdefault("_lms_forms", {})
    key = (parent_agency, agency)
    if key in forms:
        return forms[key]
    name = f"frame{len(forms)}"
    c.beginForm(name)
    # Double frame: a heavy outer rule and a thin inner one, with corner squares.
    c.setStrokeColor(RED)
    c.setLineWidth(3)
    c.rect(18, 18, PAGE_W - 36, PAGE_H - 36)
    c.setLineWidth(0.8)
    c.rect(26, 26, PAGE_W - 52, PAGE_H - 52)
    c.setFillColor(RED)
    for x, y in ((22, 22), (PAGE_W - 22, 22), (22, PAGE_H - 22), (PAGE_W - 22, PAGE_H - 22)):
        c.rect(x - 5, y - 5, 10, 10, stroke=0, fill=1)
    # Top left: the parent agency, the issuing agency in bold, a short rule under it.
    c.setFillColor(INK)
    top = PAGE_H - 70
    if parent_agency:
        _centred(c, LEFT_X, top, parent_agency.upper(), REGULAR, 11.5, 330)
    _centred(c, LEFT_X, top - 16, agency.upper(), BOLD, 11.5, 330)
    c.setStrokeColor(INK)
    c.setLineWidth(0.7)
    c.line(LEFT_X - 35, top - 23, LEFT_X + 35, top - 23)
    # Top right: the national title and motto, the motto underlined across its width.
    _centred(c, RIGHT_X, top, NATIONAL_TITLE, BOLD, 11.5)
    _centred(c, RIGHT_X, top - 16, NATIONAL_MOTTO, BOLD, 12.5)
    motto_w = pdfmetrics.stringWidth(NATIONAL_MOTTO, BOLD, 12.5)
    c.line(RIGHT_X - motto_w / 2, top - 23, RIGHT_X + motto_w / 2, top - 23)
    # The title.
    c.setFillColor(RED)
    _centred(c, MID_X, PAGE_H - 168, TITLE, BOLD, 34)
    c.setFillColor(INK)
    c.endForm()
    forms[key] = name
    return name


QR_MASK = 0  # fixed: see draw_qr


def draw_qr(c: Canvas, url: str, x: float, y: float, size: float) -> None:
    """A QR code to `url` as vector rectangles, one per horizontal run of dark modules.

    The runs are written in module units under one transform, so each is a short integer
    `re` operator instead of four formatted floats. The error level (M) and the mask are fixed:
    choosing the mask by scoring all eight was five sixths of the code's cost, and any mask
    gives a valid code (the tests decode it with zxing-cpp).
    """
    qr = segno.make(url, error="m", micro=False, boost_error=False, mask=QR_MASK)
    matrix = qr.matrix
    n = len(matrix)
    module = size / n
    c.setFillColorRGB(1, 1, 1)
    c.rect(x - 4 * module, y - 4 * module, size + 8 * module, size + 8 * module, stroke=0, fill=1)
    ops = []
    for row_index, row in enumerate(matrix):
        line = n - 1 - row_index
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                ops.append(f"{start} {line} {col - start} 1 re")
            else:
                col += 1
    c.saveState()
    c.setFillColor(INK)
    c.transform(module, 0, 0, module, x, y)
    c.addLiteral("\n".join(ops) + "\nf")
    c.restoreState()


def draw_certificate(c: Canvas, cert, verify_url: str) -> None:
    """Draw one certificate on the current page of `c` (the caller calls showPage).

    `cert` needs the snapshot attributes of `models.Certificate` (holder_name, birth_year,
    position_label, unit_name, course_title, hours, started_on, completed_on, cohort_name,
    issuer_agency, parent_agency, place, signer_title, signer_name, number, issued_on, status).
    """
    c.doForm(_frame_form(c, nfc(cert.parent_agency), nfc(cert.issuer_agency)))
    c.setFillColor(INK)
    _centred(c, LEFT_X, PAGE_H - 112, f"Số: {cert.number}", REGULAR, 11)

    y = PAGE_H - 205
    _centred(c, MID_X, y, "Chứng nhận ông/bà", ITALIC, 13)
    c.setFillColor(BLUE)
    _centred(c, MID_X, y - 32, cert.holder_name, BOLD, 25, BODY_W)
    c.setFillColor(INK)
    details = []
    if cert.birth_year:
        details.append(f"Năm sinh: {cert.birth_year}")
    if cert.position_label:
        details.append(f"Chức danh: {cert.position_label}")
    y -= 56
    if details:
        _centred(c, MID_X, y, "     ".join(details), REGULAR, 12.5, BODY_W)
        y -= 19
    if cert.unit_name:
        _centred(c, MID_X, y, f"Đơn vị công tác: {cert.unit_name}", REGULAR, 12.5, BODY_W)
        y -= 19
    y -= 8
    _centred(c, MID_X, y, "Đã hoàn thành chương trình tập huấn", ITALIC, 13)
    c.setFillColor(BLUE)
    size, lines = _title_lines(nfc(cert.course_title).upper(), BODY_W - 80)
    for line in lines:
        y -= size + 7
        _centred(c, MID_X, y, line, BOLD, size, BODY_W)
    c.setFillColor(INK)
    y -= 24
    when = f"Thời lượng: {format_hours(cert.hours)} giờ"
    if cert.started_on and cert.started_on != cert.completed_on:
        when += (f", từ ngày {short_date(cert.started_on)} "
                 f"đến ngày {short_date(cert.completed_on)}")
    else:
        when += f", hoàn thành ngày {short_date(cert.completed_on)}"
    _centred(c, MID_X, y, when, REGULAR, 12.5, BODY_W)
    if cert.cohort_name:
        y -= 19
        _centred(c, MID_X, y, f"Lớp: {cert.cohort_name}", REGULAR, 12.5, BODY_W)

    # Bottom right: place and date, the signer's title, room for signature and seal, the name.
    _centred(c, RIGHT_X, 168, vn_date_line(cert.place, cert.issued_on), ITALIC, 12.5, 330)
    for i, line in enumerate(nfc(cert.signer_title).upper().split("\n")[:2]):
        _centred(c, RIGHT_X, 150 - 15 * i, line, BOLD, 12.5, 330)
    if cert.signer_name:
        _centred(c, RIGHT_X, 62, cert.signer_name, BOLD, 13.5, 330)

    # Bottom left: the QR code to the public verification page, and the URL under it.
    draw_qr(c, verify_url, 62, 68, 86)
    c.setFillColor(GREY)
    c.setFont(REGULAR, 8.5)
    c.drawString(162, 136, "Xác minh giấy chứng nhận:")
    c.drawString(162, 124, "quét mã QR hoặc mở địa chỉ")
    c.setFont(REGULAR, 7)
    for i, part in enumerate(_split_url(verify_url, 46)):
        c.drawString(162, 110 - 10 * i, part)
    c.setFillColor(INK)

    stamp = STAMPS.get(getattr(cert, "status", ""))
    if stamp:
        c.saveState()
        c.setFillColor(WATERMARK)
        c.translate(MID_X, PAGE_H / 2)
        c.rotate(20)
        _centred(c, 0, 0, stamp, BOLD, 72)
        c.restoreState()


def _title_lines(text: str, width: float) -> tuple[float, list[str]]:
    """The course title in at most two balanced lines, shrinking the size when needed."""
    for size in (16, 15, 14, 13, 12):
        lines = simpleSplit(text, BOLD, size, width)
        if len(lines) == 1:
            return size, lines
        if len(lines) == 2:
            # Balance the two lines instead of leaving a word or two on the second.
            half = pdfmetrics.stringWidth(text, BOLD, size) / 2
            balanced = simpleSplit(text, BOLD, size, min(width, half * 1.12))
            return size, balanced if len(balanced) == 2 else lines
    # Very long titles: shrink the two lines to fit (the full title stays in the record).
    lines = simpleSplit(text, BOLD, 12, width * 1.5)
    return 12, [" ".join(lines[: (len(lines) + 1) // 2]), " ".join(lines[(len(lines) + 1) // 2:])]


def _split_url(url: str, width: int) -> list[str]:
    return [url[i:i + width] for i in range(0, len(url), width)] or [""]


class CompactCanvas(Canvas):
    """A canvas that deflates each page's content stream as soon as the page is finished.

    reportlab keeps every page's operators as text until `save()` (about 13 KB a certificate);
    compressing them at `showPage()` keeps about 3 KB, so a chunk of a batch stays small in
    memory. The bytes written are the same as reportlab's own page compression.
    """

    def showPage(self):
        """Finish the page, then swap its text stream for the compressed one."""
        super().showPage()
        page = self._doc.Pages.pages[-1]
        if self._pageCompression and page.stream and not page.Contents:
            data = page.stream.encode("utf8") if isinstance(page.stream, str) else page.stream
            stream = PDFStream(PDFDictionary({"Filter": PDFName("FlateDecode")}),
                               zlib.compress(data))
            stream.__Comment__ = "page stream"
            page.Contents = stream
            page.stream = None


def new_canvas(buffer, title: str = "Giấy chứng nhận") -> Canvas:
    """A compressed A4-landscape canvas with the fonts registered."""
    register_fonts()
    c = CompactCanvas(buffer, pagesize=(PAGE_W, PAGE_H), pageCompression=1, invariant=1,
               initialFontName=REGULAR, initialFontSize=12)  # no stray Helvetica
    c.setTitle(nfc(title))
    c.setCreator("Tập Huấn")
    return c


def certificate_pdf(cert, verify_url: str) -> bytes:
    """One certificate as a one-page PDF."""
    buffer = BytesIO()
    c = new_canvas(buffer, f"Giấy chứng nhận {cert.number}")
    draw_certificate(c, cert, verify_url)
    c.showPage()
    c.save()
    return buffer.getvalue()


def batch_pdf(pairs: Iterable[tuple[object, str]], out) -> int:
    """Write one PDF with a page per (certificate, verify URL) pair to the binary file `out`;
    returns the page count. An empty batch is one page saying there is nothing to print.

    Pages are drawn as the iterable yields them, so the certificates may come from a streamed
    query; the file is written when the last page is done.
    """
    c = new_canvas(out)
    pages = 0
    for cert, url in pairs:
        draw_certificate(c, cert, url)
        c.showPage()
        pages += 1
    if not pages:
        c.setFont(REGULAR, 14)
        c.drawCentredString(MID_X, PAGE_H / 2, "Không có giấy chứng nhận nào.")
        c.showPage()
    c.save()
    return pages
