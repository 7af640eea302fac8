"""Load test: simulated trainees against gunicorn (2 workers) on SQLite or PostgreSQL.

Run `python -m bench.load [--db sqlite|postgresql://...] [--users 50] [--seconds 30]`:

1. prepares a dedicated database (a SQLite file in /tmp, or the given PostgreSQL database,
   dropped and created again; a database whose name contains "test" is refused) with
   `flask lms init` and `flask lms demo`, plus N trainee accounts linked to roster people and
   enrolled in one course;
2. starts `gunicorn -c gunicorn.conf.py app:app` with two workers on a free port of 127.0.0.1
   and waits for /healthz;
3. runs N client threads for the given time; trainees arrive over the first --ramp seconds
   (10 by default: a login is a deliberately slow scrypt check); each logs in (CSRF token
   from the form), reads one or two lessons, marks them complete, starts the final test,
   saves answers one by one (answer.json, as quiz.js does), submits (every third time twice
   at once, on purpose) and reads the result, then again until the attempts run out;
4. checks the database: every submitted attempt graded, attempt numbers unique and within the
   limit, submitted attempts = the submits the clients saw graded; counts HTTP 5xx (must be 0).

Prints a summary, with the lesson page's p95 latency against the goal (under 50 ms at 50
trainees on two workers; the trainees have no think time, so this is the worst case), and writes
bench/results/load_<db>.json. The lesson page against a bare page is bench/pages.py. The client
is plain `http.client`, one connection per request (gunicorn's sync workers close connections
anyway), only 127.0.0.1.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.common import HOST, ROOT, percentile, rate_limit_store, start_gunicorn, stop_gunicorn

RESULTS = Path(__file__).resolve().parent / "results"
SQLITE_FILE = Path(tempfile.gettempdir()) / "tap_huan_load.db"
DEFAULT_PG_DB = "tap_huan_load"
COURSE_SLUG = "nhan-dien-mua-ban-nguoi"
PASSWORD = "load-test-pass"  # noqa: S105 — throwaway accounts in a throwaway database
P95_GOAL_MS = 50.0
GRADED_FLASH = "Đã nộp bài."

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_QUESTION = re.compile(r'<input type="hidden" name="q" value="(\d+)">')
_OPTION = re.compile(r'<input type="(radio|checkbox)" name="q(\d+)" value="(\d+)"')
_ATTEMPT = re.compile(r"/quizzes/attempts/(\d+)$")


# --- pure helpers (tested in tests/bench) -----------------------------------------------------

def parse_csrf(html: str) -> str | None:
    """The CSRF token of the first form on a page, or None."""
    match = _CSRF.search(html)
    return match.group(1) if match else None


def parse_questions(html: str) -> dict[int, tuple[str, int]]:
    """Questions of an attempt page: {question id: (input type, number of options)}."""
    questions = {int(q): ("radio", 0) for q in _QUESTION.findall(html)}
    for kind, qid, _pos in _OPTION.findall(html):
        qid = int(qid)
        if qid in questions:
            questions[qid] = (kind, questions[qid][1] + 1)
    return questions


def random_choice(kind: str, options: int, rng: random.Random) -> list[str]:
    """Positions a trainee picks: one for radio buttons, one or more for checkboxes."""
    if options == 0:
        return []
    if kind == "checkbox":
        picked = sorted(rng.sample(range(options), rng.randint(1, options)))
        return [str(p) for p in picked]
    return [str(rng.randrange(options))]


def pg_database_url(url: str) -> tuple[str, str]:
    """(URL of the dedicated load database, its name) from a postgresql:// URL.

    A URL without a database, or naming `postgres`, uses `tap_huan_load`.

    :raises ValueError: the name looks like a test database or a template
    """
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or DEFAULT_PG_DB
    if name == "postgres":
        name = DEFAULT_PG_DB
    if "test" in name.lower() or name.startswith("template"):
        raise ValueError(f"refusing to drop database {name!r}: use a dedicated load database")
    return urlunsplit(parts._replace(path="/" + name)), name


def summarise(records: list[tuple[str, float, int]], seconds: float) -> dict:
    """Per-kind count, requests/second, p50/p95/max latency (ms) and 5xx count."""
    by_kind: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for kind, latency, status in records:
        by_kind[kind].append((latency, status))
        by_kind["ALL"].append((latency, status))
    out = {}
    for kind, rows in sorted(by_kind.items(), key=lambda kv: (kv[0] == "ALL", kv[0])):
        lat = [r[0] * 1000.0 for r in rows]
        out[kind] = {"requests": len(rows),
                     "rps": round(len(rows) / seconds, 1) if seconds else 0.0,
                     "p50_ms": round(percentile(lat, 50), 1),
                     "p95_ms": round(percentile(lat, 95), 1),
                     "max_ms": round(max(lat), 1),
                     "5xx": sum(1 for r in rows if r[1] >= 500),
                     "failed": sum(1 for r in rows if r[1] == 0)}
    return out


# --- HTTP client ------------------------------------------------------------------------------

@dataclass
class Response:
    """One reply: status (0 when the connection failed), headers, body and new cookies."""

    status: int
    location: str = ""
    body: str = ""
    cookies: dict = field(default_factory=dict)


class Client:
    """A browser-like session: cookies, CSRF token, one connection per request."""

    def __init__(self, port: int, records: list, lock: threading.Lock):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None
        self.records = records
        self.lock = lock

    def send(self, method: str, path: str, kind: str, data: dict | list | None = None,
             as_json: bool = False, cookies: dict | None = None) -> Response:
        """Send one request and record its latency and status under `kind`."""
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "tap-huan-load"}
        jar = self.cookies if cookies is None else cookies
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        body = None
        if data is not None and as_json:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
            headers["X-CSRFToken"] = self.csrf or ""
        elif data is not None:
            from urllib.parse import urlencode

            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
            reply = Response(raw.status, raw.getheader("Location") or "", text)
            for header, value in raw.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    reply.cookies[name.strip()] = rest.split(";", 1)[0]
            conn.close()
        except (OSError, http.client.HTTPException):
            reply = Response(0)
        elapsed = time.perf_counter() - started
        with self.lock:
            self.records.append((kind, elapsed, reply.status))
        if reply.status >= 500:
            with self.lock:
                self.records.append(("!5xx " + path, 0.0, reply.status))
        if cookies is None:
            self.cookies.update(reply.cookies)
        token = parse_csrf(reply.body)
        if token:
            self.csrf = token
        return reply

    def get(self, path: str, kind: str) -> Response:
        """GET a page."""
        return self.send("GET", path, kind)

    def post(self, path: str, kind: str, data: dict | None = None) -> Response:
        """POST a form with the session's CSRF token."""
        return self.send("POST", path, kind, {**(data or {}), "csrf_token": self.csrf or ""})


