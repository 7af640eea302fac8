"""Time the coverage report at national scale against one bare SQL aggregate.

    python -m bench.report                                  # SQLite in /tmp, scales 0.5 and 1.0
    python -m bench.report --db sqlite:////tmp/b.db --db postgresql://postgres@127.0.0.1/tap_b

For every database and scale (the scale is appended to the file or database name, so each size
has its own database), the data set is generated unless it already holds the expected row
counts; then the country report and a province report (Hà Nội, the most communes) are timed
through the service and through the JSON endpoint (test client, logged in as an admin), and one
bare SQL aggregate computing the same head-line figures over the same tables is timed in the
same run. Each timing is the median of --repeat runs after one warm-up. Ratios printed and
written to bench/results/report.json: service/bare (≤ 1.5), endpoint/bare (≤ 2), full/half
(≤ 2.2, the service time at scale 1.0 over 0.5).
"""

import argparse
import json
import statistics
import time
from datetime import date
from pathlib import Path

from sqlalchemy import Date, bindparam, text

from bench.generate import COMPLETIONS, PEOPLE, generate, make_app

RESULTS = Path(__file__).parent / "results" / "report.json"
FROM, TO = date(2025, 1, 1), date(2025, 12, 31)
PROVINCE = "01"
LIMITS = {"service/bare": 1.5, "endpoint/bare": 2.0, "full/half": 2.2}

# The same head-line figures as the service's totals, in one plain statement.
BARE_SQL = """
SELECT COUNT(DISTINCT CASE WHEN p.in_target = :true AND (p.left_on IS NULL OR p.left_on > :to)
                           THEN p.id END) AS target,
       COUNT(DISTINCT CASE WHEN p.in_target = :true AND (p.left_on IS NULL OR p.left_on > :to)
                            AND k.counts_toward_target = :true THEN p.id END) AS trained,
       SUM(CASE WHEN c.completed_on >= :from THEN 1 ELSE 0 END) AS person_times,
       COUNT(DISTINCT CASE WHEN c.completed_on >= :from THEN p.id END) AS people
FROM persons p
JOIN units u ON u.id = p.commune_id
LEFT JOIN completions c ON c.person_id = p.id AND c.completed_on <= :to
LEFT JOIN courses k ON k.id = c.course_id
WHERE u.path LIKE :prefix
"""


def scaled_url(url: str, scale: float) -> str:
    """The database of one scale: `…/name.db` → `…/name_s05.db`, `…/name` → `…/name_s05`."""
    tag = f"_s{int(scale * 10):02d}"
    if url.endswith(".db"):
        return url[:-3] + tag + ".db"
    return url + tag


def _has_data(url: str, scale: float) -> bool:
    from bench.generate import ensure_database
    from lms.extensions import db

    ensure_database(url)
    app = make_app(url)
    with app.app_context():
        try:
            people = db.session.scalar(text("SELECT COUNT(*) FROM persons"))
            done = db.session.scalar(text("SELECT COUNT(*) FROM completions"))
        except Exception:  # noqa: BLE001 - no schema yet
            people = done = None
        db.session.remove()
        db.engine.dispose()
    return people == int(PEOPLE * scale) and done == int(COMPLETIONS * scale)


def _median(fn, repeat: int) -> float:
    fn()  # warm-up: caches, plans, page cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(url: str, repeat: int) -> dict:
    """Time service, endpoint and bare query for the country and one province."""
    from lms.accounts.services import create_user
    from lms.extensions import db
    from lms.reports import services

    app = make_app(url)
    figures = {}
    with app.app_context():
        if db.session.scalar(text("SELECT COUNT(*) FROM users WHERE username = 'bench'")) == 0:
            create_user("bench", "admin", "bench-password-123")
            db.session.commit()
        client = app.test_client()
        client.post("/accounts/login", data={"username": "bench",
                                             "password": "bench-password-123"})
        for label, code in (("country", None), ("province", PROVINCE)):
            unit = services.find_unit(code)
            bare = text(BARE_SQL).bindparams(bindparam("from", FROM, type_=Date),
                                             bindparam("to", TO, type_=Date),
                                             bindparam("prefix", unit.path + "%"),
                                             bindparam("true", True))
            query = {"from": FROM.isoformat(), "to": TO.isoformat()} | (
                {"unit": code} if code else {})

            def call_endpoint(query=query):
                response = client.get("/api/v1/coverage", query_string=query)
                assert response.status_code == 200, response.status_code

            def call_bare(bare=bare):
                db.session.execute(bare).one()

            def call_service(unit=unit):
                services.coverage(unit, FROM, TO)

            row = {"bare": _median(call_bare, repeat),
                   "service": _median(call_service, repeat),
                   "endpoint": _median(call_endpoint, repeat)}
            doc = services.coverage(unit, FROM, TO)
            check = db.session.execute(bare).one()
            t = doc["totals"]
            assert tuple(check) == (t["target"], t["trained"], t["person_times"],
                                    t["people"]), (tuple(check), t)
            row["service/bare"] = row["service"] / row["bare"]
            row["endpoint/bare"] = row["endpoint"] / row["bare"]
            row["rows"] = len(doc["rows"])
            figures[label] = row
            db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    return figures


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append",
                        help="database URL (repeatable); default sqlite:////tmp/taphuan_bench.db")
    parser.add_argument("--scales", default="0.5,1.0")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    urls = args.db or ["sqlite:////tmp/taphuan_bench.db"]
    scales = [float(s) for s in args.scales.split(",")]
    results = {"from": FROM.isoformat(), "to": TO.isoformat(), "limits": LIMITS, "runs": []}
    ok = True
    for url in urls:
        per_scale = {}
        for scale in scales:
            target = scaled_url(url, scale)
            if args.regenerate or not _has_data(target, scale):
                generate(target, scale)
            per_scale[scale] = measure(target, args.repeat)
            for label, row in per_scale[scale].items():
                print(f"{target:<60} x{scale:<4} {label:<8} bare {row['bare']*1000:8.1f} ms"
                      f"  service {row['service']*1000:8.1f} ms ({row['service/bare']:.2f}x)"
                      f"  endpoint {row['endpoint']*1000:8.1f} ms ({row['endpoint/bare']:.2f}x)")
                ok &= row["service/bare"] <= LIMITS["service/bare"]
                ok &= row["endpoint/bare"] <= LIMITS["endpoint/bare"]
        run = {"db": url.split("://")[0].split("+")[0], "url": url,
               "scales": {str(s): v for s, v in per_scale.items()}}
        if 0.5 in per_scale and 1.0 in per_scale:
            run["full/half"] = {label: per_scale[1.0][label]["service"]
                                / per_scale[0.5][label]["service"]
                                for label in per_scale[1.0]}
            for label, value in run["full/half"].items():
                print(f"{url:<60} full/half {label:<8} {value:.2f}x")
                ok &= value <= LIMITS["full/half"]
        results["runs"].append(run)
    results["within_limits"] = bool(ok)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"{'all within limits' if ok else 'SOME RATIOS OVER THE LIMITS'}; written {RESULTS}")


if __name__ == "__main__":
    main()
