"""Rendered template fragments kept per process: the parts of a page that are the same for every
user who sees them in one language (the page frame's asset links, brand and footer).

    {% call fragment("base-footer") %} … {% endcall %}

The key names everything the block's output depends on; the language and the script root (the
URL prefix under which the app is mounted) are added to it. A `None` in the key means "not
cacheable" (e.g. content without a version): the block is rendered every time. Whole pages
that are the same but for a few values use lms/core/skeletons.py instead.
Never put per-user data inside a fragment: names, CSRF tokens, progress, flashed messages.
Content changes reach the cache through the key (a course's version changes when its content
is loaded again); the cache is emptied when it grows past MAX_ENTRIES.
"""

from flask import has_request_context, request
from markupsafe import Markup

from lms.core import memo
from lms.core.i18n import locale_code

CACHE_KEY = "core.fragments"
MAX_ENTRIES = 5000


def fragment(*key, caller) -> Markup:
    """The HTML of the `{% call %}` block for `key` in the current language, rendered once."""
    if None in key:
        return caller()
    store = memo.cache(CACHE_KEY)
    full = (locale_code(), request.script_root if has_request_context() else "", *key)
    html = store.get(full)
    if html is None:  # caller() gives Markup: Flask's templates autoescape
        html = memo.keep(store, full, caller(), MAX_ENTRIES)
    return html


def init_app(app) -> None:
    """Expose `fragment` to templates."""
    app.jinja_env.globals["fragment"] = fragment
