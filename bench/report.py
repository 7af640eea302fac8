"""Time the coverage report at national scale against one bare SQL aggregate, alone and under
concurrent load.

    python -m bench.report                                  # SQLite in /tmp, scales 0.1 and 0.2
    python -m bench.report --scales 0.5,1.0                 # national scale: 150,000 people
    python -m bench.report --db sqlite:////tmp/b.db --db postgresql://postgres@127.0.0.1/tap_b

For every database and scale (the scale is appended to the file or database name, so each size
has its own database), the data set is generated unless it already holds the expected row
counts; then the country report and the largest province's (the most roster people) are timed
through the service, the JSON endpoint and the coverage page (test client, logged in as an
admin), and one bare SQL aggregate computing the same head-line figures over the same tables
(BARE_SQL: the unit's people first, their completions folded once per person) is timed in the
same run. Calls are interleaved round by round (after one warm-up round) so that load swings on
a shared machine hit them alike; timings and ratios are medians over --repeat rounds.

Then, at the largest scale, the province's page and its JSON are served by gunicorn (--workers
sync workers, sharing a private redis-server for the rate limits when there is one) to
--load-clients concurrent clients, and the bare SQL runs from as many threads, phase after phase
for --load-rounds rounds: req/s and p95 of each, and the page's slowdown against the JSON and
the bare SQL. Ratios are printed and written to bench/results/report.json: service/bare (≤ 1.5),
endpoint/bare (≤ 2), full/half (≤ 2.2, the service time at the larger scale over the smaller when
it is twice it), and under load JSON req/s over the page's and page p95 over JSON p95 (≤ 2).
"""

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path

from sqlalchemy import Date, bindparam, text

from bench.common import (
    ROOT,
    Pairs,
    percentile,
    rate_limit_store,
    start_gunicorn,
    stop_gunicorn,
)
from bench.generate import COMPLETIONS, PEOPLE, generate, make_app
from bench.load import Client, flask_env, summarise

RESULTS = Path(__file__).parent / "results" / "report.json"
FROM, TO = date(2025, 1, 1), date(2025, 12, 31)
PAGE_PATH, JSON_PATH = "/reports/coverage", "/api/v1/coverage"
USERNAME, PASSWORD = "bench", "bench-password-123"
LIMITS = {"service/bare": 1.5, "endpoint/bare": 2.0, "full/half": 2.2,
          "page under load/json": 2.0}

# The same head-line figures as the service's totals, in the tightest honest statement: U's
# people first (through the commune index), their completions folded once into one row per
# person (only theirs, through the person index), then one pass of sums. A naive join of people
# to completions with COUNT(DISTINCT …) does more work than the service and flatters it. The
# country needs neither filter (everyone is in it).
BARE_SQL = """
WITH up AS (
  SELECT p.id, CASE WHEN p.in_target = :true AND (p.left_on IS NULL OR p.left_on > :to)
                    THEN 1 ELSE 0 END AS tgt
  FROM persons p {people_filter}
),
pc AS (
  SELECT c.person_id, MAX(CASE WHEN k.counts_toward_target = :true THEN 1 ELSE 0 END) AS trn,
         SUM(CASE WHEN c.completed_on >= :from THEN 1 ELSE 0 END) AS times
  FROM completions c JOIN courses k ON k.id = c.course_id
  WHERE c.completed_on <= :to {completion_filter}
  GROUP BY c.person_id
)
SELECT COALESCE(SUM(up.tgt), 0) AS target, COALESCE(SUM(up.tgt * pc.trn), 0) AS trained,
       COALESCE(SUM(pc.times), 0) AS person_times,
       COALESCE(SUM(CASE WHEN pc.times > 0 THEN 1 ELSE 0 END), 0) AS people
FROM up LEFT JOIN pc ON pc.person_id = up.id
"""