def _path(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- the simulated trainee --------------------------------------------------------------------

@dataclass
class Tally:
    """What the clients saw, to compare with the database afterwards."""

    graded: int = 0
    submits: int = 0
    double_submits: int = 0
    starts_refused: int = 0
    logins_failed: int = 0
    answers_saved: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: int) -> None:
        """Add counts atomically."""
        with self.lock:
            for key, value in counts.items():
                setattr(self, key, getattr(self, key) + value)


def login(client: Client, username: str) -> bool:
    """Log in through the form; True on success (a redirect)."""
    client.get("/accounts/login", "login_page")
    reply = client.post("/accounts/login", "login",
                        {"username": username, "password": PASSWORD})
    return reply.status == 302


def trainee(client: Client, username: str, course: str, lessons: list[str], deadline: float,
            tally: Tally, seed: int, ramp: float = 0.0) -> None:
    """One trainee's journey, repeated until the deadline (bounded: every step checks it);
    the trainee arrives at a random moment within the first `ramp` seconds."""
    rng = random.Random(seed)
    time.sleep(rng.uniform(0, ramp))
    if not login(client, username):
        tally.add(logins_failed=1)
        return
    client.get("/courses/me", "dashboard")
    client.get(f"/courses/{course}", "course")
    while time.monotonic() < deadline:
        # One or two lessons, then the final test: a whole district sitting its test at once.
        for lesson in rng.sample(lessons, k=min(len(lessons), rng.randint(1, 2))):
            if time.monotonic() >= deadline:
                return
            page = f"/courses/{course}/lessons/{lesson}"
            reply = client.get(page, "lesson")
            if 'class="mark-complete"' in reply.body:
                done = client.post(page + "/complete", "complete")
                if done.status == 302:
                    client.get(_path(done.location), "lesson")
        if time.monotonic() >= deadline:
            return
        client.get(f"/quizzes/course/{course}", "quiz_home")
        started = client.post(f"/quizzes/course/{course}/final/start", "start")
        match = _ATTEMPT.search(_path(started.location)) if started.status == 302 else None
        if match is None:
            tally.add(starts_refused=1)
            client.get(f"/quizzes/course/{course}", "quiz_home")
            client.get("/courses/me", "dashboard")
            continue
        take_attempt(client, int(match.group(1)), deadline, tally, rng)


