"""Certificates (giấy chứng nhận) and the per-issuer, per-year number counters."""

from lms.extensions import db

VALID = "valid"
REVOKED = "revoked"
SUPERSEDED = "superseded"
EXPIRED = "expired"  # shown, never stored: a valid certificate past its expiry date
STATUSES = (VALID, REVOKED, SUPERSEDED)


class Certificate(db.Model):
    """A certificate for one completion (hoàn thành), with a frozen snapshot of what it says.

    The snapshot (holder, course, issuer, signer…) is copied at issue, so later edits of the
    roster, the course or the issuer settings never change a certificate already issued.
    One live (not superseded) certificate per completion; a re-issue supersedes the old one.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        db.Index("uq_certificates_live_completion", "completion_id", unique=True,
                 sqlite_where=db.text("status != 'superseded'"),
                 postgresql_where=db.text("status != 'superseded'")),
        db.Index("ix_certificates_expires_on", "expires_on"),
    )

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(40), nullable=False, unique=True)
    code = db.Column(db.String(40), nullable=False, unique=True)
    issuer_code = db.Column(db.String(20), nullable=False)
    year = db.Column(db.Integer, nullable=False)
    serial = db.Column(db.Integer, nullable=False)
    # Null only once the completion was withdrawn after this certificate was revoked or
    # superseded (services.release_completion); the record and its verification remain.
    completion_id = db.Column(db.Integer, db.ForeignKey("completions.id"), nullable=True,
                              index=True)
    person_id = db.Column(db.Integer, db.ForeignKey("persons.id"), nullable=False, index=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False, index=True)
    cohort_id = db.Column(db.Integer, db.ForeignKey("cohorts.id"), nullable=True, index=True)
    issued_on = db.Column(db.Date, nullable=False)
    expires_on = db.Column(db.Date, nullable=True)
    status = db.Column(db.String(20), nullable=False, default=VALID, index=True)
    issued_at = db.Column(db.DateTime, nullable=False)
    issued_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    revoked_at = db.Column(db.DateTime, nullable=True)
    revoked_reason = db.Column(db.String(500), nullable=True)
    revoked_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    superseded_by_id = db.Column(db.Integer, db.ForeignKey("certificates.id"), nullable=True)

    # The frozen snapshot, as printed.
    holder_name = db.Column(db.String(200), nullable=False)
    birth_year = db.Column(db.Integer, nullable=True)
    position_label = db.Column(db.String(200), nullable=False, default="")
    unit_name = db.Column(db.String(300), nullable=False, default="")
    course_title = db.Column(db.String(300), nullable=False)
    hours = db.Column(db.Float, nullable=False, default=0)
    started_on = db.Column(db.Date, nullable=True)
    completed_on = db.Column(db.Date, nullable=False)
    cohort_name = db.Column(db.String(300), nullable=True)
    issuer_agency = db.Column(db.String(300), nullable=False)
    parent_agency = db.Column(db.String(300), nullable=False, default="")
    place = db.Column(db.String(120), nullable=False, default="")
    signer_title = db.Column(db.String(200), nullable=False, default="")
    signer_name = db.Column(db.String(200), nullable=False, default="")

    person = db.relationship("Person")
    course = db.relationship("Course")
    cohort = db.relationship("Cohort")
    completion = db.relationship("Completion")
    superseded_by = db.relationship("Certificate", remote_side=[id])

    def __repr__(self) -> str:
        return f"<Certificate {self.number} {self.status}>"

    def shown_status(self, on) -> str:
        """valid, expired (a valid one past `expires_on` on date `on`), revoked or superseded."""
        if self.status == VALID and self.expires_on is not None and self.expires_on < on:
            return EXPIRED
        return self.status


class CertificateCounter(db.Model):
    """The last serial used per (issuer code, year); incremented atomically at each issue."""

    __tablename__ = "certificate_counters"

    issuer_code = db.Column(db.String(20), primary_key=True)
    year = db.Column(db.Integer, primary_key=True)
    last = db.Column(db.Integer, nullable=False, default=0)
