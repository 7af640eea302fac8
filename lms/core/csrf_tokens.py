"""The CSRF token for forms, signed once per session token and process instead of per request.

Flask-WTF signs the session's raw token again on every request (an HMAC and a timestamp; about
a tenth of a millisecond, a noticeable share of the lesson page). With WTF_CSRF_TIME_LIMIT None
(the default here: a form filled slowly in a commune hall must still submit) a signed token
never expires, so the one signed first is reused: it validates exactly like a fresh one. With a
time limit set, every request signs anew as Flask-WTF does.
"""

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf

from lms.core import memo

CACHE_KEY = "core.csrf"
MAX_ENTRIES = 10_000


def csrf_token() -> str:
    """The signed CSRF token of the current session (Flask-WTF's, reused while it is valid)."""
    config = current_app.config
    if config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None:
        return generate_csrf()
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    store = memo.cache(CACHE_KEY)
    raw = session.get(field)
    signed = store.get(raw) if raw is not None else None
    if signed is None:
        signed = generate_csrf()  # also puts the raw token in the session
        memo.keep(store, session[field], signed, MAX_ENTRIES)
    else:
        setattr(g, field, signed)  # what generate_csrf() returns later in this request
    return signed


def init_app(app) -> None:
    """Templates' `csrf_token()` uses the reused token (Flask-WTF sets it both as a global and
    from a context processor; this processor runs after Flask-WTF's, so it wins)."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
