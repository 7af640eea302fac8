"""Cohort rules: creating classes, members, sessions, attendance, closing and corrections.

Services take the acting user, only add/flush, and raise `CohortError` with a Vietnamese
message. Aggregates (attendance counts, score means) are computed in SQL.

Completion rule (decided here, documented in docs/cohorts.md):
- attendance: excused sessions are left out of the denominator; a member must attend at least
  one session; `present / (sessions − excused) ≥ min_attendance_pct` passes (exactly X% passes).
  A rule of 0% does not look at attendance at all (e.g. an online cohort without sessions);
  a rule above 0% with no session recorded completes nobody.
- final test: required when the cohort asks for it AND the course has a final test; passed
  means a paper post-test score ≥ the course's pass mark in this cohort, or a passed online
  final attempt (when the assessments room provides an `Attempt` model).
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, delete, exists, false, func, select, update

from lms.accounts import audit
from lms.accounts.models import User
from lms.accounts.permissions import (
    can_correct_cohort,
    can_edit_cohort,
    filter_persons,
    runs_cohort,
    scope_unit,
    unit_in_scope,
)
from lms.assessments.models import Attempt, PaperScore
from lms.certificates import services as certificates
from lms.cohorts.models import (
    ATTENDANCE,
    MODES,
    Attendance,
    Cohort,
    CohortMember,
    CohortSession,
    cohort_trainers,
)
from lms.core import reasons
from lms.core.params import int_arg
from lms.core.tabular import (
    Column,
    ImportFailed,
    RowError,
    normalise_id,
    read_table,
    write_csv,
    write_xlsx,
)
from lms.core.text import clean, fold, format_date
from lms.core.timeutil import parse_date, today, utcnow, zone
from lms.courses.models import Completion, Course, Enrolment
from lms.courses.services import record_completion
from lms.extensions import db
from lms.units.models import CURRENT, Person, Unit
from lms.units.positions import position_label
from lms.units.services import lookup_unit

EDITABLE_STATUSES = ("planned", "running")
MEMBER_COLUMNS = [Column("staff_id", ("ma_nhan_su", "staff_id"), True)]
SEARCH_LIMIT = 200


class CohortError(ValueError):
    """A cohort rule was broken; the message is shown to the user, beside the form field named
    `field` when there is one (see `commit_or_flash(form=…)`)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- small helpers ----------------------------------------------------------------------------

def course_has_final_test(course: Course) -> bool:
    """True when the course defines a final test (`quiz.final` in course.yml)."""
    settings = course.settings or {}
    quiz = settings.get("quiz") if isinstance(settings.get("quiz"), dict) else settings
    return bool(quiz.get("final"))


def final_test_required(cohort: Cohort) -> bool:
    """The cohort asks for the final test and its course has one."""
    return bool(cohort.require_final_test) and course_has_final_test(cohort.course)


def _completion_note(cohort: Cohort) -> str:
    return f"cohort {cohort.id}: {cohort.name}"[:500]


def require_open(cohort: Cohort) -> None:
    """Refuse any write to a closed cohort's records (members, sessions, attendance, paper
    scores and answers, outcomes, join requests): the one check every such service makes.

    Only an admin's audited corrections with a reason (`correct_outcome`, `reopen_cohort`)
    touch a closed cohort.

    :raises CohortError: the cohort is closed
    """
    if cohort.status == "closed":
        raise CohortError(_("Lớp đã đóng: chỉ xem, không sửa được."))


def _require_edit(cohort: Cohort, by) -> None:
    require_open(cohort)
    if by is not None and not can_edit_cohort(by, cohort):
        raise CohortError(_("Bạn không có quyền sửa lớp này."))


def _parse_day(value, label) -> date:
    try:
        day = parse_date(value)
    except ValueError:
        raise CohortError(_("%(f)s '%(v)s' không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd).",
                            f=label, v=value)) from None
    if day is None:
        raise CohortError(_("Thiếu %(f)s.", f=label))
    return day


def trainer_choices(by) -> list[User]:
    """Active trainers the acting user may name on a cohort: those whose scope overlaps theirs."""
    users = db.session.scalars(select(User).where(User.role == "trainer", User.active.is_(True))
                               .order_by(User.full_name, User.username)).all()
    scope = scope_unit(by)
    if scope is None:
        return list(users)
    return [u for u in users if u.unit is None or u.unit.is_within(scope)
            or scope.is_within(u.unit)]


def course_choices() -> list[Course]:
    """Active courses, by title."""
    return list(db.session.scalars(select(Course).where(Course.active.is_(True))
                                   .order_by(Course.title)))


# --- cohort CRUD ------------------------------------------------------------------------------

@dataclass
class CohortSpec:
    """What a cohort form submits (dates as typed: dd/mm/yyyy or yyyy-mm-dd)."""

    course_id: int
    name: str
    host_unit_code: str
    starts_on: object
    ends_on: object
    trainer_ids: list[int]
    venue: str = ""
    mode: str = "in_person"
    capacity: int | None = None
    status: str = "planned"
    min_attendance_pct: int = 80
    require_final_test: bool = True


