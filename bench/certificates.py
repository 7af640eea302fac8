"""Certificate PDFs against a bare page with the same content and the same QR code.

    python -m bench.certificates [--pages 200] [--pairs 5] [--no-memory]

The bare batch draws the same strings in the same embedded font and the same QR code (the same
`pdf.draw_qr` call) with plain drawString calls on one canvas; the real batch is `pdf.batch_pdf`.
They run as interleaved pairs (real, bare, real, bare …) and the ratio is the median of the
pairs' ratios of CPU time (the work is all in this process; CPU time is what other load on a
shared machine disturbs least). Also paired: the QR code alone as drawn (fixed mask) against
segno choosing the mask by scoring all eight, its default. Reports ms and KB per page, the
single PDF's size and the peak Python memory of the batch PDF and of the streamed ZIP.
Writes bench/results/certificates.json.
"""

import argparse
import io
import time
import tracemalloc
from datetime import date
from types import SimpleNamespace

import segno
from reportlab.pdfgen.canvas import Canvas

from bench.common import interleave, write_results
from lms.certificates import pdf

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN = ["Thị Hường", "Văn Dũng", "Thu Trang", "Đức Thắng", "Ngọc Yến", "Minh Quân"]
BASE_URL = "https://taphuan.example.gov.vn"


def fake_certificates(n: int) -> list[SimpleNamespace]:
    """`n` certificate snapshots shaped like models.Certificate (no database needed)."""
    certs = []
    for i in range(n):
        certs.append(SimpleNamespace(
            holder_name=f"{FAMILY[i % len(FAMILY)]} {GIVEN[i % len(GIVEN)]}",
            birth_year=1965 + i % 35, position_label="Cán bộ xã/phường/đặc khu",
            unit_name="Phường Hà Tu, tỉnh Quảng Ninh",
            course_title="Nhận diện mua bán người và khung pháp lý mới", hours=8,
            started_on=date(2025, 8, 1), completed_on=date(2025, 8, 10),
            cohort_name="Lớp tập huấn Hạ Long tháng 8/2025", issuer_agency="Sở Y tế",
            parent_agency="Ủy ban nhân dân tỉnh Quảng Ninh", place="Quảng Ninh",
            signer_title="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", signer_name="Nguyễn Văn Phong",
            number=f"22-2025-{i + 1:06d}", issued_on=date(2025, 8, 10), status="valid",
            code=f"bench{i:017d}"))
    return certs


def url(cert) -> str:
    """The verify URL of a fake certificate."""
    return f"{BASE_URL}/verify/{cert.code}"


def bare_batch(certs, buffer) -> None:
    """The baseline: one canvas, the same strings at fixed places, the same font and QR code."""
    pdf.register_fonts()
    c = Canvas(buffer, pagesize=(pdf.PAGE_W, pdf.PAGE_H), pageCompression=1, invariant=1,
               initialFontName=pdf.REGULAR)
    for cert in certs:
        lines = [cert.parent_agency, cert.issuer_agency, f"Số: {cert.number}",
                 pdf.NATIONAL_TITLE, pdf.NATIONAL_MOTTO, pdf.TITLE, cert.holder_name,
                 f"Năm sinh: {cert.birth_year} Chức danh: {cert.position_label}",
                 cert.unit_name, cert.course_title, f"Thời lượng: {cert.hours} giờ",
                 cert.cohort_name, pdf.vn_date_line(cert.place, cert.issued_on),
                 cert.signer_title, cert.signer_name]
        c.setFont(pdf.REGULAR, 12)
        for i, line in enumerate(lines):
            c.drawString(60, 540 - 28 * i, line)
        pdf.draw_qr(c, url(cert), 62, 68, 86)
        c.showPage()
    c.save()


def real_batch(certs, buffer) -> None:
    """The real thing: pdf.batch_pdf."""
    pdf.batch_pdf(((cert, url(cert)) for cert in certs), buffer)


def cpu(fn, *args, **kwargs) -> float:
    """CPU seconds of one call."""
    start = time.process_time()
    fn(*args, **kwargs)
    return time.process_time() - start