def take_attempt(client: Client, attempt_id: int, deadline: float, tally: Tally,
                 rng: random.Random) -> None:
    """Answer every question (saved one by one), submit (sometimes twice at once), read the
    result; counts the submits the server says it graded."""
    page = client.get(f"/quizzes/attempts/{attempt_id}", "attempt")
    for qid, (kind, options) in parse_questions(page.body).items():
        if time.monotonic() >= deadline:
            return  # left in progress, as a trainee whose phone dies would
        reply = client.send("POST", f"/quizzes/attempts/{attempt_id}/answer.json", "save",
                            {"question_id": qid, "chosen": random_choice(kind, options, rng)},
                            as_json=True)
        if reply.status == 200:
            tally.add(answers_saved=1)
    submit = f"/quizzes/attempts/{attempt_id}/submit"
    data = {"csrf_token": client.csrf or "", "confirm": "1"}  # as quiz.js's dialog sends
    if rng.random() < 1 / 3:
        # Two tabs (or a double tap) submitting at once: both with the same session cookie.
        replies: list[Response] = []
        jar = dict(client.cookies)

        def fire():
            replies.append(client.send("POST", submit, "submit", data, cookies=dict(jar)))

        threads = [threading.Thread(target=fire) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        tally.add(submits=2, double_submits=1)
        for reply in replies:
            if reply.status != 302:
                continue
            result = client.send("GET", _path(reply.location), "result",
                                 cookies={**jar, **reply.cookies})
            if GRADED_FLASH in result.body:
                tally.add(graded=1)
            client.cookies.update(reply.cookies)
        return
    reply = client.post(submit, "submit", {"confirm": "1"})
    tally.add(submits=1)
    if reply.status == 302:
        result = client.get(_path(reply.location), "result")
        if GRADED_FLASH in result.body:
            tally.add(graded=1)


# --- setup ------------------------------------------------------------------------------------

def prepare_database(db: str) -> tuple[str, str]:
    """Create a clean dedicated database; returns (URL, label)."""
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_FILE}", "sqlite"
    if not db.startswith(("postgresql://", "postgres://")):
        raise SystemExit("--db must be `sqlite` or a postgresql:// URL")
    import psycopg

    url, name = pg_database_url(db)
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url, "postgresql"


def flask_env(url: str) -> dict:
    """Environment for the app processes: the load database, the bench route, a fixed key."""
    env = dict(os.environ)
    env.update({"LMS_DATABASE_URL": url, "LMS_BENCH_ENDPOINTS": "1",
                "LMS_SECRET_KEY": env.get("LMS_SECRET_KEY") or secrets.token_hex(32)})
    return env


def flask_cli(env: dict, *args: str) -> None:
    """Run `flask --app app lms …`; stop with its output on failure."""
    proc = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "lms", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"flask lms {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")


def create_trainees(url: str, users: int) -> dict:
    """N trainee accounts (load001…) linked to roster people, enrolled in the course."""
    os.environ["LMS_DATABASE_URL"] = url
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.accounts.models import User
    from lms.assessments.services import quiz_config
    from lms.courses import services as courses
    from lms.courses.models import Course
    from lms.extensions import db
    from lms.units.models import Person

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == COURSE_SLUG)) \
            or db.session.scalar(select(Course).where(Course.active.is_(True)))
        taken = select(User.person_id).where(User.person_id.is_not(None))
        people = db.session.scalars(select(Person).where(Person.id.not_in(taken))
                                    .order_by(Person.staff_id).limit(users)).all()
        if len(people) < users:
            raise SystemExit(f"only {len(people)} roster people without an account")
        password_hash = generate_password_hash(PASSWORD)  # one hash for all: setup speed
        for i, person in enumerate(people, start=1):
            user = User(username=f"load{i:03d}", role="trainee", full_name=person.full_name,
                        unit=person.commune, person=person, password_hash=password_hash)
            db.session.add(user)
            db.session.flush()
            courses.enrol(person, course, by=user)
        db.session.commit()
        info = {"course": course.slug, "course_id": course.id,
                "lessons": [lesson.slug for lesson in course.active_lessons],
                "max_attempts": quiz_config(course, "final")["max_attempts"],
                "person_ids": [p.id for p in people],
                "usernames": [f"load{i:03d}" for i in range(1, len(people) + 1)]}
        db.session.remove()
        db.engine.dispose()
    return info


