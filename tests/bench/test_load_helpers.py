"""Pure helpers of the load test (bench/load.py) and the bench-only route."""

import random

import pytest

import bench.load
from bench.load import (
    parse_csrf,
    parse_questions,
    percentile,
    pg_database_url,
    random_choice,
    ratio_rounds,
    summarise,
)
from lms import create_app
from lms.config import Config

ATTEMPT_PAGE = """
<form method="post" class="quiz"><input type="hidden" name="csrf_token" value="tok-1">
<fieldset><input type="hidden" name="q" value="7">
<input type="radio" name="q7" value="0"><input type="radio" name="q7" value="1">
<input type="radio" name="q7" value="2"></fieldset>
<fieldset><input type="hidden" name="q" value="9">
<input type="checkbox" name="q9" value="0"><input type="checkbox" name="q9" value="1"></fieldset>
</form>
"""


def test_percentile_nearest_rank():
    """p50 and p95 use the nearest rank; an empty list gives 0."""
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile([3.0], 95) == 3.0
    assert percentile([], 50) == 0.0


def test_parse_csrf_and_questions():
    """The CSRF token and each question's input type and option count come from the page."""
    assert parse_csrf(ATTEMPT_PAGE) == "tok-1"
    assert parse_csrf("<p>no form</p>") is None
    assert parse_questions(ATTEMPT_PAGE) == {7: ("radio", 3), 9: ("checkbox", 2)}


def test_random_choice_respects_the_input_type():
    """A radio question gets one position, a checkbox question one or more, all in range."""
    rng = random.Random(1)
    for _ in range(50):
        one = random_choice("radio", 3, rng)
        many = random_choice("checkbox", 4, rng)
        assert len(one) == 1 and 0 <= int(one[0]) < 3
        assert 1 <= len(many) <= 4 and len(set(many)) == len(many)
        assert all(0 <= int(p) < 4 for p in many)
    assert random_choice("radio", 0, rng) == []


def test_pg_database_url_uses_a_dedicated_database():
    """No database or `postgres` becomes tap_huan_load; test databases are refused."""
    assert pg_database_url("postgresql://postgres@127.0.0.1:5432") == (
        "postgresql://postgres@127.0.0.1:5432/tap_huan_load", "tap_huan_load")
    assert pg_database_url("postgresql://u@h/postgres")[1] == "tap_huan_load"
    assert pg_database_url("postgresql://u@h/my_load")[1] == "my_load"
    for name in ("test", "tap_huan_test", "template1"):
        with pytest.raises(ValueError):
            pg_database_url(f"postgresql://u@h/{name}")


def test_summarise_counts_per_kind_and_server_errors():
    """Requests, rate and 5xx are counted per kind and in total; failed connections apart."""
    records = [("lesson", 0.010, 200), ("lesson", 0.030, 500), ("save", 0.020, 200),
               ("save", 0.5, 0)]
    out = summarise(records, 2.0)
    assert out["lesson"]["requests"] == 2 and out["lesson"]["5xx"] == 1
    assert out["lesson"]["p95_ms"] == 30.0
    assert out["save"]["failed"] == 1
    assert out["ALL"]["requests"] == 4 and out["ALL"]["rps"] == 2.0
    assert list(out)[-1] == "ALL"


def test_bench_route_only_with_the_flag(app, client, tmp_path, monkeypatch):
    """/_bench/bare exists only when BENCH_ENDPOINTS is on (LMS_BENCH_ENDPOINTS=1)."""
    assert client.get("/_bench/bare").status_code == 404
    monkeypatch.setenv("LMS_BENCH_ENDPOINTS", "1")
    assert Config.from_env(str(tmp_path))["BENCH_ENDPOINTS"] is True
    monkeypatch.delenv("LMS_BENCH_ENDPOINTS")
    assert Config.from_env(str(tmp_path))["BENCH_ENDPOINTS"] is False
    bench_app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                            "BENCH_ENDPOINTS": True})
    reply = bench_app.test_client().get("/_bench/bare")
    assert reply.status_code == 200 and reply.get_data(as_text=True) == "ok"


def test_ratio_rounds_alternate_and_take_the_median(monkeypatch):
    """Lesson and bare alternate round by round; the ratio is the median of the rounds' ratios,
    and the pooled ratio (all lesson over all bare throughput) is given beside it."""
    calls, rates = [], iter([100, 400, 300, 500, 90, 100])
    monkeypatch.setattr(bench.load, "hammer",
                        lambda clients, path, kind, seconds: calls.append((kind, seconds))
                        or next(rates))
    result = ratio_rounds([], "/lesson", 15.0, 3)
    assert [k for k, _s in calls] == ["ratio_lesson", "ratio_bare"] * 3
    assert all(s == 5.0 for _k, s in calls)
    assert result["round_ratios"] == [0.25, 0.6, 0.9]
    assert result["lesson_over_bare"] == 0.6
    assert result["pooled_ratio"] == round((100 + 300 + 90) / (400 + 500 + 100), 3)


def test_ratio_rounds_meter_cpu_per_request(monkeypatch):
    """With a meter, each endpoint's CPU is the sum of its rounds' deltas over its requests
    (rate × round length); the other endpoint's rounds are not counted."""
    rates = iter([100, 400, 300, 500])  # lesson, bare, lesson, bare; 5 s rounds
    monkeypatch.setattr(bench.load, "hammer", lambda clients, path, kind, seconds: next(rates))
    readings = iter([0.0, 1.0, 1.0, 2.0, 2.0, 5.0, 5.0, 6.0])  # before/after each round
    meter = lambda: {"server": next(readings), "client": 0.0}  # noqa: E731
    cpu = ratio_rounds([], "/lesson", 10.0, 2, meter)["cpu_ms_per_request"]
    assert cpu["lesson"]["server"] == round((1.0 + 3.0) * 1000 / ((100 + 300) * 5), 3)
    assert cpu["bare"]["server"] == round((1.0 + 1.0) * 1000 / ((400 + 500) * 5), 3)
    assert cpu["lesson"]["client"] == 0.0


def test_cpu_seconds_sums_the_server_group_and_postgres(tmp_path, monkeypatch):
    """The server is every process of gunicorn's group, the database every `postgres`
    process, each with the CPU of children already reaped; other processes are ignored."""
    def stat(pid, comm, pgrp, utime, stime, cutime, cstime):
        fields = ["S", "1", str(pgrp)] + ["0"] * 8 + [str(utime), str(stime), str(cutime),
                                                      str(cstime)] + ["0"] * 5
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(f"{pid} ({comm}) {' '.join(fields)}\n")

    stat(500, "gunicorn", 500, 10, 5, 30, 5)  # the master, with reaped workers
    stat(501, "gunicorn: worker", 500, 100, 20, 0, 0)
    stat(600, "postgres", 600, 7, 3, 40, 0)  # the postmaster, with ended backends
    stat(601, "postgres", 600, 50, 10, 0, 0)
    stat(700, "python", 700, 999, 999, 0, 0)
    monkeypatch.setattr(bench.load.os, "sysconf", lambda name: 100)
    result = bench.load.cpu_seconds(500, tmp_path)
    assert result["server"] == (10 + 5 + 30 + 5 + 100 + 20) / 100
    assert result["database"] == (7 + 3 + 40 + 50 + 10) / 100
