"""The lesson page's read path: a per-process cache of course outlines and lesson bodies, and
one query for the learner's state.

A course's outline (title, lessons in order) and its lessons' sanitised HTML change only when
`lms content load` applies new content, and that always sets a new `content_hash` and
`loaded_at` on the course. Each request reads the course's version together with the learner's
enrolment and completed lessons in ONE query; the outline and the body are taken from the cache
when the version matches, and loaded again (outline without the bodies, then only the body
wanted) when it does not. Courses without a `content_hash` (made by hand, not by the loader) are
never cached. Measured against the plain ORM view in docs/performance.md (*Lesson page*).
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, false, select

from lms.courses.models import Course, Enrolment, Lesson, LessonProgress
from lms.extensions import db

CACHE_KEY = "courses.outlines"


@dataclass(frozen=True)
class LessonItem:
    """One active lesson of an outline (no body: see `lesson_body`)."""

    id: int
    slug: str
    title: str
    minutes: int


@dataclass
class Outline:
    """A course's title and active lessons, in order, at one content version."""

    id: int
    slug: str
    title: str
    version: tuple
    lessons: list[LessonItem]
    positions: dict[str, int]
    bodies: dict[int, str] = field(default_factory=dict)

    def find(self, lesson_slug: str) -> int | None:
        """The index of the active lesson `lesson_slug`, or None."""
        return self.positions.get(lesson_slug)


@dataclass(frozen=True)
class EnrolmentState:
    """What the lesson page needs of the learner's enrolment."""

    id: int
    person_id: int
    last_lesson_id: int | None


@dataclass(frozen=True)
class LessonPage:
    """A course's version and the learner's state, read in one query."""

    course_id: int
    version: tuple | None  # None: not cacheable (no content_hash)
    enrolment: EnrolmentState | None
    done: frozenset[int]


def _cache(app) -> dict:
    return app.extensions.setdefault(CACHE_KEY, {})


_COURSE, _ENROLMENT, _PROGRESS = (Course.__table__.c, Enrolment.__table__.c,
                                  LessonProgress.__table__.c)
_STATE_COLUMNS = (_COURSE.id, _COURSE.content_hash, _COURSE.loaded_at, _ENROLMENT.id,
                  _ENROLMENT.last_lesson_id, _PROGRESS.lesson_id)
_THIS_COURSE = and_(_COURSE.slug == bindparam("slug"), _COURSE.active.is_(True))


def _state_statement(mine):
    return (select(*_STATE_COLUMNS)
            .select_from(Course.__table__)
            .outerjoin(Enrolment.__table__, and_(_ENROLMENT.course_id == _COURSE.id, mine))
            .outerjoin(LessonProgress.__table__, _PROGRESS.enrolment_id == _ENROLMENT.id)
            .where(_THIS_COURSE))


# Built once: building a statement costs about as much as running this one.
_STATE_FOR_PERSON = _state_statement(_ENROLMENT.person_id == bindparam("person_id"))
_STATE_FOR_STAFF = _state_statement(false())


def read_state(slug: str, person_id: int | None) -> LessonPage | None:
    """The active course `slug`'s version, and `person_id`'s enrolment and completed lesson ids,
    in one query (None when the course is unknown or inactive).

    :param slug: the course slug
    :param person_id: the learner's roster person id (None for staff without one)
    """
    stmt = _STATE_FOR_PERSON if person_id is not None else _STATE_FOR_STAFF
    rows = db.session.execute(stmt, {"slug": slug, "person_id": person_id}).all()
    return _state(rows, person_id)


def _state(rows, person_id: int | None) -> LessonPage | None:
    """A LessonPage from rows of _STATE_COLUMNS (None when the course is missing)."""
    if not rows or rows[0][0] is None:
        return None
    course_id, content_hash, loaded_at, enrolment_id, last_lesson_id, _ = rows[0]
    enrolment = None
    if enrolment_id is not None and person_id is not None:
        enrolment = EnrolmentState(enrolment_id, person_id, last_lesson_id)
    done = frozenset(row[5] for row in rows if row[5] is not None)
    return LessonPage(course_id, _version(course_id, content_hash, loaded_at), enrolment, done)


def _version(course_id: int, content_hash: str | None, loaded_at: datetime | None):
    if content_hash is None or loaded_at is None:
        return None
    return (course_id, content_hash, loaded_at)


def outline(app, slug: str, state: LessonPage) -> Outline:
    """The course's outline at the version of `state`, cached per process when it has one.

    :param app: the Flask app (the cache lives in `app.extensions`)
    :param slug: the course slug
    :param state: the result of `read_state` for this course
    """
    cache = _cache(app)
    if state.version is not None:
        cached = cache.get(slug)
        if cached is not None and cached.version == state.version:
            return cached
    title = db.session.scalar(select(Course.title).where(Course.id == state.course_id))
    rows = db.session.execute(
        select(Lesson.id, Lesson.slug, Lesson.title, Lesson.minutes)
        .where(Lesson.course_id == state.course_id, Lesson.active.is_(True))
        .order_by(Lesson.position, Lesson.id)).all()
    lessons = [LessonItem(*row) for row in rows]
    built = Outline(state.course_id, slug, title, state.version, lessons,
                    {item.slug: i for i, item in enumerate(lessons)})
    if state.version is not None:
        cache[slug] = built  # one dict assignment: safe between threads
    return built


def lesson_body(item: Outline, lesson_id: int) -> str:
    """The sanitised HTML of one lesson of `item`, cached with its outline when cacheable.

    :param item: the course outline the lesson belongs to
    :param lesson_id: the lesson's id
    """
    body = item.bodies.get(lesson_id)
    if body is None:
        body = db.session.scalar(select(Lesson.body_html).where(Lesson.id == lesson_id)) or ""
        if item.version is not None:
            item.bodies[lesson_id] = body
    return body
