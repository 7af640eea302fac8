"""The certificate PDF: exact Vietnamese text, embedded font, A4 landscape, a readable QR code."""

import io
import unicodedata
from datetime import date

import pypdf
import pypdfium2
import zxingcpp

from lms.certificates import pdf, services

BASE14 = {"Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique", "Helvetica",
          "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique", "Times-Roman",
          "Times-Bold", "Times-Italic", "Times-BoldItalic", "Symbol", "ZapfDingbats"}


def _render(data: bytes, page: int = 0, scale: float = 3):
    document = pypdfium2.PdfDocument(data)
    try:
        return document[page].render(scale=scale).to_pil()
    finally:
        document.close()


def _text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_text_extracts_as_exact_nfc(make_cert, make_course, db):
    """The holder's name and the course title come out of the PDF as the exact NFC text."""
    name = unicodedata.normalize("NFD", "Hoàng Thị Thủy Ngọc Đặng")  # typed decomposed
    title = "Giao tiếp lấy nạn nhân làm trung tâm, hiểu biết về sang chấn"
    cert = make_cert(course=make_course(title=title), full_name=name)
    text = _text(pdf.certificate_pdf(cert, services.verify_url(cert.code)))
    assert unicodedata.normalize("NFC", name) in text
    assert text == unicodedata.normalize("NFC", text)
    assert title.upper() in " ".join(text.split())
    for fixed in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "GIẤY CHỨNG NHẬN", f"Số: {cert.number}"):
        assert fixed in text


def test_font_is_embedded_subset_not_base14(make_cert):
    """Every font on the page is an embedded TrueType subset of Be Vietnam Pro."""
    cert = make_cert()
    reader = pypdf.PdfReader(io.BytesIO(pdf.certificate_pdf(cert, "http://lms.test/verify/x")))
    fonts = {}

    def collect(resources):
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
        for xobject in (resources.get("/XObject") or {}).values():
            sub = xobject.get_object().get("/Resources")
            if sub:
                collect(sub.get_object())

    collect(reader.pages[0]["/Resources"])
    assert fonts
    for base_name, font in fonts.items():
        assert base_name.lstrip("/") not in BASE14
        assert "BeVietnamPro" in base_name and "+" in base_name  # subset tag
        assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_page_is_a4_landscape(make_cert):
    """The page is A4 landscape (842 × 595 pt)."""
    cert = make_cert()
    page = pypdf.PdfReader(io.BytesIO(pdf.certificate_pdf(cert, "http://x/verify/y"))).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert round(width) == 842 and round(height) == 595


def test_qr_code_decodes_to_verify_url(make_cert, app):
    """The QR code on the rendered page decodes to BASE_URL/verify/<code>."""
    cert = make_cert()
    url = services.verify_url(cert.code)
    assert url == f"{app.config['BASE_URL']}/verify/{cert.code}"
    found = zxingcpp.read_barcodes(_render(pdf.certificate_pdf(cert, url)))
    assert [b.text for b in found if b.format == zxingcpp.BarcodeFormat.QRCode] == [url]


def test_place_and_date_line_follows_convention():
    """Days under 10 and months 1–2 take a leading zero; the place comes first."""
    assert pdf.vn_date_line("Quảng Ninh", date(2025, 8, 10)) == \
        "Quảng Ninh, ngày 10 tháng 8 năm 2025"
    assert pdf.vn_date_line("Hà Nội", date(2026, 2, 5)) == "Hà Nội, ngày 05 tháng 02 năm 2026"
    assert pdf.format_hours(7.5) == "7,5" and pdf.format_hours(8.0) == "8"


def test_revoked_pdf_is_stamped(make_cert, make_user, db):
    """A revoked certificate prints with a visible “ĐÃ THU HỒI” stamp."""
    cert = make_cert()
    services.revoke(cert, "Sai thông tin", by=make_user("admin"))
    assert "ĐÃ THU HỒI" in _text(pdf.certificate_pdf(cert, "http://x/verify/y"))


def test_batch_has_a_page_per_certificate(make_cert):
    """One canvas, one page per certificate, each with its holder's name."""
    certs = [make_cert(full_name=f"Lê Văn Bình {i}") for i in range(3)]
    buffer = io.BytesIO()
    assert pdf.batch_pdf(((c, services.verify_url(c.code)) for c in certs), buffer) == 3
    reader = pypdf.PdfReader(io.BytesIO(buffer.getvalue()))
    assert len(reader.pages) == 3
    for page, cert in zip(reader.pages, certs, strict=True):
        assert cert.holder_name in page.extract_text()


def test_long_course_title_takes_at_most_two_lines():
    """However long the title, it is set in one or two lines that keep every word."""
    title = " ".join(["Hỗ trợ tâm lý ban đầu cho người bị mua bán trở về cộng đồng"] * 4).upper()
    size, lines = pdf._title_lines(title, pdf.BODY_W - 80)
    assert 1 <= len(lines) <= 2 and size >= 12
    assert " ".join(lines).split() == title.split()
    short_size, short = pdf._title_lines("PHÒNG NGỪA TẠI CỘNG ĐỒNG", pdf.BODY_W - 80)
    assert short == ["PHÒNG NGỪA TẠI CỘNG ĐỒNG"] and short_size == 16
