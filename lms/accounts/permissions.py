"""Named permission checks: role decorators and object checks, scoped by administrative unit.

Every view asks one of these instead of testing roles inline, so the rules live in one place.
"""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from lms.accounts.models import User
from lms.courses.models import Enrolment
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


def managed_accounts(user):
    """A WHERE clause on User: the accounts `user` manages, limited to a unit of their subtree
    or linked to a person of one of its communes (None: no limit, a national user)."""
    scope = scope_unit(user)
    if scope is None:
        return None
    subtree = select(Unit.id).where(Unit.path.startswith(scope.path, autoescape=True))
    people = select(Person.id).where(Person.commune_id.in_(subtree))
    return or_(User.unit_id.in_(subtree), User.person_id.in_(people))


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



# --- courses room ------------------------------------------------------------------------------

STAFF_ROLES = ("admin", "trainer", "viewer")


def can_enrol_self(user) -> bool:
    """A trainee whose account is linked to a roster person enrols themself."""
    return (user.is_authenticated and user.has_role("trainee")
            and user.person_id is not None)


def can_enrol_others(user) -> bool:
    """Trainers and admins enrol roster people (within their scope)."""
    return user.is_authenticated and user.has_role("admin", "trainer")


def can_enrol_person(user, person: Person) -> bool:
    """Trainees enrol only themselves; trainers and admins anyone within scope; viewers nobody."""
    if not user.is_authenticated:
        return False
    if user.has_role("trainee"):
        return user.person_id is not None and user.person_id == person.id
    return can_enrol_others(user) and unit_in_scope(user, person.commune)


def can_read_lessons(user, enrolment) -> bool:
    """Staff read every lesson; a trainee reads a course's lessons once enrolled in it."""
    if not user.is_authenticated:
        return False
    if user.has_role(*STAFF_ROLES):
        return True
    return enrolment is not None and enrolment.person_id == user.person_id

# --- cohorts room -----------------------------------------------------------------------------

def runs_cohort(user, cohort) -> bool:
    """True when `user` is one of the cohort's trainers."""
    return user.is_authenticated and any(t.id == user.id for t in cohort.trainers)


def can_create_cohort(user) -> bool:
    """Trainers and admins open cohorts (within their scope)."""
    return user.is_authenticated and user.has_role("admin", "trainer")


def can_view_cohort(user, cohort) -> bool:
    """A trainer reads only the cohorts they run; admins and viewers those hosted in scope."""
    if not user.is_authenticated:
        return False
    if user.has_role("trainer"):
        return runs_cohort(user, cohort)
    if user.has_role("admin", "viewer"):
        return unit_in_scope(user, cohort.host_unit)
    return False


def can_edit_cohort(user, cohort) -> bool:
    """Trainers edit their own open cohorts, admins any open cohort within scope; a closed
    cohort is read-only (only `can_correct_cohort` applies)."""
    if not user.is_authenticated or cohort.status == "closed":
        return False
    if user.has_role("trainer"):
        return runs_cohort(user, cohort)
    return user.has_role("admin") and unit_in_scope(user, cohort.host_unit)


def can_correct_cohort(user, cohort) -> bool:
    """An admin within scope may correct a closed cohort (change an outcome, reopen); audited."""
    return (user.is_authenticated and user.has_role("admin") and cohort.status == "closed"
            and unit_in_scope(user, cohort.host_unit))


def can_export_cohort(user, cohort) -> bool:
    """Exports and sign-in sheets carry personal data: trainers of the cohort and admins."""
    if not can_view_cohort(user, cohort):
        return False
    return user.has_role("admin") or runs_cohort(user, cohort)
# --- assessments ----------------------------------------------------------------------------

def can_take_quiz(user, course) -> bool:
    """A trainee linked to a roster person who is enrolled in the course takes its quizzes."""
    if not user.is_authenticated or not user.has_role("trainee") or user.person_id is None:
        return False
    return db.session.scalar(db.select(Enrolment.id).where(
        Enrolment.person_id == user.person_id, Enrolment.course_id == course.id)) is not None


def can_view_attempt(user, attempt) -> bool:
    """The learner sees their own attempt; admins and trainers within scope see submitted
    attempts (never one in progress)."""
    if not user.is_authenticated:
        return False
    if user.person_id is not None and user.person_id == attempt.person_id:
        return True
    if attempt.is_open or not user.has_role("admin", "trainer"):
        return False
    return unit_in_scope(user, attempt.person.commune)


def can_analyse_items(user) -> bool:
    """Trainers and admins read item analysis and print paper tests (answer keys included)."""
    return user.is_authenticated and user.has_role("admin", "trainer")


def can_view_gain(user) -> bool:
    """Admins, trainers and viewers read knowledge-gain figures within their scope."""
    return user.is_authenticated and user.has_role("admin", "trainer", "viewer")


def can_enter_paper_scores(user, cohort) -> bool:
    """A trainer of the cohort, or an admin whose scope holds the cohort's host unit."""
    if not user.is_authenticated:
        return False
    if user.has_role("admin"):
        return unit_in_scope(user, cohort.host_unit)
    return user.has_role("trainer") and any(t.id == user.id for t in cohort.trainers)
# --- certificates ----------------------------------------------------------------------------

def can_view_certificate(user, cert) -> bool:
    """A trainee sees only their own certificates; admins and trainers those within scope."""
    if not user.is_authenticated:
        return False
    if user.has_role("trainee"):
        return user.person_id is not None and user.person_id == cert.person_id
    return user.has_role("admin", "trainer") and unit_in_scope(user, cert.person.commune)


def can_manage_certificates(user, cert=None) -> bool:
    """Admins issue, revoke and re-issue certificates (of holders within their scope)."""
    if not user.is_authenticated or not user.has_role("admin"):
        return False
    return cert is None or unit_in_scope(user, cert.person.commune)


def can_print_cohort_certificates(user, cohort) -> bool:
    """A cohort's certificates are printed by its own trainers, and by admins whose scope covers
    the cohort's host unit (as trainers read only the cohorts they run)."""
    if not user.is_authenticated:
        return False
    if user.has_role("trainer"):
        return any(t.id == user.id for t in cohort.trainers)
    return user.has_role("admin") and unit_in_scope(user, cohort.host_unit)


def can_edit_issuer(user) -> bool:
    """The issuer settings are national: only an admin without a unit limit edits them."""
    return user.is_authenticated and user.has_role("admin") and scope_unit(user) is None
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
