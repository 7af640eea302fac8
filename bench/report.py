"""Time the coverage report at national scale against one bare SQL aggregate.

    python -m bench.report                                  # SQLite in /tmp, scales 0.1 and 0.2
    python -m bench.report --scales 0.5,1.0                 # national scale: 150,000 people
    python -m bench.report --db sqlite:////tmp/b.db --db postgresql://postgres@127.0.0.1/tap_b

For every database and scale (the scale is appended to the file or database name, so each size
has its own database), the data set is generated unless it already holds the expected row
counts; then the country report and a province report (Hà Nội, the most communes) are timed
through the service and through the JSON endpoint (test client, logged in as an admin), and one
bare SQL aggregate computing the same head-line figures over the same tables is timed in the
same run. Calls are interleaved round by round (after one warm-up round) so that load swings on
a shared machine hit them alike; timings and ratios are medians over --repeat rounds. Ratios are
printed and written to bench/results/report.json: service/bare (≤ 1.5), endpoint/bare (≤ 2),
full/half (≤ 2.2, the service time at the larger scale over the smaller when it is twice it).
"""

import argparse
import json
import statistics
import time
from datetime import date
from pathlib import Path

from sqlalchemy import Date, bindparam, text

from bench.common import Pairs
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


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _bare(unit):
    return text(BARE_SQL).bindparams(bindparam("from", FROM, type_=Date),
                                     bindparam("to", TO, type_=Date),
                                     bindparam("prefix", unit.path + "%"),
                                     bindparam("true", True))


def _round(client, code: str | None, check: bool) -> dict:
    """One bare query, one service call and one endpoint call for a unit (in app context)."""
    from lms.extensions import db
    from lms.reports import services

    unit = services.find_unit(code)
    bare = _bare(unit)
    query = {"from": FROM.isoformat(), "to": TO.isoformat()} | ({"unit": code} if code else {})
    times = {"bare": _timed(lambda: db.session.execute(bare).one())}
    doc = {}
    times["service"] = _timed(lambda: doc.update(services.coverage(unit, FROM, TO)))

    def endpoint():
        response = client.get("/api/v1/coverage", query_string=query)
        assert response.status_code == 200, response.status_code

    times["endpoint"] = _timed(endpoint)
    if check:  # the bare query and the service agree on the head-line figures
        got, t = tuple(db.session.execute(bare).one()), doc["totals"]
        assert got == (t["target"], t["trained"], t["person_times"], t["people"]), (got, t)
    times["rows"] = len(doc["rows"])
    db.session.rollback()
    return times


def measure(urls: dict[float, str], repeat: int) -> dict:
    """Time bare query, service and endpoint for the country and a province at every scale.

    Every round runs each call once, scale after scale, so a load swing on the shared machine
    hits all of them alike; ratios are medians of the per-round ratios.
    """
    from lms.accounts.services import create_user
    from lms.extensions import db

    apps, clients = {}, {}
    for scale, url in urls.items():
        apps[scale] = make_app(url)
        with apps[scale].app_context():
            if not db.session.scalar(text("SELECT COUNT(*) FROM users "
                                          "WHERE username = 'bench'")):
                create_user("bench", "admin", "bench-password-123")
                db.session.commit()
        clients[scale] = apps[scale].test_client()
        response = clients[scale].post("/accounts/login", data={
            "username": "bench", "password": "bench-password-123"})
        assert response.status_code == 302, response.status_code
    units = (("country", None), ("province", PROVINCE))
    samples = {(scale, label): {"bare": [], "service": [], "endpoint": []}
               for scale in urls for label, _code in units}
    rows = {}
    for round_ in range(repeat + 1):  # round 0 warms caches and plans, and checks figures
        for scale in urls:
            with apps[scale].app_context():
                for label, code in units:
                    times = _round(clients[scale], code, check=round_ == 0)
                    rows[(scale, label)] = times.pop("rows")
                    if round_:
                        for kind, value in times.items():
                            samples[(scale, label)][kind].append(value)
    figures: dict = {scale: {} for scale in urls}
    for (scale, label), times in samples.items():
        row = {kind: statistics.median(values) for kind, values in times.items()}
        row["service/bare"] = Pairs(times["service"], times["bare"]).ratio
        row["endpoint/bare"] = Pairs(times["endpoint"], times["bare"]).ratio
        row["rows"] = rows[(scale, label)]
        figures[scale][label] = row
    half, full = min(urls), max(urls)
    if full == 2 * half:
        for label in ("country", "province"):
            figures.setdefault("full/half", {})[label] = Pairs(
                samples[(full, label)]["service"], samples[(half, label)]["service"]).ratio
    for app in apps.values():
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return figures


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append",
                        help="database URL (repeatable); default sqlite:////tmp/taphuan_bench.db")
    parser.add_argument("--scales", default="0.1,0.2")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)
    urls = args.db or ["sqlite:////tmp/taphuan_bench.db"]
    scales = [float(s) for s in args.scales.split(",")]
    results = {"from": FROM.isoformat(), "to": TO.isoformat(), "limits": LIMITS, "runs": []}
    ok = True
    for url in urls:
        targets = {scale: scaled_url(url, scale) for scale in scales}
        for scale, target in targets.items():
            if args.regenerate or not _has_data(target, scale):
                generate(target, scale)
        figures = measure(targets, args.repeat)
        for scale in scales:
            for label, row in figures[scale].items():
                print(f"{targets[scale]:<62} x{scale:<4} {label:<8} "
                      f"bare {row['bare']*1000:8.1f} ms  service {row['service']*1000:8.1f} ms "
                      f"({row['service/bare']:.2f}x)  endpoint {row['endpoint']*1000:8.1f} ms "
                      f"({row['endpoint/bare']:.2f}x)")
                ok &= row["service/bare"] <= LIMITS["service/bare"]
                ok &= row["endpoint/bare"] <= LIMITS["endpoint/bare"]
        run = {"db": url.split("://")[0].split("+")[0], "url": url,
               "scales": {str(s): figures[s] for s in scales}}
        if "full/half" in figures:
            run["full/half"] = figures["full/half"]
            for label, value in figures["full/half"].items():
                print(f"{url:<62} full/half {label:<8} {value:.2f}x")
                ok &= value <= LIMITS["full/half"]
        results["runs"].append(run)
    results["within_limits"] = bool(ok)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"{'all within limits' if ok else 'SOME RATIOS OVER THE LIMITS'}; written {RESULTS}")


if __name__ == "__main__":
    main()