def _apply_spec(cohort: Cohort, spec: CohortSpec, by) -> None:
    course = db.session.get(Course, spec.course_id) if spec.course_id else None
    if course is None or (not course.active and course.id != cohort.course_id):
        raise CohortError(_("Hãy chọn khóa học."))  # the form offers active courses only
    name = clean(spec.name)
    if not name or len(name) > 300:
        raise CohortError(_("Tên lớp bắt buộc, tối đa 300 ký tự."))
    unit = lookup_unit(clean(spec.host_unit_code)) if spec.host_unit_code else None
    if unit is None or unit.system != CURRENT or unit.kind not in ("province", "commune"):
        raise CohortError(_("Không có tỉnh hoặc xã/phường/đặc khu mã '%(c)s'.",
                            c=spec.host_unit_code or ""))
    if by is not None and not unit_in_scope(by, unit):
        raise CohortError(_("Đơn vị %(u)s nằm ngoài phạm vi quản lý của bạn.", u=unit.name))
    starts_on = _parse_day(spec.starts_on, _l("ngày bắt đầu"))
    ends_on = _parse_day(spec.ends_on, _l("ngày kết thúc"))
    if ends_on < starts_on:
        raise CohortError(_("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."), "ends_on")
    _check_sessions_within(cohort, starts_on, ends_on)
    if spec.mode not in MODES:
        raise CohortError(_("Hình thức không hợp lệ."))
    if spec.status not in EDITABLE_STATUSES:
        raise CohortError(_("Trạng thái không hợp lệ (đóng lớp bằng nút Đóng lớp)."))
    if spec.capacity is not None and spec.capacity < 1:
        raise CohortError(_("Sĩ số tối đa phải từ 1 trở lên (để trống: không giới hạn)."))
    if not 0 <= int(spec.min_attendance_pct) <= 100:
        raise CohortError(_("Tỷ lệ dự tối thiểu phải từ 0 đến 100%."))
    trainer_ids = set(spec.trainer_ids or [])
    if by is not None and by.role == "trainer":
        trainer_ids.add(by.id)  # the trainer who opens a class runs it
    trainers = db.session.scalars(select(User).where(User.id.in_(trainer_ids))).all()
    if not trainers:
        raise CohortError(_("Lớp cần ít nhất một giảng viên."))
    # Trainers offered by the form (scopes overlapping the actor's), or already on the cohort.
    allowed = (None if by is None else {u.id for u in trainer_choices(by)}
               | {u.id for u in cohort.trainers})
    for user in trainers:
        if user.role != "trainer" or not user.active:
            raise CohortError(_("%(u)s không phải giảng viên đang hoạt động.", u=user.username))
        if allowed is not None and user.id not in allowed and user.id != by.id:
            raise CohortError(_("Giảng viên %(u)s nằm ngoài phạm vi quản lý của bạn.",
                                u=user.username))
    if cohort.id is not None and spec.capacity is not None:
        count = member_count(cohort)
        if spec.capacity < count:
            raise CohortError(_("Lớp đã có %(n)s học viên; sĩ số tối đa không được nhỏ hơn.",
                                n=count))
    cohort.course, cohort.name, cohort.host_unit = course, name, unit
    cohort.venue = clean(spec.venue)[:300]
    cohort.starts_on, cohort.ends_on = starts_on, ends_on
    cohort.mode, cohort.capacity, cohort.status = spec.mode, spec.capacity, spec.status
    cohort.min_attendance_pct = int(spec.min_attendance_pct)
    cohort.require_final_test = bool(spec.require_final_test)
    cohort.trainers = sorted(trainers, key=lambda u: u.id)


def _check_sessions_within(cohort: Cohort, starts_on: date, ends_on: date) -> None:
    """A cohort's dates must contain its sessions: new dates leaving one out are refused,
    naming the first such session, beside the date that excludes it."""
    for number, session in enumerate(cohort.sessions, 1):
        if starts_on <= session.date <= ends_on:
            continue
        raise CohortError(_(
            "Buổi %(i)s (%(d)s%(t)s) nằm ngoài thời gian %(a)s – %(b)s; hãy đổi ngày hoặc xóa "
            "buổi đó trước.", i=number, d=format_date(session.date),
            t=f", {session.topic}" if session.topic else "", a=format_date(starts_on),
            b=format_date(ends_on)), "starts_on" if session.date < starts_on else "ends_on")


def create_cohort(spec: CohortSpec, *, by) -> Cohort:
    """Open a cohort (lớp tập huấn).

    :param spec: the form's values
    :param by: the acting trainer (who becomes one of its trainers) or admin
    """
    cohort = Cohort(created_by_id=getattr(by, "id", None))
    _apply_spec(cohort, spec, by)
    db.session.add(cohort)
    db.session.flush()
    audit.record("cohort.create", actor=by, target=f"cohort {cohort.id}", name=cohort.name)
    return cohort


