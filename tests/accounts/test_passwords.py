"""Passwords: one-time passwords and the first sign-in, the staff policy, hash upgrades,
equal work for unknown usernames, resets by admins and trainers in scope."""

from datetime import timedelta

import pytest
from werkzeug import security

from lms.accounts import passwords, services
from lms.accounts.models import AuditLog, User
from lms.core.timeutil import utcnow
from tests.conftest import TEST_PASSWORD, post_form


def _login(client, username, password=TEST_PASSWORD):
    return post_form(client, "/accounts/login", {"username": username, "password": password},
                     page="/accounts/login")


def _trainee_with_otp(make_user, make_person, db, username="hv1"):
    user = make_user("trainee", username=username, person=make_person())
    otp = passwords.one_time_password()
    services.set_one_time_password(user, otp)
    db.session.commit()
    return user, otp


def test_one_time_passwords_are_short_random_and_unambiguous(app):
    """Eight characters from an alphabet without 0/O/1/l/I, different every time."""
    seen = {passwords.one_time_password() for _ in range(200)}
    assert len(seen) == 200
    for otp in seen:
        assert len(otp) == app.config["OTP_LENGTH"] == 8
        assert not set(otp) & set("0O1lIi")


def test_one_time_password_expires_after_the_setting(app, make_user, make_person, db):
    """A one-time password is valid OTP_VALID_DAYS (default 30) and must be replaced."""
    user, _ = _trainee_with_otp(make_user, make_person, db)
    assert app.config["OTP_VALID_DAYS"] == 30
    left = user.password_expires_at - utcnow()
    assert timedelta(days=29, hours=23) < left <= timedelta(days=30)
    assert user.must_change_password


