"""Template translation with the request's catalogue looked up once, not once per string.

Flask-Babel's template `_()` finds the locale and the catalogue again for every string, through
several context-local proxies (about 30 µs each; a page has a dozen or more strings, the lesson
page's budget is a few milliseconds). Here the catalogue is remembered on Flask-Babel's own
per-request namespace together with the locale object it belongs to: `force_locale()` and
`refresh()` replace that object, so a switched language is still honoured.
"""

from flask import g, has_app_context
from flask_babel import get_locale, get_translations


def _per_locale(name: str, compute):
    """`compute()`, remembered on Flask-Babel's per-request namespace for the current locale
    object (force_locale() and refresh() replace that object, so they are honoured)."""
    ns = g.get("_flask_babel") if has_app_context() else None
    cached = getattr(ns, name, None)
    if cached is not None and cached[0] is getattr(ns, "babel_locale", None):
        return cached[1]
    value = compute()
    ns = g.get("_flask_babel") if has_app_context() else None  # compute() may create it
    locale = getattr(ns, "babel_locale", None)
    if locale is not None:  # known only once the request's first lookup picked it
        setattr(ns, name, (locale, value))
    return value


def catalogue():
    """The gettext catalogue of the current locale (Flask-Babel's, cached for the request)."""
    return _per_locale("lms_catalogue", get_translations)


def locale_code() -> str:
    """The current locale as a code ("vi", "en"), worked out once per request."""
    return _per_locale("lms_locale_code", lambda: str(get_locale() or ""))


def init_app(app) -> None:
    """Install the cached lookups as the templates' `_`, `gettext` and `ngettext`."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        newstyle=True,
    )
