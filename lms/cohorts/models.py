"""Cohorts (lớp tập huấn): trainers, members, sessions (buổi) and attendance."""

from lms.core.timeutil import utcnow
from lms.extensions import db

MODES = ("in_person", "online", "blended")
STATUSES = ("planned", "running", "closed")
ATTENDANCE = ("present", "absent", "excused")

cohort_trainers = db.Table(
    "cohort_trainers",
    db.Column("cohort_id", db.Integer, db.ForeignKey("cohorts.id"), primary_key=True),
    db.Column("user_id", db.Integer, db.ForeignKey("users.id"), primary_key=True),
)


class Cohort(db.Model):
    """A training class for one course, run by one or more trainers."""

    __tablename__ = "cohorts"

    id = db.Column(db.Integer, primary_key=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False, index=True)
    name = db.Column(db.String(300), nullable=False)
    host_unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    venue = db.Column(db.String(300), nullable=False, default="")
    starts_on = db.Column(db.Date, nullable=False)
    ends_on = db.Column(db.Date, nullable=False)
    mode = db.Column(db.String(20), nullable=False, default="in_person")
    capacity = db.Column(db.Integer, nullable=True)
    status = db.Column(db.String(20), nullable=False, default="planned", index=True)
    min_attendance_pct = db.Column(db.Integer, nullable=False, default=80)
    require_final_test = db.Column(db.Boolean, nullable=False, default=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    closed_at = db.Column(db.DateTime, nullable=True)
    closed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    # While set, people at the conference join with it (lms/accounts/joining.py).
    join_code = db.Column(db.String(12), nullable=True, unique=True)

    course = db.relationship("Course")
    host_unit = db.relationship("Unit")
    trainers = db.relationship("User", secondary=cohort_trainers, lazy="selectin")
    members = db.relationship("CohortMember", back_populates="cohort",
                              cascade="all, delete-orphan")
    sessions = db.relationship("CohortSession", back_populates="cohort",
                               order_by="CohortSession.date", cascade="all, delete-orphan")


class CohortMember(db.Model):
    """A roster person in a cohort; closing records whether they completed and why not."""

    __tablename__ = "cohort_members"
    __table_args__ = (db.UniqueConstraint("cohort_id", "person_id"),)

    id = db.Column(db.Integer, primary_key=True)
    cohort_id = db.Column(db.Integer, db.ForeignKey("cohorts.id"), nullable=False, index=True)
    person_id = db.Column(db.Integer, db.ForeignKey("persons.id"), nullable=False, index=True)
    enrolment_id = db.Column(db.Integer, db.ForeignKey("enrolments.id"), nullable=True)
    added_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    completed = db.Column(db.Boolean, nullable=True)      # set when the cohort closes
    outcome_reason = db.Column(db.String(300), nullable=True)

    cohort = db.relationship("Cohort", back_populates="members")
    person = db.relationship("Person")


class CohortSession(db.Model):
    """One session (buổi) of a cohort."""

    __tablename__ = "cohort_sessions"

    id = db.Column(db.Integer, primary_key=True)
    cohort_id = db.Column(db.Integer, db.ForeignKey("cohorts.id"), nullable=False, index=True)
    date = db.Column(db.Date, nullable=False)
    start_time = db.Column(db.Time, nullable=True)
    end_time = db.Column(db.Time, nullable=True)
    topic = db.Column(db.String(300), nullable=False, default="")

    cohort = db.relationship("Cohort", back_populates="sessions")


class Attendance(db.Model):
    """A member's attendance at one session: present, absent or excused."""

    __tablename__ = "attendance"
    __table_args__ = (db.UniqueConstraint("session_id", "member_id"),)

    id = db.Column(db.Integer, primary_key=True)
    session_id = db.Column(db.Integer, db.ForeignKey("cohort_sessions.id"), nullable=False,
                           index=True)
    member_id = db.Column(db.Integer, db.ForeignKey("cohort_members.id"), nullable=False,
                          index=True)
    status = db.Column(db.String(10), nullable=False)
