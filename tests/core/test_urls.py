"""Redirect targets from the request stay on this site, however a browser would read them."""

import itertools
import string
from urllib.parse import quote, urljoin, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from lms.core.urls import safe_target
from tests.conftest import TEST_PASSWORD, csrf_token

SITE = "https://taphuan.example.gov.vn/"
FALLBACK = "/"
C0_AND_SPACE = "".join(chr(n) for n in range(0x21))


def browser_host(location: str) -> str:
    """The host a browser goes to for this Location, per the URL standard's leniency: leading
    and trailing C0 controls and spaces stripped, tabs and newlines removed, backslashes read
    as slashes (special schemes)."""
    url = location.strip(C0_AND_SPACE)
    url = url.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    return urlsplit(urljoin(SITE, url)).netloc


def tricky_targets() -> list[str]:
    """Off-site spellings built from the known tricks, combined, plus harmless paths."""
    hosts = ["evil.example", "evil.example:443", "user@evil.example", "127.0.0.1", "[::1]"]
    leads = ["//", "///", "\\\\", "/\\", "\\/", "/\t/", "/\n/", "/\r/", " //", "\t//", "\x00//",
             "\x01//", "/ /", "http://", "https://", "HTTPS://", "https:", "https:/",
             "javascript:", "data:", "//\\", "/%09/", "/%2F", "／／", "\u3000//", "\ufeff//"]
    targets = [lead + host + tail for lead, host, tail in itertools.product(
        leads, hosts, ["", "/x", "?next=/", "#/"])]
    targets += [quote(t, safe="") for t in targets[:40]]
    return targets + ["/", "/courses/", "/courses/lesson?x=1#top", "/a/b/../c"]


def test_no_generated_target_leads_off_site():
    """Every tricky target either falls back or, read as a browser reads it, stays on site."""
    kept = 0
    for target in tricky_targets():
        result = safe_target(target, FALLBACK)
        assert browser_host(result) == "taphuan.example.gov.vn", (target, result)
        kept += result != FALLBACK
    assert kept >= 4  # plain paths are still followed


@given(st.text(alphabet=string.printable + "\\／\u3000\ufeff\x00\x7f", max_size=40))
def test_random_targets_stay_on_site(text):
    """Arbitrary strings (slashes, backslashes, controls, odd spaces) never leave the site."""
    for target in (text, "/" + text, "//" + text):
        assert browser_host(safe_target(target, FALLBACK)) == "taphuan.example.gov.vn"


def test_plain_paths_are_kept():
    for path in ("/", "/courses/", "/quizzes/cohorts/3/paper-answers?form=2", "/a#b"):
        assert safe_target(path, FALLBACK) == path
    for bad in (None, "", "courses", "//evil.example", "/\\evil.example", "/\t/evil.example"):
        assert safe_target(bad, FALLBACK) == FALLBACK


def test_every_route_that_redirects_to_a_request_target_uses_it(client, make_user):
    """Sign-in (`?next=`) and the language switch (form `next`) fall back to the home page
    for off-site targets and follow on-site ones."""
    make_user("viewer", username="hoa")
    for target, expected in (("/\\evil.example", "/"), ("/\t/evil.example/x", "/"),
                             ("https://evil.example", "/"), ("/reports/", "/reports/")):
        token = csrf_token(client, "/accounts/login")
        response = client.post(f"/accounts/login?next={quote(target, safe='/')}",
                               data={"username": "hoa", "password": TEST_PASSWORD,
                                     "csrf_token": token})
        assert response.status_code == 302 and response.headers["Location"] == expected, target
        client.post("/accounts/logout", data={"csrf_token": csrf_token(client)})
        response = client.post("/lang/en", data={"csrf_token": csrf_token(client),
                                                 "next": target})
        assert response.headers["Location"] == expected, target
