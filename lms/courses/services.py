"""Course rules: enrolment, progress and completion (no request state)."""

from datetime import date

from blinker import Namespace
from sqlalchemy import select

from lms.courses.models import Completion, Course
from lms.extensions import db
from lms.units.models import Person

_signals = Namespace()
# Sent after a new Completion is flushed: sender=the Completion. Certificates listen to it.
completion_recorded = _signals.signal("completion-recorded")


def record_completion(person: Person, course: Course, on: date, source: str, *, by=None,
                      enrolment=None, note: str | None = None) -> tuple[Completion, bool]:
    """Record that `person` completed `course` on `on`; the same (person, course, date) is one
    completion. Returns (completion, created).

    :param source: `online`, `cohort` or `import`
    :param by: the acting user, if any
    """
    existing = db.session.scalar(select(Completion).where(
        Completion.person_id == person.id, Completion.course_id == course.id,
        Completion.completed_on == on))
    if existing is not None:
        return existing, False
    completion = Completion(person=person, course=course, completed_on=on, source=source,
                            enrolment_id=getattr(enrolment, "id", None), note=note,
                            created_by_id=getattr(by, "id", None))
    db.session.add(completion)
    db.session.flush()
    completion_recorded.send(completion)
    return completion, True
