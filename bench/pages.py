"""Pages against a bare Flask app on the same gunicorn settings: lesson, sign-in, app shell.

    python -m bench.pages [--db sqlite|postgresql://…/tap_huan_pages] [--pairs 5]
                          [--seconds 2] [--clients 16] [--trainees 50] [--app-root DIR]

Builds a throw-away database (`flask lms init` + `flask lms demo`), starts the app with
`gunicorn -c gunicorn.conf.py` on two workers and, on the same settings, bench/bare_app.py,
which serves the app's own pages byte for byte (fetched once from the app) and "ok". Then, as
interleaved pairs of rounds (app, bare, app, bare …, each --seconds long with --clients
concurrent clients), it measures the throughput of
- the lesson page of the demo trainee (signed in) against the same-size bare page,
- the sign-in page (anonymous) against the same-size bare page,
- the app shell (the app's "ok" endpoint, /_bench/bare) against the bare app's "ok",
and reports each ratio app/bare (median of the pairs). Finally --trainees signed-in clients
read the lesson page at once, again paired with the bare page, for the lesson page's p95 latency
(goal: under 50 ms at 50 trainees on two workers; ratio goal: lesson ≥ 0.5 of bare).

`--app-root` runs another checkout of the app (e.g. an older commit) with this bench, to
compare before and after. Writes bench/results/pages_<db>.json.
"""

import argparse
import http.client
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from bench.common import (
    HOST,
    ROOT,
    Pairs,
    interleave,
    percentile,
    rate_limit_store,
    start_gunicorn,
    stop_gunicorn,
    write_results,
)

GOALS = {"lesson_ratio": 0.5, "lesson_p95_ms": 50.0}
DEMO_USER, DEMO_PASSWORD = "trainee", "taphuan-demo"  # noqa: S105 — the documented demo login
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_COURSE = re.compile(r'href="(/courses/[a-z0-9-]+)"')
_LESSON = re.compile(r'href="(/courses/[a-z0-9-]+/lessons/[a-z0-9-]+)"')


def get(port: int, path: str, cookie: str = "", data: dict | None = None
        ) -> tuple[int, bytes, dict]:
    """One request (POST when `data`); (status, body, headers)."""
    headers = {"Host": f"{HOST}:{port}", **({"Cookie": cookie} if cookie else {})}
    body = None
    if data is not None:
        body = urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("POST" if data is not None else "GET", path, body=body, headers=headers)
        reply = conn.getresponse()
        return reply.status, reply.read(), {k.lower(): v for k, v in reply.getheaders()}
    finally:
        conn.close()


def cookie_of(headers: dict, old: str = "") -> str:
    """The session cookie a reply sets (or the old one)."""
    value = headers.get("set-cookie", "")
    return value.split(";", 1)[0] if value else old


def sign_in(port: int) -> tuple[str, str]:
    """Sign the demo trainee in through the form; (cookie, path of a lesson they can read)."""
    _status, body, headers = get(port, "/accounts/login")
    cookie = cookie_of(headers)
    token = _CSRF.search(body.decode()).group(1)
    status, _body, headers = get(port, "/accounts/login", cookie,
                                 {"username": DEMO_USER, "password": DEMO_PASSWORD,
                                  "csrf_token": token})
    if status != 302:
        raise SystemExit(f"demo trainee could not sign in (HTTP {status})")
    cookie = cookie_of(headers, cookie)
    _status, body, _headers = get(port, "/courses/me", cookie)
    for course in dict.fromkeys(_COURSE.findall(body.decode())):
        _status, page, _headers = get(port, course, cookie)
        lessons = list(dict.fromkeys(_LESSON.findall(page.decode())))
        if lessons:
            return cookie, lessons[-1]
    raise SystemExit("the demo trainee has no lesson to read")


def hammer(port: int, path: str, cookie: str, clients: int, seconds: float,
           latencies: list | None = None) -> float:
    """GET `path` from `clients` threads for `seconds`; completed 200s per second. Latencies
    (seconds) are appended to `latencies` when given; any other status stops the bench."""
    stop = time.monotonic() + seconds
    counts, bad, lock = [0] * clients, [], threading.Lock()

    def loop(i: int) -> None:
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            status, _body, _headers = get(port, path, cookie)
            mine.append(time.perf_counter() - started)
            if status != 200:
                bad.append(status)
                return
            counts[i] += 1
        if latencies is not None:
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    if bad:
        raise SystemExit(f"{path}: HTTP {bad[0]} under load")
    return sum(counts) / (time.monotonic() - started)


