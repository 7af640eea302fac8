"""Login, logout, throttling, CSRF and session cookies."""

from datetime import timedelta

from lms.accounts.models import AuditLog, LoginAttempt
from tests.conftest import TEST_PASSWORD, csrf_token, post_form


def _login(client, username, password=TEST_PASSWORD, ip="10.0.0.1"):
    return post_form(client, "/accounts/login", {"username": username, "password": password},
                     page="/accounts/login", environ_base={"REMOTE_ADDR": ip})


def test_login_and_logout(client, make_user, db):
    """A correct password logs in (audited); logout is a POST and ends the session."""
    user = make_user("viewer", username="hoa")
    response = _login(client, "HOA")
    assert response.status_code == 302
    assert client.get("/accounts/users").status_code == 403  # logged in, but not an admin
    assert db.session.query(AuditLog).filter_by(action="login.success").count() == 1
    assert client.get("/accounts/logout").status_code == 405
    post_form(client, "/accounts/logout")
    assert client.get("/accounts/users").status_code == 302  # back to the login page
    assert user.last_login_at is not None


def test_wrong_password_is_refused_and_audited(client, make_user, db):
    """A wrong password shows a message, records a failed attempt and an audit entry."""
    make_user("viewer", username="hoa")
    response = _login(client, "hoa", "wrong-password")
    assert response.status_code == 200
    assert "không đúng" in response.get_data(as_text=True)
    assert db.session.query(AuditLog).filter_by(action="login.failure").count() == 1


def test_lockout_after_five_failures(client, make_user, db):
    """Five failures within 15 minutes lock the account, even for the right password."""
    make_user("viewer", username="hoa")
    for _ in range(5):
        assert _login(client, "hoa", "nope").status_code == 200
    response = _login(client, "hoa")
    assert response.status_code == 429
    assert "tạm khóa" in response.get_data(as_text=True)
    assert db.session.query(AuditLog).filter_by(action="login.refused").count() == 1


def test_four_failures_do_not_lock(client, make_user):
    """Four failures leave the account usable."""
    make_user("viewer", username="hoa")
    for _ in range(4):
        _login(client, "hoa", "nope")
    assert _login(client, "hoa").status_code == 302


def test_lock_expires_after_fifteen_minutes(client, make_user, db):
    """Failures older than the lock period no longer lock the account."""
    make_user("viewer", username="hoa")
    for _ in range(5):
        _login(client, "hoa", "nope")
    for attempt in db.session.query(LoginAttempt):
        attempt.at -= timedelta(minutes=16)
    db.session.commit()
    assert _login(client, "hoa").status_code == 302


def test_failures_spread_over_time_do_not_lock(client, make_user, db):
    """Five failures more than 15 minutes apart in total do not lock."""
    make_user("viewer", username="hoa")
    for _ in range(5):
        _login(client, "hoa", "nope")
        for attempt in db.session.query(LoginAttempt):
            attempt.at -= timedelta(minutes=5)
        db.session.commit()
    assert _login(client, "hoa").status_code == 302


def test_per_address_limit(client, make_user, app):
    """One client address failing across many accounts is refused too."""
    make_user("viewer", username="hoa")
    limit = app.config["LOGIN_IP_MAX_FAILURES"]
    for i in range(limit):
        _login(client, f"ghost{i}", "nope", ip="10.9.9.9")
    response = _login(client, "hoa", ip="10.9.9.9")
    assert response.status_code == 200 and "địa chỉ này" in response.get_data(as_text=True)
    assert _login(client, "hoa", ip="10.1.1.1").status_code == 302


def test_inactive_user_cannot_log_in(client, make_user, db):
    """A deactivated account is refused with the generic message."""
    user = make_user("viewer", username="hoa")
    user.active = False
    db.session.commit()
    assert _login(client, "hoa").status_code == 200


def test_deactivated_user_is_signed_out_on_the_next_request(client, make_user, db):
    """Deactivating an account ends its open session: the next page asks to log in again."""
    user = make_user("admin", username="hoa")
    assert _login(client, "hoa").status_code == 302
    assert client.get("/accounts/users").status_code == 200
    user.active = False
    db.session.commit()
    response = client.get("/accounts/users")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_login_without_csrf_is_rejected(client, make_user):
    """A POST without the CSRF token is refused (400) and does not log in."""
    make_user("viewer", username="hoa")
    response = client.post("/accounts/login", data={"username": "hoa",
                                                    "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/accounts/users").status_code == 302


def test_session_cookie_flags(client, make_user):
    """The session cookie is HttpOnly and SameSite=Lax."""
    make_user("viewer", username="hoa")
    response = _login(client, "hoa")
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_next_parameter_only_follows_local_paths(client, make_user):
    """After login, `next` may only point inside the site."""
    make_user("viewer", username="hoa")
    token = csrf_token(client, "/accounts/login")
    response = client.post("/accounts/login?next=//evil.example/x",
                           data={"username": "hoa", "password": TEST_PASSWORD,
                                 "csrf_token": token})
    assert response.headers["Location"] == "/"
