"""The English catalogue: every UI string translated, placeholders kept, pages really switch."""

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.conftest import post_form

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "lms" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2),
            "pgettext": ((1, "c"), 2)}
# %(name)s, %s, %% and HTML tags must survive translation unchanged.
_TOKENS = re.compile(r"%\([^)]*\)[a-z]|%[sd]|%%|</?[A-Za-z][^<>]*>")
# Text that stays Vietnamese on an English page: the product name and the language switch.
_KEPT = ("Tập Huấn", "Tiếng Việt")


def _walk_dirs(path: str) -> bool:
    # Babel's default skips folders starting with "_", which would hide templates/_macros.
    name = Path(path).name
    return not (name.startswith(".") or name == "__pycache__")


@pytest.fixture(scope="module")
def catalog():
    """The English catalogue as Babel reads it."""
    with PO.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def source_messages():
    """Every msgid in the source, found with the method map of babel.cfg:
    {(msgid, context): "file:line"}."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS,
            directory_filter=_walk_dirs):
        found.setdefault((message, context), f"{filename}:{lineno}")
    return found


def _translated(entry) -> bool:
    strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    return bool(entry.string) and all(s.strip() for s in strings)


def test_every_source_string_has_an_english_translation(source_messages, catalog):
    """Each msgid found in lms/ has a non-empty msgstr in the English catalogue."""
    assert len(source_messages) > 100, "extraction found almost nothing: check babel.cfg"
    missing = []
    for (message, context), where in source_messages.items():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid, context=context)
        if entry is None or entry.fuzzy or not _translated(entry):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, (
        f"{len(missing)} UI strings have no English translation; run scripts/i18n-update, "
        "translate them in lms/translations/en/LC_MESSAGES/messages.po, then "
        "`make translations`:\n" + "\n".join(sorted(missing)))


def test_the_macros_folder_is_extracted(source_messages):
    """Templates under lms/templates/_macros/ are scanned (Babel skips `_` folders by default)."""
    assert any("_macros" in where for where in source_messages.values())


def test_placeholders_and_markup_match_the_msgid(catalog):
    """Every translation keeps the msgid's %(name)s placeholders, %% and HTML tags exactly."""
    wrong = []
    for entry in catalog:
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for i, text in enumerate(strings):
            source = ids[min(i, len(ids) - 1)]
            if text and Counter(_TOKENS.findall(text)) != Counter(_TOKENS.findall(source)):
                wrong.append(f"{source!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def _page(client, url: str) -> str:
    """GET a page's HTML."""
    return client.get(url).get_data(as_text=True)


def _foreign_letters(html: str) -> set[str]:
    """Non-ASCII letters left on a page once the intentionally Vietnamese names are removed."""
    for kept in _KEPT:
        html = html.replace(kept, "")
    return {c for c in html if c.isalpha() and not c.isascii()}


def _base_labels(catalog) -> list[str]:
    """The Vietnamese msgids used in base.html, except the product name."""
    found = extract_from_dir(str(ROOT / "lms" / "templates"), [("base.html", "jinja2")],
                             keywords=KEYWORDS)
    return [message for *_, message, _c, _x in found if catalog.get(message)
            and catalog.get(message).string != message]


def test_home_and_login_pages_switch_to_english(client, catalog):
    """After POST /lang/en the anonymous home and login pages show English, no Vietnamese labels."""
    assert "Đăng nhập" in _page(client, "/")
    response = post_form(client, "/lang/en", {"next": "/accounts/login"})
    assert response.status_code == 302
    labels = _base_labels(catalog)
    assert "Đăng nhập" in labels
    for url, english in (("/", "Training on supporting trafficking victims"),
                         ("/accounts/login", "Username")):
        html = _page(client, url)
        assert '<html lang="en">' in html
        assert english in html and "Log in" in html and "Skip to content" in html
        assert not [label for label in labels if label in html], url
        assert not _foreign_letters(html), f"Vietnamese text left on {url}"


def test_signed_in_home_page_is_english(client, login_as):
    """A signed-in administrator's home page (menu, greeting, role) is English after the switch."""
    login_as("admin")
    post_form(client, "/lang/en")
    html = _page(client, "/")
    assert "Log out" in html and "(Administrator)" in html and "Staff roster" in html
    assert not _foreign_letters(html)
    post_form(client, "/lang/vi")
    assert "Đăng xuất" in _page(client, "/")
