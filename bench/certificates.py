"""Certificate PDF speed and size: 1,000 certificates as one batch against a bare reportlab page.

The bare page draws the same strings in the same embedded font and the same QR code with plain
drawString calls on one canvas; the ratio shows what the real layout costs on top (the real batch
is drawn 50 pages per canvas and merged as it streams). Also measures peak Python memory of the
streamed batch PDF and of the streamed ZIP at two sizes, and how many pages are drawn before the
batch PDF sends its first page.

    python -m bench.certificates [--pages 1000] [--repeat 3]
"""

import argparse
import io
import json
import statistics
import time
import tracemalloc
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from reportlab.pdfgen.canvas import Canvas

from lms.certificates import pdf

RESULTS = Path(__file__).resolve().parent / "results" / "certificates.json"
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


def timed(fn, certs) -> tuple[float, int]:
    """(CPU seconds, bytes) for one batch; CPU time, as the machine is shared with others."""
    buffer = io.BytesIO()
    start = time.process_time()
    fn(certs, buffer)
    return time.process_time() - start, len(buffer.getvalue())


def peak_mb(fn) -> float:
    """Peak traced Python memory of `fn()`, in MB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def pdf_stream(certs) -> int:
    """Consume the streamed batch PDF (as the cohort PDF view does); returns bytes."""
    return sum(len(part) for part in pdf.iter_batch_pdf((cert, url(cert)) for cert in certs))


def pages_before_first_part(certs) -> int:
    """How many pages are drawn before the batch PDF yields its first page objects."""
    drawn = 0

    def pairs():
        nonlocal drawn
        for cert in certs:
            drawn += 1
            yield cert, url(cert)

    stream = pdf.iter_batch_pdf(pairs())
    next(stream)  # the header
    next(stream)
    stream.close()
    return drawn


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


def main() -> None:
    """Run the benchmark, print the figures and write bench/results/certificates.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true", help="Skip the memory probes.")
    args = parser.parse_args()
    certs = fake_certificates(args.pages)
    pdf.register_fonts()
    timed(bare_batch, certs[:20])
    timed(real_batch, certs[:20])  # warm-up: font parsing, imports
    bare, real = [], []
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        bare.append(timed(bare_batch, certs))
        real.append(timed(real_batch, certs))
    # The fastest of the interleaved runs: the least disturbed by other work on a shared machine.
    bare_s = min(t for t, _ in bare)
    real_s = min(t for t, _ in real)
    bare_bytes, real_bytes = bare[0][1], real[0][1]
    small = max(args.pages // 10, 1)
    memory = {} if args.no_memory else {
        f"batch_pdf_stream_{small}_mb": peak_mb(lambda: pdf_stream(certs[:small])),
        f"batch_pdf_stream_{args.pages}_mb": peak_mb(lambda: pdf_stream(certs)),
        "zip_50_mb": peak_mb(lambda: zip_stream(certs[:50])),
        "zip_200_mb": peak_mb(lambda: zip_stream(certs[:200])),
    }
    result = {
        "pages": args.pages,
        "repeat": args.repeat,
        "bare_ms_per_page": round(bare_s / args.pages * 1000, 3),
        "real_ms_per_page": round(real_s / args.pages * 1000, 3),
        "time_ratio": round(real_s / bare_s, 3),
        "time_ratio_median": round(statistics.median(t for t, _ in real)
                                   / statistics.median(t for t, _ in bare), 3),
        "target_time_ratio": 1.3,
        "bare_kb_per_page": round(bare_bytes / args.pages / 1024, 2),
        "real_kb_per_page": round(real_bytes / args.pages / 1024, 2),
        "target_kb_per_page": 40,
        "real_batch_total_kb": round(real_bytes / 1024, 1),
        "single_pdf_kb": round(len(pdf.certificate_pdf(certs[0], url(certs[0]))) / 1024, 1),
        "peak_memory": {k: round(v, 2) for k, v in memory.items()},
        "pages_before_first_part": pages_before_first_part(certs),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"bare page:  {result['bare_ms_per_page']:.2f} ms, "
          f"{result['bare_kb_per_page']:.1f} KB per page")
    print(f"real page:  {result['real_ms_per_page']:.2f} ms, "
          f"{result['real_kb_per_page']:.1f} KB per page")
    print(f"time ratio: {result['time_ratio']:.2f}x (target <= 1.3x); "
          f"size {result['real_kb_per_page']:.1f} KB/page (target < 40 KB)")
    print(f"median ratio over {args.repeat} runs: {result['time_ratio_median']:.2f}x")
    print("peak memory (MB): " + ", ".join(f"{k}={v}" for k, v in
                                           result["peak_memory"].items()))
    print(f"first page objects sent after {result['pages_before_first_part']} of "
          f"{args.pages} pages drawn")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