def qr_codes(certs, **options) -> None:
    """The QR matrices of the certificates' URLs (what draw_qr asks segno for)."""
    for cert in certs:
        segno.make(url(cert), error="m", micro=False, **options).matrix  # noqa: B018


def peak_mb(fn) -> float:
    """Peak traced Python memory of `fn()`, in MB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def pdf_batch(certs) -> int:
    """Draw the batch PDF (as the cohort PDF view does); returns bytes."""
    buffer = io.BytesIO()
    real_batch(certs, buffer)
    return len(buffer.getvalue())


def zip_stream(certs) -> int:
    """Consume the streamed ZIP of single PDFs (as the cohort ZIP view does); returns bytes."""
    from lms.certificates import services

    total = 0
    original = services.verify_url
    services.verify_url = lambda code: f"{BASE_URL}/verify/{code}"
    try:
        for chunk in services.iter_zip(certs):
            total += len(chunk)
    finally:
        services.verify_url = original
    return total


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the figures and write bench/results/certificates.json."""
    parser = argparse.ArgumentParser(prog="python -m bench.certificates",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true", help="Skip the memory probes.")
    args = parser.parse_args(argv)
    certs = fake_certificates(args.pages)
    pdf.register_fonts()
    sizes = {}

    def real() -> float:
        buffer = io.BytesIO()
        seconds = cpu(real_batch, certs, buffer)
        sizes["real"] = len(buffer.getvalue())
        return seconds

    def bare() -> float:
        buffer = io.BytesIO()
        seconds = cpu(bare_batch, certs, buffer)
        sizes["bare"] = len(buffer.getvalue())
        return seconds

    per_page = 1000 / args.pages
    batch = interleave(real, bare, args.pairs)  # the warm-up pair parses the font, imports
    qr = interleave(lambda: cpu(qr_codes, certs, boost_error=False, mask=pdf.QR_MASK),
                    lambda: cpu(qr_codes, certs), args.pairs)
    small = max(args.pages // 10, 1)
    memory = {} if args.no_memory else {
        f"batch_pdf_{small}_mb": peak_mb(lambda: pdf_batch(certs[:small])),
        f"batch_pdf_{args.pages}_mb": peak_mb(lambda: pdf_batch(certs)),
        "zip_50_mb": peak_mb(lambda: zip_stream(certs[:50])),
    }
    figures = {
        "pages": args.pages,
        "batch_vs_bare": batch.summary("real_ms_per_page", "bare_ms_per_page", scale=per_page),
        "qr_fixed_mask_vs_scored": qr.summary("fixed_ms_per_code", "scored_ms_per_code",
                                              scale=per_page),
        "real_kb_per_page": round(sizes["real"] / args.pages / 1024, 2),
        "bare_kb_per_page": round(sizes["bare"] / args.pages / 1024, 2),
        "single_pdf_kb": round(len(pdf.certificate_pdf(certs[0], url(certs[0]))) / 1024, 1),
        "peak_memory": {k: round(v, 2) for k, v in memory.items()},
    }
    path = write_results("certificates", figures)
    b, q = figures["batch_vs_bare"], figures["qr_fixed_mask_vs_scored"]
    print(f"{args.pages} certificates, median of {b['pairs']} interleaved pairs (CPU time):")
    print(f"  real {b['real_ms_per_page_median']:.2f} ms/page, bare "
          f"{b['bare_ms_per_page_median']:.2f} ms/page: ratio {b['ratio']:.2f} "
          f"({b['pair_ratios']}); {figures['real_kb_per_page']:.1f} KB/page against "
          f"{figures['bare_kb_per_page']:.1f}")
    print(f"  QR code: fixed mask {q['fixed_ms_per_code_median']:.2f} ms, scored mask "
          f"{q['scored_ms_per_code_median']:.2f} ms: ratio {q['ratio']:.2f}")
    print("  peak memory (MB): " + ", ".join(f"{k}={v}" for k, v in
                                             figures["peak_memory"].items()))
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
