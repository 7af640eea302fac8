"""Helpers of bench/pages.py: the server's CPU from /proc, the session cookie (no timing)."""

from bench import pages


def test_server_cpu_sums_the_process_group(tmp_path, monkeypatch):
    """Every process of gunicorn's group counts, with the CPU of workers already reaped; other
    processes do not."""
    def stat(pid, comm, pgrp, utime, stime, cutime, cstime):
        fields = ["S", "1", str(pgrp)] + ["0"] * 8 + [str(utime), str(stime), str(cutime),
                                                      str(cstime)] + ["0"] * 5
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(f"{pid} ({comm}) {' '.join(fields)}\n")

    stat(500, "gunicorn", 500, 10, 5, 30, 5)
    stat(501, "gunicorn: worker (x)", 500, 100, 20, 0, 0)
    stat(700, "python", 700, 999, 999, 0, 0)
    (tmp_path / "self").mkdir()
    monkeypatch.setattr(pages.os, "sysconf", lambda name: 100)
    assert pages.server_cpu_seconds(500, tmp_path) == (10 + 5 + 30 + 5 + 100 + 20) / 100


def test_cookie_of_keeps_the_old_one_when_none_is_set():
    """The name=value part of Set-Cookie, or the cookie the client already had."""
    assert pages.cookie_of({"set-cookie": "session=abc; HttpOnly; Path=/"}) == "session=abc"
    assert pages.cookie_of({}, "session=old") == "session=old"
