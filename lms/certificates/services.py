"""Certificate rules: issuing on completion, numbering, issuer settings, revocation, re-issue,
expiry, and streaming batches (no request state)."""

import calendar
import secrets
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from io import BytesIO

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts import audit
from lms.accounts.permissions import filter_persons
from lms.certificates import pdf
from lms.certificates.models import REVOKED, SUPERSEDED, VALID, Certificate, CertificateCounter
from lms.core.models import get_setting, set_setting
from lms.core.text import clean, fold
from lms.core.timeutil import today, utcnow
from lms.core.web import file_name
from lms.courses.models import Completion, Course, Enrolment
from lms.courses.services import completion_recorded
from lms.extensions import db
from lms.units.models import Person, Unit
from lms.units.positions import POSITIONS

AUTO_SOURCES = ("online", "cohort")  # imported history gets a certificate only on request
ISSUER_KEY = "issuer"
ISSUER_FIELDS = ("agency", "parent_agency", "place", "signer_title", "signer_name",
                 "issuer_code")


class CertificateError(Exception):
    """A certificate rule was broken; the message is shown to the user."""


# --- issuer settings -------------------------------------------------------------------------

def issuer_settings() -> dict:
    """The issuer settings (agency, parent agency, place, signer, issuer code), with defaults."""
    stored = get_setting(ISSUER_KEY, {}) or {}
    cfg = current_app.config
    values = {
        "agency": cfg.get("AGENCY_NAME", ""),
        "parent_agency": cfg.get("PARENT_AGENCY_NAME", ""),
        "place": "",
        "signer_title": "GIÁM ĐỐC",
        "signer_name": "",
        "issuer_code": "",
    }
    values.update({k: v for k, v in stored.items() if k in ISSUER_FIELDS and v is not None})
    return values


def save_issuer_settings(values: dict, *, by=None) -> dict:
    """Store the issuer settings; certificates already issued keep their own copy.

    :param values: agency, parent_agency, place, signer_title, signer_name, issuer_code
    :param by: the acting admin
    """
    data = {}
    for key in ISSUER_FIELDS:
        raw = values.get(key) or ""
        # The signer title may span two lines ("KT. GIÁM ĐỐC" / "PHÓ GIÁM ĐỐC").
        data[key] = ("\n".join(clean(p) for p in str(raw).splitlines() if clean(p))
                     if key == "signer_title" else clean(raw))
    if not data["agency"]:
        raise CertificateError(_("Cần nhập tên cơ quan cấp."))
    if data["issuer_code"] and not data["issuer_code"].replace("-", "").isalnum():
        raise CertificateError(_("Mã cơ quan cấp chỉ gồm chữ và số."))
    set_setting(ISSUER_KEY, data)
    audit.record("certificates.issuer", by, ISSUER_KEY, **data)
    return data


# --- numbering -------------------------------------------------------------------------------

def _province(unit: Unit | None) -> Unit | None:
    while unit is not None and unit.kind != "province":
        unit = unit.parent
    return unit


def next_serial(issuer_code: str, year: int) -> int:
    """Take the next serial for (issuer, year), race-safely.

    One counter row per (issuer, year), incremented with a single UPDATE … RETURNING, so
    concurrent issuers queue on the row lock and never share a number. The first number of a
    year inserts the row inside a savepoint; whoever loses that race retries the UPDATE.
    """
    stmt = (update(CertificateCounter)
            .where(CertificateCounter.issuer_code == issuer_code,
                   CertificateCounter.year == year)
            .values(last=CertificateCounter.last + 1)
            .returning(CertificateCounter.last))
    for _attempt in range(5):
        value = db.session.execute(stmt).scalar()
        if value is not None:
            return value
        try:
            with db.session.begin_nested():
                db.session.execute(insert(CertificateCounter).values(
                    issuer_code=issuer_code, year=year, last=1))
            return 1
        except IntegrityError:
            continue  # another worker created the row first: increment theirs
    raise CertificateError(_("Không cấp được số giấy chứng nhận, vui lòng thử lại."))


