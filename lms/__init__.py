"""Tập Huấn: the application factory."""

from importlib import import_module
from pathlib import Path

from flask import Flask, abort, g, has_request_context, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, event, select
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import Config, default_database_url, instance_secret, normalise_database_url
from lms.core import jobs
from lms.core.params import IdConverter, check_page_arg, refuse_unexpected_json
from lms.extensions import babel, csrf, db, limiter, login_manager, migrate

VIEWS = ("core.views", "accounts.views", "accounts.join_views", "units.views", "courses.views",
         "assessments.views", "cohorts.views", "certificates.views", "reports.views",
         "privacy.views")
# Each connects the receiver of the home page's section for its roles (lms/core/home.py).
HOME_SECTIONS = ("cohorts.home", "reports.home", "accounts.home", "certificates.home")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def create_app(config: dict | None = None) -> Flask:
    """Create the app: config → extensions → blueprints → CLI → error pages.

    `config` overrides the defaults and LMS_* variables before anything is created or written;
    `INSTANCE_DIR` in it names the instance folder (default: instance/ beside the package).
    """
    config = config or {}
    app = Flask(__name__, instance_path=config.get("INSTANCE_DIR"), instance_relative_config=True)
    app.config.update(Config.from_env(app.instance_path))
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(app.instance_path)
    uri = app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if uri == default_database_url(app.instance_path):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not uri.startswith("sqlite"):
        # A connection the server dropped while pooled (a restart, a firewall) is replaced
        # before a request uses it, at the cost of one round trip per checkout.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}

    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops:
        # Trust X-Forwarded-For/Proto/Host/Prefix from exactly `hops` proxies, so the client
        # address (login throttling, audit) and https links are the real ones.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_prefix=hops)

    _init_extensions(app)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    _register_blueprints(app)
    _register_cli(app)
    _register_hooks(app)
    _register_error_pages(app)
    if app.config.get("BENCH_ENDPOINTS"):
        _register_bench(app)
    return app


def _register_bench(app: Flask) -> None:
    """`/_bench/bare`: the cheapest Flask response, the baseline of bench/load.py (never on
    unless LMS_BENCH_ENDPOINTS=1)."""

    @app.route("/_bench/bare")
    def bench_bare():
        return "ok"


def _select_locale() -> str:
    from flask import current_app

    lang = (request.args.get("lang") or session.get("lang")) if has_request_context() else None
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    jobs.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    # "basic", not "strong": phones switch networks (and addresses) often in the field.
    login_manager.session_protection = "basic"

    from lms.accounts import sessions
    from lms.accounts.models import User

    # Built once: every signed-in request runs it.
    active_user = select(User).where(User.id == bindparam("id"), User.active.is_(True))

    def by_id(user_id: int):
        return db.session.execute(active_user, {"id": user_id}).scalar_one_or_none()

    @login_manager.user_loader
    def load_user(session_id: str):
        return sessions.load(session_id, by_id)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # noqa: ARG001
    """Foreign keys on, WAL and a busy timeout, so several workers can share one SQLite file."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _register_blueprints(app: Flask) -> None:
    from lms.accounts import bp as accounts_bp
    from lms.assessments import bp as assessments_bp
    from lms.certificates import bp as certificates_bp
    from lms.certificates import verify_bp
    from lms.cohorts import bp as cohorts_bp
    from lms.core import bp as core_bp
    from lms.courses import bp as courses_bp
    from lms.privacy import bp as privacy_bp
    from lms.reports import bp as reports_bp
    from lms.units import bp as units_bp

    # The rooms' packages only create their blueprints; the routes are imported here, so that
    # importing a room's models never pulls in its views and, through them, every other room.
    for views in VIEWS + HOME_SECTIONS:
        import_module(f"lms.{views}")
    for bp in (core_bp, accounts_bp, units_bp, courses_bp, assessments_bp, cohorts_bp,
               certificates_bp, verify_bp, reports_bp, privacy_bp):
        app.register_blueprint(bp)


def _register_cli(app: Flask) -> None:
    from lms.cli import lms_group

    app.cli.add_command(lms_group)


def _register_hooks(app: Flask) -> None:
    from lms.core import assets, nav, reasons, text

    assets.init_app(app)
    reasons.init_app(app)
    nav.init_app(app)
    text.init_app(app)

    warned = []

    @app.before_request
    def warn_if_served_elsewhere():
        """Once per process: say so when the site is reached at another address than
        LMS_BASE_URL, which every QR code and slip link carries."""
        if warned:
            return
        warned.append(True)
        served = request.host_url.rstrip("/")
        if served != app.config["BASE_URL"]:
            app.logger.warning("LMS_BASE_URL is %s but this request reached %s: certificate QR "
                               "codes and login slips point at LMS_BASE_URL; set it to the "
                               "public address", app.config["BASE_URL"], served)

    @app.before_request
    def refuse_nul_bytes():
        """No form, query or URL value may carry NUL: PostgreSQL text cannot hold it (400,
        not 500)."""
        for values in (request.args, request.form, request.view_args or {}):
            if any("\x00" in str(value) for value in values.values()):
                abort(400, description=_("Dữ liệu gửi lên chứa ký tự không hợp lệ (NUL)."))

    app.before_request(check_page_arg)
    app.before_request(refuse_unexpected_json)

    @app.context_processor
    def inject_globals():
        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"]}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if getattr(g, "no_store", False):
            response.headers["Cache-Control"] = "no-store"
        return response


def _register_error_pages(app: Flask) -> None:
    def render(code: int):
        def handler(error):
            if code == 500:
                db.session.rollback()
            if request.path.startswith("/api/") or request.is_json:
                return {"error": code, "message": getattr(error, "description", "")}, code
            return render_template("errors/error.html", code=code, error=error), code

        return handler

    for code in (400, 403, 404, 405, 413, 415, 429, 500):
        app.register_error_handler(code, render(code))