# --- database checks --------------------------------------------------------------------------

def check_database(url: str, info: dict, tally: Tally) -> dict:
    """Attempts of the load trainees: graded once, numbers unique and within the limit, as
    many submitted attempts as the clients saw graded and as many saved answers as saves."""
    from sqlalchemy import create_engine, text

    from lms.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    ids = ",".join(str(i) for i in info["person_ids"])
    scope = f"person_id IN ({ids}) AND course_id = {int(info['course_id'])} AND kind = 'final'"
    queries = {
        "attempts": f"SELECT COUNT(*) FROM attempts WHERE {scope}",
        "submitted": f"SELECT COUNT(*) FROM attempts WHERE {scope} AND status = 'submitted'",
        "submitted_ungraded": f"SELECT COUNT(*) FROM attempts WHERE {scope} AND "
                              "status = 'submitted' AND (score IS NULL OR passed IS NULL "
                              "OR submitted_at IS NULL)",
        "open_with_score": f"SELECT COUNT(*) FROM attempts WHERE {scope} AND "
                           "status = 'in_progress' AND score IS NOT NULL",
        "answers_unmarked": "SELECT COUNT(*) FROM attempt_answers a JOIN attempts t ON "
                            f"t.id = a.attempt_id WHERE t.{scope.replace(' AND ', ' AND t.')} "
                            "AND t.status = 'submitted' AND a.points IS NULL",
        "duplicate_numbers": "SELECT COUNT(*) FROM (SELECT person_id, number FROM attempts "
                             f"WHERE {scope} GROUP BY person_id, number "
                             "HAVING COUNT(*) > 1) d",
        "over_limit": f"SELECT COUNT(*) FROM attempts WHERE {scope} AND "
                      f"(number > {int(info['max_attempts'])} OR number < 1)",
        "two_open": "SELECT COUNT(*) FROM (SELECT person_id FROM attempts WHERE "
                    f"{scope} AND status = 'in_progress' GROUP BY person_id "
                    "HAVING COUNT(*) > 1) d",
        "saved_answers": "SELECT COUNT(*) FROM attempt_answers a JOIN attempts t ON "
                         f"t.id = a.attempt_id WHERE t.{scope.replace(' AND ', ' AND t.')} "
                         "AND a.saved_at IS NOT NULL",
    }
    with engine.connect() as conn:
        found = {k: int(conn.execute(text(q)).scalar() or 0) for k, q in queries.items()}
    engine.dispose()
    found["client_graded"] = tally.graded
    problems = [k for k in ("submitted_ungraded", "open_with_score", "answers_unmarked",
                            "duplicate_numbers", "over_limit", "two_open") if found[k]]
    if found["submitted"] != tally.graded:
        problems.append("submitted != client_graded")
    found["client_answers_saved"] = tally.answers_saved
    if found["saved_answers"] != tally.answers_saved:  # each question is saved once an attempt
        problems.append("saved_answers != client_answers_saved")
    found["ok"] = not problems
    found["problems"] = problems
    return found


# --- main -------------------------------------------------------------------------------------

