"""Rendered template fragments kept per process: the parts of a page that are the same for every
user who sees them in one language (headings, navigation between lessons, the page frame).

    {% call fragment("lesson-pager", course.version, lesson.id) %} … {% endcall %}

The key names everything the block's output depends on; the language and the script root (the
URL prefix under which the app is mounted) are added to it. A `None` in the key means "not
cacheable" (a course made by hand has no content version): the block is rendered every time.
Never put per-user data inside a fragment: names, CSRF tokens, progress, flashed messages.
Content changes reach the cache through the key (a course's version changes when its content
is loaded again); the cache is emptied when it grows past MAX_ENTRIES.
"""

from flask import current_app, has_request_context, request
from markupsafe import Markup

from lms.core.i18n import locale_code

CACHE_KEY = "core.fragments"
MAX_ENTRIES = 5000


def fragment(*key, caller) -> Markup:
    """The HTML of the `{% call %}` block for `key` in the current language, rendered once."""
    if None in key:
        return caller()
    cache = current_app.extensions.setdefault(CACHE_KEY, {})
    full = (locale_code(), request.script_root if has_request_context() else "", *key)
    html = cache.get(full)
    if html is None:
        html = caller()  # Markup: Flask's templates autoescape
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[full] = html  # one dict assignment: safe between threads
    return html


def init_app(app) -> None:
    """Expose `fragment` to templates."""
    app.jinja_env.globals["fragment"] = fragment
