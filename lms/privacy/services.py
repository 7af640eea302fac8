"""Personal data duties (Decree 13/2023/NĐ-CP): a person's data export, and anonymisation of
someone who has left the post while keeping every aggregate count.

Anonymisation keeps the roster row (commune, position, gender, in-target flag, leaving date)
and every enrolment, completion, attempt, paper score, attendance and certificate row, so
coverage, person-times and knowledge-gain figures do not change. It removes what identifies
the person wherever it is written:

- the roster row: name (and its folded search form), staff id, phone, birth year, ethnicity;
- the account: username (a neutral token no one can type at sign-in), name, password (no hash
  matches), active flag, sessions, link to the roster row;
- the sign-in attempts made with the username (kept for the counts, under the token);
- the audit log: every entry by the account, on the staff id, username or a certificate of the
  person, or naming them in its details (a reason, an old name), has each identifier replaced;
- free text on the person's own rows (completion notes, cohort members' reasons, certificates'
  revocation reasons) and the certificate snapshots: holder name and birth year. A certificate
  stays in force (the training happened; the counts keep it) and its public verification page
  shows the anonymous label, so the paper copy no longer proves who holds it;
- finished roster import jobs: their result and error documents are scrubbed and the
  uploaded files they still keep (an unconfirmed preview, a failed file) are dropped;
- no file is cached on disk: certificate PDFs, sign-in sheets, slips and ZIPs are drawn from
  these rows at each request, so they follow.

Client addresses (sign-ins, audit, join requests) stay: a security record that names a network,
not a person, once the account is gone. `tests/privacy/test_erasure.py` proves the list complete
by reading every text column of the schema.
"""

import json
import re

from flask_babel import gettext as _
from sqlalchemy import Text, cast, or_, select, update

from lms.accounts import audit
from lms.accounts.models import AuditLog, LoginAttempt, User
from lms.assessments.models import Attempt, PaperScore
from lms.certificates.models import Certificate
from lms.cohorts.models import Attendance, Cohort, CohortMember, CohortSession
from lms.core import reasons
from lms.core.text import fold
from lms.core.timeutil import today, utcnow
from lms.courses.models import Completion, Course, Enrolment, Lesson, LessonProgress
from lms.extensions import db
from lms.units.models import ImportJob, Person, Unit

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
             "outcome_reason": reasons.render(m.outcome_reason) or None,
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


class _Scrubber:
    """Replaces a person's identifiers in text and JSON values, as whole words (so staff id
    QN7 does not touch QN77), case-insensitively, also in their folded (unaccented) form."""

    def __init__(self, replacements: dict[str, str]):
        self.replacements, self.forms = {}, set()
        for old, new in replacements.items():
            for form in (old, fold(old)):
                if form and form.strip():
                    self.replacements.setdefault(form.lower(), new)
                    self.forms.update({form, form.lower(), form.upper()})
        words = sorted(self.replacements, key=len, reverse=True)  # longest first
        self.pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)

    def text(self, value):
        """`value` with every identifier replaced (non-strings as they are)."""
        if not isinstance(value, str):
            return value
        return self.pattern.sub(lambda m: self.replacements[m.group(0).lower()], value)

    def json(self, value):
        """A JSON value with every string (keys kept) scrubbed."""
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v) for v in value]
        return self.text(value)

    def mentions(self, column):
        """A WHERE clause: the text (or JSON text, where non-ASCII letters are escaped) of
        `column` contains one of the identifiers (to narrow the rows; `text` decides)."""
        # LIKE is case-sensitive on PostgreSQL (and for non-ASCII letters on SQLite).
        forms = self.forms | {json.dumps(f)[1:-1] for f in self.forms}
        text = cast(column, Text)
        return or_(*(text.contains(f, autoescape=True) for f in sorted(forms)))


