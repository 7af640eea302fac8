"""Sessions that end: the session version (logout, password change and reset, deactivation),
the idle time and the absolute lifetime."""

import time

from lms.accounts import services
from lms.accounts.models import User
from tests.conftest import TEST_PASSWORD, post_form

PRIVATE = "/courses/"


def _login(client, username, password=TEST_PASSWORD):
    return post_form(client, "/accounts/login", {"username": username, "password": password},
                     page="/accounts/login")


def _signed_in(client) -> bool:
    return client.get("/accounts/password").status_code == 200


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(client, value: str) -> None:
    client.set_cookie("session", value)


def test_session_names_user_and_version(client, make_user):
    """The session stores "id:version", not the bare id."""
    user = make_user("viewer", username="hoa")
    _login(client, "hoa")
    with client.session_transaction() as session:
        assert session["_user_id"] == f"{user.id}:1"


def test_logout_refuses_the_old_cookie(client, make_user):
    """After logout, replaying the cookie from before it does not sign anyone in."""
    make_user("viewer", username="hoa")
    _login(client, "hoa")
    old = _cookie(client)
    assert _signed_in(client)
    post_form(client, "/accounts/logout")
    _replay(client, old)
    assert not _signed_in(client)


def test_logout_ends_sessions_on_other_devices(app, make_user):
    """Logging out on one phone ends the session on another."""
    make_user("viewer", username="hoa")
    phone, laptop = app.test_client(), app.test_client()
    _login(phone, "hoa")
    _login(laptop, "hoa")
    post_form(phone, "/accounts/logout")
    assert not _signed_in(laptop)


def test_password_change_ends_other_sessions_but_not_this_one(app, make_user, db):
    """Changing one's password keeps this session and ends every other."""
    make_user("viewer", username="hoa")
    here, there = app.test_client(), app.test_client()
    _login(here, "hoa")
    _login(there, "hoa")
    old = _cookie(here)
    response = post_form(here, "/accounts/password",
                         {"current": TEST_PASSWORD, "new": "mot-mat-khau-moi-dai",
                          "confirm": "mot-mat-khau-moi-dai"}, page="/accounts/password")
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(there)
    _replay(here, old)
    assert not _signed_in(here)


def test_reset_and_deactivation_end_sessions(app, make_user, db):
    """An admin's reset, and a deactivation, end the user's sessions."""
    admin = make_user("admin")
    user = make_user("viewer", username="hoa", unit="22")
    client = app.test_client()
    _login(client, "hoa")
    services.reset_password(user, by=admin)
    db.session.commit()
    assert not _signed_in(client)

    user.set_password(TEST_PASSWORD)
    db.session.commit()
    _login(client, "hoa")
    assert _signed_in(client)
    services.update_user(user, by=admin, role="viewer", full_name="", unit=user.unit,
                         active=False)
    db.session.commit()
    assert db.session.get(User, user.id).session_version == 3
    assert not _signed_in(client)


def test_idle_session_ends(app, client, make_user):
    """A session unused for longer than SESSION_IDLE_MINUTES ends."""
    make_user("viewer", username="hoa")
    _login(client, "hoa")
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - idle + 120
    assert _signed_in(client)  # still within the idle time; the request refreshes it
    with client.session_transaction() as session:
        assert session["seen_at"] >= int(time.time()) - 5
        session["seen_at"] = int(time.time()) - idle - 1
    assert not _signed_in(client)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_absolute_lifetime_ends_an_active_session(app, client, make_user):
    """However active, a session ends SESSION_MAX_HOURS after sign-in."""
    make_user("viewer", username="hoa")
    _login(client, "hoa")
    with client.session_transaction() as session:
        session["auth_at"] = int(time.time()) - app.config["SESSION_MAX_HOURS"] * 3600 - 1
    assert not _signed_in(client)


def test_session_without_version_is_refused(client, make_user):
    """A cookie naming only the user id (the old format, or forged) signs nobody in."""
    user = make_user("viewer", username="hoa")
    _login(client, "hoa")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert not _signed_in(client)
