"""Templates translate in the request's language, and follow force_locale() and refresh()."""

from flask import render_template_string
from flask_babel import force_locale, refresh

from tests.conftest import own_request


def test_templates_follow_the_request_locale(app):
    """A template string comes out in the language the request asks for."""
    with own_request(app, "/?lang=en"):
        assert render_template_string("{{ _('Đăng xuất') }}") == "Log out"
    with own_request(app):
        assert render_template_string("{{ _('Đăng xuất') }}") == "Đăng xuất"


def test_force_locale_switches_the_language(app):
    """force_locale inside a request is honoured, and the request's language comes back after."""
    with own_request(app):
        assert render_template_string("{{ _('Đăng xuất') }}") == "Đăng xuất"
        with force_locale("en"):
            assert render_template_string("{{ _('Đăng xuất') }}") == "Log out"
        assert render_template_string("{{ _('Đăng xuất') }}") == "Đăng xuất"


def test_refresh_applies_a_language_switch(app):
    """After flask_babel.refresh() the locale selector runs again (a language switch)."""
    with own_request(app):
        assert render_template_string("{{ _('Đăng xuất') }}") == "Đăng xuất"
        from flask import session

        session["lang"] = "en"
        refresh()
        assert render_template_string("{{ _('Đăng xuất') }}") == "Log out"
