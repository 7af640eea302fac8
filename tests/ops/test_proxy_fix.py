"""LMS_PROXY_FIX: X-Forwarded-* headers are trusted only when a proxy count is configured."""

import pytest
from flask import request

from lms.config import Config

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "taphuan.example.gov.vn"}


def _probe(app):
    @app.get("/_probe")
    def probe():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    return app.test_client().get("/_probe", headers=FORWARDED,
                                 environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_json()


def test_forwarded_headers_ignored_by_default(sqlite_app):
    """Without LMS_PROXY_FIX a client cannot fake its address or scheme."""
    seen = _probe(sqlite_app(schema=False))
    assert seen == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost"}


def test_one_proxy_is_trusted(sqlite_app, monkeypatch):
    """With LMS_PROXY_FIX=1 the client address, https and host come from the proxy's headers."""
    monkeypatch.setenv("LMS_PROXY_FIX", "1")
    seen = _probe(sqlite_app(schema=False))
    assert seen == {"addr": "203.0.113.7", "scheme": "https", "host": "taphuan.example.gov.vn"}


def test_proxy_count_picks_the_right_hop(sqlite_app, monkeypatch):
    """With two proxies, the address the first proxy saw is used, not one the client forged."""
    monkeypatch.setenv("LMS_PROXY_FIX", "2")
    app = sqlite_app(schema=False)

    @app.get("/_probe")
    def probe():
        return {"addr": request.remote_addr}

    seen = app.test_client().get("/_probe", headers={
        "X-Forwarded-For": "6.6.6.6, 198.51.100.4, 10.0.0.2"}).get_json()
    assert seen["addr"] == "198.51.100.4"


@pytest.mark.parametrize("value, expected", [(None, 0), ("", 0), ("0", 0), ("2", 2)])
def test_proxy_fix_setting(monkeypatch, tmp_path, value, expected):
    """LMS_PROXY_FIX is a number of proxies, 0 when unset."""
    if value is None:
        monkeypatch.delenv("LMS_PROXY_FIX", raising=False)
    else:
        monkeypatch.setenv("LMS_PROXY_FIX", value)
    monkeypatch.setenv("LMS_SECRET_KEY", "x")
    assert Config.from_env(str(tmp_path))["PROXY_FIX"] == expected


def test_proxy_fix_rejects_nonsense(monkeypatch, tmp_path):
    """A value that is not a count fails at start-up with the variable's name."""
    monkeypatch.setenv("LMS_PROXY_FIX", "yes")
    monkeypatch.setenv("LMS_SECRET_KEY", "x")
    with pytest.raises(ValueError, match="LMS_PROXY_FIX"):
        Config.from_env(str(tmp_path))
