"""The home page's sections: what each role should do first after signing in.

Core imports no room, so the rooms answer a signal instead: a receiver of `home_sections`
(sender the signed-in user) returns `(template, value)` for its part of the page (the template
reads the value as `section`), or None when the user's role has nothing there. Each receiver
scopes its queries to the user, as its room's views do, and keeps them cheap (SQL aggregates,
short lists).
"""

from blinker import Namespace

_signals = Namespace()
home_sections = _signals.signal("home-sections")


def sections(user) -> list[tuple[str, object]]:
    """The (template, value) of every section the rooms give `user`, in connection order."""
    return [result for _receiver, result in home_sections.send(user) if result is not None]