def anonymise_person(person: Person, *, by=None) -> Person:
    """Remove what identifies someone who has left the post, everywhere it is written, keeping
    every count (audited, without the personal data).

    :param person: a roster entry with a leaving date on or before today
    :param by: the acting admin
    :raises PrivacyError: when the person is still in post or already anonymised
    """
    if person.full_name.startswith(ANONYMOUS_PREFIX):
        raise PrivacyError(_("Người này đã được ẩn danh."))
    if person.left_on is None or person.left_on > today():
        raise PrivacyError(_("Chỉ ẩn danh được người đã nghỉ (có ngày nghỉ không muộn hơn "
                             "hôm nay)."))
    label = f"{ANONYMOUS_PREFIX} #{person.id}"
    staff_token = f"anon-{person.id}"  # lower case: normalised staff ids are upper case
    user = db.session.scalar(select(User).where(User.person_id == person.id))
    certificates = db.session.scalars(select(Certificate).where(
        Certificate.person_id == person.id)).all()
    # Whitespace: no username can be created with it, so the token never collides.
    user_token = f"anon #{user.id}" if user is not None else None

    replacements = {person.staff_id: staff_token}
    if person.phone:
        replacements[person.phone] = label
    names = {person.full_name, *(c.holder_name for c in certificates)}
    if user is not None:
        replacements[user.username] = user_token
        names.add(user.full_name)
    linked = _linked_entries(person, user, certificates)
    # Earlier names (roster corrections) are identifiers too.
    names.update(v for e in linked if e.action == "roster.name_correction" and e.detail
                 for v in (e.detail.get("old"), e.detail.get("new")) if isinstance(v, str))
    names = {name for name in names if name and name.strip()}
    scrub = _Scrubber({**replacements, **dict.fromkeys(names, label)})
    for entry in linked:
        _scrub_entry(entry, scrub)
    # Entries naming the person without a unique identifier (a reason, say): only by a full
    # name (a single word such as "Lụa" would hit other people), and not those about another
    # roster person (a namesake's name correction).
    wide = _Scrubber({**replacements, **{n: label for n in names if len(n.split()) > 1}})
    others = select(Person.staff_id).where(Person.id != person.id)
    for entry in db.session.scalars(select(AuditLog).where(
            or_(wide.mentions(AuditLog.target), wide.mentions(AuditLog.detail)),
            AuditLog.target.not_in(others))).all():
        _scrub_entry(entry, wide)

    # Finished roster imports keep their documents (a preview's lists, a failed file's row
    # errors) and, for a preview waiting for its confirmation or a failed file, the uploaded
    # bytes, which may hold the person in any row: no file can be edited, so those bytes go (a
    # preview then cannot be confirmed: upload again); jobs still queued or running are left.
    finished = ImportJob.status.in_(("done", "failed"))
    for job in db.session.scalars(select(ImportJob).where(finished, or_(
            wide.mentions(ImportJob.result), wide.mentions(ImportJob.errors)))).all():
        job.result, job.errors = wide.json(job.result), wide.json(job.errors)
    db.session.execute(update(ImportJob).where(finished, ImportJob.data.is_not(None))
                       .values(data=None))

    if user is not None:
        db.session.execute(update(LoginAttempt).where(LoginAttempt.username == user.username)
                           .values(username=user_token))
        user.username, user.full_name, user.active = user_token, label, False
        user.password_hash = "!"  # noqa: S105 (no hash format: matches no password)
        user.must_change_password, user.password_expires_at = False, None
        user.person_id = None
        user.end_sessions()
    for cert in certificates:
        cert.holder_name, cert.birth_year = label, None
        cert.revoked_reason = scrub.text(cert.revoked_reason)
    for completion in db.session.scalars(select(Completion).where(
            Completion.person_id == person.id)):
        completion.note = scrub.text(completion.note)
    for member in db.session.scalars(select(CohortMember).where(
            CohortMember.person_id == person.id)):
        member.outcome_reason = scrub.text(member.outcome_reason)

    person.full_name, person.name_search = label, fold(label)
    person.staff_id = staff_token
    person.phone = person.birth_year = person.ethnicity = None
    audit.record("person.anonymise", actor=by, target=staff_token,
                 had_account=user is not None, certificates=len(certificates))
    db.session.flush()
    return person


def _scrub_entry(entry: AuditLog, scrub: _Scrubber) -> None:
    entry.actor_name = scrub.text(entry.actor_name)
    entry.target = scrub.text(entry.target)[:200]
    entry.detail = scrub.json(entry.detail)


def _linked_entries(person: Person, user: User | None, certificates) -> list[AuditLog]:
    """Audit entries tied to the person by a unique identifier: by their account, on their
    staff id, username or a certificate of theirs, or with one of those in the details."""
    unique = [person.staff_id] + ([user.username] if user is not None else [])
    if person.phone:
        unique.append(person.phone)
    clauses = [AuditLog.target.in_([*unique, *(c.number for c in certificates)]),
               _Scrubber(dict.fromkeys(unique, "")).mentions(AuditLog.detail)]
    if user is not None:
        clauses += [AuditLog.actor_id == user.id, AuditLog.actor_name == user.username]
    return db.session.scalars(select(AuditLog).where(or_(*clauses))).all()
