"""Read-only requests end with COMMIT on PostgreSQL, anything else with ROLLBACK (readonly.py)."""

import pytest
from sqlalchemy import event, select, text

from lms.accounts.models import User
from lms.core import readonly


@pytest.fixture
def ends(db):
    """How each transaction of the test database ended: a list of 'commit' / 'rollback'."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (LMS_TEST_DATABASE_URL): SQLite keeps no prepared statements")
    seen = []
    commit, rollback = (lambda conn: seen.append("commit")), (lambda conn: seen.append("rollback"))
    event.listen(db.engine, "commit", commit)
    event.listen(db.engine, "rollback", rollback)
    yield seen
    event.remove(db.engine, "commit", commit)
    event.remove(db.engine, "rollback", rollback)


def test_a_request_that_only_reads_ends_with_commit(app, db, ends):
    """At the end of a request (app context) that only read, the transaction is committed."""
    assert readonly._end_read_only in app.teardown_appcontext_funcs
    with app.app_context():
        db.session.execute(select(User.id)).all()
        db.session.execute(text("SELECT 1")).all()
        readonly._end_read_only(None)
        db.session.remove()
    assert ends == ["commit"]


def test_a_write_left_uncommitted_is_still_thrown_away(app, db, ends, make_user):
    """A statement that writes, never committed by its view, is rolled back at the end."""
    user = make_user("viewer", username="hoa", full_name="Trước")
    db.session.commit()
    del ends[:]
    with app.app_context():
        db.session.execute(text("UPDATE users SET full_name = 'Sau' WHERE id = :i"),
                           {"i": user.id})
        readonly._end_read_only(None)
        db.session.remove()
    assert ends == ["rollback"]
    with app.app_context():
        assert db.session.scalar(select(User.full_name).where(User.id == user.id)) == "Trước"


def test_an_error_or_a_pending_change_keeps_the_rollback(app, db, ends):
    """After an exception, or with an unflushed new object, nothing is committed."""
    for case in ("error", "pending"):
        with app.app_context():
            db.session.execute(select(User.id)).all()
            if case == "pending":
                db.session.add(User(username="cho", role="viewer", password_hash="x"))
            readonly._end_read_only(RuntimeError("boom") if case == "error" else None)
            db.session.remove()
        assert ends[-1] == "rollback", case
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == "cho")) is None
