"""Templates translate with the request's catalogue cached once (lms/core/i18n.py)."""

from flask import render_template_string
from flask_babel import force_locale, refresh

from lms.core import i18n
from tests.conftest import own_request

PAGE = "{{ _('Đăng xuất') }}|{{ ngettext('%(num)s bài', '%(num)s bài', 2) }}"



def test_templates_follow_the_request_locale(app):
    """A template string comes out in the language the request asks for."""
    with own_request(app, "/?lang=en"):
        assert render_template_string("{{ _('Đăng xuất') }}") == "Log out"
    with own_request(app):
        assert render_template_string("{{ _('Đăng xuất') }}") == "Đăng xuất"


def test_force_locale_switches_the_cached_catalogue(app):
    """force_locale inside a request is honoured, and the request's language comes back after."""
    with own_request(app):
        assert render_template_string("{{ _('Đăng xuất') }}") == "Đăng xuất"
        with force_locale("en"):
            assert render_template_string("{{ _('Đăng xuất') }}") == "Log out"
        assert render_template_string("{{ _('Đăng xuất') }}") == "Đăng xuất"


def test_refresh_drops_the_cached_catalogue(app):
    """After flask_babel.refresh() the locale selector runs again (a language switch)."""
    with own_request(app):
        assert render_template_string("{{ _('Đăng xuất') }}") == "Đăng xuất"
        from flask import session

        session["lang"] = "en"
        refresh()
        assert render_template_string("{{ _('Đăng xuất') }}") == "Log out"


def test_catalogue_is_looked_up_once_per_request(app, monkeypatch):
    """Many strings in one request cost one catalogue lookup, not one each."""
    calls = []
    real = i18n.get_translations
    monkeypatch.setattr(i18n, "get_translations", lambda: calls.append(1) or real())
    with own_request(app, "/?lang=en"):
        out = render_template_string(PAGE * 10)
    assert out.startswith("Log out|")
    assert 1 <= len(calls) <= 2  # the first string picks the locale, the second caches it


def test_outside_a_request_falls_back_to_flask_babel(app):
    """With no request, the catalogue is Flask-Babel's default (Vietnamese source strings)."""
    with app.app_context():
        assert i18n.catalogue().ugettext("Đăng xuất") == "Đăng xuất"