def format_number(issuer_code: str, year: int, serial: int) -> str:
    """The human number, e.g. 22-2025-000123."""
    return f"{issuer_code}-{year}-{serial:06d}"


def verify_url(code: str) -> str:
    """The public verification URL printed in the QR code."""
    return f"{current_app.config['BASE_URL']}/verify/{code}"


# --- issuing ---------------------------------------------------------------------------------

def add_months(on: date, months: int) -> date:
    """`on` plus `months` calendar months (the last day of a shorter month when needed)."""
    index = on.month - 1 + months
    year, month = on.year + index // 12, index % 12 + 1
    return date(year, month, min(on.day, calendar.monthrange(year, month)[1]))


def live_certificate(completion: Completion) -> Certificate | None:
    """The certificate of a completion that is not superseded (valid or revoked), if any."""
    return db.session.scalar(select(Certificate).where(
        Certificate.completion_id == completion.id, Certificate.status != SUPERSEDED))


def _snapshot(completion: Completion, cohort, issuer: dict) -> dict:
    person: Person = completion.person
    course: Course = completion.course
    province = _province(person.commune)
    unit_name = person.commune.name if person.commune else ""
    if province is not None and province is not person.commune:
        unit_name = f"{unit_name}, {province.name[0].lower()}{province.name[1:]}"
    with force_locale("vi"):  # a certificate is Vietnamese whatever the interface language
        position = str(POSITIONS.get(person.position, person.position or ""))
    started = None
    if cohort is not None:
        started = cohort.starts_on
    elif completion.enrolment_id:
        enrolment = db.session.get(Enrolment, completion.enrolment_id)
        started = enrolment.enrolled_at.date() if enrolment else None
    place = issuer["place"]
    if not place and province is not None:
        place = province.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    return {
        "holder_name": clean(person.full_name),
        "birth_year": person.birth_year,
        "position_label": position,
        "unit_name": unit_name,
        "course_title": clean(course.title),
        "hours": course.hours or 0,
        "started_on": started if started and started <= completion.completed_on else None,
        "completed_on": completion.completed_on,
        "cohort_name": clean(cohort.name) if cohort is not None else None,
        "issuer_agency": issuer["agency"],
        "parent_agency": issuer["parent_agency"],
        "place": place,
        "signer_title": issuer["signer_title"],
        "signer_name": issuer["signer_name"],
    }


def _new_certificate(completion: Completion, by=None, cohort=None) -> Certificate:
    issuer = issuer_settings()
    issuer_code = issuer["issuer_code"] or getattr(
        _province(completion.person.commune), "code", None) or "00"
    issued_on = today()
    serial = next_serial(issuer_code, issued_on.year)
    validity = completion.course.validity_months
    cert = Certificate(
        number=format_number(issuer_code, issued_on.year, serial),
        code=secrets.token_urlsafe(16),  # 128 random bits: cannot be guessed or enumerated
        issuer_code=issuer_code, year=issued_on.year, serial=serial,
        completion_id=completion.id, person_id=completion.person_id,
        course_id=completion.course_id, cohort_id=getattr(cohort, "id", None),
        issued_on=issued_on, issued_at=utcnow(), issued_by_id=getattr(by, "id", None),
        expires_on=add_months(completion.completed_on, validity) if validity else None,
        status=VALID, **_snapshot(completion, cohort, issuer))
    db.session.add(cert)
    db.session.flush()
    return cert


def issue_certificate(completion: Completion, *, by=None) -> tuple[Certificate, bool]:
    """Issue the certificate of a completion, or return the one it already has.

    Returns (certificate, created).

    :param completion: any completion, including an imported historical one
    :param by: the acting user (None when issued automatically)
    """
    existing = live_certificate(completion)
    if existing is not None:
        return existing, False
    cert = _new_certificate(completion, by=by, cohort=completion.cohort)
    audit.record("certificates.issue", by, cert.number, completion=completion.id)
    return cert, True


def on_completion_recorded(completion: Completion, **_kwargs) -> None:
    """Signal receiver: a new online or cohort completion gets its certificate at once."""
    if completion.source in AUTO_SOURCES:
        issue_certificate(completion)


