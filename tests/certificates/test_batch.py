"""The batch PDF: one canvas, a page per certificate in order, each with its holder."""

import io
import logging
import re
import unicodedata
from datetime import date
from types import SimpleNamespace

import pypdf

from lms.certificates import pdf, services

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN = ["Thị Hường", "Văn Dũng", "Thu Trang", "Đức Thắng", "Ngọc Yến", "Minh Quân"]


def fake_cert(i: int) -> SimpleNamespace:
    """A certificate snapshot shaped like models.Certificate, with a unique NFC holder name."""
    name = f"{FAMILY[i % len(FAMILY)]} {GIVEN[i % len(GIVEN)]} {i}"
    return SimpleNamespace(
        holder_name=name, birth_year=1970 + i % 30, position_label="Cán bộ xã/phường/đặc khu",
        unit_name="Phường Hà Tu, tỉnh Quảng Ninh",
        course_title="Nhận diện mua bán người và khung pháp lý mới", hours=8,
        started_on=date(2025, 8, 1), completed_on=date(2025, 8, 10),
        cohort_name="Lớp Hạ Long 8/2025", issuer_agency="Sở Y tế",
        parent_agency="Ủy ban nhân dân tỉnh Quảng Ninh", place="Quảng Ninh",
        signer_title="GIÁM ĐỐC", signer_name="Nguyễn Văn Phong", number=f"22-2025-{i + 1:06d}",
        issued_on=date(2025, 8, 10), status="valid", code=f"test{i:018d}")


def fake_pairs(n: int):
    """(certificate, URL) pairs made one at a time, as a streamed query gives them."""
    for i in range(n):
        cert = fake_cert(i)
        yield cert, f"https://taphuan.example.gov.vn/verify/{cert.code}"


def _check_xref(data: bytes) -> int:
    """Assert every xref entry points at its object header; returns the object count."""
    xref_at = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data).group(1))
    assert data.startswith(b"xref\n0 ", xref_at)
    size = int(data[xref_at:].split(b"\n")[1].split()[1])
    entries = data[xref_at:].split(b"\n")[3:2 + size]
    for number, entry in enumerate(entries, start=1):
        offset = int(entry[:10])
        assert data.startswith(b"%d 0 obj" % number, offset), number
    return size


def test_batch_has_every_holder_on_the_right_page(caplog):
    """One PDF: pages in order, each with its holder's NFC name, a valid cross-reference."""
    caplog.set_level(logging.WARNING)
    buffer = io.BytesIO()
    assert pdf.batch_pdf(fake_pairs(7), buffer) == 7
    data = buffer.getvalue()
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    _check_xref(data)
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) == 7
    assert reader.metadata.title == "Giấy chứng nhận"
    for i, page in enumerate(reader.pages):
        text = page.extract_text()
        name = fake_cert(i).holder_name
        assert name in text and unicodedata.is_normalized("NFC", text)
        assert f"Số: {fake_cert(i).number}" in text
        if i:
            assert fake_cert(i - 1).holder_name not in text
    assert not caplog.records  # pypdf logs its repairs as warnings


def test_the_frame_is_drawn_once_per_batch():
    """The parts shared by every page of one issuer are one form, not one copy per page."""
    buffer = io.BytesIO()
    pdf.batch_pdf(fake_pairs(4), buffer)
    assert len(re.findall(rb"/Subtype /Form", buffer.getvalue())) == 1


def test_database_certificates_stream_in_name_order(make_cert):
    """Real certificates from the database: one page each, in the order given."""
    certs = [make_cert(full_name=f"Lê Văn Bình {i}") for i in range(3)]
    buffer = io.BytesIO()
    pdf.batch_pdf(((c, services.verify_url(c.code)) for c in certs), buffer)
    reader = pypdf.PdfReader(io.BytesIO(buffer.getvalue()))
    for page, cert in zip(reader.pages, certs, strict=True):
        assert cert.holder_name in page.extract_text()


def test_empty_batch_is_one_page_saying_so():
    """No certificate: a valid one-page PDF saying there is nothing to print."""
    buffer = io.BytesIO()
    assert pdf.batch_pdf(iter(()), buffer) == 0
    reader = pypdf.PdfReader(io.BytesIO(buffer.getvalue()))
    assert len(reader.pages) == 1
    assert "Không có giấy chứng nhận nào." in reader.pages[0].extract_text()