def prepare_database(db: str, tmp: Path) -> str:
    """A fresh database URL: a SQLite file in `tmp`, or the named PostgreSQL database dropped
    and created again (a name containing "test" is refused)."""
    if db == "sqlite":
        return f"sqlite:///{tmp / 'pages.db'}"
    import psycopg

    parts = urlsplit(db)
    name = parts.path.lstrip("/") or "tap_huan_pages"
    if "test" in name or name in {"postgres"} or name.startswith("template"):
        raise SystemExit(f"refusing to drop database {name!r}: name a dedicated one")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def measure(args: argparse.Namespace, tmp: Path) -> dict:
    """Set up both servers, run the pairs; returns the figures."""
    app_root = Path(args.app_root).resolve()
    url = prepare_database(args.db, tmp)
    stack = ExitStack()
    workers, store = stack.enter_context(rate_limit_store(args.workers))
    env = {**os.environ, "LMS_DATABASE_URL": url, "LMS_SECRET_KEY": secrets.token_hex(32),
           "LMS_BENCH_ENDPOINTS": "1", "LMS_WORKERS": str(workers),
           "LMS_LOG_LEVEL": "warning"} | store
    for command in (["init"], ["demo"]):
        proc = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "lms", *command],
                              cwd=app_root, env=env, capture_output=True, text=True, timeout=900)
        if proc.returncode:
            raise SystemExit(f"flask lms {command[0]} failed:\n{proc.stdout}{proc.stderr}")
    app, app_port = start_gunicorn("app:app", app_root / "gunicorn.conf.py", app_root, env,
                                   tmp / "app.log", ready="/_bench/bare")
    bare = None
    try:
        cookie, lesson = sign_in(app_port)
        pages = tmp / "pages"
        pages.mkdir()
        sizes = {}
        for name, path, jar in (("lesson", lesson, cookie), ("login", "/accounts/login", "")):
            status, body, _headers = get(app_port, path, jar)
            assert status == 200, (path, status)
            (pages / f"{name}.html").write_bytes(body)
            sizes[name] = len(body)
        bare, bare_port = start_gunicorn("bench.bare_app:app", ROOT / "bench" / "gunicorn_bare.py",
                                         ROOT, {**env, "BENCH_BARE_PAGES": str(pages)},
                                         tmp / "bare.log")
        comparisons = {"lesson": (lesson, cookie, "/page/lesson"),
                       "login": ("/accounts/login", "", "/page/login"),
                       "shell": ("/_bench/bare", "", "/ok")}
        figures: dict = {"database": url.split(":", 1)[0], "workers": workers,
                         "clients": args.clients, "seconds_per_round": args.seconds,
                         "lesson_path": lesson, "page_bytes": sizes, "goals": GOALS}
        for name, (app_path, jar, bare_path) in comparisons.items():
            cpu: dict = {"app": [], "bare": []}
            pairs = interleave(
                lambda p=app_path, j=jar, c=cpu["app"]: metered(app, c, app_port, p, j, args),
                lambda p=bare_path, c=cpu["bare"]: metered(bare, c, bare_port, p, "", args),
                args.pairs)
            figures[name] = pairs.summary("app_rps", "bare_rps", digits=3)
            # The server's CPU per request, bare over app: the same ratio as the throughput's
            # when the servers had the cores to themselves; steadier on a shared machine.
            cost = Pairs(cpu["bare"][1:], cpu["app"][1:])
            figures[name]["cpu"] = cost.summary("bare_ms_per_request", "app_ms_per_request",
                                                scale=1000)
            print(f"[pages] {name:<7} app {figures[name]['app_rps_median']:8.1f} req/s  bare "
                  f"{figures[name]['bare_rps_median']:8.1f} req/s  ratio "
                  f"{figures[name]['ratio']:.3f}  pairs {figures[name]['pair_ratios']}; server "
                  f"CPU per request app {figures[name]['cpu']['app_ms_per_request_median']} ms, "
                  f"bare {figures[name]['cpu']['bare_ms_per_request_median']} ms: ratio "
                  f"{cost.ratio:.3f}", flush=True)
        lat_app: list[float] = []
        lat_bare: list[float] = []
        p95 = interleave(lambda: _p95(app_port, lesson, cookie, args, lat_app),
                         lambda: _p95(bare_port, "/page/lesson", "", args, lat_bare),
                         args.pairs)
        figures["lesson_under_load"] = {
            "trainees": args.trainees, **p95.summary("app_p95_ms", "bare_p95_ms", scale=1000,
                                                     digits=1),
            "app_p50_ms": round(percentile(lat_app, 50) * 1000, 1),
            "bare_p50_ms": round(percentile(lat_bare, 50) * 1000, 1)}
        figures["lesson_under_load"]["ratio"] = round(p95.ratio, 3)
        load = figures["lesson_under_load"]
        print(f"[pages] lesson p95 at {args.trainees} trainees: app {load['app_p95_ms_median']} "
              f"ms, bare {load['bare_p95_ms_median']} ms (p50 {load['app_p50_ms']} / "
              f"{load['bare_p50_ms']} ms)", flush=True)
    finally:
        stop_gunicorn(app)
        if bare is not None:
            stop_gunicorn(bare)
        stack.close()
    return figures