completion_recorded.connect(on_completion_recorded)


def issue_for(staff_id: str, course_slug: str, *, by=None) -> tuple[Certificate, bool]:
    """Issue (or return) the certificate for a person's latest recorded completion of a course.

    :param staff_id: the roster staff id
    :param course_slug: the course slug
    :param by: the acting user, if any
    """
    person = db.session.scalar(select(Person).where(Person.staff_id == clean(staff_id)))
    if person is None:
        raise CertificateError(_("Không có mã nhân sự %(s)s.", s=staff_id))
    course = db.session.scalar(select(Course).where(Course.slug == clean(course_slug)))
    if course is None:
        raise CertificateError(_("Không có khóa học %(s)s.", s=course_slug))
    completion = db.session.scalar(
        select(Completion).where(Completion.person_id == person.id,
                                 Completion.course_id == course.id)
        .order_by(Completion.completed_on.desc()).limit(1))
    if completion is None:
        raise CertificateError(_("%(p)s (%(s)s) chưa có kết quả hoàn thành khóa %(c)s; "
                                 "không cấp giấy chứng nhận.",
                                 p=person.full_name, s=person.staff_id, c=course.slug))
    return issue_certificate(completion, by=by)


# --- lifecycle -------------------------------------------------------------------------------

def revoke(cert: Certificate, reason: str, *, by) -> Certificate:
    """Revoke a certificate with a reason (shown on the verification page).

    :param reason: why, in a sentence
    :param by: the acting admin
    """
    reason = clean(reason)
    if not reason:
        raise CertificateError(_("Cần nêu lý do thu hồi."))
    if cert.status != VALID:
        raise CertificateError(_("Chỉ thu hồi được giấy chứng nhận đang có hiệu lực."))
    cert.status = REVOKED
    cert.revoked_at = utcnow()
    cert.revoked_reason = reason[:500]
    cert.revoked_by_id = getattr(by, "id", None)
    audit.record("certificates.revoke", by, cert.number, reason=cert.revoked_reason)
    db.session.flush()
    return cert


def reissue(cert: Certificate, *, by, full_name: str | None = None) -> Certificate:
    """Re-issue after a correction: the old certificate becomes superseded and points to a new
    one with a new number and code, drawn from the current roster entry and issuer settings.

    :param full_name: the corrected name; when given it is also written to the roster entry
    :param by: the acting admin
    """
    if cert.status != VALID:
        raise CertificateError(_("Chỉ cấp lại được giấy chứng nhận đang có hiệu lực."))
    person = cert.person
    if full_name is not None and clean(full_name) and clean(full_name) != person.full_name:
        old_name = person.full_name
        person.full_name = clean(full_name)
        person.name_search = fold(person.full_name)
        audit.record("roster.name_correction", by, person.staff_id, old=old_name,
                     new=person.full_name)
    cert.status = SUPERSEDED
    db.session.flush()  # free the one-live-certificate-per-completion slot first
    new = _new_certificate(cert.completion, by=by, cohort=cert.cohort)
    cert.superseded_by_id = new.id
    audit.record("certificates.reissue", by, new.number, replaces=cert.number)
    db.session.flush()
    return new


def release_completion(completion: Completion, *, by=None) -> int:
    """Let a completion be withdrawn (e.g. a cohort outcome corrected): refused while it has a
    valid certificate; revoked and superseded ones keep their record and verification page but
    no longer point to it. Returns how many certificates were detached.

    :param completion: the completion about to be deleted
    :param by: the acting user
    """
    certs = db.session.scalars(select(Certificate).where(
        Certificate.completion_id == completion.id)).all()
    if any(cert.status == VALID for cert in certs):
        raise CertificateError(_("Giấy chứng nhận còn hiệu lực; hãy thu hồi trước."))
    for cert in certs:
        cert.completion_id = None
        audit.record("certificates.release", by, cert.number, completion=completion.id)
    db.session.flush()
    return len(certs)


