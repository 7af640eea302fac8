"""Redirect targets taken from the request (`?next=`, a form's `next`): only paths of this site.

Browsers are lenient where a naive check is not: they drop tabs and newlines anywhere in a URL,
strip leading spaces and control characters, and read a backslash as a slash, so `/\\evil.example`
and `/\t/evil.example` both lead off-site although they start with one "/". A target is kept only
if it starts with exactly one "/", holds no backslash, whitespace or control character, and parses
with neither scheme nor host; anything else falls back to a page of the caller's choosing.
"""

from urllib.parse import urlsplit


def safe_target(target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site, else `fallback`."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ch.isspace() or not ch.isprintable() for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
