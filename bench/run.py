"""Run every benchmark: `python -m bench.run [NAME …]` (what `make bench` calls).

Each module `bench/<name>.py` that defines `main()` runs in its own process (so one bench's
memory, app or crash never touches the next); failures are caught and reported, and the run
ends with a summary of the results files the benches wrote to bench/results/. Each bench prints
its own ratios against a bare baseline measured in the same run.
"""

import argparse
import ast
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SKIP = {"__init__", "run", "common"}
LAUNCH = ("import sys; from {package}.{name} import main; "
          "r = main(); sys.exit(r if isinstance(r, int) else 0)")


def discover() -> list[str]:
    """Names of bench modules that define a top-level `main()` (found without importing)."""
    names = []
    for path in sorted(HERE.glob("*.py")):
        if path.stem in SKIP:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            names.append(path.stem)
    return names


def run_one(name: str, timeout: float) -> tuple[str, float, str]:
    """Run one bench in a subprocess; returns (status, seconds, detail)."""
    print(f"\n=== bench {name} ===", flush=True)
    started = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", LAUNCH.format(package=HERE.name, name=name)],
                              cwd=HERE.parent, timeout=timeout, check=False)
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
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per bench")
    args = parser.parse_args(argv)
    available = discover()
    unknown = [n for n in args.names if n not in available]
    if unknown:
        print(f"unknown bench(es): {', '.join(unknown)}; available: {', '.join(available)}",
              file=sys.stderr)
        return 2
    since = time.time() - 1
    outcomes = [(name, *run_one(name, args.timeout)) for name in args.names or available]
    summarise(since)
    print("\n=== benches ===")
    for name, status, seconds, detail in outcomes:
        print(f"  {name:<24} {status:<8} {seconds:8.1f} s  {detail}")
    return 1 if any(status != "ok" for _, status, _, _ in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
