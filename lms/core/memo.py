"""Per-process caches kept on the app (`app.extensions`), bounded by emptying them when full.

Used where a value depends only on its key and the key space is small in practice (rendered
fragments and page skeletons, signed CSRF tokens): emptying a full cache costs a few renders
and keeps a worker's memory bounded whatever the traffic.
"""

from flask import current_app


def cache(name: str) -> dict:
    """The current app's cache `name` (created empty on first use)."""
    return current_app.extensions.setdefault(name, {})


def keep(store: dict, key, value, limit: int):
    """Store `value` under `key`, emptying `store` first when it holds `limit` entries; returns
    `value`. One dict assignment: safe between threads."""
    if len(store) >= limit:
        store.clear()
    store[key] = value
    return value
