"""Whole pages rendered once per key, with holes for the few values that differ per request.

The most read page, a lesson, is the same for every learner at the same point of a course in
one language, but for three values: the CSRF token, the user name in the header and the current
URL in the language switch. A skeleton is that page rendered once with markers in their place;
each request fills the markers in (HTML-escaped), which costs a few string replacements instead
of a template render.

Safety: while a skeleton renders, `current_user` (in templates and in Python helpers) is a
stand-in that answers only what the key covers (signed in, role, user name as a marker), and the
template's `request`, `session` and `g` answer only the path. Touching anything else raises
SkeletonLeak: that page is then rendered normally, every time, and never shared, so a template
that later shows some other per-user value cannot leak it to another user. Pages with flashed
messages (per user, shown once) are always rendered normally. Helpers called from a skeleton
template must depend only on the key, the language, the host and the script root (url_for, asset,
nav_items and fragment do).
"""

import logging
import secrets

from flask import current_app, g, render_template, request, session
from flask_login import current_user
from markupsafe import escape

from lms.core import memo
from lms.core.csrf_tokens import csrf_token
from lms.core.i18n import locale_code

CACHE_KEY = "core.skeletons"
MAX_ENTRIES = 2000  # a lesson page is about 8 KB: at most ~16 MB per worker
_UNCACHEABLE = object()
log = logging.getLogger(__name__)


class SkeletonLeak(RuntimeError):
    """A skeleton template asked for a per-request value its key does not cover."""


class _Holes:
    """Markers for the per-request values, unique to this process (never in real content)."""

    def __init__(self) -> None:
        nonce = secrets.token_hex(8)
        self.csrf = f"[[hole-{nonce}-csrf]]"
        self.username = f"[[hole-{nonce}-username]]"
        self.full_path = f"[[hole-{nonce}-full-path]]"


class _StandIn:
    """An object that answers only the attributes it was given; anything else is a leak."""

    def __init__(self, what: str, **known) -> None:
        self.__dict__["_what"] = what
        self.__dict__.update(known)

    def __getattr__(self, name: str):
        raise SkeletonLeak(f"{self._what}.{name}")

    def __getitem__(self, name: str):
        raise SkeletonLeak(f"{self._what}[{name!r}]")

    def __bool__(self) -> bool:
        return True


HOLES = _Holes()


def _stand_in_user() -> _StandIn:
    role = current_user.role

    def has_role(*roles: str) -> bool:
        return role in roles

    return _StandIn("current_user", is_authenticated=True, is_active=True, is_anonymous=False,
                    role=role, username=HOLES.username, has_role=has_role)


def _render_skeleton(template: str, context: dict) -> str:
    """Render `template` with stand-ins for everything per-request (raises SkeletonLeak)."""
    stand_ins = {
        "request": _StandIn("request", path=request.path, full_path=HOLES.full_path,
                            script_root=request.script_root),
        "session": _StandIn("session"),
        "g": _StandIn("g"),
        "csrf_token": lambda: HOLES.csrf,
        "get_flashed_messages": lambda **_kw: [],
    }
    real_user = g.get("_login_user")
    g._login_user = _stand_in_user()  # what flask_login.current_user resolves to
    try:
        return render_template(template, **context, **stand_ins)
    finally:
        g._login_user = real_user


def _fill(skeleton: str) -> str:
    return (skeleton.replace(HOLES.csrf, str(escape(csrf_token())))
            .replace(HOLES.username, str(escape(current_user.username)))
            .replace(HOLES.full_path, str(escape(request.full_path))))


def render_page(template: str, key: tuple | None, **context) -> str:
    """`render_template(template, **context)` for a signed-in user, from a skeleton kept under
    `key` (plus template, language, host, script root, path and role) when the page allows it.

    :param template: the template name
    :param key: everything the page depends on besides the language, host, script root, path,
        role and the three holes; None renders normally (e.g. content without a version)
    :param context: the template's variables, as for render_template
    """
    if (key is None or not current_app.config.get("PAGE_SKELETONS", True)
            or not current_user.is_authenticated or session.get("_flashes")):
        return render_template(template, **context)
    store = memo.cache(CACHE_KEY)
    full_key = (template, locale_code(), request.host, request.script_root, request.path,
                current_user.role, *key)
    skeleton = store.get(full_key)
    if skeleton is None:
        try:
            skeleton = _render_skeleton(template, context)
        except SkeletonLeak as leak:
            log.warning("page %s is rendered per request: its template reads %s", template, leak)
            skeleton = _UNCACHEABLE
        memo.keep(store, full_key, skeleton, MAX_ENTRIES)
    if skeleton is _UNCACHEABLE:
        return render_template(template, **context)
    return _fill(skeleton)
