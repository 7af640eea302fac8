"""Shared fixtures: app, client, runner, a fresh database per test, factories and login_as.

As in flaskr: a fresh app per test module, built with the test configuration, and empty tables
for every test. The `app` fixture holds an application context for the test's own queries; the
test client runs each request in a context of its own (its own `g` and database session), as
a server does, so a test re-reads what a request changed.

Set LMS_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/tap_huan_test) to run the
whole suite on PostgreSQL; the default is a SQLite file in a temporary folder.
"""

import contextvars
import os
import re
import tempfile
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text

from lms import create_app
from lms.extensions import db as _db

TEST_PASSWORD = "correct-horse-battery"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


class ServerLikeClient(FlaskClient):
    """A test client whose every request starts from an empty context: it pushes its own
    application context, whatever the test holds, so nothing in `g` or the database session
    is shared between requests or with the test. Responses are read in full inside that
    context (buffered), so a streamed body ends its request there too."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="module")
def _app(tmp_path_factory):
    """A fresh app and schema for each test module; each test empties every table afterwards."""
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "SECRET_KEY": "test-secret",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashes keep the suite quick
        "OTP_HASH_METHOD": "pbkdf2:sha256:1000",
        "BASE_URL": "http://lms.test",
        "RATELIMIT_ENABLED": True,
        "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
    })
    app.test_client_class = ServerLikeClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def _empty_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture
def app(_app):
    """The app inside an application context, with empty tables and fresh rate limits."""
    from lms.extensions import limiter

    with _app.app_context():
        limiter.reset()
        yield _app
        _db.session.rollback()
        _db.session.remove()
        _empty_tables()


@pytest.fixture
def db(app):
    """The SQLAlchemy handle."""
    return _db


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for `flask lms …` commands."""
    return app.test_cli_runner()


def token_in(html: str) -> str:
    """The CSRF token of the first form in `html`."""
    match = _CSRF.search(html)
    assert match, "no csrf token in the page"
    return match.group(1)


def csrf_token(client, url: str = "/") -> str:
    """Fetch a page and return the CSRF token from its first form."""
    return token_in(client.get(url, follow_redirects=True).get_data(as_text=True))


@contextmanager
def own_request(app, url: str = "/"):
    """A request with its own app context (and so its own `g`), as in a real server: the `app`
    fixture keeps one app context open, which plain test_request_context() would share."""
    with app.app_context(), app.test_request_context(url):
        yield


@contextmanager
def server_statements(engine):
    """What the database itself ran inside the block, on every connection checked out of
    `engine`'s pool there (hold none before it): a list of statement kinds ("SELECT", "BEGIN",
    "UPDATE", "COMMIT", …). SQLite reports each statement it runs (sqlite3's trace callback,
    implicit BEGIN/COMMIT included); on PostgreSQL, libpq's protocol trace gives the server's
    CommandComplete tags, i.e. what crossed the wire, whether SQLAlchemy sent it or not."""
    seen, traces = [], {}

    def checkout(dbapi_connection, record, proxy):  # noqa: ARG001
        if hasattr(dbapi_connection, "set_trace_callback"):
            dbapi_connection.set_trace_callback(
                lambda sql: seen.append(sql.split(None, 1)[0].upper()))
        elif id(dbapi_connection) not in traces:
            from psycopg import pq

            log = tempfile.TemporaryFile()  # noqa: SIM115 - closed when read, at check-in
            dbapi_connection.pgconn.trace(log.fileno())
            dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
            traces[id(dbapi_connection)] = (dbapi_connection, log)

    def checkin(dbapi_connection, record):  # noqa: ARG001
        if hasattr(dbapi_connection, "set_trace_callback"):
            dbapi_connection.set_trace_callback(None)
        elif id(dbapi_connection) in traces:
            _read_trace(*traces.pop(id(dbapi_connection)), seen)

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    try:
        yield seen
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)
        for connection, log in traces.values():
            _read_trace(connection, log, seen)


def _read_trace(connection, log, seen: list) -> None:
    connection.pgconn.untrace()
    log.seek(0)
    for line in log.read().decode("utf-8", "replace").splitlines():
        parts = line.split("\t")  # direction, length, message, fields
        if parts[0] == "B" and parts[2] == "CommandComplete":
            seen.append(parts[3].strip().strip('"').split()[0])
    log.close()


def post_form(client, url: str, data: dict | None = None, page: str = "/", **kwargs):
    """POST with a valid CSRF token taken from `page`."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token(client, page)
    return client.post(url, data=payload, **kwargs)


@pytest.fixture
def units(db):
    """A small real unit set: the country, Quảng Ninh (22) with its 54 communes, and Hà Nội (01)
    with three communes."""
    from vietnam_provinces import Province, Ward

    from lms.units.services import ROOT_CODE, UnitSpec, pad_code, upsert_units

    specs = [UnitSpec(ROOT_CODE, "Việt Nam", "country", None, None)]
    for code in (1, 22):
        p = next(p for p in Province.iter_all() if int(p.code) == code)
        specs.append(UnitSpec(pad_code(code, "province"), p.name, "province",
                              str(p.division_type.value), ROOT_CODE))
        wards = [w for w in Ward.iter_all() if int(w.province_code) == code]
        for w in wards[:3] if code == 1 else wards:
            specs.append(UnitSpec(pad_code(int(w.code), "commune"), w.name, "commune",
                                  str(w.division_type.value), pad_code(code, "province")))
    upsert_units("current", specs)
    db.session.commit()
    from lms.units.services import lookup_unit

    return lookup_unit


@pytest.fixture
def make_person(db, units):
    """Factory: a roster person (defaults: Quảng Ninh, Phường Hà Tu, in target)."""
    counter = {"n": 0}

    def make(**kw):
        from lms.core.text import fold
        from lms.units.models import Person

        counter["n"] += 1
        commune = kw.pop("commune", None) or units("06652", "commune")
        name = kw.pop("full_name", f"Nguyễn Thị Hường {counter['n']}")
        person = Person(staff_id=kw.pop("staff_id", f"T{counter['n']:05d}"), full_name=name,
                        name_search=fold(name), position=kw.pop("position", "can_bo_xa"),
                        commune=commune, **kw)
        db.session.add(person)
        db.session.commit()
        return person

    return make


@pytest.fixture
def make_user(db, units):
    """Factory: an account with TEST_PASSWORD; `unit` may be a code or a Unit."""
    def make(role="admin", username=None, unit=None, person=None, **kw):
        from lms.accounts.services import create_user

        if isinstance(unit, str):
            unit = units(unit)
        user = create_user(username or f"{role}-{os.urandom(3).hex()}", role, TEST_PASSWORD,
                           unit=unit, person=person, **kw)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(client, make_user):
    """Create a user of `role` and log the test client in as them; returns the user."""
    def login(role="admin", **kw):
        user = kw.pop("user", None) or make_user(role, **kw)
        client.post("/accounts/logout", data={"csrf_token": csrf_token(client)})
        response = post_form(client, "/accounts/login",
                             {"username": user.username, "password": TEST_PASSWORD},
                             page="/accounts/login")
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return login


@pytest.fixture
def empty_schema(db):
    """Drop the test schema so `lms init` builds it through the migrations."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    yield
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.create_all()
