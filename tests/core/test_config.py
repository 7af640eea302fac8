"""Configuration from LMS_* variables, the instance secret, SQLite pragmas, security headers."""

from sqlalchemy import text

from lms import create_app
from lms.config import Config, normalise_database_url
from tests.conftest import TEST_PASSWORD, post_form


def test_env_overrides_defaults(monkeypatch, tmp_path):
    """LMS_* variables set the database, secret, base URL and locale."""
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("LMS_SECRET_KEY", "s3cret")
    monkeypatch.setenv("LMS_BASE_URL", "https://tap-huan.example.vn/")
    monkeypatch.setenv("LMS_DEFAULT_LOCALE", "en")
    cfg = Config.from_env(str(tmp_path))
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.db"
    assert cfg["SECRET_KEY"] == "s3cret"
    assert cfg["BASE_URL"] == "https://tap-huan.example.vn"
    assert cfg["BABEL_DEFAULT_LOCALE"] == "en"
    assert cfg["SESSION_COOKIE_SECURE"] is True


def test_defaults_use_instance_folder(monkeypatch, tmp_path):
    """Without variables: SQLite in instance/, a secret generated once and kept, vi locale."""
    for name in ("LMS_DATABASE_URL", "LMS_SECRET_KEY", "LMS_BASE_URL", "LMS_DEFAULT_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    first = create_app({"INSTANCE_DIR": str(tmp_path)}).config
    second = create_app({"INSTANCE_DIR": str(tmp_path)}).config
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/lms.db"
    assert len(first["SECRET_KEY"]) == 64
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["BABEL_DEFAULT_LOCALE"] == "vi"
    assert first["SESSION_COOKIE_SECURE"] is False


def test_the_factory_writes_nothing_before_the_test_configuration(monkeypatch, tmp_path):
    """With a secret and a database given, create_app creates no file, not even its folder."""
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE_DIR": str(instance), "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/given.db"})
    assert app.instance_path == str(instance)
    assert list(tmp_path.iterdir()) == []


def test_server_databases_ping_pooled_connections(tmp_path):
    """On PostgreSQL a pooled connection is checked before use (pool_pre_ping); settings given
    in SQLALCHEMY_ENGINE_OPTIONS are kept."""
    app = create_app({"SECRET_KEY": "x", "INSTANCE_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": "postgresql://u@127.0.0.1:1/none",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 3}})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "pool_size": 3}
    from lms.extensions import db

    with app.app_context():
        assert db.engine.pool._pre_ping is True


def test_postgres_urls_use_psycopg3():
    """postgresql:// and postgres:// select the psycopg 3 driver; others are unchanged."""
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_pragmas(tmp_path):
    """SQLite runs with foreign keys on, WAL and a busy timeout."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
                      "SECRET_KEY": "x"})
    from lms.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        db.engine.dispose()


def test_security_headers(client):
    """Every page sends CSP without inline script, frame denial and nosniff."""
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_each_request_has_its_own_context(app, client, make_user):
    """As on a server, a request sees neither the test's `g` nor an earlier request's
    signed-in user (the test client pushes a context per request)."""
    from flask import g

    g._login_user = make_user("admin")  # where Flask-Login keeps the request's user
    assert client.get("/healthz").json["user"] is False
    signed_in = app.test_client()
    post_form(signed_in, "/accounts/login", {"username": g._login_user.username,
                                             "password": TEST_PASSWORD}, page="/accounts/login")
    assert signed_in.get("/healthz").json["user"] is True
    assert client.get("/healthz").json["user"] is False


def test_healthz(client):
    """The health check answers without login and reports the database."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_static_assets_are_hashed_and_cached(client):
    """Pages link CSS with a content hash; it is served with a one-year immutable cache."""
    html = client.get("/").get_data(as_text=True)
    import re

    href = re.search(r'href="(/assets/css/app\.[0-9a-f]{10}\.css)"', html).group(1)
    with client.get(href) as response:
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
    assert client.get("/assets/css/app.0000000000.css").status_code == 404


def test_language_switch(client):
    """The interface is Vietnamese by default and switches to English on request."""
    from tests.conftest import post_form

    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)
    post_form(client, "/lang/en", {"next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Log in" in html
