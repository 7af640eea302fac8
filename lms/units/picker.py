"""Finding administrative units by what people type: a code (zeros optional) or part of a name.

One resolver for every form, filter and the search endpoint, so "6661", "06661", "viet hung",
"Phường Việt Hưng" and "Việt Hưng Quảng Ninh" mean the same unit everywhere. Only current units
(CURRENT) are offered, and only within the caller's subtree (`within`, the user's unit).
"""

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from lms.core.text import fold
from lms.extensions import db
from lms.units.ethnicities import vocab_key
from lms.units.models import CURRENT, Unit
from lms.units.services import PAD
from lms.units.values import commune_key

MAX_QUERY = 200   # characters of a query looked at
LIMIT = 20        # candidates offered by default
_PROVINCE_PREFIX = re.compile(r"^(tinh|thanh pho|tp)\b[.\s]*")
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Match:
    """A unit found for a query: its code and its label ("Phường Hà Tu, Thành phố Quảng Ninh")."""

    code: str
    label: str
    kind: str


def _province_key(name: str) -> str:
    return vocab_key(_PROVINCE_PREFIX.sub("", fold(name)))


@dataclass(frozen=True)
class _Entry:
    """A current unit with its matching forms, computed once per process."""

    code: str
    kind: str
    path: str
    match: Match
    whole: frozenset    # the full name, alone or followed by the province
    bare: frozenset     # the name without its type word, alone or followed by the province
    own_words: tuple    # folded words of the name
    words: tuple        # folded words of the name and the province


def _entry(code, name, kind, path, parent) -> _Entry:
    stripped = _province_key(name) if kind == "province" else commune_key(name)
    province = _province_key(parent)
    tails = ("", vocab_key(parent), province, "tp" + province, "tinh" + province) if parent \
        else ("",)
    label = f"{name}, {parent}" if parent else name
    return _Entry(code, kind, path, Match(code, label, kind),
                  frozenset(vocab_key(name) + t for t in tails),
                  frozenset(stripped + t for t in tails),
                  tuple(_WORDS.findall(fold(name))), tuple(_WORDS.findall(fold(label))))


def _index() -> list[_Entry]:
    """Every current unit with its matching forms, rebuilt when the units change (a national
    load is 3,356 units: folding them all on each keystroke would cost half a second)."""
    stamp = db.session.execute(select(
        func.count(Unit.id), func.max(Unit.id),
        func.sum(func.length(Unit.name) + func.length(Unit.path) + func.length(Unit.code)))
        .where(Unit.system == CURRENT)).one()
    store = current_app.extensions.setdefault("units.picker", {})  # per app (and so per test app)
    if store.get("stamp") != tuple(stamp):
        parent = aliased(Unit)
        rows = db.session.execute(
            select(Unit.code, Unit.name, Unit.kind, Unit.path, parent.name)
            .outerjoin(parent, (parent.id == Unit.parent_id) & (parent.kind != "country"))
            .where(Unit.system == CURRENT).order_by(Unit.code))
        store.update(entries=[_entry(*row) for row in rows], stamp=tuple(stamp))
    return store["entries"]


def _code_matches(text: str, entries: list[_Entry]) -> list[_Entry]:
    """Units whose code is `text`, numeric codes with or without their leading zeros."""
    wanted = {text.upper()}
    if text.isdigit():
        wanted |= {text.zfill(width) for width in PAD.values()}
    found = [e for e in entries if e.code.upper() in wanted]
    # "1" is the province 01 before it is the commune 00001 (as lookup_unit reads it)
    provinces = [e for e in found if e.kind == "province"]
    return provinces if provinces and len(text) <= PAD["province"] else found


def _starts_words(typed: list[str], words: tuple) -> bool:
    return all(any(w.startswith(t) for w in words) for t in typed)


def _name_tiers(text: str, entries: list[_Entry]) -> list[list[_Entry]]:
    """Units matching a name, best tier first: the whole name (type word included), the name
    without its type word (either optionally followed by the province), then every typed word
    starting a word of the label (the unit's own name first)."""
    full_q, bare_q = vocab_key(text), commune_key(text)
    typed = _WORDS.findall(fold(text))
    whole, bare, partial = [], [], []
    for e in entries:
        if full_q in e.whole:
            whole.append(e)
        elif bare_q in e.bare:
            bare.append(e)
        elif typed and _starts_words(typed, e.words):
            partial.append(e)
    partial.sort(key=lambda e: (not _starts_words(typed, e.own_words), e.kind != "province",
                                e.own_words, e.code))
    # a province before the communes of the same name ("Quảng Ninh")
    return [sorted(whole, key=_province_first), sorted(bare, key=_province_first), partial]


def _province_first(entry: _Entry) -> bool:
    return entry.kind != "province"


def _tiers(text: str | None, within: Unit | None) -> list[list[_Entry]]:
    """The matches of `text`, best tier first (an exact code is a tier of its own)."""
    text = (text or "").strip()[:MAX_QUERY]
    if not fold(text):
        return []
    entries = _index()
    if within is not None:
        entries = [e for e in entries if e.path.startswith(within.path)]
    found = _code_matches(text, entries)
    return [found] if found else _name_tiers(text, entries)


def find_units(text: str | None, *, within: Unit | None = None,
               limit: int = LIMIT) -> list[Match]:
    """Current units matching `text` within the subtree of `within`, best first.

    :param text: a code ("6661", "06661", "22") or part of a name, diacritics and case free,
        optionally with the type word and the province ("xa hai son", "Hạ Long Quảng Ninh")
    :param within: the subtree searched (the user's unit); None for the whole country
    :param limit: at most this many matches
    """
    found = [e for tier in _tiers(text, within) for e in tier]
    return [e.match for e in found[:limit]]


def resolve_unit(text: str | None, *, within: Unit | None = None,
                 limit: int = LIMIT) -> list[Match]:
    """The units `text` designates: one when it is clear, several when the user must choose,
    none when nothing matches. A code or a whole name decides over partial matches.

    :param within: the subtree searched (the user's unit); None for the whole country
    :param limit: at most this many candidates
    """
    found = next((tier for tier in _tiers(text, within) if tier), [])
    return [e.match for e in found[:limit]]


def filter_unit(text: str | None, *, within: Unit | None = None) -> tuple[Unit | None, list[Match]]:
    """What a filter box (GET) holds, and the matches its picker shows (`unit_filter`'s
    `found`): (the unit, [its match]) when `text` designates one unit within `within`,
    (None, candidates) when the user must choose, (None, []) when nothing matches."""
    found = resolve_unit(text, within=within)
    if len(found) != 1:
        return None, found
    unit = db.session.scalar(select(Unit).where(Unit.system == CURRENT,
                                                Unit.code == found[0].code))
    return unit, found
