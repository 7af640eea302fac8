"""Course rules: enrolment, progress and completion (no request state)."""

from dataclasses import dataclass
from datetime import date

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import and_, func, insert, select

from lms.accounts.permissions import (
    can_enrol_others,
    can_enrol_person,
    filter_persons,
    unit_in_scope,
)
from lms.assessments.completion import final_requirement_met
from lms.assessments.signals import final_passed
from lms.cohorts.links import only_cohort
from lms.core.text import fold
from lms.core.timeutil import today, utcnow
from lms.courses.models import Completion, Course, Enrolment, Lesson, LessonProgress
from lms.extensions import db
from lms.units.models import Person, Unit

_signals = Namespace()
# Sent after a new Completion is flushed: sender=the Completion. Certificates listen to it.
completion_recorded = _signals.signal("completion-recorded")


def record_completion(person: Person, course: Course, on: date, source: str, *, by=None,
                      enrolment=None, note: str | None = None,
                      cohort=None) -> tuple[Completion, bool]:
    """Record that `person` completed `course` on `on`; the same (person, course, date) is one
    completion. Returns (completion, created).

    :param source: `online`, `cohort` or `import`
    :param by: the acting user, if any
    :param cohort: the cohort it was earned in; also given to an existing completion that has
        none
    """
    existing = db.session.scalar(select(Completion).where(
        Completion.person_id == person.id, Completion.course_id == course.id,
        Completion.completed_on == on))
    if existing is not None:
        if cohort is not None and existing.cohort_id is None:
            existing.cohort_id = cohort.id
        return existing, False
    completion = Completion(person=person, course=course, completed_on=on, source=source,
                            enrolment_id=getattr(enrolment, "id", None), note=note,
                            cohort_id=getattr(cohort, "id", None),
                            created_by_id=getattr(by, "id", None))
    db.session.add(completion)
    db.session.flush()
    completion_recorded.send(completion)
    return completion, True


class CourseError(ValueError):
    """A course rule was broken; the message (Vietnamese) is shown to the user."""


# --- catalogue ---------------------------------------------------------------------------------

def active_lesson_counts() -> dict[int, int]:
    """Active lessons per course id (one GROUP BY)."""
    rows = db.session.execute(select(Lesson.course_id, func.count(Lesson.id))
                              .where(Lesson.active.is_(True)).group_by(Lesson.course_id))
    return dict(rows.all())


def catalogue(position: str | None = None, query: str = "") -> list[Course]:
    """Active courses: those whose audience includes `position` first, then by title; `query`
    matches title or summary without diacritics ("nhan dien" finds "Nhận diện").

    :param position: the learner's position code, if any
    :param query: search words
    """
    courses = db.session.scalars(select(Course).where(Course.active.is_(True))).all()
    words = fold(query).split()
    if words:
        courses = [c for c in courses
                   if all(w in fold(f"{c.title} {c.summary}") for w in words)]
    return sorted(courses, key=lambda c: (position not in (c.audience or []), fold(c.title)))


def get_course(slug: str, *, active_only: bool = True) -> Course | None:
    """The course with `slug` (None when unknown or inactive)."""
    stmt = select(Course).where(Course.slug == slug)
    if active_only:
        stmt = stmt.where(Course.active.is_(True))
    return db.session.scalar(stmt)


# --- enrolment ---------------------------------------------------------------------------------

def find_enrolment(person: Person | None, course: Course) -> Enrolment | None:
    """The person's enrolment in the course, if any."""
    if person is None:
        return None
    return db.session.scalar(select(Enrolment).where(Enrolment.person_id == person.id,
                                                     Enrolment.course_id == course.id))


def enrolments_of(person: Person) -> list[Enrolment]:
    """A person's enrolments in active courses, most recent first."""
    return list(db.session.scalars(
        select(Enrolment).join(Course, Enrolment.course_id == Course.id)
        .where(Enrolment.person_id == person.id, Course.active.is_(True))
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())))


