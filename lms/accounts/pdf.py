"""Login slips (phiếu đăng nhập): A4 portrait, ten slips a page with dashed cut lines.

Each slip has the person's name and commune, the username, the one-time password, its expiry,
the sign-in address and a QR code opening the sign-in page with the username filled in. A batch
is one canvas whose pages are deflated as they are finished (`CompactCanvas`); reportlab keeps
every page until the file is saved (about 12 KB a page of ten slips), so a long batch is better
written as one PDF per commune into a ZIP (`write_commune_slips`): memory is then bounded by the
largest commune, whatever the number of people.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from itertools import groupby
from urllib.parse import urlencode

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics

from lms.certificates.pdf import CompactCanvas, draw_qr, nfc, short_date
from lms.core.fonts import FONT, FONT_BOLD, register_fonts
from lms.core.web import file_name

PAGE_W, PAGE_H = A4
COLUMNS, ROWS = 2, 5
PER_PAGE = COLUMNS * ROWS
MARGIN = 18.0
SLIP_W = (PAGE_W - 2 * MARGIN) / COLUMNS
SLIP_H = (PAGE_H - 2 * MARGIN) / ROWS
QR_SIZE = 78.0
PAD = 10.0
INK = HexColor("#1d1d1f")
GREY = HexColor("#6b6d72")
BLUE = HexColor("#17365d")


@dataclass(frozen=True)
class Slip:
    """What one slip shows (also a row of the CSV/XLSX)."""

    staff_id: str
    full_name: str
    commune_code: str
    commune_name: str
    username: str
    password: str
    expires_on: date | None


def login_url(base_url: str, username: str | None = None) -> str:
    """The sign-in address, with the username filled in when given."""
    url = f"{base_url.rstrip('/')}/accounts/login"
    return f"{url}?{urlencode({'u': username})}" if username else url


def grouped(password: str) -> str:
    """The password in groups of four, easier to copy by eye (spaces are ignored at sign-in)."""
    return " ".join(password[i:i + 4] for i in range(0, len(password), 4))


def _text(c, x: float, y: float, text: str, font: str, size: float, width: float) -> None:
    """Draw `text` at (x, y), shrunk to fit `width`."""
    text = nfc(text)
    actual = pdfmetrics.stringWidth(text, font, size)
    if actual > width:
        size = size * width / actual
    c.setFont(font, size)
    c.drawString(x, y, text)


def draw_slip(c, slip: Slip, base_url: str, x: float, y: float) -> None:
    """One slip with its lower-left corner at (x, y)."""
    left, top = x + PAD, y + SLIP_H - PAD
    text_w = SLIP_W - 3 * PAD - QR_SIZE
    c.setFillColor(GREY)
    _text(c, left, top - 8, "PHIẾU ĐĂNG NHẬP HỆ THỐNG TẬP HUẤN", FONT_BOLD, 7.5, text_w)
    c.setFillColor(BLUE)
    _text(c, left, top - 25, slip.full_name, FONT_BOLD, 12, text_w)
    c.setFillColor(INK)
    _text(c, left, top - 39, f"{slip.commune_name} ({slip.commune_code})", FONT, 8.5, text_w)
    _text(c, left, top - 58, "Tên đăng nhập:", FONT, 8, text_w)
    _text(c, left, top - 73, slip.username, FONT_BOLD, 13, text_w)
    _text(c, left, top - 91, "Mật khẩu một lần:", FONT, 8, text_w)
    _text(c, left, top - 109, grouped(slip.password), FONT_BOLD, 16, text_w)
    c.setFillColor(GREY)
    until = f"Dùng được đến {short_date(slip.expires_on)}. " if slip.expires_on else ""
    _text(c, left, top - 124, until + "Lần đầu đăng nhập phải đổi mật khẩu.", FONT, 7,
          SLIP_W - 2 * PAD)
    _text(c, left, top - 135, "Đăng nhập tại: " + login_url(base_url), FONT, 7,
          SLIP_W - 2 * PAD)
    c.setFillColor(INK)
    draw_qr(c, login_url(base_url, slip.username), x + SLIP_W - PAD - QR_SIZE,
            top - QR_SIZE - 14, QR_SIZE)


def _cut_lines(c) -> None:
    c.saveState()
    c.setStrokeColor(GREY)
    c.setLineWidth(0.4)
    c.setDash(3, 3)
    for col in range(COLUMNS + 1):
        x = MARGIN + col * SLIP_W
        c.line(x, MARGIN, x, PAGE_H - MARGIN)
    for row in range(ROWS + 1):
        y = MARGIN + row * SLIP_H
        c.line(MARGIN, y, PAGE_W - MARGIN, y)
    c.restoreState()


def _new_canvas(buffer) -> CompactCanvas:
    register_fonts()
    c = CompactCanvas(buffer, pagesize=A4, pageCompression=1, invariant=1,
                      initialFontName=FONT, initialFontSize=10)
    c.setTitle("Phiếu đăng nhập")
    c.setCreator("Tập Huấn")
    return c


def write_slips(slips: Iterable[Slip], base_url: str, out) -> int:
    """Write the slips PDF to the binary file `out`, drawing as `slips` yields; returns the
    page count."""
    c = _new_canvas(out)
    pages = on_page = 0
    for slip in slips:
        if on_page == 0:
            _cut_lines(c)
        col, row = on_page % COLUMNS, on_page // COLUMNS
        draw_slip(c, slip, base_url, MARGIN + col * SLIP_W, PAGE_H - MARGIN - (row + 1) * SLIP_H)
        on_page += 1
        if on_page == PER_PAGE:
            c.showPage()
            pages += 1
            on_page = 0
    if on_page:
        c.showPage()
        pages += 1
    if not pages:
        c.setFont(FONT, 14)
        c.drawCentredString(PAGE_W / 2, PAGE_H / 2, "Không có phiếu đăng nhập nào.")
        c.showPage()
    c.save()
    return pages


def write_commune_slips(slips: Iterable[Slip], base_url: str, archive) -> int:
    """Write one slips PDF per commune into the open `zipfile.ZipFile` `archive`
    ("phieu-dang-nhap-06652-Phuong-Ha-Tu.pdf"), one canvas at a time; `slips` must come grouped
    by commune (bulk runs yield them by commune code). Returns the total page count."""
    pages = 0
    for (code, name), group in groupby(slips, key=lambda s: (s.commune_code, s.commune_name)):
        with archive.open(file_name("phieu-dang-nhap", code, name, ext="pdf"), "w") as out:
            pages += write_slips(group, base_url, out)
    return pages


def slips_pdf(slips: Iterable[Slip], base_url: str) -> bytes:
    """The slips PDF as bytes (a reset's single slip, a web batch)."""
    out = BytesIO()
    write_slips(slips, base_url, out)
    return out.getvalue()
