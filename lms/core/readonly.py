"""End a request's read-only transaction with COMMIT on PostgreSQL, keeping prepared statements.

psycopg 3 prepares a statement on the server once a connection has run it a few times (parse
and plan once, then only bind and execute), but forgets every prepared statement on ROLLBACK.
A request's session is closed with a rollback, so on PostgreSQL nothing was ever prepared: each
page parsed and planned its queries again. For a transaction that only read, COMMIT and
ROLLBACK are the same to the database; so when a request ends without an error, with nothing
pending in the session and no statement other than a SELECT sent since the transaction began,
it is committed. Anything else (an error, a pending change, any INSERT/UPDATE/DELETE or other
statement, even one a view meant to throw away) still ends with the rollback as before.
"""

from sqlalchemy import event

from lms.extensions import db

WROTE = "lms_wrote"


def _mark_writes(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[WROTE] = True


def _new_transaction(conn):
    conn.info.pop(WROTE, None)


def _end_read_only(exc) -> None:
    """Commit the request's transaction if it only read (PostgreSQL; see the module docstring)."""
    if exc is not None or not db.session.registry.has():
        return  # an error, or no session used by this request
    session = db.session()
    if session.new or session.dirty or session.deleted or not session.in_transaction():
        return
    if session.connection().info.get(WROTE):  # the transaction's own connection
        return
    session.commit()


def init_app(app) -> None:
    """On PostgreSQL, watch the statements sent and commit read-only requests at teardown."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql":
            return
        event.listen(engine, "before_cursor_execute", _mark_writes)
        event.listen(engine, "begin", _new_transaction)
    # Registered after Flask-SQLAlchemy's teardown, so it runs before the session is removed.
    app.teardown_appcontext(_end_read_only)