LARGEST_PROVINCE = """
SELECT pr.code FROM persons p JOIN units cu ON cu.id = p.commune_id
JOIN units pr ON pr.id = cu.parent_id
GROUP BY pr.code ORDER BY COUNT(*) DESC, pr.code LIMIT 1
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
    below = unit.parent_id is not None
    sql = BARE_SQL.format(
        people_filter="WHERE p.commune_id IN (SELECT id FROM units WHERE path LIKE :prefix)"
        if below else "",
        completion_filter="AND c.person_id IN (SELECT id FROM up)" if below else "")
    binds = [bindparam("from", FROM, type_=Date), bindparam("to", TO, type_=Date),
             bindparam("true", True)]
    if below:
        binds.append(bindparam("prefix", unit.path + "%"))
    return text(sql).bindparams(*binds)


def _round(client, code: str | None, check: bool) -> dict:
    """One bare query, one service call, one endpoint call and one page for a unit (in app
    context)."""
    from lms.extensions import db
    from lms.reports import services

    unit = services.find_unit(code)
    bare = _bare(unit)
    query = {"from": FROM.isoformat(), "to": TO.isoformat()} | ({"unit": code} if code else {})
    times = {"bare": _timed(lambda: db.session.execute(bare).one())}
    doc = {}
    times["service"] = _timed(lambda: doc.update(services.coverage(unit, FROM, TO)))

    def get(path):
        response = client.get(path, query_string=query)
        assert response.status_code == 200, (path, response.status_code)

    times["endpoint"] = _timed(lambda: get(JSON_PATH))
    times["page"] = _timed(lambda: get(PAGE_PATH))
    if check:  # the bare query and the service agree on the head-line figures
        got, t = tuple(db.session.execute(bare).one()), doc["totals"]
        assert got == (t["target"], t["trained"], t["person_times"], t["people"]), (got, t)
    times["rows"] = len(doc["rows"])
    db.session.rollback()
    return times


def largest_province(app) -> str:
    """The code of the province with the most roster people."""
    from lms.extensions import db

    with app.app_context():
        code = db.session.scalar(text(LARGEST_PROVINCE))
        db.session.remove()
    return code


def measure(urls: dict[float, str], repeat: int) -> dict:
    """Time bare query, service, endpoint and page for the country and the largest province
    at every scale.

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
                                          "WHERE username = :u"), {"u": USERNAME}):
                create_user(USERNAME, "admin", PASSWORD)
                db.session.commit()
        clients[scale] = apps[scale].test_client()
        response = clients[scale].post("/accounts/login", data={
            "username": USERNAME, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
    province = largest_province(apps[max(urls)])
    units = (("country", None), ("province", province))
    kinds = ("bare", "service", "endpoint", "page")
    samples = {(scale, label): {kind: [] for kind in kinds}
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
        row["page/endpoint"] = Pairs(times["page"], times["endpoint"]).ratio
        row["rows"] = rows[(scale, label)]
        figures[scale][label] = row
    figures["province"] = province
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


# --- under concurrent load ----------------------------------------------------------------------

def _hammer(clients: list[Client], path: str, seconds: float) -> list:
    """Every client GETs `path` in a loop for `seconds`; returns (kind, latency, status)."""
    deadline = time.monotonic() + seconds

    def loop(client):
        while time.monotonic() < deadline:
            client.get(path, "x")

    for client in clients:
        client.records.clear()
    threads = [threading.Thread(target=loop, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return [r for c in clients for r in c.records]


def _hammer_sql(engine, stmt, clients: int, seconds: float) -> list:
    """`clients` threads, each with its own connection, run `stmt` in a loop for `seconds`."""
    deadline = time.monotonic() + seconds
    records, lock = [], threading.Lock()

    def loop():
        with engine.connect() as conn:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                conn.execute(stmt).one()
                conn.rollback()
                with lock:
                    records.append(("x", time.perf_counter() - started, 200))

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return records


def under_load(url: str, code: str, clients: int, seconds: float, rounds: int,
               workers: int) -> dict:
    """The province's coverage page, its JSON and the bare SQL under `clients` concurrent
    clients (gunicorn, `workers` sync workers; the SQL from as many threads, each with its own
    connection), phase after phase round by round; req/s and p95 per kind, and the ratios."""
    from sqlalchemy import create_engine

    from lms.config import normalise_database_url

    stack = ExitStack()
    workers, store = stack.enter_context(rate_limit_store(workers))
    env = flask_env(url) | {"LMS_WORKERS": str(workers), "LMS_LOG_LEVEL": "warning",
                            "LMS_ACCESS_LOG": os.devnull} | store
    log = Path(tempfile.gettempdir()) / "tap_huan_report_gunicorn.log"
    query = f"?unit={code}&from={FROM.isoformat()}&to={TO.isoformat()}"
    paths = {"page": PAGE_PATH + query, "json": JSON_PATH + query}
    engine = create_engine(normalise_database_url(url), pool_size=clients)
    with make_app(url).app_context():
        from lms.reports import services

        bare = _bare(services.find_unit(code))
    server, port = start_gunicorn("app:app", ROOT / "gunicorn.conf.py", ROOT, env, log,
                                  ready="/healthz")
    try:
        lock = threading.Lock()
        pool = [Client(port, [], lock) for _ in range(clients)]
        for client in pool:
            client.get("/accounts/login", "login")
            reply = client.post("/accounts/login", "login",
                                {"username": USERNAME, "password": PASSWORD})
            assert reply.status == 302, reply.status
        for path in paths.values():  # warm-up: plans, caches, every worker's imports
            _hammer(pool, path, 1.0)
        samples: dict = {kind: {"rps": [], "p95": [], "records": []}
                         for kind in ("page", "json", "bare")}
        for _round in range(rounds):
            for kind in samples:
                started = time.monotonic()
                records = (_hammer_sql(engine, bare, clients, seconds) if kind == "bare"
                           else _hammer(pool, paths[kind], seconds))
                elapsed = time.monotonic() - started
                bad = [r for r in records if r[2] != 200]
                assert not bad, (kind, bad[:3])
                row = summarise(records, elapsed)["ALL"]
                samples[kind]["rps"].append(row["rps"])
                samples[kind]["p95"].append(row["p95_ms"])
                samples[kind]["records"] += records
    finally:
        stop_gunicorn(server)
        engine.dispose()
        stack.close()
    figures: dict = {"province": code, "clients": clients, "workers": workers,
                     "seconds_per_phase": seconds, "rounds": rounds}
    for kind, got in samples.items():
        lat = [r[1] * 1000 for r in got["records"]]
        figures[kind] = {"rps": round(statistics.median(got["rps"]), 1),
                         "p95_ms": round(percentile(lat, 95), 1), "requests": len(lat)}
    # Slowdowns, as medians of the rounds' ratios: the JSON's throughput over the page's, the
    # page's p95 over the JSON's, and the same against the bare SQL.
    for other in ("json", "bare"):
        figures[f"{other}_rps/page_rps"] = Pairs(samples[other]["rps"],
                                                 samples["page"]["rps"]).ratio
        figures[f"page_p95/{other}_p95"] = Pairs(samples["page"]["p95"],
                                                 samples[other]["p95"]).ratio
    return figures


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append",
                        help="database URL (repeatable); default sqlite:////tmp/taphuan_bench.db")
    parser.add_argument("--scales", default="0.1,0.2")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--load-clients", type=int, default=4,
                        help="concurrent clients of the load phase (0: no load phase)")
    parser.add_argument("--load-seconds", type=float, default=4.0, help="seconds per phase")
    parser.add_argument("--load-rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers under load")
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
                print(f"{targets[scale]:<50} x{scale:<4} {label:<8} "
                      f"bare {row['bare']*1000:7.1f} ms  service {row['service']*1000:7.1f} ms "
                      f"({row['service/bare']:.2f}x)  endpoint {row['endpoint']*1000:7.1f} ms "
                      f"({row['endpoint/bare']:.2f}x)  page {row['page']*1000:7.1f} ms "
                      f"({row['page/endpoint']:.2f}x endpoint)")
                ok &= row["service/bare"] <= LIMITS["service/bare"]
                ok &= row["endpoint/bare"] <= LIMITS["endpoint/bare"]
        run = {"db": url.split("://")[0].split("+")[0], "url": url, "province": figures["province"],
               "scales": {str(s): figures[s] for s in scales}}
        if "full/half" in figures:
            run["full/half"] = figures["full/half"]
            for label, value in figures["full/half"].items():
                print(f"{url:<50} full/half {label:<8} {value:.2f}x")
                ok &= value <= LIMITS["full/half"]
        if args.load_clients:
            load = under_load(targets[max(scales)], figures["province"], args.load_clients,
                              args.load_seconds, args.load_rounds, args.workers)
            run["under_load"] = load
            print(f"{targets[max(scales)]:<50} province {load['province']} under load, "
                  f"{load['clients']} clients, {load['workers']} workers:")
            for kind in ("page", "json", "bare"):
                print(f"  {kind:<5} {load[kind]['rps']:8.1f} req/s  "
                      f"p95 {load[kind]['p95_ms']:8.1f} ms")
            print(f"  JSON/page req/s {load['json_rps/page_rps']:.2f}x, page/JSON p95 "
                  f"{load['page_p95/json_p95']:.2f}x; bare/page req/s "
                  f"{load['bare_rps/page_rps']:.2f}x, page/bare p95 "
                  f"{load['page_p95/bare_p95']:.2f}x")
            ok &= load["json_rps/page_rps"] <= LIMITS["page under load/json"]
            ok &= load["page_p95/json_p95"] <= LIMITS["page under load/json"]
        results["runs"].append(run)
    results["within_limits"] = bool(ok)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"{'all within limits' if ok else 'SOME RATIOS OVER THE LIMITS'}; written {RESULTS}")


if __name__ == "__main__":
    main()
