"""Navigation, per demo role: a bounded crawl from the home page finds no link that answers
403, 404 or 500; every page a role may open without arguments is reached from the menu; every
page below the menu's carries a link back up."""

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from lms.core.nav import NAV
from tests.conftest import csrf_token, post_form

ROLES = ("admin", "trainer", "viewer", "trainee")
MAX_PAGES = 250
PER_ENDPOINT = 3   # the same page with other arguments (another unit, sort…) adds little
HREF = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')
# A breadcrumb with a link, or a link marked as the way back (print pages' tools).
BACK = re.compile(r'class="crumbs"[^>]*>[^<]*<a |<a [^>]*class="[^"]*\bback\b', re.S)
# Pages that are not below another: the home page, the menu's and the header's.
TOP = {"core.index", "accounts.change_password"} | {endpoint for endpoint, _l, _r in NAV}
# Pages no menu leads to, on purpose: the public join page (opened from the code or QR code
# the trainer projects) and the learner's own courses, which a staff account does not have.
OFF_MENU = {"accounts.join_start": ROLES, "courses.dashboard": ("admin", "trainer", "viewer")}


@pytest.fixture
def demo(db, units, app):
    """The demo data with the courses of content/ loaded (what `make run` serves); returns
    the demo password."""
    from lms.courses.loader import load_content
    from lms.demo import DEMO_PASSWORD, create_demo

    load_content(app.config["CONTENT_DIR"])
    create_demo()
    db.session.commit()
    return DEMO_PASSWORD


def _login(client, username, password):
    client.post("/accounts/logout", data={"csrf_token": csrf_token(client)})
    response = post_form(client, "/accounts/login", {"username": username, "password": password},
                         page="/accounts/login")
    assert response.status_code == 302


def _endpoint(adapter, path: str) -> str | None:
    try:
        return adapter.match(path, method="GET")[0]
    except HTTPException:
        return None


def crawl(app, client, limit=MAX_PAGES) -> dict[str, tuple[int, str | None, str | None]]:
    """Breadth-first over the site's own links from the home page: url → (status, endpoint,
    HTML or None); at most `limit` pages and PER_ENDPOINT per endpoint. Downloads are
    fetched (their status counts) but not read."""
    adapter = app.url_map.bind("localhost")
    seen, queue, per_endpoint = {}, ["/"], {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        endpoint = _endpoint(adapter, urlsplit(url).path)
        if url in seen or per_endpoint.get(endpoint, 0) >= PER_ENDPOINT:
            continue
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        response = client.get(url)
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else None
        links = [response.location] if response.status_code in (301, 302, 303) else \
            HREF.findall(html or "")
        for href in links:
            parts = urlsplit(urljoin(url, unescape(href)))  # &amp; in an href is &
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append(target)
        seen[url] = (response.status_code, endpoint, html)
    return seen


@pytest.fixture(scope="module")
def crawled():
    """The crawl of each role, made once per module (the demo takes a while)."""
    return {}


def _pages(app, client, demo, role, crawled):
    if role not in crawled:
        _login(client, role, demo)
        crawled[role] = crawl(app, client)
    return crawled[role]


@pytest.mark.parametrize("role", ROLES)
def test_no_link_leads_to_an_error(app, client, demo, role, crawled):
    """Following the links of every page from the home page, no page answers 403, 404 or
    500 (a link the user may not open, or to nowhere)."""
    pages = _pages(app, client, demo, role, crawled)
    broken = {url: status for url, (status, _e, _h) in pages.items() if status >= 400}
    assert not broken, broken
    assert len(pages) > 8


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_reached_from_the_menu(app, client, demo, role, crawled):
    """Every page without arguments that the role may open is reached by following links
    from the home page (its menu included): none is left to be typed in."""
    pages = _pages(app, client, demo, role, crawled)
    _login(client, role, demo)
    reached = {endpoint for _s, endpoint, _h in pages.values()}
    missing = []
    for rule in app.url_map.iter_rules():
        if (rule.arguments or "GET" not in rule.methods or rule.endpoint in reached
                or role in OFF_MENU.get(rule.endpoint, ())):
            continue
        response = client.get(rule.rule)
        if response.status_code == 200 and response.mimetype == "text/html":
            missing.append(rule.endpoint)
    assert not missing, missing


@pytest.mark.parametrize("role", ROLES)
def test_sub_pages_link_back_up(app, client, demo, role, crawled):
    """Every page below the menu's has a breadcrumb with a link back up (the paper-scores
    page to its cohort, a lesson to its course …)."""
    pages = _pages(app, client, demo, role, crawled)
    without = sorted({endpoint for _url, (status, endpoint, html) in pages.items()
                      if html and status == 200 and endpoint not in TOP
                      and not BACK.search(html)})
    assert not without, " ".join(without)


def test_roster_breadcrumb_only_to_a_unit_in_scope(client, units, login_as):
    """A provincial user's roster has no breadcrumb to the country (a 403 for them); a
    national admin's leads there, and a commune's leads to its province."""
    login_as("trainer", unit="22")
    assert 'href="/units/VN"' not in client.get("/units/22").get_data(as_text=True)
    commune = units("06652", "commune")
    assert 'href="/units/22"' in client.get(f"/units/{commune.code}").get_data(as_text=True)
    login_as("admin")
    assert 'href="/units/VN"' in client.get("/units/22").get_data(as_text=True)
