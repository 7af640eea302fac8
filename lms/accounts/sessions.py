"""Sessions that end (phiên đăng nhập).

The session cookie names the user as "id:session_version" (`User.get_id`); the loader refuses
it once the user's version has moved on (logout, password change or reset, deactivation), so
every other cookie of that user stops working. A session also ends after `SESSION_IDLE_MINUTES`
without a request and `SESSION_MAX_HOURS` after sign-in, whatever the activity.
"""

import time
from collections.abc import Callable

from flask import current_app, session

_AUTH_AT, _SEEN_AT = "auth_at", "seen_at"
_FLASK_LOGIN_KEYS = ("_user_id", "_fresh", "_id", _AUTH_AT, _SEEN_AT)
SEEN_GRANULARITY = 60  # seconds: the cookie is rewritten at most once a minute for `seen_at`


def started() -> None:
    """Call right after `login_user`: the session's sign-in and last-seen times."""
    now = int(time.time())
    session[_AUTH_AT] = session[_SEEN_AT] = now


def _forget() -> None:
    for key in _FLASK_LOGIN_KEYS:
        session.pop(key, None)


def expired(now: float) -> bool:
    """True when this request's session is past its idle time or absolute lifetime."""
    cfg = current_app.config
    auth_at, seen_at = session.get(_AUTH_AT), session.get(_SEEN_AT)
    if not isinstance(auth_at, int) or not isinstance(seen_at, int):
        return True
    return (now - seen_at > cfg["SESSION_IDLE_MINUTES"] * 60
            or now - auth_at > cfg["SESSION_MAX_HOURS"] * 3600)


def load(session_id: str, load_by_id: Callable):
    """The user the session names, or None (and the session forgotten) when its version is
    stale or its time is up. `load_by_id(int)` returns the active user or None."""
    user_id, _, version = session_id.partition(":")
    now = time.time()
    if not (user_id.isdigit() and version.isdigit()) or expired(now):
        _forget()
        return None
    user = load_by_id(int(user_id))
    if user is None or user.session_version != int(version):
        _forget()
        return None
    if now - session[_SEEN_AT] >= SEEN_GRANULARITY:
        session[_SEEN_AT] = int(now)
    return user