def update_cohort(cohort: Cohort, spec: CohortSpec, *, by) -> Cohort:
    """Edit an open cohort.

    :param cohort: the cohort (not closed)
    :param spec: the form's values
    :param by: the acting user
    """
    _require_edit(cohort, by)
    _apply_spec(cohort, spec, by)
    if by is not None and by.role == "trainer" and not runs_cohort(by, cohort):
        raise CohortError(_("Bạn không thể tự bỏ mình khỏi danh sách giảng viên."))
    db.session.flush()
    return cohort


def delete_cohort(cohort: Cohort, *, by) -> None:
    """Delete an open cohort with its members, sessions and attendance (enrolments stay).

    :param cohort: not closed, with no paper scores
    :param by: the acting user
    """
    _require_edit(cohort, by)
    if db.session.scalar(select(func.count()).select_from(PaperScore)
                         .where(PaperScore.cohort_id == cohort.id)):
        raise CohortError(_("Lớp đã có điểm bài kiểm tra giấy; không xóa được."))
    session_ids = select(CohortSession.id).where(CohortSession.cohort_id == cohort.id)
    db.session.execute(delete(Attendance).where(Attendance.session_id.in_(session_ids)))
    audit.record("cohort.delete", actor=by, target=f"cohort {cohort.id}", name=cohort.name)
    db.session.execute(update(Completion).where(Completion.cohort_id == cohort.id)
                       .values(cohort_id=None).execution_options(synchronize_session=False))
    db.session.delete(cohort)
    db.session.flush()


def visible_cohorts(user):
    """A select of the cohorts `user` may read: trainers their own, admins and viewers in scope.

    :param user: the reading user (trainees and anonymous users get nothing)
    """
    stmt = select(Cohort)
    if user.has_role("trainer"):
        return stmt.where(Cohort.id.in_(select(cohort_trainers.c.cohort_id)
                                        .where(cohort_trainers.c.user_id == user.id)))
    if not user.has_role("admin", "viewer"):
        return stmt.where(false())
    scope = scope_unit(user)
    if scope is not None:
        stmt = stmt.where(Cohort.host_unit_id.in_(
            select(Unit.id).where(Unit.path.startswith(scope.path, autoescape=True))))
    return stmt


# --- members ----------------------------------------------------------------------------------

def member_count(cohort: Cohort) -> int:
    """How many members the cohort has."""
    return db.session.scalar(select(func.count()).select_from(CohortMember)
                             .where(CohortMember.cohort_id == cohort.id))


def member_counts(cohort_ids: list[int]) -> dict[int, int]:
    """cohort id → member count, in one GROUP BY."""
    if not cohort_ids:
        return {}
    return dict(db.session.execute(
        select(CohortMember.cohort_id, func.count()).where(CohortMember.cohort_id.in_(cohort_ids))
        .group_by(CohortMember.cohort_id)).all())


def trained_for(course_id: int):
    """Select of person ids with a completion of the course (trained = has a Completion).

    :param course_id: the course
    """
    return select(Completion.person_id).where(Completion.course_id == course_id)


def candidates(cohort: Cohort, by, *, unit: Unit | None = None, position: str | None = None,
               untrained: bool = False, q: str = ""):
    """A select of roster people who could join: in scope, in post, not yet members.

    :param unit: only people of this unit's subtree
    :param position: only this position code
    :param untrained: only people without a completion of the cohort's course
    :param q: name search without diacritics, or an exact staff id
    """
    stmt = filter_persons(by, select(Person).join(Unit, Person.commune_id == Unit.id))
    stmt = stmt.where(_in_post(), Person.id.not_in(
        select(CohortMember.person_id).where(CohortMember.cohort_id == cohort.id)))
    if unit is not None:
        stmt = stmt.where(Unit.path.startswith(unit.path, autoescape=True))
    if position:
        stmt = stmt.where(Person.position == position)
    if untrained:
        stmt = stmt.where(Person.id.not_in(trained_for(cohort.course_id)))
    q = clean(q)
    if q:
        stmt = stmt.where(Person.name_search.contains(fold(q), autoescape=True)
                          | (Person.staff_id == q))
    return stmt.order_by(Unit.code, Person.name_search, Person.staff_id)


def _in_post():
    """People still in post today (no leaving date, or leaving later)."""
    return (Person.left_on.is_(None)) | (Person.left_on > today())


def _ensure_enrolment(person: Person, course: Course, by) -> Enrolment:
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.person_id == person.id, Enrolment.course_id == course.id))
    if enrolment is None:
        enrolment = Enrolment(person=person, course=course, enrolled_by_id=getattr(by, "id", None))
        db.session.add(enrolment)
        db.session.flush()
    return enrolment


def _check_capacity(cohort: Cohort, adding: int) -> None:
    if cohort.capacity is None or adding == 0:
        return
    have = member_count(cohort)
    if have + adding > cohort.capacity:
        raise CohortError(_(
            "Lớp chỉ nhận tối đa %(cap)s học viên; đã có %(have)s, thêm %(add)s người sẽ vượt "
            "%(over)s người. Chưa thêm ai.", cap=cohort.capacity, have=have, add=adding,
            over=have + adding - cohort.capacity))


