"""Pooled server connections are pinged only after sitting idle (lms/core/dbping.py)."""

import pytest
from sqlalchemy import create_engine, event, text

from lms import create_app
from lms.core import dbping


@pytest.fixture
def engine(app):
    """A fresh engine on the test database (its own pool), disposed afterwards."""
    made = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=1, max_overflow=0)
    yield made
    made.dispose()


@pytest.fixture
def pings(engine, monkeypatch):
    """The pings sent (a list that grows by one per ping); the real ping still runs."""
    sent = []
    real = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: sent.append(1) or real(conn))
    return sent


def _use(engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1


def test_busy_connections_are_not_pinged(engine, pings):
    """A new connection, and one returned a moment ago, are used without a ping."""
    dbping.install(engine, after=60)
    for _ in range(5):
        _use(engine)
    assert pings == []


def test_idle_connections_are_pinged(engine, pings, monkeypatch):
    """A connection idle longer than the limit is pinged once before it is used."""
    dbping.install(engine, after=5)
    _use(engine)
    clock = dbping.time.monotonic()
    monkeypatch.setattr(dbping.time, "monotonic", lambda: clock + 6)
    _use(engine)
    assert pings == [1]


def test_a_failed_ping_gives_a_new_connection(engine, monkeypatch):
    """A dead idle connection is replaced: the checkout succeeds on a fresh one."""
    connects = []
    event.listen(engine, "connect", lambda *args: connects.append(1))
    dbping.install(engine, after=0)
    _use(engine)

    def dead(conn):
        monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: True)  # the new one is fine
        raise OSError("server closed the connection")

    monkeypatch.setattr(engine.dialect, "do_ping", dead)
    clock = dbping.time.monotonic()
    monkeypatch.setattr(dbping.time, "monotonic", lambda: clock + 1)
    _use(engine)
    assert len(connects) == 2


def test_only_server_engines_get_the_ping(tmp_path):
    """SQLite (no server) gets no ping; PostgreSQL gets the idle ping, not a pre-ping."""
    from lms.extensions import db

    for url, pinged in ((f"sqlite:///{tmp_path}/p.db", False),
                        ("postgresql://u@127.0.0.1:1/none", True)):
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
        with app.app_context():
            assert db.engine.pool._pre_ping is False, url
            assert bool(db.engine.pool.dispatch.checkout) is pinged, url
            db.engine.dispose()
