"""User administration pages: create, edit, deactivate, role and unit scope, audit."""

from lms.accounts.models import AuditLog, User
from tests.conftest import post_form


def test_only_admins_manage_users(client, login_as):
    """Trainers, viewers and trainees get 403 on user administration."""
    for role in ("trainer", "viewer", "trainee"):
        login_as(role)
        assert client.get("/accounts/users").status_code == 403
        assert client.get("/accounts/users/new").status_code == 403


def test_anonymous_is_sent_to_login(client, app):
    """Anonymous visitors are redirected to the login page."""
    response = client.get("/accounts/users")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_admin_creates_user_with_generated_password(client, login_as, db):
    """Creating without a password generates one, shown once; the hash is stored, not it."""
    login_as("admin")
    response = post_form(client, "/accounts/users/new",
                         {"username": "lan", "full_name": "  Phạm   Thị Lan ", "role": "viewer",
                          "unit_code": "22", "active": "y"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Mật khẩu một lần:" in html
    user = db.session.query(User).filter_by(username="lan").one()
    assert user.full_name == "Phạm Thị Lan"
    assert user.unit.code == "22" and user.role == "viewer"
    assert not user.password_hash.startswith("lan")
    assert user.must_change_password and user.password_expires_at is not None
    assert db.session.query(AuditLog).filter_by(action="user.create", target="lan").count() == 1


def test_unknown_unit_is_a_clear_error(client, login_as, db):
    """An unknown unit code is refused with a message and no account is made."""
    login_as("admin")
    html = post_form(client, "/accounts/users/new",
                     {"username": "lan", "role": "viewer", "unit_code": "99999"},
                     page="/accounts/users/new").get_data(as_text=True)
    assert "99999" in html
    assert db.session.query(User).filter_by(username="lan").count() == 0


def test_role_change_and_deactivation_are_audited(client, login_as, make_user, db):
    """Changing role and deactivating write audit entries; a deactivated user cannot log in."""
    login_as("admin")
    target = make_user("viewer", username="minh")
    post_form(client, f"/accounts/users/{target.id}",
              {"username": "minh", "role": "trainer", "unit_code": "22"},
              page=f"/accounts/users/{target.id}")
    db.session.refresh(target)
    assert target.role == "trainer" and not target.active
    actions = {a.action for a in db.session.query(AuditLog).filter_by(target="minh")}
    assert {"user.role_change", "user.deactivate"} <= actions


def test_admin_cannot_lock_themselves_out(client, login_as, db):
    """An admin cannot deactivate or demote their own account."""
    me = login_as("admin")
    html = post_form(client, f"/accounts/users/{me.id}",
                     {"username": me.username, "role": "viewer", "active": "y"},
                     page=f"/accounts/users/{me.id}").get_data(as_text=True)
    db.session.refresh(me)
    assert me.role == "admin"
    assert "không thể" in html


def test_scoped_admin_sees_and_creates_only_inside_scope(client, login_as, make_user, db):
    """An admin limited to Quảng Ninh cannot see Hà Nội accounts nor create one there."""
    other = make_user("viewer", username="hanoi", unit="01")
    login_as("admin", unit="22")
    assert "hanoi" not in client.get("/accounts/users").get_data(as_text=True)
    assert client.get(f"/accounts/users/{other.id}").status_code == 404
    post_form(client, "/accounts/users/new", {"username": "x1", "role": "viewer",
                                              "unit_code": "01"}, page="/accounts/users/new")
    assert db.session.query(User).filter_by(username="x1").count() == 0
    post_form(client, "/accounts/users/new", {"username": "x2", "role": "viewer"},
              page="/accounts/users/new")
    assert db.session.query(User).filter_by(username="x2").one().unit.code == "22"


def test_trainee_linked_to_roster_person(client, login_as, make_person, db):
    """A trainee account can be linked to a roster entry by staff id, once."""
    person = make_person(staff_id="QN1")
    login_as("admin")
    post_form(client, "/accounts/users/new", {"username": "t1", "role": "trainee",
                                              "staff_id": "QN1", "password": "hoc-vien-xa-ha-tu"},
              page="/accounts/users/new")
    assert db.session.query(User).filter_by(username="t1").one().person_id == person.id
    html = post_form(client, "/accounts/users/new", {"username": "t2", "role": "trainee",
                                                     "staff_id": "QN1"},
                     page="/accounts/users/new").get_data(as_text=True)
    assert "đã có tài khoản" in html


def test_audit_page_lists_entries(client, login_as):
    """The audit log page shows logins."""
    login_as("admin")
    assert "login.success" in client.get("/accounts/audit").get_data(as_text=True)


def test_scoped_admin_lists_and_edits_trainees_of_their_communes(client, login_as, make_user,
                                                                 make_person, db):
    """A trainee account has no unit of its own: its person's commune puts it in a provincial
    admin's list and edit page, not in another province's; the list pages and searches."""
    trainee = make_user("trainee", username="hv-ha-tu", person=make_person())
    for n in range(55):
        make_user("viewer", username=f"xem-{n:02d}", unit="22")
    login_as("admin", unit="22")
    html = client.get("/accounts/users?q=hv-ha").get_data(as_text=True)
    assert "hv-ha-tu" in html and "xem-01" not in html
    assert "Trang 1/2" in client.get("/accounts/users").get_data(as_text=True)
    assert client.get(f"/accounts/users/{trainee.id}").status_code == 200
    login_as("admin", unit="01")
    assert "hv-ha-tu" not in client.get("/accounts/users").get_data(as_text=True)
    assert client.get(f"/accounts/users/{trainee.id}").status_code == 404