def add_members(cohort: Cohort, person_ids, *, by) -> int:
    """Add roster people to the cohort, each with an enrolment in its course; all or nothing.

    People already in the cohort are skipped. Returns how many were added.

    :param person_ids: ids of roster people within the acting user's scope, still in post
    :param by: the acting user
    :raises CohortError: out of scope, unknown, or beyond capacity (nothing added)
    """
    _require_edit(cohort, by)
    wanted = {int(i) for i in person_ids}
    if not wanted:
        raise CohortError(_("Chưa chọn người nào."))
    allowed = db.session.scalars(candidates(cohort, by).where(Person.id.in_(wanted))).all()
    already = set(db.session.scalars(select(CohortMember.person_id).where(
        CohortMember.cohort_id == cohort.id, CohortMember.person_id.in_(wanted))))
    missing = wanted - already - {p.id for p in allowed}
    if missing:
        raise CohortError(_("%(n)s người không có trong danh sách nhân sự bạn quản lý (hoặc đã "
                            "nghỉ). Chưa thêm ai.", n=len(missing)))
    _check_capacity(cohort, len(allowed))
    for person in allowed:
        enrolment = _ensure_enrolment(person, cohort.course, by)
        db.session.add(CohortMember(cohort=cohort, person=person, enrolment_id=enrolment.id))
    db.session.flush()
    return len(allowed)


def add_members_from_file(cohort: Cohort, data: bytes, filename: str, *, by) -> tuple[int, int]:
    """Add the people listed by staff id (`ma_nhan_su|staff_id`) in a CSV/XLSX file.

    Every row is checked first; any bad row writes nothing. Returns (added, already members).

    :raises ImportFailed: every error as `row N, column X: reason`
    :raises CohortError: beyond capacity (nothing added)
    """
    _require_edit(cohort, by)
    table = read_table(data, filename, MEMBER_COLUMNS)
    header = table.headers["staff_id"]
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    for number, row in table.rows:
        staff_id = normalise_id(clean(str(row["staff_id"])))
        if not staff_id:
            errors.append(RowError(number, header, _("thiếu mã nhân sự")))
        elif staff_id in first_row:
            errors.append(RowError(number, header, _("mã nhân sự %(s)s trùng với dòng %(r)s",
                                                     s=staff_id, r=first_row[staff_id])))
        else:
            first_row[staff_id] = number
    if not table.rows:
        errors.append(RowError(None, None, _("tệp không có dòng dữ liệu nào")))
    people = {p.staff_id: p for p in db.session.scalars(
        select(Person).where(Person.staff_id.in_(list(first_row))))} if first_row else {}
    in_scope = set(db.session.scalars(filter_persons(by, select(Person.id)).where(
        Person.id.in_([p.id for p in people.values()])))) if people else set()
    members = set(db.session.scalars(select(CohortMember.person_id).where(
        CohortMember.cohort_id == cohort.id)))
    to_add, already = [], 0
    for staff_id, number in first_row.items():
        person = people.get(staff_id)
        if person is None:
            errors.append(RowError(number, header, _("không có mã nhân sự %(s)s trong danh sách",
                                                     s=staff_id)))
        elif person.id not in in_scope:
            errors.append(RowError(number, header, _(
                "nhân sự %(s)s thuộc đơn vị ngoài phạm vi quản lý của bạn", s=staff_id)))
        elif person.left_on is not None and person.left_on <= today():
            errors.append(RowError(number, header, _("nhân sự %(s)s đã nghỉ từ %(d)s",
                                                     s=staff_id, d=format_date(person.left_on))))
        elif person.id in members:
            already += 1
        else:
            to_add.append(person.id)
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: (e.row or 0)))
    added = add_members(cohort, to_add, by=by) if to_add else 0
    audit.record("cohort.members_import", actor=by, target=filename, cohort=cohort.id,
                 added=added, already=already)
    return added, already


def remove_member(member: CohortMember, *, by) -> None:
    """Remove a member (and their attendance) before the cohort closes; the enrolment stays.

    :param member: a member of an open cohort
    :param by: the acting user
    """
    _require_edit(member.cohort, by)
    db.session.execute(delete(Attendance).where(Attendance.member_id == member.id))
    member.cohort.members.remove(member)
    db.session.flush()


# --- sessions and attendance ------------------------------------------------------------------

def _parse_time(value, label) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    text = clean(str(value)).replace("h", ":").replace(".", ":")
    parts = text.split(":")
    try:
        hour, minute = int_arg(parts[0]), int_arg(parts[1] or 0) if len(parts) > 1 else 0
        return time(hour, minute)
    except (ValueError, IndexError):
        raise CohortError(_("%(f)s '%(v)s' không hợp lệ (hh:mm).", f=label, v=value)) from None