def server_cpu_seconds(leader: int, proc: Path = Path("/proc")) -> float:
    """CPU seconds used so far by every process of the group `leader` leads (gunicorn's
    master and workers, with the workers it has already reaped); read from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = 0
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) == leader:
                used += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return used / ticks


def metered(server, into: list, port: int, path: str, cookie: str,
            args: argparse.Namespace) -> float:
    """One round of `hammer`; appends the server's CPU seconds per request to `into`."""
    before, started = server_cpu_seconds(server.pid), time.monotonic()
    rps = hammer(port, path, cookie, args.clients, args.seconds)
    elapsed = time.monotonic() - started
    into.append((server_cpu_seconds(server.pid) - before) / max(rps * elapsed, 1))
    return rps


def _p95(port: int, path: str, cookie: str, args: argparse.Namespace, into: list) -> float:
    """p95 latency (seconds) of one round of `--trainees` clients reading `path`."""
    latencies: list[float] = []
    hammer(port, path, cookie, args.trainees, args.seconds, latencies)
    into.extend(latencies)
    return percentile(latencies, 95)


def main(argv: list[str] | None = None) -> int:
    """Command line: prints the ratios and whether the goals are met."""
    parser = argparse.ArgumentParser(prog="python -m bench.pages",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite", help="sqlite or a postgresql:// URL")
    parser.add_argument("--pairs", type=int, default=5, help="interleaved pairs of rounds")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per round")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (ratios)")
    parser.add_argument("--trainees", type=int, default=50, help="concurrent clients (p95)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--app-root", default=str(ROOT), help="checkout of the app to measure")
    parser.add_argument("--name", help="results file name (default pages_<db>)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lms-pages-") as tmp:
        figures = measure(args, Path(tmp))
    figures["app_root"] = str(Path(args.app_root).resolve())
    path = write_results(args.name or f"pages_{figures['database']}", figures)
    met = {"lesson_ratio": figures["lesson"]["ratio"] >= GOALS["lesson_ratio"],
           "lesson_p95_ms": figures["lesson_under_load"]["app_p95_ms_median"]
           < GOALS["lesson_p95_ms"]}
    figures["goals_met"] = met
    print(f"lesson/bare {figures['lesson']['ratio']:.3f} (goal ≥ {GOALS['lesson_ratio']}), "
          f"login/bare {figures['login']['ratio']:.3f}, shell/bare "
          f"{figures['shell']['ratio']:.3f}; lesson p95 at {args.trainees} trainees "
          f"{figures['lesson_under_load']['app_p95_ms_median']} ms (goal < "
          f"{GOALS['lesson_p95_ms']:g} ms); written {path.relative_to(ROOT)}")
    write_results(path.stem, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
