"""Roster import speed: people across the real 3,321 communes, against a bare bulk insert.

    python -m bench.roster_import [--rows 20000] [--pairs 3] [--db postgresql://…/empty_db]

Times the service behind `flask lms roster import` (read the file, check every row, look the
staff ids up, insert) on a fresh database against the bare baseline: one Core `INSERT`
executemany, in chunks of 5,000, of the same rows (as the import wrote them, read back once)
into the same empty `persons` table, committed. The first import and the bare insert alternate
as interleaved pairs, the table emptied (untimed) before each; the ratio is the median of the
pairs' ratios. Then, once each: a re-import (all unchanged), a dry run and a re-import with one
row in ten changed, and one with one person in ten moved to another commune (the history:
a roster period each). Writes bench/results/roster_import.json (roster_import_postgresql.json with
--db).
"""

import argparse
import csv
import io
import random
import sys
import tempfile
import time

from bench.common import bench_app, interleave, seconds, timed, write_results

POSITIONS = ["can_bo_xa", "cong_an", "truong_thon", "cong_tac_vien", "bien_phong", "doan_the",
             "nguoi_uy_tin", "trung_tam", "khac"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Ngọc", "Minh", "Thu", "Hữu", "Thanh"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hường", "Khánh", "Lan", "Long", "Mai",
         "Nam", "Phương", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Việt", "Yến"]
ETHNICITIES = ["Kinh"] * 8 + ["Tày", "Thái", "Mường", "Khmer", "H'Mông", "Dao"]


def roster_csv(communes: list[str], rows: int, seed: int = 8, changed_every: int = 0,
               moved_every: int = 0) -> bytes:
    """A deterministic roster CSV in the import format; `changed_every` alters every Nth phone,
    `moved_every` moves every Nth person (but leavers) to the next commune."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ma_nhan_su", "ho_ten", "gioi_tinh", "nam_sinh", "chuc_danh", "ma_xa",
                     "so_dien_thoai", "dan_toc", "muc_tieu", "ngay_nghi"])
    for n in range(rows):
        left = n % 97 == 0
        move = bool(moved_every) and n % moved_every == 0 and not left   # a leaver cannot move
        phone = f"09{rng.randint(10_000_000, 99_999_999)}"
        if changed_every and n % changed_every == 0:
            phone = f"08{n:08d}"
        writer.writerow([f"BN{n:07d}", f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} "
                         f"{rng.choice(GIVEN)}", rng.choice(["Nam", "Nữ"]),
                         rng.randint(1960, 2004), rng.choice(POSITIONS),
                         communes[(n + move) % len(communes)],
                         phone, rng.choice(ETHNICITIES),
                         "không" if n % 40 == 0 else "có",
                         "30/06/2025" if left else ""])
    return out.getvalue().encode("utf-8")


def _import(data: bytes, **kw):
    from lms.extensions import db
    from lms.units.services import import_roster

    checked = [0]

    def progress(n):  # what the CLI's progress bar receives
        checked[0] += n

    kw.setdefault("initial", True)   # a first roster: present since the start of records
    result = import_roster(data, "bench.csv", progress=progress, **kw)
    if kw.get("dry_run"):
        db.session.rollback()
    else:
        db.session.commit()
    return result


def _empty_persons() -> None:
    from sqlalchemy import delete

    from lms.extensions import db
    from lms.units.models import Person

    db.session.execute(delete(Person.__table__))
    db.session.commit()


def _bare_insert(rows: list[dict]) -> None:
    """The baseline: the rows into the empty table, one executemany per 5,000, one commit."""
    from sqlalchemy import insert

    from lms.extensions import db
    from lms.units.models import Person

    for start in range(0, len(rows), 5000):
        db.session.execute(insert(Person.__table__), rows[start:start + 5000])
    db.session.commit()


def run(database_url: str, rows: int, instance_dir: str, pairs: int = 3) -> dict:
    """Load units into `database_url`, then time the imports; returns the figures."""
    from sqlalchemy import func, inspect, select

    from lms.extensions import db
    from lms.units.models import CURRENT, Person, RosterPeriod, Unit
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
            moved = roster_csv(communes, rows, changed_every=10, moved_every=10)
            figures["file_bytes"] = len(data)

            # The warm-up import gives the rows the bare insert writes: the same values.
            _import(data)
            columns = [c for c in Person.__table__.columns if c.name != "id"]
            parsed = [dict(r._mapping) for r in db.session.execute(select(*columns))]

            def first_import() -> float:
                _empty_persons()
                return seconds(lambda: _import(data))

            def bare() -> float:
                _empty_persons()
                return seconds(lambda: _bare_insert(parsed))

            paired = interleave(first_import, bare, pairs, warmup=0)
            figures["first_import_vs_bare_insert"] = paired.summary("import_s", "bare_s")
            _empty_persons()
            times: dict = {}
            outcomes = {}
            for name, payload, kw in (("first_import", data, {}),
                                      ("reimport_unchanged", data, {}),
                                      ("dry_run", changed, {"dry_run": True}),
                                      ("reimport_10pct_changed", changed, {}),
                                      ("reimport_10pct_moved", moved, {})):
                with timed(times, name):
                    result = _import(payload, **kw)
                outcomes[name] = {"new": result.new, "updated": result.updated,
                                  "unchanged": result.unchanged}
            figures["roster_periods"] = db.session.scalar(
                select(func.count()).select_from(RosterPeriod))
            figures["runs"] = {
                name: {"seconds": round(times[name], 3),
                       "rows_per_second": round(rows / times[name]), **outcomes[name]}
                for name in outcomes}
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the roster-import bench and print rows/second per run."""
    parser = argparse.ArgumentParser(prog="python -m bench.roster_import",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--pairs", type=int, default=3, help="interleaved import/bare pairs")
    parser.add_argument("--db", help="an EMPTY PostgreSQL database URL (default: temp SQLite)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        figures = run(url, args.rows, tmp, args.pairs)
        figures["total_seconds"] = round(time.perf_counter() - started, 1)
    name = "roster_import" if not args.db else "roster_import_postgresql"
    path = write_results(name, figures)
    pair = figures["first_import_vs_bare_insert"]
    print(f"roster import, {figures['rows']:,} rows, {figures['database']} (units loaded in "
          f"{figures['load_units_seconds']:.1f} s): first import {pair['import_s_median']:.2f} s "
          f"against a bare insert of the same rows {pair['bare_s_median']:.2f} s: ratio "
          f"{pair['ratio']:.2f} (median of {pair['pairs']} pairs {pair['pair_ratios']})")
    for run_name, fig in figures["runs"].items():
        print(f"  {run_name:<24} {fig['seconds']:>7.2f} s  {fig['rows_per_second']:>8,} rows/s  "
              f"(new {fig['new']}, updated {fig['updated']}, unchanged {fig['unchanged']})")
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
