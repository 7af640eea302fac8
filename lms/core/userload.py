"""The signed-in user, loaded together with the data of the page asked for, in one query.

Flask-Login loads the user named by the session with a query of its own on every request, and
the most read page (a lesson) needs one more query for the learner's state. On a database
server every query is a round trip, so a view may register a *companion loader* for its
endpoint: a function that reads the active user and the page's data in one statement, returns
the user as the plain loader would (None when there is no such active user) and leaves the
page's data in `flask.g` for the view, which must still work when it finds nothing there (a
user already loaded, or no user at all). Every other request uses the plain loader.

A companion may return a `LightUser` instead of the ORM `User`: the columns pages read on every
request, with no Session behind them (lms/core/rawread.py). Any other attribute (`unit`,
`person`, `created_at`, …) loads the full `User` on first use, so code written for `User` still
works; only code that needs the ORM object itself (adding it to the session, assigning it to a
relationship) must not run on such a page.
"""

from collections.abc import Callable

from flask import has_request_context, request

from lms.accounts.models import AccountMixin, User
from lms.extensions import db

_USERS = User.__table__.c
LIGHT_COLUMNS = (_USERS.id, _USERS.username, _USERS.full_name, _USERS.role, _USERS.unit_id,
                 _USERS.person_id, _USERS.active, _USERS.session_version,
                 _USERS.must_change_password)


class LightUser(AccountMixin):
    """The signed-in user as read by `LIGHT_COLUMNS`, the full `User` loaded only if needed."""

    def __init__(self, id, username, full_name, role, unit_id, person_id, active,  # noqa: A002
                 session_version, must_change_password):
        self.id, self.username, self.full_name, self.role = id, username, full_name, role
        self.unit_id, self.person_id, self.active = unit_id, person_id, bool(active)
        self.session_version = session_version
        self.must_change_password = bool(must_change_password)

    def __getattr__(self, name: str):
        # Only reached for attributes not set above. Private and special names are never
        # forwarded (copy, pickling and markupsafe probe them).
        if name.startswith("_"):
            raise AttributeError(name)
        full = self.__dict__.get("_full")
        if full is None:
            full = self.__dict__["_full"] = db.session.get(User, self.id)
        return getattr(full, name)

    def __repr__(self) -> str:
        return f"<LightUser {self.id} {self.username}>"


COMPANIONS: dict[str, Callable] = {}


def companion(endpoint: str):
    """Decorator: `fn(user_id, view_args)` loads the user for requests to `endpoint`."""

    def register(fn: Callable) -> Callable:
        COMPANIONS[endpoint] = fn
        return fn

    return register


def load(user_id: int, plain: Callable):
    """The active user `user_id`, through the request endpoint's companion loader if it has
    one, else through `plain(user_id)`."""
    if has_request_context():
        fn = COMPANIONS.get(request.endpoint)
        if fn is not None:
            return fn(user_id, request.view_args or {})
    return plain(user_id)
