"""The signed-in user, loaded together with the data of the page asked for, in one query.

Flask-Login loads the user named by the session with a query of its own on every request, and
the most read page (a lesson) needs one more query for the learner's state. On a database
server every query is a round trip, so a view may register a *companion loader* for its
endpoint: a function that reads the active user and the page's data in one statement, returns
the user exactly as the plain loader would (None when there is no such active user) and leaves
the page's data in `flask.g` for the view, which must still work when it finds nothing there
(a user already loaded, or no user at all). Every other request uses the plain loader.
"""

from collections.abc import Callable

from flask import has_request_context, request

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