def test_first_sign_in_goes_to_change_password_before_anything(client, make_user, make_person,
                                                               db):
    """With a one-time password every page leads to the change-password page until it is
    replaced; then the new password works and the one-time one no longer does."""
    user, otp = _trainee_with_otp(make_user, make_person, db)
    response = _login(client, "hv1", otp)
    assert response.headers["Location"].endswith("/accounts/password")
    for url in ("/", "/courses/", "/certificates/mine"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith("/accounts/password")
    page = client.get("/accounts/password").get_data(as_text=True)
    assert "mật khẩu một lần" in page and "hv1" in page
    response = post_form(client, "/accounts/password",
                         {"current": otp, "new": "hoc-that-cham", "confirm": "hoc-that-cham"},
                         page="/accounts/password")
    assert response.status_code == 302
    assert client.get("/courses/").status_code == 200
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert not user.must_change_password and user.password_expires_at is None
    post_form(client, "/accounts/logout")
    assert "không đúng" in _login(client, "hv1", otp).get_data(as_text=True)
    assert _login(client, "hv1", "hoc-that-cham").status_code == 302


def test_one_time_password_typed_in_groups_or_capitals_works(client, make_user, make_person, db):
    """The slip prints it in groups of four: spaces and capitals typed on a phone are fine."""
    _, otp = _trainee_with_otp(make_user, make_person, db)
    typed = f"{otp[:4].upper()} {otp[4:]}"
    assert _login(client, "hv1", typed).status_code == 302


def test_expired_one_time_password_is_refused(client, make_user, make_person, db):
    """After its expiry a one-time password signs nobody in, and says whom to ask."""
    user, otp = _trainee_with_otp(make_user, make_person, db)
    user.password_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    html = _login(client, "hv1", otp).get_data(as_text=True)
    assert "đã hết hạn" in html
    assert client.get("/courses/").status_code == 302


@pytest.mark.parametrize("role,password,ok", [
    ("admin", "ngan-qua", False),          # 8 characters: too short for staff
    ("trainer", "Password123", False),     # common (case does not matter)
    ("viewer", "qwertyuiop", False),
    ("admin", "1234567890", False),
    ("admin", "matkhau123", False),
    ("admin", "song-hong-chay-mai", True),
    ("trainee", "ngan-qua", True),         # trainees: 8 characters
    ("trainee", "12345678", False),
])
def test_password_policy(app, role, password, ok):
    """Staff: at least 10 characters; everyone: not in the bundled common-password list."""
    assert (passwords.problem(password, role) is None) is ok


def test_common_password_list_is_bundled(app):
    """The list ships with the package (thousands of entries, no download)."""
    common = passwords.common_passwords()
    assert len(common) > 3000
    assert {"password123", "iloveyou123", "anhyeuem123", "1234567890"} <= common


def test_create_and_change_apply_the_policy(client, login_as, db):
    """An admin cannot give a staff account a weak password; a user cannot choose one."""
    with pytest.raises(services.AccountError, match="ít nhất 10"):
        services.create_user("lan", "admin", "short-pw")
    login_as("viewer")
    html = post_form(client, "/accounts/password",
                     {"current": TEST_PASSWORD, "new": "qwerty123456", "confirm": "qwerty123456"},
                     page="/accounts/password").get_data(as_text=True)
    assert "quá phổ biến" in html
    html = post_form(client, "/accounts/password",
                     {"current": "sai-mat-khau", "new": "nui-cao-song-dai",
                      "confirm": "nui-cao-song-dai"}, page="/accounts/password").get_data(
                         as_text=True)
    assert "hiện tại không đúng" in html
    html = post_form(client, "/accounts/password",
                     {"current": TEST_PASSWORD, "new": "nui-cao-song-dai",
                      "confirm": "nui-cao-song-dai-2"}, page="/accounts/password").get_data(
                         as_text=True)
    assert "không giống nhau" in html


def test_hash_is_upgraded_at_sign_in_when_settings_change(app, client, make_user, db):
    """A hash made with older settings is rewritten with the current ones at sign-in."""
    user = make_user("viewer", username="hoa")
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")
    old = app.config["PASSWORD_HASH_METHOD"]
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1200"
    try:
        assert _login(client, "hoa").status_code == 302
        db.session.expire_all()
        assert db.session.get(User, user.id).password_hash.startswith("pbkdf2:sha256:1200$")
        assert db.session.query(AuditLog).filter_by(action="user.password_rehash").count() == 1
    finally:
        app.config["PASSWORD_HASH_METHOD"] = old


def test_failed_sign_ins_do_the_same_hashing_work(app, client, make_user, make_person, db,
                                                  monkeypatch):
    """An unknown username, an inactive account and a one-time-password account cost one
    check with the chosen-password setting, as a wrong password for a staff account does."""
    checked = []
    real = security.check_password_hash

    def spy(pwhash, password):
        checked.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr("lms.accounts.models.check_password_hash", spy)
    monkeypatch.setattr("lms.accounts.passwords.check_password_hash", spy)
    make_user("viewer", username="hoa")
    make_user("viewer", username="tat").active = False
    db.session.commit()
    app.config["OTP_HASH_METHOD"], old = "pbkdf2:sha256:500", app.config["OTP_HASH_METHOD"]
    try:
        user, _ = _trainee_with_otp(make_user, make_person, db, username="hv2")
    finally:
        app.config["OTP_HASH_METHOD"] = old
    staff = passwords._prefix(passwords.hash_method())
    for username in ("hoa", "khong-co-ai", "tat", "hv2"):
        checked.clear()
        _login(client, username, "wrong-password")
        assert checked.count(staff) == 1, (username, checked)


def test_login_page_fills_username_and_explains_forgotten_passwords(client):
    """`?u=` (the slip's QR code) fills the username; "Quên mật khẩu?" says who resets it."""
    html = client.get("/accounts/login?u=qn000123").get_data(as_text=True)
    assert 'value="qn000123"' in html
    assert "Quên mật khẩu?" in html and "giảng viên" in html and "quản trị" in html


def test_admin_resets_in_scope_and_gets_a_slip(client, login_as, make_user, make_person, db,
                                               units):
    """An admin of the province resets a trainee's password: a PDF slip, a one-time password
    that works; an admin of another province cannot."""
    trainee = make_user("trainee", username="hv1", person=make_person())
    login_as("admin", unit="01")
    assert post_form(client, f"/accounts/users/{trainee.id}/reset").status_code == 404
    login_as("admin", unit="22")
    response = post_form(client, f"/accounts/users/{trainee.id}/reset")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    db.session.expire_all()
    assert db.session.get(User, trainee.id).must_change_password


def test_trainer_resets_members_of_own_cohort_only(client, login_as, make_user, make_person, db,
                                                   make_cohort, fill):
    """A trainer resets the trainee accounts of their cohorts' members, and no one else."""
    trainer = make_user("trainer", unit="22")
    cohort = make_cohort(trainer=trainer)
    (member,) = fill(cohort, 1)
    hv1 = make_user("trainee", username="hv1", person=member.person)
    hv2 = make_user("trainee", username="hv2", person=make_person())
    login_as(user=trainer)
    assert post_form(client, f"/accounts/users/{hv1.id}/reset").status_code == 200
    assert post_form(client, f"/accounts/users/{hv2.id}/reset").status_code == 404
