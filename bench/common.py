"""Helpers shared by the benches: interleaved pairs, a throw-away app, servers, results."""

import http.client
import importlib.util
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
HOST = "127.0.0.1"


# --- interleaved pairs (tested in tests/bench) ------------------------------------------------

@dataclass(frozen=True)
class Pairs:
    """Measurements of A and B taken as pairs (A, B, A, B …) in one run.

    The ratio is the median of the pairs' ratios a/b, so a swing in the machine's load hits both
    sides of a pair alike and an outlier pair does not move it."""

    a: list[float]
    b: list[float]

    @property
    def ratios(self) -> list[float]:
        """a/b for every pair."""
        return [x / y for x, y in zip(self.a, self.b, strict=True)]

    @property
    def ratio(self) -> float:
        """The median of the pairs' ratios."""
        return statistics.median(self.ratios)

    def summary(self, a: str = "a", b: str = "b", scale: float = 1.0, digits: int = 3) -> dict:
        """Medians of both sides (times `scale`, e.g. 1000 for milliseconds), the ratio and the
        pairs' ratios, rounded, for a results file."""
        return {f"{a}_median": round(statistics.median(self.a) * scale, digits),
                f"{b}_median": round(statistics.median(self.b) * scale, digits),
                "ratio": round(self.ratio, digits), "pairs": len(self.a),
                "pair_ratios": [round(r, digits) for r in self.ratios]}


def interleave(run_a: Callable[[], float], run_b: Callable[[], float], pairs: int,
               warmup: int = 1) -> Pairs:
    """Call A then B, `warmup` + `pairs` times; each call returns its measurement (seconds,
    requests per second…). The warm-up pairs are dropped."""
    a, b = [], []
    for i in range(warmup + pairs):
        x, y = run_a(), run_b()
        if i >= warmup:
            a.append(x)
            b.append(y)
    return Pairs(a, b)


def seconds(fn: Callable[[], object]) -> float:
    """Wall-clock seconds of one call of `fn`."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of values; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100.0 * len(ordered) + 0.5 - 1e-9)))
    return ordered[rank - 1]


@contextmanager
def timed(into: dict, key: str):
    """Store the seconds spent in the block under `into[key]`."""
    start = time.perf_counter()
    yield
    into[key] = time.perf_counter() - start


# --- apps and servers ------------------------------------------------------------------------

def bench_app(database_url: str, instance_dir: str):
    """An app on `database_url` for benchmarking."""
    from lms import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                       "INSTANCE_DIR": instance_dir})


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(app: str, config: Path, cwd: Path, env: dict, log: Path,
                   ready: str = "/ok") -> tuple[subprocess.Popen, int]:
    """Start `gunicorn -c config app` on a free port of 127.0.0.1 (its own process group) and
    wait, at most a minute, until `ready` answers 200; returns (process, port)."""
    port = free_port()
    env = {**env, "LMS_BIND": f"{HOST}:{port}"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(config), app],
                            cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn {app} exited early, see {log}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", ready)
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.1)
    stop_gunicorn(proc)
    raise SystemExit(f"gunicorn {app} did not answer {ready} within a minute, see {log}")


def stop_gunicorn(proc: subprocess.Popen) -> None:
    """Stop a gunicorn started by start_gunicorn (its whole process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


# --- results ---------------------------------------------------------------------------------

def write_results(name: str, data: dict) -> Path:
    """Write bench/results/<name>.json with the machine and the time of the run."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"bench": name, "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(), "machine": platform.machine(), **data}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _redis() -> tuple[subprocess.Popen | None, str | None]:
    """A private redis-server on a free port; (None, None) when redis-server or the redis
    package is missing."""
    if shutil.which("redis-server") is None or importlib.util.find_spec("redis") is None:
        return None, None
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", HOST, "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(100):
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return proc, f"redis://{HOST}:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    return None, None


@contextmanager
def rate_limit_store(workers: int):
    """(workers, env) for a gunicorn of `workers` workers: several workers share their
    rate-limit counters in a private redis-server (gunicorn.conf.py refuses several workers
    on memory://); without redis-server or the redis package, one worker, said on stdout."""
    if workers <= 1:
        yield workers, {}
        return
    proc, store = _redis()
    if store is None:
        print("[bench] no redis-server or redis package: one gunicorn worker", flush=True)
        yield 1, {}
        return
    try:
        yield workers, {"LMS_RATELIMIT_STORAGE_URI": store}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
