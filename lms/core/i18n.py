"""Template translation with the request's catalogue looked up once, not once per string.

Flask-Babel's template `_()` finds the locale and the catalogue again for every string, through
several context-local proxies (about 30 µs each; a page has a dozen or more strings, the lesson
page's budget is a few milliseconds). Here the catalogue is remembered on Flask-Babel's own
per-request namespace together with the locale object it belongs to: `force_locale()` and
`refresh()` replace that object, so a switched language is still honoured.
"""

from flask import g, has_app_context
from flask_babel import get_locale, get_translations


def catalogue():
    """The gettext catalogue of the current locale (Flask-Babel's, cached for the request)."""
    if not has_app_context():
        return get_translations()
    ns = g.get("_flask_babel")
    locale = getattr(ns, "babel_locale", None)
    if locale is None:
        return get_translations()  # the first string of the request picks the locale
    cached = getattr(ns, "lms_catalogue", None)
    if cached is None or cached[0] is not locale:
        cached = (locale, get_translations())
        ns.lms_catalogue = cached
    return cached[1]


def locale_code() -> str:
    """The current locale as a code ("vi", "en"), worked out once per request."""
    ns = g.get("_flask_babel") if has_app_context() else None
    cached = getattr(ns, "lms_locale_code", None)
    if cached is not None and cached[0] is getattr(ns, "babel_locale", None):
        return cached[1]
    locale = get_locale()
    code = str(locale) if locale is not None else ""
    ns = g.get("_flask_babel") if has_app_context() else None  # get_locale() may create it
    if ns is not None:
        ns.lms_locale_code = (getattr(ns, "babel_locale", None), code)
    return code


def init_app(app) -> None:
    """Install the cached lookups as the templates' `_`, `gettext` and `ngettext`."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        newstyle=True,
    )
