"""Pure helpers of the load test (bench/load.py) and the bench-only route."""

import random

import pytest

from bench.load import (
    parse_csrf,
    parse_questions,
    pg_database_url,
    random_choice,
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
