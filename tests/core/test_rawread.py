"""Prebuilt SELECTs run straight on a pooled connection (lms/core/rawread.py)."""

import pytest
from sqlalchemy import bindparam, column, event, select, table

from lms.accounts.models import User
from lms.core import rawread
from tests.conftest import server_statements

USERS = User.__table__.c
BY_NAME = select(USERS.id, USERS.username).where(USERS.username.in_(
    [bindparam("a"), bindparam("b")])).order_by(USERS.username)


def test_rows_binds_every_parameter_by_name(app, db, make_user):
    """Named parameters reach the right placeholders on each engine (qmark on SQLite)."""
    first, second = make_user("viewer", username="an"), make_user("viewer", username="binh")
    make_user("viewer", username="chi")
    db.session.commit()
    assert rawread.rows(BY_NAME, {"a": "binh", "b": "an"}) == [(first.id, "an"),
                                                               (second.id, "binh")]
    assert rawread.rows(BY_NAME, {"a": "khong", "b": "co"}) == []


def test_rows_runs_one_statement_and_no_transaction(app, db, make_user):
    """The database runs the SELECT alone: no BEGIN and no COMMIT around it."""
    make_user("viewer", username="an")
    db.session.commit()
    db.session.close()
    with server_statements(db.engine) as statements:
        rawread.rows(BY_NAME, {"a": "an", "b": "an"})
    assert statements == ["SELECT"]


def test_connections_go_back_to_the_pool_as_they_came(app, db):
    """On PostgreSQL the connection returns with autocommit off again, so the ORM's
    transactions are untouched; a connection whose statement failed is discarded."""
    states, invalidated = [], []

    def checkout(dbapi_connection, record, proxy):  # noqa: ARG001
        states.append(("out", dbapi_connection.autocommit))

    def checkin(dbapi_connection, record):  # noqa: ARG001
        states.append(("in", getattr(dbapi_connection, "autocommit", None)))  # None: discarded

    def invalidate(dbapi_connection, record, exc):  # noqa: ARG001
        invalidated.append(exc)

    db.session.close()
    event.listen(db.engine, "checkout", checkout)
    event.listen(db.engine, "checkin", checkin)
    event.listen(db.engine, "invalidate", invalidate)
    try:
        rawread.rows(BY_NAME, {"a": "x", "b": "y"})
        assert [kind for kind, _ in states] == ["out", "in"] and invalidated == []
        assert states[0][1] == states[1][1] and states[0][1] is not True
        missing = select(column("x")).select_from(table("no_such_table"))
        with pytest.raises(db.engine.dialect.loaded_dbapi.Error):  # the driver's own error
            rawread.rows(missing, {})
        assert len(invalidated) == 1
        assert rawread.rows(BY_NAME, {"a": "x", "b": "y"}) == []  # the pool still serves
    finally:
        event.remove(db.engine, "checkout", checkout)
        event.remove(db.engine, "checkin", checkin)
        event.remove(db.engine, "invalidate", invalidate)


def test_a_statement_is_compiled_once_per_engine(app, db):
    """The SQL text is made by SQLAlchemy once, then reused."""
    rawread.rows(BY_NAME, {"a": "x", "b": "y"})
    compiled = {key: value for key, value in rawread._COMPILED.items() if key[0] is BY_NAME}
    rawread.rows(BY_NAME, {"a": "x", "b": "y"})
    assert len(compiled) == 1
    assert {key: value for key, value in rawread._COMPILED.items()
            if key[0] is BY_NAME} == compiled
