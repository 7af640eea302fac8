"""One prebuilt SELECT run straight on a pooled database connection, without a Session.

For the page a whole district reads at once (a lesson), SQLAlchemy's Session and Connection
around its single query cost more than the query: about 0.4 ms of CPU per page on PostgreSQL
(session, transaction bookkeeping, cursor metadata), measured against 0.1 ms for the round
trip itself. `rows(stmt, params)` compiles a Core statement once per engine with SQLAlchemy and
then runs the SQL text on a connection checked out of the same pool (so pool events such as the
idle ping in lms/core/dbping.py and the SQLite pragmas still apply):

- on PostgreSQL the connection is switched to autocommit for the statement, so no BEGIN or
  COMMIT travels and psycopg keeps the statement prepared (see lms/core/readonly.py);
- on SQLite a SELECT starts no transaction;
- a connection whose statement failed is discarded from the pool, never reused.

Values come back as the driver gives them, with no SQLAlchemy type processing: use it only for
statements whose parameters and columns are integers, strings and values compared as opaque
tokens (SQLite returns a DATETIME as text and a BOOLEAN as 0/1). Never for writes.
"""

from lms.extensions import db

# (statement, engine) -> (SQL text, positional parameter names or None). Statements and engines
# hash by identity, and the key keeps both alive.
_COMPILED: dict = {}


def _compiled(stmt, engine) -> tuple[str, tuple | None]:
    found = _COMPILED.get((stmt, engine))
    if found is None:
        compiled = stmt.compile(dialect=engine.dialect)
        order = tuple(compiled.positiontup) if compiled.positional else None
        found = _COMPILED[(stmt, engine)] = (compiled.string, order)
    return found


def rows(stmt, params: dict) -> list[tuple]:
    """All rows of the SELECT `stmt` with bound `params`, as plain tuples (see module doc).

    :param stmt: a Core select() built once at import time (kept alive by its module)
    :param params: values for every bindparam of `stmt`, by name
    """
    engine = db.engine
    sql, order = _compiled(stmt, engine)
    args = tuple(params[name] for name in order) if order is not None else params
    autocommit = engine.dialect.name == "postgresql"
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        if autocommit:
            conn.autocommit = True
        cursor = conn.cursor()
        try:
            cursor.execute(sql, args)
            found = cursor.fetchall()
        finally:
            cursor.close()
        if autocommit:
            conn.autocommit = False
    except BaseException:
        raw.invalidate()  # a failed or half-switched connection never goes back to the pool
        raise
    finally:
        raw.close()
    return found