def expiring(user, *, within_days: int = 90, on: date | None = None):
    """Select of valid certificates expired or expiring within `within_days`, in scope.

    :param user: the viewer (scopes by administrative unit)
    """
    on = on or today()
    stmt = (select(Certificate).join(Person, Certificate.person_id == Person.id)
            .where(Certificate.status == VALID, Certificate.expires_on.is_not(None),
                   Certificate.expires_on <= on + timedelta(days=within_days))
            .order_by(Certificate.expires_on, Certificate.id))
    return filter_persons(user, stmt)


# --- listing and batches ---------------------------------------------------------------------

def certificates_query(user=None, *, unit: Unit | None = None, cohort_id: int | None = None,
                       include_superseded: bool = False):
    """Select of certificates, newest first, within the user's scope.

    :param user: scope by this user's unit (None: everything, for the command line)
    :param unit: only holders whose commune lies in this unit's subtree
    :param cohort_id: only this cohort's certificates
    """
    stmt = select(Certificate).join(Person, Certificate.person_id == Person.id)
    if user is not None:
        stmt = filter_persons(user, stmt)
    if unit is not None:
        subtree = select(Unit.id).where(Unit.path.startswith(unit.path, autoescape=True))
        stmt = stmt.where(Person.commune_id.in_(subtree))
    if cohort_id is not None:
        stmt = stmt.where(Certificate.cohort_id == cohort_id)
    if not include_superseded:
        stmt = stmt.where(Certificate.status != SUPERSEDED)
    return stmt.order_by(Certificate.issued_on.desc(), Certificate.id.desc())


def cohort_certificates(cohort_id: int):
    """Select of a cohort's live certificates in holder-name order (for printing)."""
    return (select(Certificate).where(Certificate.cohort_id == cohort_id,
                                      Certificate.status != SUPERSEDED)
            .order_by(Certificate.holder_name, Certificate.id))


def _stream(stmt) -> Iterator[Certificate]:
    """Certificates from a select, fetched in chunks so memory does not grow with the count."""
    yield from db.session.scalars(stmt.execution_options(yield_per=200))


def batch_pdf(stmt) -> bytes:
    """One PDF with a page per certificate of `stmt`."""
    out = BytesIO()
    pdf.batch_pdf(((cert, verify_url(cert.code)) for cert in _stream(stmt)), out)
    return out.getvalue()


class _Drain:
    """A write-only file for zipfile that hands its bytes over after each entry."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        """Nothing is buffered beyond `parts`."""

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def zip_name(cert: Certificate) -> str:
    """The file name of a certificate (download, ZIP member): number and holder name."""
    return file_name(cert.number, cert.holder_name or "chung-nhan", ext="pdf")


def iter_zip(certs: Iterable[Certificate]) -> Iterator[bytes]:
    """A ZIP of single-certificate PDFs, streamed entry by entry (memory stays flat)."""
    sink = _Drain()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for cert in certs:
            data = pdf.certificate_pdf(cert, verify_url(cert.code))
            info = zipfile.ZipInfo(zip_name(cert), date_time=cert.issued_on.timetuple()[:6])
            archive.writestr(info, data)
            yield sink.take()
    yield sink.take()


def iter_cohort_zip(stmt) -> Iterator[bytes]:
    """A ZIP of a query's certificates, one PDF each, streamed."""
    yield from iter_zip(_stream(stmt))


def list_rows(stmt) -> Iterator[tuple[str, str, str, str, str]]:
    """(number, holder, course, issue date, shown status) rows for the command line."""
    on = today()
    for cert in _stream(stmt):
        yield (cert.number, cert.holder_name, cert.course_title,
               cert.issued_on.strftime("%d/%m/%Y"), cert.shown_status(on))


def issue_missing(*, by=None) -> int:
    """Issue certificates for online and cohort completions that have none (idempotent)."""
    has_live = select(Certificate.id).where(Certificate.completion_id == Completion.id,
                                            Certificate.status != SUPERSEDED).exists()
    completions = db.session.scalars(select(Completion).where(
        Completion.source.in_(AUTO_SOURCES), ~has_live).order_by(Completion.id)).all()
    for completion in completions:
        issue_certificate(completion, by=by)
    return len(completions)
