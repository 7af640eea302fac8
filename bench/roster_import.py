"""Roster import speed: 100,000 people across the real 3,321 communes.

    python -m bench.roster_import [--rows 100000] [--db postgresql://…/empty_db]

Times the service behind `flask lms roster import` (check every row, then upsert) on a fresh
database: the first import (all new), a re-import (all unchanged), a dry run, and a re-import
with one row in ten changed. The bare baseline is Python's csv module reading the same file.
Writes bench/results/roster_import.json (roster_import_postgresql.json with --db).
"""

import argparse
import csv
import io
import random
import sys
import tempfile
import time

from bench.common import bench_app, timed, write_results

POSITIONS = ["can_bo_xa", "cong_an", "truong_thon", "cong_tac_vien", "bien_phong", "doan_the",
             "nguoi_uy_tin", "trung_tam", "khac"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Ngọc", "Minh", "Thu", "Hữu", "Thanh"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hường", "Khánh", "Lan", "Long", "Mai",
         "Nam", "Phương", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Việt", "Yến"]
ETHNICITIES = ["Kinh"] * 8 + ["Tày", "Thái", "Mường", "Khmer", "H'Mông", "Dao"]


def roster_csv(communes: list[str], rows: int, seed: int = 8, changed_every: int = 0) -> bytes:
    """A deterministic roster CSV in the import format; `changed_every` alters every Nth phone."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ma_nhan_su", "ho_ten", "gioi_tinh", "nam_sinh", "chuc_danh", "ma_xa",
                     "so_dien_thoai", "dan_toc", "muc_tieu", "ngay_nghi"])
    for n in range(rows):
        phone = f"09{rng.randint(10_000_000, 99_999_999)}"
        if changed_every and n % changed_every == 0:
            phone = f"08{n:08d}"
        writer.writerow([f"BN{n:07d}", f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} "
                         f"{rng.choice(GIVEN)}", rng.choice(["Nam", "Nữ"]),
                         rng.randint(1960, 2004), rng.choice(POSITIONS),
                         communes[n % len(communes)], phone, rng.choice(ETHNICITIES),
                         "không" if n % 40 == 0 else "có",
                         "30/06/2025" if n % 97 == 0 else ""])
    return out.getvalue().encode("utf-8")


def _import(data: bytes, **kw):
    from lms.extensions import db
    from lms.units.services import import_roster

    checked = [0]

    def progress(n):  # what the CLI's progress bar receives
        checked[0] += n

    result = import_roster(data, "bench.csv", progress=progress, **kw)
    if kw.get("dry_run"):
        db.session.rollback()
    else:
        db.session.commit()
    return result


def run(database_url: str, rows: int, instance_dir: str) -> dict:
    """Load units into `database_url`, then time the four imports; returns the figures."""
    from sqlalchemy import inspect, select

    from lms.extensions import db
    from lms.units.models import CURRENT, Unit
    from lms.units.services import load_current_units

    app = bench_app(database_url, instance_dir)
    figures: dict = {"rows": rows, "database": database_url.split(":", 1)[0].split("+")[0]}
    with app.app_context():
        if inspect(db.engine).get_table_names():
            sys.exit(f"{database_url} is not empty; give the bench an empty database "
                     "(it creates its tables and drops them when done)")
        db.create_all()
        try:
            with timed(figures, "load_units_seconds"):
                load_current_units()
                db.session.commit()
            communes = list(db.session.scalars(select(Unit.code).where(
                Unit.system == CURRENT, Unit.kind == "commune").order_by(Unit.code)))
            figures["communes"] = len(communes)
            data = roster_csv(communes, rows)
            changed = roster_csv(communes, rows, changed_every=10)
            figures["file_bytes"] = len(data)

            seconds: dict = {}
            with timed(seconds, "baseline_csv_parse"):
                sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"))))
            outcomes = {}
            for name, payload, kw in (("first_import", data, {}),
                                      ("reimport_unchanged", data, {}),
                                      ("dry_run", changed, {"dry_run": True}),
                                      ("reimport_10pct_changed", changed, {})):
                with timed(seconds, name):
                    result = _import(payload, **kw)
                outcomes[name] = {"new": result.new, "updated": result.updated,
                                  "unchanged": result.unchanged}
            figures["runs"] = {
                name: {"seconds": round(seconds[name], 3),
                       "rows_per_second": round(rows / seconds[name]),
                       "ratio_to_baseline": round(seconds[name] / seconds["baseline_csv_parse"],
                                                  1),
                       **outcomes[name]}
                for name in outcomes}
            figures["baseline_csv_parse_seconds"] = round(seconds["baseline_csv_parse"], 3)
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the roster-import bench and print rows/second per run."""
    parser = argparse.ArgumentParser(prog="python -m bench.roster_import",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", help="an EMPTY PostgreSQL database URL (default: temp SQLite)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        figures = run(url, args.rows, tmp)
        figures["total_seconds"] = round(time.perf_counter() - started, 1)
    name = "roster_import" if not args.db else "roster_import_postgresql"
    path = write_results(name, figures)
    print(f"roster import, {figures['rows']:,} rows, {figures['database']} "
          f"(units loaded in {figures['load_units_seconds']:.1f} s; bare csv parse "
          f"{figures['baseline_csv_parse_seconds']:.2f} s):")
    for run_name, fig in figures["runs"].items():
        print(f"  {run_name:<24} {fig['seconds']:>7.2f} s  {fig['rows_per_second']:>8,} rows/s  "
              f"×{fig['ratio_to_baseline']} baseline  (new {fig['new']}, updated "
              f"{fig['updated']}, unchanged {fig['unchanged']})")
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