def save_session(cohort: Cohort, *, by, day, start=None, end=None, topic: str = "",
                 session: CohortSession | None = None) -> CohortSession:
    """Create or edit a session (buổi) within the cohort's dates.

    :param day: dd/mm/yyyy or yyyy-mm-dd
    :param start: start time hh:mm (optional)
    :param end: end time hh:mm (optional, after start)
    :param session: the session to edit, or None for a new one
    """
    _require_edit(cohort, by)
    on = _parse_day(day, _l("ngày học"))
    if not cohort.starts_on <= on <= cohort.ends_on:
        raise CohortError(_("Ngày học phải nằm trong thời gian của lớp (%(a)s – %(b)s).",
                            a=format_date(cohort.starts_on), b=format_date(cohort.ends_on)),
                          "date")
    start_t, end_t = _parse_time(start, _l("giờ bắt đầu")), _parse_time(end, _l("giờ kết thúc"))
    if start_t and end_t and end_t <= start_t:
        raise CohortError(_("Giờ kết thúc phải sau giờ bắt đầu."))
    if session is None:
        session = CohortSession(cohort=cohort)
        db.session.add(session)
    session.date, session.start_time, session.end_time = on, start_t, end_t
    session.topic = clean(topic)[:300]
    db.session.flush()
    return session


def delete_session(session: CohortSession, *, by) -> None:
    """Delete a session and its attendance (open cohorts only)."""
    _require_edit(session.cohort, by)
    db.session.execute(delete(Attendance).where(Attendance.session_id == session.id))
    session.cohort.sessions.remove(session)
    db.session.flush()


def session_started(session: CohortSession, now: datetime | None = None) -> bool:
    """The session has begun: its day has come and, when it has a start time, that time too.
    Attendance is taken only then.

    :param now: local wall-clock time (default: now in the configured zone)
    """
    now = now or datetime.now(zone()).replace(tzinfo=None)
    return datetime.combine(session.date, session.start_time or time()) <= now


def attendance_refusal(session: CohortSession, now: datetime | None = None) -> str | None:
    """Why attendance cannot be taken for the session yet (None once it has started)."""
    if session_started(session, now):
        return None
    if session.start_time is None:
        return _("Buổi học ngày %(d)s chưa diễn ra; chỉ điểm danh được từ ngày đó.",
                 d=format_date(session.date))
    return _("Buổi học bắt đầu lúc %(t)s ngày %(d)s; chỉ điểm danh được từ lúc đó.",
             t=f"{session.start_time:%H:%M}", d=format_date(session.date))


def attendance_map(session: CohortSession) -> dict[int, str]:
    """member id → recorded status for one session."""
    return dict(db.session.execute(select(Attendance.member_id, Attendance.status)
                                   .where(Attendance.session_id == session.id)).all())


def record_attendance(session: CohortSession, statuses: dict[int, str], *, by) -> int:
    """Save every member's attendance for a session (present / absent / excused).

    :param statuses: member id → status; every member of the cohort must be given
    :returns: how many rows changed
    """
    cohort = session.cohort
    _require_edit(cohort, by)
    refusal = attendance_refusal(session)
    if refusal:
        raise CohortError(refusal)
    member_ids = set(db.session.scalars(select(CohortMember.id)
                                        .where(CohortMember.cohort_id == cohort.id)))
    unknown = set(statuses) - member_ids
    if unknown:
        raise CohortError(_("Có học viên không thuộc lớp này."))
    if member_ids - set(statuses):
        raise CohortError(_("Hãy chọn tình trạng cho mọi học viên."))
    if any(s not in ATTENDANCE for s in statuses.values()):
        raise CohortError(_("Tình trạng điểm danh không hợp lệ."))
    current = attendance_map(session)
    if cohort.status == "planned":
        cohort.status = "running"  # the first attendance means the class has started
    changed = 0
    for member_id, status in statuses.items():
        if current.get(member_id) == status:
            continue
        changed += 1
        if member_id in current:
            db.session.execute(update(Attendance).where(
                Attendance.session_id == session.id, Attendance.member_id == member_id)
                .values(status=status))
        else:
            db.session.add(Attendance(session_id=session.id, member_id=member_id, status=status))
    db.session.flush()
    return changed


# --- results: attendance and scores in SQL ----------------------------------------------------

def _online_attempts(cohort: Cohort):
    """Select (person_id) of submitted online attempts for the cohort's course, with the model."""
    stmt = select(Attempt.person_id.label("person_id")).where(
        Attempt.course_id == cohort.course_id, Attempt.submitted_at.is_not(None))
    return stmt, Attempt


def _attempt_final_passed(cohort: Cohort):
    """Select of person ids with a passed online final attempt."""
    stmt, attempt = _online_attempts(cohort)
    return stmt.where(attempt.kind == "final", attempt.passed.is_(True))


def member_scores(cohort: Cohort):
    """Subquery (person_id, pre, post) per member: the paper score of this cohort, else the best
    online pre-test / final-test score of the course."""
    paper = and_(PaperScore.person_id == CohortMember.person_id,
                 PaperScore.cohort_id == cohort.id, PaperScore.course_id == cohort.course_id)
    pre, post = PaperScore.pre_score, PaperScore.post_score
    stmt = (select(CohortMember.person_id.label("person_id"))
            .outerjoin(PaperScore, paper).where(CohortMember.cohort_id == cohort.id))
    attempts, attempt = _online_attempts(cohort)
    best = (attempts.add_columns(
        func.max(case((attempt.kind == "pretest", attempt.score))).label("pre"),
        func.max(case((attempt.kind == "final", attempt.score))).label("post"))
        .group_by(attempts.selected_columns.person_id).subquery())
    stmt = stmt.outerjoin(best, best.c.person_id == CohortMember.person_id)
    pre, post = func.coalesce(pre, best.c.pre), func.coalesce(post, best.c.post)
    return stmt.add_columns(pre.label("pre"), post.label("post")).subquery()


