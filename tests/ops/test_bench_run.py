"""bench/run.py: finds benches by their main(), survives failures, summarises results."""

import json

import pytest

from bench import run as bench_run

OK = '''
import json, pathlib
def main():
    out = pathlib.Path(__file__).parent / "results" / "good.json"
    out.write_text(json.dumps({"bench": "good", "runs": {"page": {"rps": 1234.5}},
                               "ratio": 0.75}))
    print("good bench ran")
'''
BAD = "def main():\n    raise RuntimeError('boom')\n"
HELPER = "def helper():\n    return 1\n"


@pytest.fixture
def fake_bench(tmp_path, monkeypatch):
    """A `fakebench` package with a good bench, a crashing one and a helper module."""
    package = tmp_path / "fakebench"
    (package / "results").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "good.py").write_text(OK)
    (package / "bad.py").write_text(BAD)
    (package / "helper.py").write_text(HELPER)
    monkeypatch.setattr(bench_run, "HERE", package)
    monkeypatch.setattr(bench_run, "RESULTS", package / "results")
    return package


def test_discovers_modules_with_main(fake_bench):
    """Only modules defining main() are benches; helpers are left alone."""
    assert bench_run.discover() == ["bad", "good"]


def test_runs_all_reports_failure_and_summarises(fake_bench, capfd):
    """A crashing bench is reported and makes the exit code 1; the others still run and their
    results are summarised."""
    assert bench_run.main([]) == 1
    out = capfd.readouterr().out
    assert "good bench ran" in out
    assert "runs.page.rps" in out and "1,234.5" in out
    assert "ratio" in out and "0.75" in out
    assert "bad" in out and "failed" in out and "exit code 1" in out
    assert json.loads((fake_bench / "results" / "good.json").read_text())["ratio"] == 0.75


def test_runs_only_the_named_bench(fake_bench, capfd):
    """Naming a bench runs just that one; an unknown name exits 2 with the list."""
    assert bench_run.main(["good"]) == 0
    assert "failed" not in capfd.readouterr().out
    assert bench_run.main(["nope"]) == 2
    assert "good" in capfd.readouterr().err


def test_the_real_benches_are_found():
    """The repository's roster-import bench is discovered."""
    assert "roster_import" in bench_run.discover()
