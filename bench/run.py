"""Run every benchmark: `python -m bench.run [--pg URL] [NAME …]` (what `make bench` calls).

Each benchmark is one module of bench/ with a `main(argv)`, registered in BENCHES below; its
defaults are sized so that the whole run takes a few minutes on two cores (bigger scales are
options of each module). Each runs in its own process (so one bench's memory, app or crash never
touches the next); failures are caught and reported, and the run ends with a summary of the
results files the benches wrote to bench/results/. Each bench prints its own ratios against a
bare baseline measured in the same run, as interleaved pairs (bench/common.py: `interleave`).

With `--pg postgresql://user@host:port`, the benches that take a database get a fresh one of
their own on that server (`tap_huan_bench_<name>`, dropped and created again).
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
# Every benchmark, in the order `make bench` runs them: (module, takes --db URL). Add yours here.
BENCHES = [
    ("pages", True),
    ("load", True),
    ("certificates", False),
    ("roster_import", True),
    ("report", True),
    ("page_weight", False),
    ("accounts", False),
]
LAUNCH = ("import sys; from {package}.{name} import main; "
          "r = main(sys.argv[1:]); sys.exit(r if isinstance(r, int) else 0)")


def discover() -> list[str]:
    """The registered benches' names."""
    return [name for name, _takes_db in BENCHES]


def fresh_database(server: str, name: str) -> str:
    """URL of an empty database `tap_huan_bench_<name>` on the PostgreSQL `server`."""
    import psycopg

    database = f"tap_huan_bench_{name}"
    with psycopg.connect(server.rstrip("/") + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    return f"{server.rstrip('/')}/{database}"


def run_one(name: str, timeout: float, args: list[str] = ()) -> tuple[str, float, str]:
    """Run one bench in a subprocess with `args`; returns (status, seconds, detail)."""
    print(f"\n=== bench {' '.join([name, *args])} ===", flush=True)
    started = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", LAUNCH.format(package=HERE.name, name=name),
                               *args], cwd=HERE.parent, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - started, f"killed after {timeout:.0f} s"
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        return "failed", seconds, f"exit code {proc.returncode}"
    return "ok", seconds, ""


def _flatten(data, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(data, dict):
        out = []
        for key, value in data.items():
            out += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(data, list):
        return [(prefix, f"[{len(data)} items]")]
    return [(prefix, data)]


def summarise(since: float, limit: int = 40) -> None:
    """Print the numbers of every results file written since `since`."""
    files = sorted(p for p in RESULTS.glob("*.json") if p.stat().st_mtime >= since)
    print("\n=== results ===")
    if not files:
        print("(no results file written)")
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"{path.name}: unreadable ({exc})")
            continue
        print(f"{path.relative_to(HERE.parent)}:")
        rows = [(k, v) for k, v in _flatten(data)
                if k not in {"bench", "at", "python", "machine"}]
        for key, value in rows[:limit]:
            shown = f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else value
            print(f"  {key:<48} {shown}")
        if len(rows) > limit:
            print(f"  … {len(rows) - limit} more in the file")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen (default: all) benches, then summarise; exit 1 if any failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="bench modules to run (default: all)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per bench")
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL server for the database benches "
                        "(e.g. postgresql://postgres@127.0.0.1:5432); default SQLite")
    args = parser.parse_args(argv)
    available = discover()
    unknown = [n for n in args.names if n not in available]
    if unknown:
        print(f"unknown bench(es): {', '.join(unknown)}; available: {', '.join(available)}",
              file=sys.stderr)
        return 2
    since = time.time() - 1
    takes_db = dict(BENCHES)
    outcomes = []
    for name in args.names or available:
        extra = ["--db", fresh_database(args.pg, name)] if args.pg and takes_db[name] else []
        outcomes.append((name, *run_one(name, args.timeout, extra)))
    summarise(since)
    print("\n=== benches ===")
    for name, status, seconds, detail in outcomes:
        print(f"  {name:<24} {status:<8} {seconds:8.1f} s  {detail}")
    return 1 if any(status != "ok" for _, status, _, _ in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
