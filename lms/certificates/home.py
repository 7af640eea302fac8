"""The trainee's certificates to download, on their home page (their courses)."""

from sqlalchemy import or_, select

from lms.certificates.models import VALID, Certificate
from lms.core.home import home_sections
from lms.core.timeutil import today
from lms.extensions import db

LIMIT = 5


def to_download(person_id: int) -> list[Certificate]:
    """The person's valid, unexpired certificates, newest first (at most LIMIT)."""
    return db.session.scalars(
        select(Certificate).where(Certificate.person_id == person_id, Certificate.status == VALID,
                                  or_(Certificate.expires_on.is_(None),
                                      Certificate.expires_on >= today()))
        .order_by(Certificate.issued_on.desc(), Certificate.id.desc()).limit(LIMIT)).all()


@home_sections.connect
def trainee_section(user):
    """The home section for trainees linked to a roster person who hold a certificate."""
    if not user.has_role("trainee") or user.person_id is None:
        return None
    certs = to_download(user.person_id)
    return ("certificates/_home.html", certs) if certs else None