def final_passed_ids(cohort: Cohort):
    """Select of person ids who passed the final test for this cohort's course: a paper
    post-test ≥ pass mark in this cohort, or a passed online final attempt."""
    paper = (select(PaperScore.person_id).where(
        PaperScore.cohort_id == cohort.id, PaperScore.course_id == cohort.course_id,
        PaperScore.post_score >= cohort.course.pass_mark))
    return paper.union(_attempt_final_passed(cohort))


@dataclass
class MemberResult:
    """One member's attendance, scores and completion verdict."""

    member: CohortMember
    person: Person
    present: int
    absent: int
    excused: int
    sessions: int
    pre: float | None
    post: float | None
    final_passed: bool
    completes: bool
    reasons: list

    @property
    def reason(self) -> str | None:
        """Why not completed, in the reader's language (None when completed)."""
        return reasons.render(self.reasons) or None

    @property
    def counted(self) -> int:
        """Sessions that count toward attendance (excused ones left out)."""
        return self.sessions - self.excused

    @property
    def attendance_pct(self) -> int | None:
        """Attended share of counted sessions, rounded down (None when nothing counts)."""
        return self.present * 100 // self.counted if self.counted else None


reasons.define({
    "no_sessions": _l("lớp chưa có buổi học nào được ghi"),
    "absent_all": _l("không dự buổi nào"),
    "excused_all": _l("vắng có phép cả %(n)s buổi"),
    "attendance_low": _l("dự %(p)s/%(c)s buổi (%(r)s%%) < %(m)s%%"),
    "attendance_low_excused": _l(
        "dự %(p)s/%(c)s buổi (%(r)s%%) < %(m)s%% (%(e)s buổi vắng có phép không tính)"),
    "final_not_passed": _l("chưa đạt bài kiểm tra cuối"),
    # A certificate's revocation when its cohort closes again: `r` holds the member's reasons.
    "cohort_reclosed": _l("Lớp %(c)s được đóng lại; người này không còn đạt: %(r)s"),
    # … and when an admin corrects the outcome: `r` is the admin's reason as typed.
    "outcome_corrected": _l("Điều chỉnh kết quả lớp: %(r)s"),
})


