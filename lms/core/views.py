"""Home page, language switch and the health check."""

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from lms.core import bp
from lms.core.home import sections
from lms.core.urls import safe_target
from lms.extensions import db


@bp.route("/")
def index():
    """Home: what the signed-in user should do next, section by section from the rooms (a
    trainee goes straight to their courses, where the next step of each is)."""
    if not current_user.is_authenticated:
        return render_template("core/index.html", sections=[])
    if current_user.has_role("trainee") and "courses.dashboard" in current_app.view_functions:
        return redirect(url_for("courses.dashboard"))
    return render_template("core/index.html", sections=sections(current_user))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    """Switch the interface language (vi / en) for this session."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_target(request.form.get("next"), url_for("core.index")))


@bp.route("/healthz")
def healthz():
    """Liveness and database check for load balancers (no personal data)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any database failure means unhealthy
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok",
            "user": current_user.is_authenticated}
