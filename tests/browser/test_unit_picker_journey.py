"""The unit picker on a phone: suggestions while typing (with JavaScript), and the search step
that works without it (an ambiguous name comes back as a choice)."""

import pytest

pytestmark = pytest.mark.browser

QN = "Phường Việt Hưng, Thành phố Quảng Ninh"
HN = "Phường Việt Hưng, Thành phố Hà Nội"


def _options(page, selector: str) -> list[tuple[str, str]]:
    pairs = page.eval_on_selector_all(f"{selector} option", "os => os.map(o => [o.value, o.label])")
    return [tuple(pair) for pair in pairs]


def test_picker_suggests_names_within_scope(phone_page, live_server, journal, login):
    """A trainer of Quảng Ninh types "viet hung" without diacritics: the list under the box
    offers only Quảng Ninh's ward (not Hà Nội's); choosing it shows the name, and the cohort
    form would send it."""
    from lms.demo import DEMO_PASSWORD

    page = phone_page
    login(page, "trainer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cohorts/new")
    box = page.locator("input[name=host_unit_code]")
    box.fill("")
    box.press_sequentially("viet hung", delay=30)
    page.wait_for_function(
        "() => document.querySelectorAll('#host_unit_code-units option').length > 0")
    assert _options(page, "#host_unit_code-units") == [(QN, "06661")]
    box.fill(QN)  # what choosing the suggestion does
    assert page.inner_text(".unit-picker [data-unit-chosen]") == QN
    journal.assert_clean()


def test_picker_in_a_get_filter_puts_the_code(phone_page, live_server, journal, login):
    """On the certificates filter the suggestions carry the code the page reads, with the
    unit's name shown under the box."""
    from lms.demo import DEMO_PASSWORD

    page = phone_page
    login(page, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/certificates/")
    box = page.locator("input[name=unit]")
    box.press_sequentially("hà tu", delay=30)
    page.wait_for_function("() => document.querySelectorAll('#unit-units option').length > 0")
    assert ("06652", "Phường Hà Tu, Thành phố Quảng Ninh") in _options(page, "#unit-units")
    box.fill("06652")
    assert page.inner_text("[data-unit-chosen]") == "Phường Hà Tu, Thành phố Quảng Ninh"
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert "unit=06652" in page.url and not page.locator(".flash-error").count()
    journal.assert_clean()


def test_ambiguous_name_without_javascript(open_page, live_server, journal, login):
    """With JavaScript off, a national admin types "Việt Hưng" on the bulk-accounts page: the
    form comes back saying several units match, with both wards as radio buttons; choosing
    Quảng Ninh's and sending again previews that ward."""
    from lms.demo import DEMO_PASSWORD
    from tests.browser.conftest import PHONE

    page = open_page({**PHONE, "java_script_enabled": False})
    login(page, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/accounts/from-roster")
    page.fill("input[name=unit_code]", "Việt Hưng")
    page.check("input[name=dry_run]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    main = page.inner_text("main")
    assert "Có nhiều đơn vị khớp với 'Việt Hưng'" in main
    choices = page.locator("fieldset.unit-choices label")
    texts = [" ".join(t.split()) for t in choices.all_inner_texts()]
    assert sorted(texts) == sorted([f"{HN} 00127", f"{QN} 06661"])
    page.check("input[name=unit_code-pick][value='06661']")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Xem trước cho Phường Việt Hưng" in page.inner_text("main")
    assert page.input_value("input[name=unit_code]") == "06661"
    assert page.inner_text("[data-unit-chosen]") == QN
    journal.assert_clean()
