"""gunicorn.conf.py: valid settings, environment overrides, a post-fork hook that works, and
no several workers over a per-process rate-limit store."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "gunicorn.conf.py"


def _load(monkeypatch, **env) -> dict:
    for name in ("LMS_BIND", "LMS_WORKERS", "LMS_TIMEOUT", "LMS_ACCESS_LOG",
                 "LMS_RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


REDIS = "redis://127.0.0.1:6379/0"


def test_defaults(monkeypatch):
    """Loopback port 8000, 2×cores+1 workers (capped) with a shared rate-limit store,
    preloaded app, access log on stdout."""
    conf = _load(monkeypatch, LMS_RATELIMIT_STORAGE_URI=REDIS)
    assert conf["bind"] == ["127.0.0.1:8000"]
    expected = min(2 * os.cpu_count() + 1, conf["MAX_WORKERS"])
    assert conf["workers"] == expected
    assert conf["preload_app"] is True
    assert 30 <= conf["timeout"] <= 120
    assert conf["graceful_timeout"] <= conf["timeout"]
    assert conf["accesslog"] == "-"
    assert "%(s)s" in conf["access_log_format"] and "%(D)s" in conf["access_log_format"]


def test_environment_overrides(monkeypatch):
    """LMS_BIND, LMS_WORKERS and LMS_TIMEOUT change the settings."""
    conf = _load(monkeypatch, LMS_BIND="0.0.0.0:9000,unix:/run/lms.sock", LMS_WORKERS="3",
                 LMS_TIMEOUT="90", LMS_RATELIMIT_STORAGE_URI=REDIS)
    assert conf["bind"] == ["0.0.0.0:9000", "unix:/run/lms.sock"]
    assert conf["workers"] == 3
    assert conf["timeout"] == 90


def test_worker_count_is_capped(monkeypatch):
    """A big machine does not start dozens of workers."""
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 64)
    conf = _load(monkeypatch, LMS_RATELIMIT_STORAGE_URI=REDIS)
    assert conf["workers"] == conf["MAX_WORKERS"]


@pytest.mark.parametrize("store", ["", "memory://", "MEMORY://"])
def test_a_per_process_store_starts_one_worker(monkeypatch, store):
    """Without a shared rate-limit store (the default memory://) one worker starts, so the
    limits hold as configured; LMS_WORKERS=1 says the same."""
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 4)
    assert _load(monkeypatch, LMS_RATELIMIT_STORAGE_URI=store)["workers"] == 1
    assert _load(monkeypatch, LMS_RATELIMIT_STORAGE_URI=store, LMS_WORKERS="1")["workers"] == 1


@pytest.mark.parametrize("store", [REDIS, "rediss://:pw@10.0.0.11:6380/1",
                                   "memcached://10.0.0.12:11211"])
def test_a_shared_store_allows_several_workers(monkeypatch, store):
    """Redis (or memcached) is shared by every worker: the count asked for is started."""
    assert _load(monkeypatch, LMS_RATELIMIT_STORAGE_URI=store, LMS_WORKERS="5")["workers"] == 5


def test_several_workers_over_a_per_process_store_refuse_to_start(monkeypatch):
    """LMS_WORKERS=4 with memory:// stops with a message naming both settings and the fix."""
    with pytest.raises(SystemExit) as stopped:
        _load(monkeypatch, LMS_WORKERS="4")
    message = str(stopped.value)
    assert "LMS_WORKERS=4" in message and "memory://" in message
    assert "LMS_RATELIMIT_STORAGE_URI=redis://" in message and "LMS_WORKERS=1" in message


@pytest.mark.timeout(60)
def test_gunicorn_refuses_several_workers_over_a_per_process_store(tmp_path):
    """The real gunicorn exits non-zero with the message before starting any worker."""
    env = dict(os.environ, LMS_DATABASE_URL=f"sqlite:///{tmp_path}/g.db", LMS_SECRET_KEY="x",
               LMS_WORKERS="3", LMS_RATELIMIT_STORAGE_URI="memory://")
    result = subprocess.run([sys.executable, "-m", "gunicorn", "--check-config", "-c",
                             str(CONF), "app:app"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "letting a client 3 times through" in result.stderr


def test_every_setting_is_known_to_gunicorn(monkeypatch):
    """Each lower-case name in the file is a gunicorn setting or server hook (no typos)."""
    from gunicorn.config import KNOWN_SETTINGS

    known = {s.name for s in KNOWN_SETTINGS}
    conf = _load(monkeypatch)
    names = {k for k in conf if k.islower() and not k.startswith("_")
             and k not in {"os", "multiprocessing"}}
    assert names <= known, names - known


def test_post_fork_disposes_inherited_connections(monkeypatch, sqlite_app):
    """The post-fork hook runs against the preloaded app and leaves its pool empty."""
    from lms.extensions import db

    app = sqlite_app(schema=True)
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        db.session.remove()
        assert db.engine.pool.checkedin() == 1
        inherited = [record.dbapi_connection for record in list(db.engine.pool._pool.queue)]

    class Worker:
        class app:  # noqa: N801 — mimics gunicorn's worker.app
            @staticmethod
            def wsgi():
                return app_

    app_ = app
    _load(monkeypatch)["post_fork"](None, Worker)
    with app.app_context():
        assert db.engine.pool.checkedin() == 0
    for connection in inherited:  # in a real fork the parent keeps using and closes them
        connection.close()


@pytest.mark.timeout(60)
def test_gunicorn_accepts_the_configuration(tmp_path):
    """`gunicorn --check-config` loads the file and the app without error."""
    env = dict(os.environ, LMS_DATABASE_URL=f"sqlite:///{tmp_path}/g.db", LMS_SECRET_KEY="x",
               LMS_WORKERS="1")
    result = subprocess.run([sys.executable, "-m", "gunicorn", "--check-config", "-c",
                             str(CONF), "app:app"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
