"""Ping a pooled database-server connection before use only when it has sat idle a while.

SQLAlchemy's pool_pre_ping sends a round trip on every checkout, that is on every request
(about 0.6 ms of a lesson page on PostgreSQL here). What it guards against is a connection the
server or a firewall dropped while it sat in the pool; one checked in a moment ago by the
previous request is alive. So a connection is pinged only when it has been idle longer than
DB_PING_AFTER seconds (LMS_DB_PING_AFTER, default 10); a failed ping raises DisconnectionError,
and the pool replaces the connection and tries again, as with pre_ping (SQLAlchemy's documented
"pessimistic" checkout recipe). What is given up: if the database restarts under steady
traffic, each worker's next request may fail once before the pool notices and reconnects.
SQLite files have no server and are never pinged.
"""

import time

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

IDLE_SINCE = "lms_idle_since"


def install(engine, after: float) -> None:
    """Ping `engine`'s connections idle for more than `after` seconds when checked out."""

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record):  # noqa: ARG001
        record.info[IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy):  # noqa: ARG001
        since = record.info.pop(IDLE_SINCE, None)
        if since is None or time.monotonic() - since <= after:
            return  # new, or back in the pool a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - any failure: replace the connection
            raise DisconnectionError(f"idle connection failed its ping: {exc}") from exc


def init_app(app) -> None:
    """Install the idle ping on a database-server engine (not SQLite)."""
    from lms.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            install(db.engine, float(app.config["DB_PING_AFTER"]))