def enrol(person: Person | None, course: Course, *, by) -> tuple[Enrolment, bool]:
    """Enrol `person` in `course`; enrolling twice returns the existing enrolment.
    Returns (enrolment, created).

    :param person: the roster person (None: the acting trainee has no roster entry)
    :param by: the acting user (a trainee enrols only themself)
    """
    if person is None:
        raise CourseError(_("Tài khoản của bạn chưa gắn với một người trong danh sách nhân "
                            "sự, nên chưa ghi danh được. Hãy liên hệ quản trị viên hoặc giảng "
                            "viên của đơn vị."))
    if not course.active:
        raise CourseError(_("Khóa học này không còn mở."))
    if not can_enrol_person(by, person):
        raise CourseError(_("Bạn không có quyền ghi danh người này."))
    existing = find_enrolment(person, course)
    if existing is not None:
        return existing, False
    enrolment = Enrolment(person=person, course=course, enrolled_by_id=getattr(by, "id", None))
    db.session.add(enrolment)
    db.session.flush()
    return enrolment, True


def enrol_by_staff_id(staff_id: str, course: Course, *, by) -> tuple[Enrolment, bool]:
    """Enrol one roster person found by staff id.

    :param staff_id: the person's staff id (mã nhân sự)
    :param by: the acting trainer or admin
    """
    person = db.session.scalar(select(Person).where(Person.staff_id == staff_id.strip()))
    if person is None or not unit_in_scope(by, person.commune):
        raise CourseError(_("Không tìm thấy mã nhân sự %(id)s trong phạm vi của bạn.",
                            id=staff_id))
    return enrol(person, course, by=by)


@dataclass
class PeopleFilter:
    """Whom to enrol in bulk: a unit subtree, a position, only people not yet trained."""

    unit: Unit | None = None
    position: str | None = None
    not_trained: bool = True


def _people_stmt(course: Course, people: PeopleFilter, by):
    """Person ids matching the filter, in scope, not yet enrolled in the course."""
    stmt = select(Person.id).where(Person.left_on.is_(None))
    stmt = filter_persons(by, stmt)
    if people.unit is not None:
        subtree = select(Unit.id).where(Unit.path.startswith(people.unit.path, autoescape=True))
        stmt = stmt.where(Person.commune_id.in_(subtree))
    if people.position:
        stmt = stmt.where(Person.position == people.position)
    if people.not_trained:
        stmt = stmt.where(Person.id.not_in(
            select(Completion.person_id).where(Completion.course_id == course.id)))
    return stmt.where(Person.id.not_in(
        select(Enrolment.person_id).where(Enrolment.course_id == course.id)))


def count_enrollable(course: Course, people: PeopleFilter, *, by) -> int:
    """How many people `enrol_many` would enrol now.

    :param by: the acting trainer or admin (their scope applies)
    """
    return db.session.scalar(select(func.count()).select_from(
        _people_stmt(course, people, by).subquery()))


def enrol_many(course: Course, people: PeopleFilter, *, by) -> int:
    """Enrol every roster person matching the filter within the user's scope (one INSERT …
    SELECT); people already enrolled are left alone. Returns how many were enrolled.

    :param people: unit, position and "not yet trained for this course"
    :param by: the acting trainer or admin
    """
    if not can_enrol_others(by):
        raise CourseError(_("Bạn không có quyền ghi danh người khác."))
    if not course.active:
        raise CourseError(_("Khóa học này không còn mở."))
    if people.unit is not None and not unit_in_scope(by, people.unit):
        raise CourseError(_("Đơn vị này nằm ngoài phạm vi của bạn."))
    ids = _people_stmt(course, people, by).subquery()
    rows = select(ids.c.id, db.literal(course.id), db.literal(utcnow()),
                  db.literal(getattr(by, "id", None)), db.literal("active"))
    result = db.session.execute(insert(Enrolment).from_select(
        ["person_id", "course_id", "enrolled_at", "enrolled_by_id", "status"], rows)
        .returning(Enrolment.id))
    count = len(result.all())
    db.session.flush()
    return count


# --- progress ----------------------------------------------------------------------------------

def done_lesson_ids(enrolment: Enrolment) -> set[int]:
    """Ids of the lessons this enrolment has completed (active or not)."""
    return set(db.session.scalars(select(LessonProgress.lesson_id)
                                  .where(LessonProgress.enrolment_id == enrolment.id)))


def progress(enrolment: Enrolment) -> tuple[int, int]:
    """(active lessons done, active lessons) for one enrolment."""
    return progress_by_enrolment([enrolment.id]).get(enrolment.id, (0, 0))