def run(args: argparse.Namespace) -> dict:
    """Prepare, serve, load, measure, check; returns the results dict."""
    url, label = prepare_database(args.db)
    env = flask_env(url)
    print(f"[load] database {label}: init + demo …", flush=True)
    flask_cli(env, "init")
    flask_cli(env, "demo")
    info = create_trainees(url, args.users)
    log = Path(tempfile.gettempdir()) / f"tap_huan_load_gunicorn_{label}.log"
    stack = ExitStack()
    workers, store = stack.enter_context(rate_limit_store(args.workers))
    server, port = start_gunicorn("app:app", ROOT / "gunicorn.conf.py", ROOT,
                                  {**env, "LMS_WORKERS": str(workers)} | store, log,
                                  ready="/healthz")
    print(f"[load] gunicorn, {workers} workers, on {HOST}:{port} (log {log})", flush=True)
    try:
        records: list = []
        lock = threading.Lock()
        tally = Tally()
        clients = [Client(port, records, lock) for _ in info["usernames"]]
        print(f"[load] {len(clients)} trainees for {args.seconds:g} s …", flush=True)
        deadline = time.monotonic() + args.seconds
        started = time.monotonic()
        threads = [threading.Thread(target=trainee, daemon=True,
                                    args=(c, u, info["course"], info["lessons"], deadline,
                                          tally, i, args.ramp))
                   for i, (c, u) in enumerate(zip(clients, info["usernames"], strict=True))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 180)
        elapsed = time.monotonic() - started
        journey = [r for r in records if not r[0].startswith("!")]
        errors = sorted({r[0][5:] for r in records if r[0].startswith("!5xx")})

    finally:
        stop_gunicorn(server)
        stack.close()
    server_log = log.read_text(errors="replace")
    check = check_database(url, info, tally)
    summary = summarise(journey, elapsed)
    return {
        "database": label, "users": len(clients), "seconds": round(elapsed, 1),
        "workers": workers, "ramp_seconds": args.ramp, "course": info["course"],
        "lessons": len(info["lessons"]),
        "endpoints": summary,
        "http_5xx": summary.get("ALL", {}).get("5xx", 0),
        "failed_connections": summary.get("ALL", {}).get("failed", 0),
        "paths_with_5xx": errors,
        "server_tracebacks": server_log.count("Traceback"),
        "client": {k: getattr(tally, k) for k in ("submits", "double_submits", "graded",
                                                  "starts_refused", "logins_failed",
                                                  "answers_saved")},
        "database_check": check,
        "lesson_p95_ms": summary.get("lesson", {}).get("p95_ms"),
        "lesson_p95_goal_ms": P95_GOAL_MS,
    }


def print_summary(result: dict) -> None:
    """The summary table on stdout."""
    print(f"\nLoad test on {result['database']}: {result['users']} trainees, "
          f"{result['seconds']} s, gunicorn -w {result['workers']}, course {result['course']}")
    print(f"{'endpoint':<14}{'requests':>10}{'req/s':>9}{'p50 ms':>10}{'p95 ms':>10}"
          f"{'max ms':>10}{'5xx':>6}")
    for kind, row in result["endpoints"].items():
        print(f"{kind:<14}{row['requests']:>10}{row['rps']:>9}{row['p50_ms']:>10}"
              f"{row['p95_ms']:>10}{row['max_ms']:>10}{row['5xx']:>6}")
    c, d = result["client"], result["database_check"]
    print(f"submits {c['submits']} (double {c['double_submits']}), graded seen by clients "
          f"{c['graded']}, submitted attempts in the database {d['submitted']}, attempts "
          f"{d['attempts']}, refused starts {c['starts_refused']}, failed logins "
          f"{c['logins_failed']}")
    print(f"database check: {'OK' if d['ok'] else 'FAILED ' + ', '.join(d['problems'])}")
    print(f"HTTP 5xx: {result['http_5xx']}  failed connections: "
          f"{result['failed_connections']}  server tracebacks: {result['server_tracebacks']}")
    print(f"lesson page p95 {result['lesson_p95_ms']} ms at {result['users']} trainees without "
          f"think time (goal < {result['lesson_p95_goal_ms']:g} ms)")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit 1 when a check fails."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--db", default="sqlite", help="sqlite or a postgresql:// URL")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ramp", type=float, default=5.0,
                        help="trainees arrive over the first RAMP seconds (default 5)")
    args = parser.parse_args(argv)
    result = run(args)
    print_summary(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"load_{result['database']}"
    if (args.users, args.seconds) != (50, 30.0):
        name += f"_{args.users}u_{args.seconds:g}s"
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")
    ok = (result["http_5xx"] == 0 and result["database_check"]["ok"]
          and result["failed_connections"] == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