def _verdict(cohort: Cohort, present: int, excused: int, sessions: int, final_passed: bool,
             need_final: bool) -> tuple[bool, list]:
    """(completes, the coded reasons why not: see lms/core/reasons.py)."""
    found = []
    pct = cohort.min_attendance_pct
    if pct > 0:
        counted = sessions - excused
        if sessions == 0:
            found.append(reasons.reason("no_sessions"))
        elif present == 0:
            found.append(reasons.reason("absent_all") if counted else
                         reasons.reason("excused_all", n=sessions))
        elif present * 100 < pct * counted:
            figures = {"p": present, "c": counted, "r": present * 100 // counted, "m": pct}
            found.append(reasons.reason("attendance_low_excused", e=excused, **figures)
                         if excused else reasons.reason("attendance_low", **figures))
    if need_final and not final_passed:
        found.append(reasons.reason("final_not_passed"))
    return (not found), found


def member_results(cohort: Cohort) -> list[MemberResult]:
    """Every member's attendance counts, scores and verdict, by name (SQL aggregates)."""
    sessions = db.session.scalar(select(func.count()).select_from(CohortSession)
                                 .where(CohortSession.cohort_id == cohort.id))
    counts = (select(Attendance.member_id,
                     func.sum(case((Attendance.status == "present", 1), else_=0)).label("p"),
                     func.sum(case((Attendance.status == "absent", 1), else_=0)).label("a"),
                     func.sum(case((Attendance.status == "excused", 1), else_=0)).label("e"))
              .join(CohortSession, CohortSession.id == Attendance.session_id)
              .where(CohortSession.cohort_id == cohort.id)
              .group_by(Attendance.member_id).subquery())
    passed = final_passed_ids(cohort).subquery()
    scores = member_scores(cohort)
    rows = db.session.execute(
        select(CohortMember, Person, counts.c.p, counts.c.a, counts.c.e,
               scores.c.pre, scores.c.post,
               exists().where(passed.c[0] == Person.id).label("final_passed"))
        .join(Person, Person.id == CohortMember.person_id)
        .outerjoin(counts, counts.c.member_id == CohortMember.id)
        .outerjoin(scores, scores.c.person_id == Person.id)
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(Person.name_search, Person.staff_id)).all()
    need_final = final_test_required(cohort)
    results = []
    for member, person, p, a, e, pre, post, final_ok in rows:
        present, excused = int(p or 0), int(e or 0)
        completes, why = _verdict(cohort, present, excused, sessions, bool(final_ok),
                                  need_final)
        results.append(MemberResult(member, person, present, int(a or 0), excused, sessions,
                                    pre, post, bool(final_ok), completes, why))
    return results


@dataclass
class CohortStats:
    """The cohort dashboard's figures."""

    members: int
    sessions: int
    present: int
    excused: int
    attendance_rate: float | None
    pre_mean: float | None
    post_mean: float | None
    pre_n: int
    post_n: int
    gain: float | None
    gain_n: int
    completed: int


def cohort_stats(cohort: Cohort) -> CohortStats:
    """Members, attendance rate (present / expected, excused left out), pre/post means and
    paired gain (paper scores, else online attempts), completions — all SQL aggregates."""
    members = member_count(cohort)
    sessions = db.session.scalar(select(func.count()).select_from(CohortSession)
                                 .where(CohortSession.cohort_id == cohort.id))
    present, excused = db.session.execute(
        select(func.coalesce(func.sum(case((Attendance.status == "present", 1), else_=0)), 0),
               func.coalesce(func.sum(case((Attendance.status == "excused", 1), else_=0)), 0))
        .join(CohortSession, CohortSession.id == Attendance.session_id)
        .where(CohortSession.cohort_id == cohort.id)).one()
    expected = members * sessions - int(excused)
    per_member = member_scores(cohort)
    pre, post = per_member.c.pre, per_member.c.post
    scores = db.session.execute(
        select(func.avg(pre), func.avg(post), func.count(pre), func.count(post),
               func.avg(case((pre.is_not(None), post - pre))),
               func.count(case((pre.is_not(None), post))))).one()
    completed = db.session.scalar(select(func.count()).select_from(CohortMember).where(
        CohortMember.cohort_id == cohort.id, CohortMember.completed.is_(True)))
    return CohortStats(
        members=members, sessions=sessions, present=int(present), excused=int(excused),
        attendance_rate=(int(present) / expected) if expected > 0 else None,
        pre_mean=_float(scores[0]), post_mean=_float(scores[1]), pre_n=scores[2],
        post_n=scores[3], gain=_float(scores[4]), gain_n=scores[5], completed=completed)


def _float(value) -> float | None:
    return None if value is None else float(value)


# --- closing and corrections ------------------------------------------------------------------

def _withdraw_completion(cohort: Cohort, member: CohortMember, reason: str, by) -> None:
    """Withdraw the completion this cohort recorded for a member: its certificate, if any, is
    revoked with `reason` (its verification page then says so), then the completion goes."""
    completions = db.session.scalars(select(Completion).where(
        Completion.person_id == member.person_id, Completion.course_id == cohort.course_id,
        Completion.source == "cohort", Completion.note == _completion_note(cohort))).all()
    for completion in completions:
        live = certificates.live_certificate(completion)
        if live is not None:
            certificates.revoke(live, reason, by=by)
        certificates.release_completion(completion, by=by)
        db.session.delete(completion)
    db.session.flush()
    enrolment = db.session.get(Enrolment, member.enrolment_id) if member.enrolment_id else None
    if enrolment is not None and enrolment.status == "completed":
        enrolment.status, enrolment.completed_on = "active", None


def _complete(cohort: Cohort, member: CohortMember, by) -> None:
    enrolment = db.session.get(Enrolment, member.enrolment_id) if member.enrolment_id else None
    record_completion(member.person, cohort.course, cohort.ends_on, "cohort", by=by,
                      enrolment=enrolment, note=_completion_note(cohort), cohort=cohort)
    if enrolment is not None and enrolment.status != "completed":
        enrolment.status, enrolment.completed_on = "completed", cohort.ends_on


def close_refusal(cohort: Cohort, by=None) -> str | None:
    """Why the cohort cannot be closed now, or None when `close_cohort` would accept: the one
    rule behind the cohort page's "Đóng lớp" button and the service.

    :param by: the acting user (None: the command line, no permission check)
    """
    if cohort.status == "closed":
        return _("Lớp đã đóng: chỉ xem, không sửa được.")
    if by is not None and not can_edit_cohort(by, cohort):
        return _("Bạn không có quyền sửa lớp này.")
    if cohort.ends_on > today():
        return _("Lớp kết thúc ngày %(d)s; chỉ đóng lớp từ ngày đó (hoặc sửa ngày kết thúc).",
                 d=format_date(cohort.ends_on))
    if not member_count(cohort):
        return _("Lớp chưa có học viên nào.")
    return None


def close_cohort(cohort: Cohort, *, by) -> list[MemberResult]:
    """Close the cohort in one step: record each member's outcome, record completions dated the
    cohort's end date for completers, and mark it closed (read-only from then on).

    :param cohort: an open cohort whose end date has come, with members
    :param by: the acting trainer or admin
    :returns: the results as recorded
    """
    refusal = close_refusal(cohort, by)
    if refusal:
        raise CohortError(refusal)
    results = member_results(cohort)
    # One conditional UPDATE: a double submit (two tabs, double click) closes once.
    closed = db.session.execute(
        update(Cohort).where(Cohort.id == cohort.id, Cohort.status != "closed")
        .values(status="closed", closed_at=utcnow(), closed_by_id=getattr(by, "id", None),
                join_code=None)
        .execution_options(synchronize_session=False))
    if closed.rowcount != 1:
        raise CohortError(_("Lớp đã được đóng."))
    db.session.refresh(cohort)
    for result in results:
        result.member.completed = result.completes
        result.member.outcome_reason = reasons.encode(result.reasons)
        if result.completes:
            _complete(cohort, result.member, by)
        else:
            _withdraw_completion(cohort, result.member, reasons.encode([reasons.reason(
                "cohort_reclosed", c=cohort.name[:120], r=result.reasons)]), by)
    audit.record("cohort.close", actor=by, target=f"cohort {cohort.id}",
                 completed=sum(r.completes for r in results), members=len(results))
    db.session.flush()
    return results


def correct_outcome(member: CohortMember, completed: bool, reason: str, *, by) -> None:
    """An admin's correction of one member's outcome in a closed cohort (audited).

    :param member: a member of a closed cohort
    :param completed: the corrected outcome
    :param reason: why (required; kept in the audit log and as the member's reason)
    :param by: an admin within scope
    """
    cohort = member.cohort
    if not can_correct_cohort(by, cohort):
        raise CohortError(_("Chỉ quản trị viên sửa được kết quả của lớp đã đóng."))
    reason = clean(reason)
    if not reason:
        raise CohortError(_("Hãy ghi lý do điều chỉnh."))
    old = member.completed
    if completed:
        _complete(cohort, member, by)
    else:
        _withdraw_completion(cohort, member, reasons.encode(
            [reasons.reason("outcome_corrected", r=reason[:300])]), by)
    member.completed = completed
    member.outcome_reason = None if completed else reason[:300]
    audit.record("cohort.outcome_correct", actor=by, target=f"cohort {cohort.id}",
                 staff_id=member.person.staff_id, old=old, new=completed, reason=reason)
    db.session.flush()


def reopen_cohort(cohort: Cohort, reason: str, *, by) -> None:
    """An admin reopens a closed cohort (audited); recorded completions stay until it closes
    again, when non-completers' completions from this cohort are withdrawn.

    :param reason: why (required)
    :param by: an admin within scope
    """
    if not can_correct_cohort(by, cohort):
        raise CohortError(_("Chỉ quản trị viên mở lại được lớp đã đóng."))
    reason = clean(reason)
    if not reason:
        raise CohortError(_("Hãy ghi lý do mở lại lớp."))
    cohort.status, cohort.closed_at, cohort.closed_by_id = "running", None, None
    audit.record("cohort.reopen", actor=by, target=f"cohort {cohort.id}", reason=reason)
    db.session.flush()


# --- exports ----------------------------------------------------------------------------------

STATUS_LABELS = {"present": "có mặt", "absent": "vắng", "excused": "vắng có phép"}


def export_rows(cohort: Cohort) -> tuple[list[str], list[list]]:
    """Header and rows: member, attendance per session, scores and outcome."""
    sessions = list(cohort.sessions)
    grid: dict[tuple[int, int], str] = {
        (m, s): st for m, s, st in db.session.execute(
            select(Attendance.member_id, Attendance.session_id, Attendance.status)
            .join(CohortSession, CohortSession.id == Attendance.session_id)
            .where(CohortSession.cohort_id == cohort.id))}
    headers = ["ma_nhan_su", "ho_ten", "chuc_danh", "don_vi"]
    headers += [f"buoi_{i} ({format_date(s.date)})" for i, s in enumerate(sessions, 1)]
    headers += ["so_buoi_co_mat", "ty_le_du", "diem_truoc", "diem_sau", "ket_qua", "ly_do"]
    rows = []
    for r in member_results(cohort):
        row = [r.person.staff_id, r.person.full_name, position_label(r.person.position),
               r.person.commune.name]
        row += [STATUS_LABELS.get(grid.get((r.member.id, s.id)), "") for s in sessions]
        outcome = ("" if r.member.completed is None else
                   "hoàn thành" if r.member.completed else "không hoàn thành")
        row += [r.present, "" if r.attendance_pct is None else f"{r.attendance_pct}%",
                "" if r.pre is None else r.pre, "" if r.post is None else r.post, outcome,
                reasons.render(r.member.outcome_reason)]
        rows.append(row)
    return headers, rows


def export_csv(cohort: Cohort, *, by) -> bytes:
    """The cohort's members, attendance, scores and outcome as CSV (UTF-8 BOM; audited)."""
    headers, rows = export_rows(cohort)
    audit.record("cohort.export", actor=by, target=f"cohort {cohort.id}", format="csv",
                 rows=len(rows))
    return write_csv(headers, rows)


def export_xlsx(cohort: Cohort, *, by) -> bytes:
    """The same as XLSX: header frozen and bold, column widths set (audited)."""
    headers, rows = export_rows(cohort)
    data = write_xlsx(headers, rows, "Lớp tập huấn")
    audit.record("cohort.export", actor=by, target=f"cohort {cohort.id}", format="xlsx",
                 rows=len(rows))
    return data
