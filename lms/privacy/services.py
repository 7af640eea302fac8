"""Personal data duties (Decree 13/2023/NĐ-CP): a person's data export, and anonymisation of
someone who has left the post while keeping every aggregate count.

Anonymisation keeps the roster row (commune, position, gender, in-target flag, leaving date)
and every enrolment, completion, attempt and certificate row, so coverage, person-times and
knowledge-gain figures do not change; it removes what identifies the person: name, staff id,
phone, birth year and ethnicity (sensitive data), the certificate snapshots' name and birth
year, and the login. The audit log keeps its entries (a security record), but none of them
can be tied back to the person once the staff id and name are gone.
"""

import json

from flask_babel import gettext as _
from sqlalchemy import or_, select

from lms.accounts import audit
from lms.accounts.models import AuditLog, User
from lms.assessments.models import Attempt, PaperScore
from lms.certificates.models import Certificate
from lms.cohorts.models import Attendance, Cohort, CohortMember, CohortSession
from lms.core.text import fold
from lms.core.timeutil import today, utcnow
from lms.courses.models import Completion, Course, Enrolment, Lesson, LessonProgress
from lms.extensions import db
from lms.units.models import Person, Unit

ANONYMOUS_PREFIX = "ẩn danh"


class PrivacyError(ValueError):
    """A personal-data request that cannot be carried out; the message says why."""


def _iso(value):
    return value.isoformat() if value is not None else None


def export_person(person: Person, *, by=None) -> dict:
    """Everything the system holds about one person, as a JSON-ready dict (audited).

    :param person: the roster entry
    :param by: the acting user
    """
    commune = db.session.get(Unit, person.commune_id)
    user = db.session.scalar(select(User).where(User.person_id == person.id))
    data = {
        "person": {
            "staff_id": person.staff_id, "full_name": person.full_name,
            "gender": person.gender, "birth_year": person.birth_year,
            "position": person.position, "commune_code": commune.code,
            "commune_name": commune.name, "phone": person.phone,
            "ethnicity": person.ethnicity, "in_target": person.in_target,
            "left_on": _iso(person.left_on), "created_at": _iso(person.created_at),
            "updated_at": _iso(person.updated_at),
        },
        "account": None if user is None else {
            "username": user.username, "full_name": user.full_name, "role": user.role,
            "active": user.active, "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "enrolments": [
            {"course": slug, "status": e.status, "enrolled_at": _iso(e.enrolled_at),
             "completed_on": _iso(e.completed_on),
             "lessons_completed": [
                 {"lesson": lesson_slug, "completed_at": _iso(at)}
                 for lesson_slug, at in db.session.execute(
                     select(Lesson.slug, LessonProgress.completed_at)
                     .join(Lesson, LessonProgress.lesson_id == Lesson.id)
                     .where(LessonProgress.enrolment_id == e.id)
                     .order_by(LessonProgress.completed_at))]}
            for e, slug in db.session.execute(
                select(Enrolment, Course.slug).join(Course, Enrolment.course_id == Course.id)
                .where(Enrolment.person_id == person.id).order_by(Enrolment.id))],
        "completions": [
            {"course": slug, "completed_on": _iso(c.completed_on), "source": c.source,
             "note": c.note}
            for c, slug in db.session.execute(
                select(Completion, Course.slug).join(Course, Completion.course_id == Course.id)
                .where(Completion.person_id == person.id).order_by(Completion.completed_on))],
        "attempts": [
            {"course": slug, "kind": a.kind, "number": a.number, "status": a.status,
             "started_at": _iso(a.started_at), "submitted_at": _iso(a.submitted_at),
             "score": a.score, "passed": a.passed}
            for a, slug in db.session.execute(
                select(Attempt, Course.slug).join(Course, Attempt.course_id == Course.id)
                .where(Attempt.person_id == person.id).order_by(Attempt.id))],
        "paper_scores": [
            {"course": slug, "cohort_id": p.cohort_id, "pre_score": p.pre_score,
             "post_score": p.post_score}
            for p, slug in db.session.execute(
                select(PaperScore, Course.slug).join(Course, PaperScore.course_id == Course.id)
                .where(PaperScore.person_id == person.id).order_by(PaperScore.id))],
        "cohorts": [
            {"cohort": name, "cohort_id": m.cohort_id, "completed": m.completed,
             "outcome_reason": m.outcome_reason,
             "attendance": [
                 {"date": _iso(day), "status": status}
                 for day, status in db.session.execute(
                     select(CohortSession.date, Attendance.status)
                     .join(CohortSession, Attendance.session_id == CohortSession.id)
                     .where(Attendance.member_id == m.id).order_by(CohortSession.date))]}
            for m, name in db.session.execute(
                select(CohortMember, Cohort.name).join(Cohort, CohortMember.cohort_id == Cohort.id)
                .where(CohortMember.person_id == person.id).order_by(CohortMember.id))],
        "certificates": [
            {"number": c.number, "status": c.status, "course_title": c.course_title,
             "issued_on": _iso(c.issued_on), "expires_on": _iso(c.expires_on),
             "holder_name": c.holder_name}
            for c in db.session.scalars(select(Certificate).where(
                Certificate.person_id == person.id).order_by(Certificate.id))],
        "audit_log": [
            {"at": _iso(e.at), "action": e.action, "target": e.target}
            for e in db.session.scalars(select(AuditLog).where(or_(
                AuditLog.target == person.staff_id,
                AuditLog.actor_id == (user.id if user else -1))).order_by(AuditLog.id))],
        "exported_at": _iso(utcnow()),
    }
    audit.record("person.export", actor=by, target=person.staff_id)
    return data


def to_json(data: dict) -> bytes:
    """An export as indented UTF-8 JSON (Vietnamese letters kept as they are), one trailing
    newline."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def anonymise_person(person: Person, *, by=None) -> Person:
    """Remove what identifies someone who has left the post, keeping every count (audited).

    :param person: a roster entry with a leaving date on or before today
    :param by: the acting admin
    :raises PrivacyError: when the person is still in post
    """
    if person.full_name.startswith(ANONYMOUS_PREFIX):
        raise PrivacyError(_("Người này đã được ẩn danh."))
    if person.left_on is None or person.left_on > today():
        raise PrivacyError(_("Chỉ ẩn danh được người đã nghỉ (có ngày nghỉ không muộn hơn "
                             "hôm nay)."))
    old_staff_id = person.staff_id
    label = f"{ANONYMOUS_PREFIX} #{person.id}"
    person.full_name, person.name_search = label, fold(label)
    person.staff_id = f"anon-{person.id}"
    person.phone = person.birth_year = person.ethnicity = None
    for cert in db.session.scalars(select(Certificate).where(
            Certificate.person_id == person.id)):
        cert.holder_name, cert.birth_year = label, None
    user = db.session.scalar(select(User).where(User.person_id == person.id))
    if user is not None:
        user.username, user.full_name, user.active = f"anon-{user.id}", "", False
        user.person_id = None
    # The audit entry names the anonymised record, not the old staff id.
    audit.record("person.anonymise", actor=by, target=person.staff_id,
                 had_account=user is not None)
    for entry in db.session.scalars(select(AuditLog).where(AuditLog.target == old_staff_id)):
        entry.target = person.staff_id
    db.session.flush()
    return person
