"""Named permission checks: role decorators and object checks, scoped by administrative unit.

Every view asks one of these instead of testing roles inline, so the rules live in one place.
"""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from lms.extensions import db
from lms.units.models import Person, Unit


def role_required(*roles: str):
    """Decorator: the user must be logged in and hold one of `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def scope_unit(user) -> Unit | None:
    """The unit subtree a user is limited to (None: the whole country)."""
    return user.unit if user is not None and user.unit_id else None


def unit_in_scope(user, unit: Unit | None) -> bool:
    """True when `unit` lies within the user's scope."""
    scope = scope_unit(user)
    if scope is None:
        return True
    return unit is not None and unit.path.startswith(scope.path)


def filter_units(user, query):
    """Restrict a Unit query to the user's scope."""
    scope = scope_unit(user)
    if scope is None:
        return query
    return query.filter(Unit.path.startswith(scope.path, autoescape=True))


def filter_persons(user, query):
    """Restrict a Person query (joined or not) to communes within the user's scope."""
    scope = scope_unit(user)
    if scope is None:
        return query
    subtree = db.select(Unit.id).where(Unit.path.startswith(scope.path, autoescape=True))
    return query.filter(Person.commune_id.in_(subtree))


def can_manage_users(user) -> bool:
    """Only admins create, edit and deactivate accounts."""
    return user.is_authenticated and user.has_role("admin")


def can_edit_roster(user) -> bool:
    """Admins import and edit the roster (within their scope)."""
    return user.is_authenticated and user.has_role("admin")


def can_view_roster(user, unit: Unit | None) -> bool:
    """Admins, trainers and viewers read the roster of units within their scope."""
    if not user.is_authenticated or not user.has_role("admin", "trainer", "viewer"):
        return False
    return unit is None and scope_unit(user) is None or unit_in_scope(user, unit)


def can_view_person(user, person: Person) -> bool:
    """Staff within scope read a roster entry; a trainee reads only their own."""
    if not user.is_authenticated:
        return False
    if user.has_role("trainee"):
        return user.person_id == person.id
    return unit_in_scope(user, person.commune)



# --- reports room ---------------------------------------------------------------------------

REPORT_ROLES = ("admin", "trainer", "viewer")


def can_view_reports(user, unit: Unit | None) -> bool:
    """Admins, trainers and viewers read coverage reports of units within their scope."""
    if not user.is_authenticated or not user.has_role(*REPORT_ROLES):
        return False
    return unit_in_scope(user, unit)


def can_import_records(user) -> bool:
    """Admins import historical training records (people within their scope only)."""
    return user.is_authenticated and user.has_role("admin")
