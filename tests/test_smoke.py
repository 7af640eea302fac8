"""Smoke: the main pages render for each role."""

from tests.conftest import TEST_PASSWORD, post_form


def test_home_and_login_pages_render(client):
    """Anonymous visitors see the home page and the login form."""
    assert client.get("/").status_code == 200
    assert "Đăng nhập" in client.get("/accounts/login").get_data(as_text=True)


def test_admin_pages_render(client, login_as, make_person):
    """An admin sees the roster, users and audit log."""
    make_person(full_name="Nguyễn Thị Hường")
    login_as("admin")
    for url in ("/units/", "/units/22", "/units/06652", "/accounts/users",
                "/accounts/users/new", "/accounts/audit", "/units/import"):
        assert client.get(url).status_code == 200, url
    assert TEST_PASSWORD not in client.get("/accounts/audit").get_data(as_text=True)
    assert post_form(client, "/accounts/logout").status_code == 302
