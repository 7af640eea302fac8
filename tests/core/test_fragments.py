"""Cached template fragments (lms/core/fragments.py): once per key and language, never for None."""

from flask import render_template_string

from lms.core import fragments
from tests.conftest import own_request

BLOCK = "{% call fragment('t', key) %}{{ _('Đăng xuất') }} {{ render() }}{% endcall %}"



def _renders(app, key, url: str = "/") -> tuple[str, int]:
    calls = []
    with own_request(app, url):
        html = render_template_string(BLOCK, key=key, render=lambda: calls.append(1) or "x")
    return html, len(calls)


def test_a_fragment_is_rendered_once_per_key(app):
    """The second page with the same key reuses the HTML; another key renders again."""
    app.extensions.pop(fragments.CACHE_KEY, None)
    assert _renders(app, "k1") == ("Đăng xuất x", 1)
    assert _renders(app, "k1") == ("Đăng xuất x", 0)
    assert _renders(app, "k2") == ("Đăng xuất x", 1)


def test_each_language_has_its_own_copy(app):
    """A fragment cached in Vietnamese is rendered again, in English, for an English page."""
    app.extensions.pop(fragments.CACHE_KEY, None)
    assert _renders(app, "k") == ("Đăng xuất x", 1)
    assert _renders(app, "k", "/?lang=en") == ("Log out x", 1)
    assert _renders(app, "k", "/?lang=en") == ("Log out x", 0)


def test_none_in_the_key_is_never_cached(app):
    """A key holding None (content without a version) renders the block every time."""
    app.extensions.pop(fragments.CACHE_KEY, None)
    assert _renders(app, None)[1] == 1
    assert _renders(app, None)[1] == 1
    assert not app.extensions.get(fragments.CACHE_KEY)


def test_the_cache_is_bounded(app, monkeypatch):
    """Past MAX_ENTRIES the cache starts again instead of growing without end."""
    app.extensions.pop(fragments.CACHE_KEY, None)
    monkeypatch.setattr(fragments, "MAX_ENTRIES", 3)
    for key in range(7):
        _renders(app, key)
    assert 0 < len(app.extensions[fragments.CACHE_KEY]) <= 3
