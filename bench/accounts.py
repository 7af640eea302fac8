"""Accounts from the roster for 20,000 people, against a bare baseline of the same hashing work.

The run is what `flask lms accounts from-roster --unit CODE --csv … --slips …` does (bulk.Run
and write_outputs): read the people a batch at a time, derive usernames, make and hash one-time
passwords (OTP_HASH_METHOD on OTP_HASH_THREADS threads), insert the accounts, write the CSV and
the slips PDF, deactivate leavers. The baseline hashes the same number of one-time passwords in
the same batches with the same setting and threads, and nothing else, so the ratio is what the
rest of the tool costs on top of the hashing it cannot avoid. Also: slips PDF pages per second
(the PDF alone, from a quarter as many ready slips), and peak Python memory of the whole run for
1/20 and 1/4 of the people (with a cheap hash: memory does not depend on the hashing cost), with
the slips as one PDF per commune in a ZIP (`--slips OUT.zip`: the ratio is ~1, memory is bounded
by the largest commune) and as one PDF (`--slips OUT.pdf`: reportlab keeps every page until the
file is saved, so memory grows with the number of people).

    python -m bench.accounts [--people 20000] [--pairs 1]

One pair at the default size (a 20,000-people run is minutes of hashing); `--pairs` repeats it,
the accounts deleted before each run.
"""

import argparse
import json
import os
import statistics
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

BASE_URL = "https://taphuan.example.gov.vn"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN = ["Thị Hường", "Văn Dũng", "Thu Trang", "Đức Thắng", "Ngọc Yến", "Minh Quân"]
SMALL_PROVINCE, MID_PROVINCE, BIG_PROVINCE = "01", "31", "22"  # Hà Nội, Hải Phòng, Quảng Ninh


def _people(db, province, n: int, prefix: str) -> None:
    """`n` roster people spread over the province's communes (one multi-row INSERT a batch)."""
    from sqlalchemy import insert, select

    from lms.core.text import fold
    from lms.units.models import Person, Unit

    communes = db.session.scalars(select(Unit.id).where(Unit.parent_id == province.id)).all()
    rows = []
    for i in range(n):
        name = f"{FAMILY[i % len(FAMILY)]} {GIVEN[i % len(GIVEN)]}"
        rows.append({"staff_id": f"{prefix}-{i:06d}", "full_name": name,
                     "name_search": fold(name), "position": "can_bo_xa", "in_target": True,
                     "commune_id": communes[i % len(communes)], "birth_year": 1970 + i % 30})
        if len(rows) == 5000:
            db.session.execute(insert(Person), rows)
            rows = []
    if rows:
        db.session.execute(insert(Person), rows)
    db.session.commit()


def _run(db, unit, folder: str, per_commune: bool = False) -> tuple[float, int, int]:
    """One from-roster run into files, the slips as one PDF or a ZIP of a PDF per commune;
    (seconds, accounts created, slip pages)."""
    import zipfile

    from lms.accounts import bulk

    started = time.perf_counter()
    run = bulk.Run(by=None, unit=unit)
    with open(Path(folder) / "out.csv", "wb") as csv_file, \
            open(Path(folder) / ("slips.zip" if per_commune else "slips.pdf"), "wb") as slips:
        if per_commune:
            with zipfile.ZipFile(slips, "w", zipfile.ZIP_DEFLATED) as archive:
                pages = bulk.write_outputs(run, base_url=BASE_URL, csv_out=csv_file,
                                           slips_zip=archive)
        else:
            pages = bulk.write_outputs(run, base_url=BASE_URL, csv_out=csv_file,
                                       slips_out=slips)
    db.session.commit()
    return time.perf_counter() - started, run.created, pages


def _reset_accounts(db) -> None:
    from sqlalchemy import delete

    from lms.accounts.models import AuditLog, User

    db.session.execute(delete(AuditLog))
    db.session.execute(delete(User))
    db.session.commit()


