"""Journeys through a real browser on what exists now: accounts, roles, the roster."""

import re

import pytest

from tests.browser.conftest import JOURNEY_PASSWORD

pytestmark = pytest.mark.browser


def test_admin_desktop_roster_language_and_new_viewer(desktop_page, live_server, journal,
                                                      login):
    """An admin logs in, searches the roster without diacritics, switches to English, creates
    a viewer for Quảng Ninh and logs out — with no console error or CSP violation."""
    page = desktop_page
    login(page, "admin", "taphuan-demo")

    page.click("nav.nav a[href='/units/']")
    page.wait_for_url(re.compile(r"/units/$"))
    assert "Danh sách nhân sự" in page.inner_text("h1")

    page.fill("input[name=q]", "nguyen")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert "q=nguyen" in page.url
    names = page.locator("main table tbody tr td:nth-child(2)").all_inner_texts()
    assert names, page.inner_text("main")
    assert all(name.startswith("Nguyễn") for name in names), names

    with page.expect_navigation():
        page.click("button.lang[lang=en]")
    assert page.get_attribute("html", "lang") == "en"
    assert "q=nguyen" in page.url  # the switch comes back to the same search
    assert page.locator("button.lang[lang=vi]").count() == 1

    page.goto(f"{live_server.url}/accounts/users")
    with page.expect_navigation():
        page.click("main a[href='/accounts/users/new']")
    page.fill("input[name=username]", "viewer22")
    page.fill("input[name=full_name]", "Lê Thị Hoa")
    page.select_option("select[name=role]", "viewer")
    page.fill("input[name=unit_code]", "22")
    page.fill("input[name=password]", JOURNEY_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/accounts/users"), page.inner_text("main")
    assert "viewer22" in page.inner_text(".flash")
    row = page.locator("main tr", has_text="viewer22")
    assert row.count() == 1

    with page.expect_navigation():
        page.click("header form[action='/accounts/logout'] button")
    assert page.locator("header a[href='/accounts/login']").count() == 1
    journal.assert_clean()


def test_viewer_phone_sees_own_province_only(phone_page, live_server, journal, login,
                                             viewer_22):
    """The Quảng Ninh viewer on a phone sees Quảng Ninh's roster, gets 403 for Hà Nội (01),
    and the page fits the phone's width."""
    page = phone_page
    login(page, viewer_22, JOURNEY_PASSWORD)

    page.goto(f"{live_server.url}/units/")
    assert "Quảng Ninh" in page.inner_text("h1")
    assert page.locator("main table tbody tr").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto(f"{live_server.url}/units/22")
    assert "Quảng Ninh" in page.inner_text("h1")

    response = page.goto(f"{live_server.url}/units/01")
    assert response.status == 403
    assert "Hà Nội" not in page.inner_text("main")
    journal.assert_clean(allow=(r"status of 403 .*/units/01",))
