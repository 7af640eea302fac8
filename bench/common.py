"""Helpers shared by the benches: a throw-away app, timing, writing results."""

import json
import platform
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@contextmanager
def timed(into: dict, key: str):
    """Store the seconds spent in the block under `into[key]`."""
    start = time.perf_counter()
    yield
    into[key] = time.perf_counter() - start


def bench_app(database_url: str, instance_dir: str):
    """An app on `database_url` for benchmarking (no rate limits in the way)."""
    from lms import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                       "INSTANCE_DIR": instance_dir})


def write_results(name: str, data: dict) -> Path:
    """Write bench/results/<name>.json with the machine and the time of the run."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"bench": name, "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(), "machine": platform.machine(), **data}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
