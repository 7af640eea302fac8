"""`/healthz` tells the truth about the database, and a dropped connection costs no request."""

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from tests.conftest import csrf_token


def _refuse(*_args, **_kwargs):
    raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


@pytest.mark.parametrize("failure", ["query", "connect"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_healthz_answers_503_json_on_any_database_failure(app, client, db, login_as, failure,
                                                          signed_in):
    """Whether queries fail or no connection can be made, signed in or not, the answer is a
    503 JSON body, not an HTML 500."""
    if signed_in:
        login_as("viewer")
    assert client.get("/healthz").status_code == 200
    engine = db.engine
    if failure == "connect":
        db.session.remove()
        engine.dispose()  # the pool is empty: the next request must connect, and cannot
        target, name = engine, "do_connect"
    else:
        target, name = engine, "before_cursor_execute"
    event.listen(target, name, _refuse)
    try:
        response = client.get("/healthz")
    finally:
        event.remove(target, name, _refuse)
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.is_json and response.json == {"status": "error", "database": "unreachable"}
    assert client.get("/healthz").status_code == 200  # and it recovers by itself


def test_first_request_after_the_server_drops_connections_succeeds(app, client, db, login_as):
    """PostgreSQL: after every pooled connection is killed server-side (as a restart does),
    the next requests, signed in, succeed (pool_pre_ping replaces the dead connections)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (LMS_TEST_DATABASE_URL): SQLite has no server to restart")
    login_as("viewer")
    assert client.get("/healthz").status_code == 200
    db.session.remove()
    with db.engine.connect() as killer:
        killed = killer.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    assert killed >= 1
    for path in ("/healthz", "/", "/accounts/password"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert csrf_token(client, "/accounts/password")
