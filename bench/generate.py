"""Build a national data set for the coverage benchmarks: 34 provinces and 3,321 communes (the
real units), 150,000 roster people, 450,000 enrolments and 300,000 completions at --scale 1.0.

    python -m bench.generate --db sqlite:////tmp/taphuan_bench.db --scale 0.5

The database is emptied first. Rows go in by bulk inserts (COPY on PostgreSQL).
"""

import argparse
import json
import random
import time
from datetime import date, datetime, timedelta

from sqlalchemy import create_engine, insert, text

PEOPLE, ENROLMENTS, COMPLETIONS = 150_000, 450_000, 300_000
COURSES = [("co-ban", True), ("nhan-dien", True), ("ho-tro", True), ("phap-ly", True),
           ("tam-ly", True), ("gioi-thieu", False)]
POSITIONS = ["can_bo_xa", "cong_an", "truong_thon", "cong_tac_vien", "bien_phong",
             "doan_the", "nguoi_uy_tin", "trung_tam", "khac"]
ETHNICITIES = ["Kinh"] * 8 + ["Tày", "Thái", "Mường", "Khmer", "H'Mông", "Dao", None]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN = ["An", "Bình", "Hà", "Hường", "Lan", "Nam", "Phương", "Sơn", "Thảo", "Việt"]
FIRST_DAY = date(2023, 1, 1)
DAYS = (date(2025, 12, 31) - FIRST_DAY).days


def ensure_database(url: str) -> None:
    """Create a PostgreSQL database named in `url` when it does not exist."""
    if not url.startswith(("postgresql", "postgres")):
        return
    from lms.config import normalise_database_url

    url = normalise_database_url(url)
    base, name = url.rsplit("/", 1)
    engine = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def make_app(url: str):
    """An app bound to `url` (no instance secret needed)."""
    from lms import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                       "TESTING": True, "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


def _copy(conn, table, columns: list[str], rows) -> None:
    """PostgreSQL COPY of rows (tuples) into `table`."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, list | dict) else v for v in row])


def _bulk(conn, model, columns: list[str], rows: list[tuple]) -> None:
    if conn.dialect.name == "postgresql":
        _copy(conn, model.__tablename__, columns, rows)
        return
    for start in range(0, len(rows), 20_000):
        conn.execute(insert(model), [dict(zip(columns, r, strict=True))
                                     for r in rows[start:start + 20_000]])


def generate(url: str, scale: float, seed: int = 2025, quiet: bool = False) -> dict:
    """Empty the database at `url` and fill it; returns the row counts."""
    from lms.core.text import fold
    from lms.courses.models import Completion, Course, Enrolment
    from lms.extensions import db
    from lms.units.models import Person
    from lms.units.services import load_current_units

    ensure_database(url)
    app = make_app(url)
    rng = random.Random(seed)
    started = time.perf_counter()
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_current_units()
        db.session.commit()
        communes = [uid for (uid,) in db.session.execute(
            text("SELECT id FROM units WHERE kind = 'commune' ORDER BY id"))]
        now = datetime(2026, 1, 1)
        n_people = int(PEOPLE * scale)
        people = []
        for i in range(n_people):
            name = f"{rng.choice(FAMILY)} {rng.choice(['Thị', 'Văn'])} {rng.choice(GIVEN)}"
            left = FIRST_DAY + timedelta(days=rng.randrange(DAYS)) if rng.random() < .04 else None
            people.append((i + 1, f"B{i + 1:07d}", name, fold(name),
                           rng.choice(["male", "female", "female", None]),
                           rng.choice(POSITIONS), rng.choice(communes),
                           rng.choice(ETHNICITIES), rng.random() < .95, left, now, now))
        conn = db.session.connection()
        _bulk(conn, Person, ["id", "staff_id", "full_name", "name_search", "gender", "position",
                             "commune_id", "ethnicity", "in_target", "left_on", "created_at",
                             "updated_at"], people)
        _bulk(conn, Course, ["id", "slug", "title", "summary", "audience", "hours",
                             "counts_toward_target", "pass_mark", "settings", "version",
                             "sources", "active"],
              [(i + 1, slug, slug, "", [], 4.0, counts, 70, {}, "1", [], True)
               for i, (slug, counts) in enumerate(COURSES)])
        n_enrol = int(ENROLMENTS * scale)
        n_done = int(COMPLETIONS * scale)
        per_person = n_enrol // n_people
        enrolments, completions = [], []
        for pid in range(1, n_people + 1):
            for course in rng.sample(range(1, len(COURSES) + 1), per_person):
                enrolments.append((len(enrolments) + 1, pid, course, now, "active"))
        done = set(rng.sample(range(len(enrolments)), n_done))
        for index in sorted(done):
            eid, pid, course, _at, _s = enrolments[index]
            on = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            enrolments[index] = (eid, pid, course, now, "completed")
            completions.append((len(completions) + 1, pid, course, on,
                                rng.choice(["online", "cohort", "import"]), eid, now))
        _bulk(conn, Enrolment, ["id", "person_id", "course_id", "enrolled_at", "status"],
              enrolments)
        _bulk(conn, Completion, ["id", "person_id", "course_id", "completed_on", "source",
                                 "enrolment_id", "created_at"], completions)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            for table in ("persons", "courses", "enrolments", "completions", "units"):
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', "
                                        f"'id'), (SELECT MAX(id) FROM {table}))"))
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        counts = {"communes": len(communes), "people": n_people, "enrolments": len(enrolments),
                  "completions": len(completions)}
        db.session.remove()
        db.engine.dispose()
    if not quiet:
        print(f"{url} scale {scale}: {counts} in {time.perf_counter() - started:.1f}s")
    return counts


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite:////tmp/taphuan_bench.db")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    generate(args.db, args.scale, args.seed)


if __name__ == "__main__":
    main()
