"""The signed CSRF token is reused per session while tokens never expire (lms/core/csrf_tokens)."""

from lms.core import csrf_tokens
from tests.conftest import TEST_PASSWORD, csrf_token, post_form


def _token(client) -> str:
    return csrf_token(client, "/accounts/login")


def test_same_session_reuses_the_signed_token(app, client, monkeypatch):
    """Two pages of one session carry the same signed token, signed once."""
    signed = []
    real = csrf_tokens.generate_csrf
    monkeypatch.setattr(csrf_tokens, "generate_csrf", lambda: signed.append(1) or real())
    first, second = _token(client), _token(client)
    assert first == second
    assert len(signed) == 1


def test_sessions_get_their_own_tokens(app):
    """Another browser (session) gets another token; neither validates in the other session."""
    one, two = app.test_client(), app.test_client()
    assert _token(one) != _token(two)


def test_reused_token_still_passes_csrf(client, make_user):
    """A form posted with the reused token is accepted (login succeeds)."""
    make_user("viewer", username="hoa")
    first = _token(client)
    assert _token(client) == first  # post_form below takes the reused one
    response = post_form(client, "/accounts/login", {"username": "hoa", "password": TEST_PASSWORD},
                         page="/accounts/login")
    assert response.status_code == 302


def test_time_limited_tokens_are_signed_per_request(app, client, monkeypatch):
    """With WTF_CSRF_TIME_LIMIT set, every request signs anew, as Flask-WTF does."""
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 3600)
    signed = []
    real = csrf_tokens.generate_csrf
    monkeypatch.setattr(csrf_tokens, "generate_csrf", lambda: signed.append(1) or real())
    _token(client)
    _token(client)
    assert len(signed) == 2
