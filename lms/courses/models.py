"""Courses, lessons, enrolments, lesson progress and completions."""

from lms.core.timeutil import utcnow
from lms.extensions import db


class Course(db.Model):
    """A course (khóa học) loaded from `content/<slug>/`."""

    __tablename__ = "courses"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(100), nullable=False, unique=True)
    title = db.Column(db.String(300), nullable=False)
    summary = db.Column(db.Text, nullable=False, default="")
    audience = db.Column(db.JSON, nullable=False, default=list)   # position codes
    hours = db.Column(db.Float, nullable=False, default=0)
    counts_toward_target = db.Column(db.Boolean, nullable=False, default=True)
    pass_mark = db.Column(db.Integer, nullable=False, default=70)  # percent
    settings = db.Column(db.JSON, nullable=False, default=dict)    # quiz settings from course.yml
    version = db.Column(db.String(40), nullable=False, default="1")
    sources = db.Column(db.JSON, nullable=False, default=list)
    validity_months = db.Column(db.Integer, nullable=True)
    active = db.Column(db.Boolean, nullable=False, default=True)
    content_hash = db.Column(db.String(64), nullable=True)
    loaded_at = db.Column(db.DateTime, nullable=True)

    lessons = db.relationship("Lesson", back_populates="course", order_by="Lesson.position",
                              lazy="selectin")

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"

    @property
    def active_lessons(self) -> list["Lesson"]:
        """Lessons still in the content, in order."""
        return [lesson for lesson in self.lessons if lesson.active]


class Lesson(db.Model):
    """A lesson (bài học); matched across content edits by its slug."""

    __tablename__ = "lessons"
    __table_args__ = (db.UniqueConstraint("course_id", "slug"),)

    id = db.Column(db.Integer, primary_key=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False, index=True)
    slug = db.Column(db.String(100), nullable=False)
    position = db.Column(db.Integer, nullable=False, default=0)
    title = db.Column(db.String(300), nullable=False)
    minutes = db.Column(db.Integer, nullable=False, default=0)
    body_md = db.Column(db.Text, nullable=False, default="")
    body_html = db.Column(db.Text, nullable=False, default="")
    active = db.Column(db.Boolean, nullable=False, default=True)

    course = db.relationship("Course", back_populates="lessons")


class Enrolment(db.Model):
    """A roster person's enrolment (ghi danh) in a course."""

    __tablename__ = "enrolments"
    __table_args__ = (db.UniqueConstraint("person_id", "course_id"),)

    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("persons.id"), nullable=False, index=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False, index=True)
    enrolled_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    enrolled_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    status = db.Column(db.String(20), nullable=False, default="active")  # active | completed
    completed_on = db.Column(db.Date, nullable=True)
    last_lesson_id = db.Column(db.Integer, db.ForeignKey("lessons.id"), nullable=True)

    person = db.relationship("Person")
    course = db.relationship("Course")
    last_lesson = db.relationship("Lesson")


class LessonProgress(db.Model):
    """A lesson marked complete within an enrolment."""

    __tablename__ = "lesson_progress"
    __table_args__ = (db.UniqueConstraint("enrolment_id", "lesson_id"),)

    id = db.Column(db.Integer, primary_key=True)
    enrolment_id = db.Column(db.Integer, db.ForeignKey("enrolments.id"), nullable=False, index=True)
    lesson_id = db.Column(db.Integer, db.ForeignKey("lessons.id"), nullable=False, index=True)
    completed_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class Completion(db.Model):
    """A completed course (hoàn thành): the event that certificates and coverage reports count.

    Comes from an online enrolment, a closed cohort, or an imported historical record;
    the same (person, course, date) is one completion whatever its source. `cohort_id` names
    the cohort (lớp) it was earned in, when there was one (lms/cohorts/links.py).
    """

    __tablename__ = "completions"
    __table_args__ = (
        db.UniqueConstraint("person_id", "course_id", "completed_on"),
        db.Index("ix_completions_course_date", "course_id", "completed_on"),
    )

    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("persons.id"), nullable=False, index=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False)
    completed_on = db.Column(db.Date, nullable=False, index=True)
    source = db.Column(db.String(20), nullable=False)  # online | cohort | import
    enrolment_id = db.Column(db.Integer, db.ForeignKey("enrolments.id"), nullable=True)
    cohort_id = db.Column(db.Integer, db.ForeignKey("cohorts.id"), nullable=True, index=True)
    note = db.Column(db.String(500), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)

    person = db.relationship("Person")
    course = db.relationship("Course")
    cohort = db.relationship("Cohort")


class PositionCourse(db.Model):
    """A course the roster position must complete (lộ trình theo chức danh), from
    `content/paths.yml`; replaced on every content load. The coverage reports' "path" rule
    counts a person as trained when they completed every course of their position's path."""

    __tablename__ = "position_courses"

    position = db.Column(db.String(30), primary_key=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id", ondelete="CASCADE"),
                          primary_key=True)