def _baseline(n: int) -> float:
    """The same hashing work alone: n one-time passwords, made and hashed BATCH at a time."""
    from lms.accounts import bulk, passwords

    started = time.perf_counter()
    for start in range(0, n, bulk.BATCH):
        batch = [passwords.one_time_password() for _ in range(min(bulk.BATCH, n - start))]
        passwords.hash_one_time(batch)
    return time.perf_counter() - started


def _slips_pages_per_second(n: int, folder: str) -> float:
    from lms.accounts.pdf import Slip, write_slips

    slips = (Slip(f"QN-{i:06d}", f"{FAMILY[i % 10]} {GIVEN[i % 6]}", "06652", "Phường Hà Tu",
                  f"qn{i:06d}", "abcd2345", date(2027, 1, 3)) for i in range(n))
    started = time.perf_counter()
    with open(Path(folder) / "only.pdf", "wb") as out:
        pages = write_slips(slips, BASE_URL, out)
    return pages / (time.perf_counter() - started)


def _peak(db, unit, folder: str, per_commune: bool) -> float:
    """Peak Python memory (MiB) of one run."""
    _reset_accounts(db)
    tracemalloc.start()
    _run(db, unit, folder, per_commune)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def run(people: int, folder: str, pairs: int = 1) -> dict:
    """Build the roster in a SQLite file under `folder`, measure, return the figures."""
    from bench.common import bench_app, interleave
    from lms.extensions import db
    from lms.units.services import load_current_units, lookup_unit

    app = bench_app(f"sqlite:///{folder}/bench.db", folder)
    small, mid = max(1, people // 20), max(1, people // 4)
    with app.app_context():
        db.create_all()
        load_current_units()
        db.session.commit()
        big_unit, small_unit = lookup_unit(BIG_PROVINCE), lookup_unit(SMALL_PROVINCE)
        mid_unit = lookup_unit(MID_PROVINCE)
        _people(db, big_unit, people, "QN")
        _people(db, small_unit, small, "HN")
        _people(db, mid_unit, mid, "HP")
        method, threads = app.config["OTP_HASH_METHOD"], app.config["OTP_HASH_THREADS"]
        done = {}

        def real() -> float:
            _reset_accounts(db)
            seconds, done["created"], done["pages"] = _run(db, big_unit, folder)
            return seconds

        measured = interleave(real, lambda: _baseline(people), pairs=pairs, warmup=0)
        assert done["created"] == people, done
        pages_per_second = _slips_pages_per_second(mid, folder)
        app.config["OTP_HASH_METHOD"] = "pbkdf2:sha256:1"
        peaks = {mode: (_peak(db, small_unit, folder, mode == "pdf_per_commune_zip"),
                        _peak(db, mid_unit, folder, mode == "pdf_per_commune_zip"))
                 for mode in ("pdf_per_commune_zip", "one_pdf")}
        db.session.remove()
        db.engine.dispose()
    run_seconds = statistics.median(measured.a)
    return {
        "people": people, "otp_hash_method": method, "otp_hash_threads": threads,
        "cpus": os.cpu_count(),
        "run_vs_hashing": measured.summary("run_s", "hashing_s"),
        "accounts_per_second": round(people / run_seconds, 1), "slip_pages": done["pages"],
        "slips_pdf_pages_per_second": round(pages_per_second, 1),
        "memory": {mode: {f"peak_mib_{small}_people": round(low, 2),
                          f"peak_mib_{mid}_people": round(high, 2),
                          "ratio_5x_people": round(high / low, 3)}
                   for mode, (low, high) in peaks.items()},
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the figures and write bench/results/accounts.json."""
    from bench.common import write_results

    parser = argparse.ArgumentParser(prog="python -m bench.accounts",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--pairs", type=int, default=1)
    args = parser.parse_args(argv)
    figures = run(args.people, tempfile.mkdtemp(prefix="bench-accounts-"), args.pairs)
    print(json.dumps(figures, indent=2))
    write_results("accounts", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
