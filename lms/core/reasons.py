"""Reasons the system writes itself (why a member did not complete, why a certificate was
revoked by a cohort's closing) are stored as codes with their figures, not as sentences, and
rendered in the reader's language when shown (Vietnamese by default, English on request).

Stored form: a JSON list of `[code, {param: value}]`; a param holding such a list is a nested
reason. Anything else in the same column (a reason an admin typed) is shown as typed.
Each room declares its codes with `define`; migration 0011 turned the sentences stored before
into codes.
"""

import json

from flask_babel import LazyString

MESSAGES: dict[str, LazyString] = {}


def define(messages: dict[str, LazyString]) -> None:
    """Declare codes and their messages (lazy msgids with `%(name)s` params)."""
    MESSAGES.update(messages)


def reason(code: str, **params) -> list:
    """One coded reason, to pass to `encode` (or as a param of another)."""
    if code not in MESSAGES:
        raise KeyError(f"unknown reason code {code!r}")
    return [code, params]


def encode(reasons: list[list]) -> str | None:
    """The stored form of a list of coded reasons (None for none)."""
    if not reasons:
        return None
    return json.dumps(reasons, ensure_ascii=False, separators=(",", ":"))


def decode(stored: str | None) -> list[list] | None:
    """The coded reasons of a stored value, or None when it is free text."""
    if not isinstance(stored, str) or not stored.startswith("[["):
        return None
    try:
        value = json.loads(stored)
    except ValueError:
        return None
    return value if _coded(value) else None


def _coded(value) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(r, list) and len(r) == 2 and r[0] in MESSAGES and isinstance(r[1], dict)
        for r in value)


def render(stored) -> str:
    """A stored reason in the current language: coded reasons joined with "; ", free text as
    typed, "" for none. Also a Jinja filter: `{{ member.outcome_reason | reason }}`."""
    coded = stored if isinstance(stored, list) else decode(stored)
    if not _coded(coded):
        return stored if isinstance(stored, str) else ""
    parts = []
    for code, params in coded:
        values = {k: render(v) if _coded(v) else v for k, v in params.items()}
        parts.append(str(MESSAGES[code]) % values if values else str(MESSAGES[code]))
    return "; ".join(parts)


def init_app(app) -> None:
    """The `reason` filter."""
    app.jinja_env.filters["reason"] = render