def progress_by_enrolment(enrolment_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(done, total) active lessons per enrolment id, in one GROUP BY."""
    if not enrolment_ids:
        return {}
    stmt = (select(Enrolment.id, func.count(func.distinct(LessonProgress.lesson_id)),
                   func.count(func.distinct(Lesson.id)))
            .join(Lesson, and_(Lesson.course_id == Enrolment.course_id,
                               Lesson.active.is_(True)))
            .outerjoin(LessonProgress, and_(LessonProgress.enrolment_id == Enrolment.id,
                                            LessonProgress.lesson_id == Lesson.id))
            .where(Enrolment.id.in_(enrolment_ids)).group_by(Enrolment.id))
    return {eid: (done, total) for eid, done, total in db.session.execute(stmt)}


def next_lesson(enrolment: Enrolment) -> Lesson | None:
    """The first active lesson not yet done (None when all are done)."""
    done = select(LessonProgress.lesson_id).where(LessonProgress.enrolment_id == enrolment.id)
    return db.session.scalar(select(Lesson).where(
        Lesson.course_id == enrolment.course_id, Lesson.active.is_(True),
        Lesson.id.not_in(done)).order_by(Lesson.position, Lesson.id).limit(1))


def resume_lesson(enrolment: Enrolment) -> Lesson | None:
    """Where "continue" leads: the last lesson opened while it is not done yet, else the next
    one to do, else (all done) the first."""
    last = enrolment.last_lesson
    if last is not None and last.active and not db.session.scalar(
            select(LessonProgress.id).where(LessonProgress.enrolment_id == enrolment.id,
                                            LessonProgress.lesson_id == last.id)):
        return last
    lessons = enrolment.course.active_lessons
    return next_lesson(enrolment) or (lessons[0] if lessons else None)


def get_lesson(course: Course, slug: str) -> Lesson | None:
    """An active lesson of the course by slug."""
    return db.session.scalar(select(Lesson).where(Lesson.course_id == course.id,
                                                  Lesson.slug == slug,
                                                  Lesson.active.is_(True)))


def record_visit(enrolment: Enrolment, lesson: Lesson) -> None:
    """Remember the lesson a learner opened, so "continue" brings them back to it.

    :param enrolment: the learner's enrolment
    :param lesson: the lesson just opened
    """
    if enrolment.last_lesson_id != lesson.id:
        enrolment.last_lesson = lesson
        db.session.flush()


def mark_lesson_complete(enrolment: Enrolment, lesson: Lesson, *, by) -> bool:
    """Mark a lesson done (idempotent), then check the course's completion.
    Returns True when the course became completed now.

    :param by: the acting user (the learner themself)
    """
    if lesson.course_id != enrolment.course_id or not lesson.active:
        raise CourseError(_("Bài học không thuộc khóa học này."))
    if not db.session.scalar(select(LessonProgress.id).where(
            LessonProgress.enrolment_id == enrolment.id, LessonProgress.lesson_id == lesson.id)):
        db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id))
        db.session.flush()
    return check_completion(enrolment, by=by)


def check_completion(enrolment: Enrolment, by=None, cohort=None) -> bool:
    """Complete the enrolment when every active lesson is done and the final requirement (the
    assessments room's `final_requirement_met`) is met; records the completion (source
    `online`). Returns True when it became completed now.

    :param enrolment: the enrolment to check
    :param by: the acting user, if any
    :param cohort: the cohort whose final (paper score, cohort attempt) was passed; else the
        one cohort of the course the person is a member of on that day, if exactly one
    """
    if enrolment.status == "completed":
        return False
    done, total = progress(enrolment)
    if total == 0 or done < total or not final_requirement_met(enrolment):
        return False
    enrolment.status = "completed"
    enrolment.completed_on = today()
    db.session.flush()
    if cohort is None:
        cohort = only_cohort(enrolment.person_id, enrolment.course_id, enrolment.completed_on)
    record_completion(enrolment.person, enrolment.course, enrolment.completed_on, "online",
                      by=by, enrolment=enrolment, cohort=cohort)
    return True


def on_final_passed(course: Course, person_id: int, cohort=None, **_kwargs) -> None:
    """Re-check the person's enrolment in the course when they pass its final (in `cohort`,
    when the final was that cohort's)."""
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.person_id == person_id, Enrolment.course_id == course.id))
    if enrolment is not None:
        check_completion(enrolment, cohort=cohort)


final_passed.connect(on_final_passed)
