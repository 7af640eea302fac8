"""bench/run.py: runs the registered benches, survives failures, summarises results."""

import json

import pytest

from bench import run as bench_run

OK = '''
import json, pathlib
def main(argv):
    out = pathlib.Path(__file__).parent / "results" / "good.json"
    out.write_text(json.dumps({"bench": "good", "runs": {"page": {"rps": 1234.5}},
                               "ratio": 0.75}))
    print("good bench ran")
'''
BAD = "def main(argv):\n    raise RuntimeError('boom')\n"
ARGS = "import sys\ndef main(argv):\n    print('got', argv)\n"


@pytest.fixture
def fake_bench(tmp_path, monkeypatch):
    """A `fakebench` package with a good bench, a crashing one and one printing its options."""
    package = tmp_path / "fakebench"
    (package / "results").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "good.py").write_text(OK)
    (package / "bad.py").write_text(BAD)
    (package / "args.py").write_text(ARGS)
    monkeypatch.setattr(bench_run, "BENCHES", [("bad", False), ("good", False), ("args", True)])
    monkeypatch.setattr(bench_run, "HERE", package)
    monkeypatch.setattr(bench_run, "RESULTS", package / "results")
    return package


def test_lists_the_registered_benches(fake_bench):
    """The benches are the registered modules, in order."""
    assert bench_run.discover() == ["bad", "good", "args"]


def test_a_database_bench_gets_its_own_database(fake_bench, monkeypatch, capfd):
    """With --pg, only the benches that take a database get `--db` with a fresh one."""
    made = []
    monkeypatch.setattr(bench_run, "fresh_database",
                        lambda server, name: made.append(name) or f"{server}/db_{name}")
    assert bench_run.main(["--pg", "postgresql://h", "good", "args"]) == 0
    assert made == ["args"]
    assert "got ['--db', 'postgresql://h/db_args']" in capfd.readouterr().out


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


def test_the_registered_benches_exist_and_take_options():
    """Every registered name is a module of bench/ whose main() takes the options list."""
    import importlib
    import inspect

    for name in bench_run.discover():
        main = importlib.import_module(f"bench.{name}").main
        assert list(inspect.signature(main).parameters) == ["argv"], name
