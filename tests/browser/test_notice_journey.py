"""Reminders on a phone: an official copies a commune's untrained list, a viewer copies a
cohort's notice; the copy buttons work with JavaScript and the text is there without it."""

import pytest

from tests.browser.conftest import JOURNEY_PASSWORD

pytestmark = pytest.mark.browser


def _copy(page, box: str) -> str:
    """Press the copy button of a text box; returns what the clipboard then holds."""
    button = page.locator(f"button[data-copy='{box}']")
    assert button.is_visible()
    button.click()
    page.wait_for_function(f"document.querySelector(\"button[data-copy='{box}']\")"
                           ".textContent === 'Đã chép'")
    return page.evaluate("navigator.clipboard.readText()")


def test_phone_untrained_list_and_cohort_notice(phone_page, live_server, journal, login,
                                                viewer_22, loaded_courses):
    """From the coverage page to the untrained list of Quảng Ninh: each commune has a message
    addressed to it, whose copy button puts the message on the clipboard; a cohort's notice page
    gives the schedule and the sign-in link, copies the same way, and its PDF opens."""
    page = phone_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=live_server.url)
    login(page, viewer_22, JOURNEY_PASSWORD)
    page.goto(f"{live_server.url}/reports/coverage")
    with page.expect_navigation():
        page.click("main a.btn:has-text('Danh sách chưa tập huấn theo xã')")
    assert "/reports/untrained?unit=22" in page.url
    boxes = page.locator("main textarea[readonly]")
    assert boxes.count() >= 1
    first = boxes.first
    ident, text = first.get_attribute("id"), first.input_value()
    assert text.startswith("Kính gửi: Ủy ban nhân dân ") and "\n1. " in text
    assert _copy(page, ident) == text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{live_server.url}/cohorts/")
    with page.expect_navigation():
        page.locator("main .cohort-list h2 a").first.click()
    with page.expect_navigation():
        page.click("main a.btn:has-text('Thông báo lớp cho các xã')")
    notice = page.locator("#notice-text").input_value()
    assert notice.startswith("THÔNG BÁO LỚP TẬP HUẤN") and "Lịch học" in notice
    assert f"Đăng nhập: {live_server.app.config['BASE_URL']}/accounts/login" in notice
    assert _copy(page, "notice-text") == notice
    pdf = page.request.get(page.url + ".pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    journal.assert_clean()


def test_notice_text_is_there_without_javascript(open_page, live_server, login, viewer_22,
                                                 loaded_courses):
    """Without JavaScript the copy button stays hidden and the text sits in the readonly box."""
    page = open_page({"java_script_enabled": False, "viewport": {"width": 390, "height": 844}})
    login(page, viewer_22, JOURNEY_PASSWORD)
    page.goto(f"{live_server.url}/reports/untrained?unit=22")
    assert page.locator("button[data-copy]").first.is_hidden()
    assert page.locator("main textarea[readonly]").first.input_value().startswith("Kính gửi:")
