"""Each demo role's home page on a phone: what to do next, one tap from the page that does it,
and a way back from there."""

import pytest

pytestmark = pytest.mark.browser

RUNNING = "Lớp tập huấn mẫu đợt 2"   # the demo's running cohort: sessions yesterday and today


def _fits(page) -> None:
    """Nothing wider than the phone's screen."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_trainer_home_on_a_phone(phone_page, live_server, journal, login, loaded_courses):
    """The trainer's home lists today's session of the running demo cohort and its missing
    final scores; a tap opens the attendance page (the cohort before the session starts),
    whose breadcrumb leads back to the cohort; another opens the paper scores, which lead
    back to the cohort too."""
    from lms.demo import DEMO_PASSWORD

    assert loaded_courses
    page = phone_page
    login(page, "trainer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/")
    assert page.locator("#home-trainer h2").inner_text() == "Việc của tôi hôm nay"
    _fits(page)
    with page.expect_navigation():
        page.locator("#home-today a", has_text=RUNNING).first.click()
    if "/attendance" in page.url:   # the demo's session starts at 08:00 local time
        assert "Điểm danh" in page.inner_text("main h1")
        with page.expect_navigation():
            page.locator("main nav.crumbs a").first.click()
    assert page.inner_text("main h1") == RUNNING
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.locator("#home-scores-missing a", has_text=RUNNING).first.click()
    assert "/paper-scores" in page.url
    with page.expect_navigation():
        page.locator("main nav.crumbs a").first.click()
    assert page.inner_text("main h1") == RUNNING
    journal.assert_clean()


def test_official_home_on_a_phone(phone_page, live_server, journal, login, loaded_courses):
    """The Quảng Ninh official's home shows the province's coverage, the communes furthest
    from the target first and the trend chart; a tap opens that commune's report."""
    from lms.demo import DEMO_PASSWORD

    assert loaded_courses
    page = phone_page
    login(page, "viewer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/")
    section = page.locator("#home-coverage")
    assert "Quảng Ninh" in section.locator("h2").inner_text()
    assert section.locator("svg.chart").count() == 1
    first = section.locator("table.lagging tbody tr a").first
    name = first.inner_text()
    _fits(page)
    with page.expect_navigation():
        first.click()
    assert name in page.inner_text("main h1")
    assert "Quảng Ninh" in page.inner_text("main nav.crumbs")
    journal.assert_clean()


def test_admin_home_on_a_phone(phone_page, live_server, journal, login, loaded_courses):
    """The admin's home counts the roster people without an account by commune; a tap opens
    the accounts-from-roster page with that commune filled in."""
    from lms.demo import DEMO_PASSWORD

    assert loaded_courses
    page = phone_page
    login(page, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/")
    assert "chưa có tài khoản" in page.inner_text("#home-without-account h3")
    _fits(page)
    first = page.locator("#home-without-account a").first
    href = first.get_attribute("href")
    with page.expect_navigation():
        first.click()
    code = href.split("unit=")[1]
    assert page.input_value("input[name=unit_code]") == code
    assert page.locator("main nav.crumbs a").inner_text() == "Tài khoản"
    journal.assert_clean()


def test_trainee_home_on_a_phone(phone_page, live_server, journal, login, loaded_courses):
    """The trainee lands on their courses, each with its next step as the main button."""
    from lms.demo import DEMO_PASSWORD

    assert loaded_courses
    page = phone_page
    login(page, "trainee", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/")
    assert page.url.endswith("/courses/me")
    assert page.locator("main .card .btn.primary").count() >= 1
    _fits(page)
    journal.assert_clean()
