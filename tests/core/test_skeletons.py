"""Page skeletons (lms/core/skeletons.py): shared only when nothing per-user leaks into them."""

from contextlib import contextmanager

import pytest
from flask_login import login_user
from jinja2 import ChoiceLoader, DictLoader

from lms.core import skeletons
from tests.conftest import own_request

TEMPLATES = {
    "t/safe.html": "<p>{{ current_user.username }}|{{ csrf_token() }}|{{ request.full_path }}"
                   "|{{ value }}</p>",
    "t/leak.html": "<p>{{ current_user.full_name }}|{{ value }}</p>",
    "t/leak_request.html": "<p>{{ request.args.get('q') }}</p>",
    "t/leak_helper.html": "<p>{{ whoami() }}</p>",
}


@pytest.fixture
def templates(app, monkeypatch):
    """The test templates above, beside the app's own."""
    monkeypatch.setattr(app.jinja_env, "loader",
                        ChoiceLoader([DictLoader(TEMPLATES), app.jinja_env.loader]))
    app.jinja_env.cache.clear()
    app.extensions.pop(skeletons.CACHE_KEY, None)
    yield
    app.jinja_env.cache.clear()


@contextmanager
def signed_in(app, user, url="/page"):
    """A request (with its own app context) by `user`."""
    with own_request(app, url):
        login_user(user)
        yield


def test_holes_are_filled_per_request_and_escaped(app, templates, make_user):
    """One skeleton serves two users; each sees their own escaped name and URL."""
    one = make_user("trainee", username='x<y>"')
    two = make_user("trainee", username="z")
    with signed_in(app, one, "/page?a=<b>"):
        first = skeletons.render_page("t/safe.html", ("k",), value="v")
    with signed_in(app, two, "/page?a=2"):
        second = skeletons.render_page("t/safe.html", ("k",), value="v")
    assert first.startswith("<p>x&lt;y&gt;&#34;|") and first.endswith("|/page?a=&lt;b&gt;|v</p>")
    assert second.startswith("<p>z|") and second.endswith("|/page?a=2|v</p>")
    assert len(app.extensions[skeletons.CACHE_KEY]) == 1


@pytest.mark.parametrize(("template", "first", "second"), [
    ("t/leak.html", "<p>Người Một|v</p>", "<p>Người Hai|v</p>"),
    ("t/leak_request.html", "<p>mot</p>", "<p>hai</p>"),
])
def test_a_template_reading_other_per_user_data_is_never_shared(app, templates, make_user,
                                                                monkeypatch, template, first,
                                                                second):
    """A template that reads what the key does not cover renders per request, correctly."""
    warnings = []
    monkeypatch.setattr(skeletons.log, "warning", lambda msg, *args: warnings.append(msg % args))
    one = make_user("trainee", username="one", full_name="Người Một")
    two = make_user("trainee", username="two", full_name="Người Hai")
    with signed_in(app, one, "/page?q=mot"):
        assert skeletons.render_page(template, ("k",), value="v") == first
    with signed_in(app, two, "/page?q=hai"):
        assert skeletons.render_page(template, ("k",), value="v") == second
    assert len(warnings) == 1 and "rendered per request" in warnings[0]
    assert list(app.extensions[skeletons.CACHE_KEY].values()) == [skeletons._UNCACHEABLE]


def test_helpers_reading_the_user_are_caught_too(app, templates, make_user, monkeypatch):
    """A Python helper that reads current_user beyond the key also stops the sharing."""
    from flask_login import current_user

    monkeypatch.setitem(app.jinja_env.globals, "whoami", lambda: current_user.full_name)
    one = make_user("trainee", username="one", full_name="Người Một")
    two = make_user("trainee", username="two", full_name="Người Hai")
    with signed_in(app, one):
        assert "Người Một" in skeletons.render_page("t/leak_helper.html", ("k",))
    with signed_in(app, two):
        assert "Người Hai" in skeletons.render_page("t/leak_helper.html", ("k",))


def test_no_key_or_switched_off_renders_normally(app, templates, make_user):
    """A None key, or PAGE_SKELETONS off, renders every time and caches nothing."""
    user = make_user("trainee", username="one")
    with signed_in(app, user):
        assert skeletons.render_page("t/safe.html", None, value="v").startswith("<p>one|")
    app.config["PAGE_SKELETONS"] = False
    try:
        with signed_in(app, user):
            skeletons.render_page("t/safe.html", ("k",), value="v")
    finally:
        app.config["PAGE_SKELETONS"] = True
    assert not app.extensions.get(skeletons.CACHE_KEY)
