"""Demo data: Quảng Ninh (code 22) with its real communes, a few hundred roster people, one
account per role. Idempotent: running it again changes nothing."""

import random
from datetime import date, timedelta

from sqlalchemy import select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.assessments.models import PaperScore
from lms.certificates import services as certificates
from lms.cohorts import services as cohorts
from lms.cohorts.models import Cohort, CohortMember
from lms.core.models import get_setting
from lms.core.tabular import write_csv
from lms.core.timeutil import today
from lms.courses import services as courses
from lms.courses.models import Course, LessonProgress
from lms.extensions import db
from lms.reports.records import import_records
from lms.units import services as units
from lms.units.models import CURRENT, Person, Unit
from lms.units.positions import POSITIONS

PROVINCE_CODE = "22"
DEMO_PASSWORD = "taphuan-demo"  # noqa: S105 — printed by `lms demo`, for demo data only
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý", "Triệu", "Đinh"]
MIDDLE = {"male": ["Văn", "Đức", "Minh", "Quang", "Hữu"], "female": ["Thị", "Thu", "Ngọc",
                                                                  "Thanh", "Kim"]}
GIVEN = {"male": ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam",
                  "Phong", "Quân", "Sơn", "Thắng", "Tuấn", "Việt"],
         "female": ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hường", "Lan", "Linh",
                    "Mai", "Nga", "Phương", "Thảo", "Trang", "Yến"]}
ETHNICITIES = ["Kinh"] * 8 + ["Dao", "Tày", "Sán Dìu", "Sán Chỉ", "Hoa"]
PEOPLE_PER_COMMUNE = 6


def demo_roster_csv() -> bytes:
    """A deterministic roster for Quảng Ninh's communes, in the import format."""
    rng = random.Random(22)  # fixed seed: the same people every run
    province = units.lookup_unit(PROVINCE_CODE, "province")
    communes = db.session.scalars(select(Unit).where(
        Unit.system == CURRENT, Unit.parent_id == province.id).order_by(Unit.code)).all()
    rows, n = [], 0
    positions = list(POSITIONS)
    for commune in communes:
        for _ in range(PEOPLE_PER_COMMUNE):
            n += 1
            gender = rng.choice(["male", "female"])
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
            rows.append([f"QN{n:05d}", name, "Nam" if gender == "male" else "Nữ",
                         rng.randint(1965, 2000), rng.choice(positions), commune.code,
                         f"09{rng.randint(10_000_000, 99_999_999)}", rng.choice(ETHNICITIES),
                         "không" if n % 25 == 0 else "có", ""])
    return write_csv(units.EXPORT_HEADERS, rows)


def _ensure_user(username: str, role: str, full_name: str, unit=None, person=None) -> None:
    if db.session.scalar(select(User.id).where(User.username == username)):
        return
    accounts.create_user(username, role, DEMO_PASSWORD, full_name=full_name, unit=unit,
                         person=person)


def create_demo() -> list[tuple[str, str, str]]:
    """Create (or leave as is) the demo data; returns (role, username, password) rows."""
    if units.lookup_unit(PROVINCE_CODE, "province") is None:
        units.load_current_units()
    # the demo roster is the initial one: present since the start of records, so its past
    # completions count against it
    units.import_roster(demo_roster_csv(), "demo.csv", initial=True)
    province = units.lookup_unit(PROVINCE_CODE, "province")
    trainee_person = db.session.scalar(select(Person).where(Person.staff_id == "QN00001"))
    _ensure_user("admin", "admin", "Quản trị hệ thống")
    _ensure_user("trainer", "trainer", "Giảng viên Trần Thu Hà", unit=province)
    _ensure_user("viewer", "viewer", "Cán bộ theo dõi tỉnh Quảng Ninh", unit=province)
    _ensure_user("trainee", "trainee", trainee_person.full_name, unit=trainee_person.commune,
                 person=trainee_person)
    db.session.flush()
    create_demo_enrolments()
    create_demo_cohorts()
    create_assessment_demo()
    create_certificates_demo()
    create_demo_records()
    return [(role, role, DEMO_PASSWORD) for role in ("admin", "trainer", "viewer", "trainee")]


def create_demo_enrolments() -> None:
    """Enrol the demo trainee (QN00001) in the first two loaded courses, with the first lesson
    of the first one and two lessons of the second done (idempotent; nothing without courses)."""
    person = db.session.scalar(select(Person).where(Person.staff_id == "QN00001"))
    trainee = db.session.scalar(select(User).where(User.username == "trainee"))
    active = db.session.scalars(select(Course).where(Course.active.is_(True))
                                .order_by(Course.slug).limit(2)).all()
    for done, course in enumerate(active, start=1):
        enrolment, created = courses.enrol(person, course, by=trainee)
        if not created:
            continue
        for lesson in course.active_lessons[:done]:
            db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id))
            enrolment.last_lesson_id = lesson.id
        db.session.flush()
        courses.check_completion(enrolment, by=trainee)


# --- cohorts room -----------------------------------------------------------------------------

DEMO_COHORTS = ("Lớp tập huấn mẫu đợt 1 (đã đóng)", "Lớp tập huấn mẫu đợt 2")


def create_demo_cohorts() -> None:
    """A closed and a running cohort in Quảng Ninh run by the demo trainer: demo-roster members,
    two sessions with attendance, paper scores. Skipped until a course is loaded; idempotent."""
    course = db.session.scalar(select(Course).where(Course.active.is_(True)).order_by(Course.id))
    trainer = db.session.scalar(select(User).where(User.username == "trainer"))
    if course is None or trainer is None:
        return
    if db.session.scalar(select(Cohort.id).where(Cohort.name.in_(DEMO_COHORTS))):
        return
    people = db.session.scalars(select(Person).where(Person.staff_id.like("QN%"))
                                .order_by(Person.staff_id).limit(24)).all()
    if len(people) < 24:
        return
    rng = random.Random(5)  # fixed seed: the same attendance and scores every run
    start = today()
    plans = [(DEMO_COHORTS[0], start - timedelta(days=60), people[:14], True),
             (DEMO_COHORTS[1], start - timedelta(days=1), people[14:], False)]
    for name, begins, members, close in plans:
        cohort = cohorts.create_cohort(cohorts.CohortSpec(
            course_id=course.id, name=name, host_unit_code=members[0].commune.code,
            venue=f"Hội trường UBND {members[0].commune.name}", starts_on=begins,
            ends_on=begins + timedelta(days=2), trainer_ids=[trainer.id], capacity=40,
            status="running"), by=trainer)
        cohorts.add_members(cohort, [p.id for p in members], by=trainer)
        topics = ["Nhận diện mua bán người", "Tiếp nhận và hỗ trợ nạn nhân"]
        for offset, topic in enumerate(topics):
            session = cohorts.save_session(cohort, by=trainer,
                                           day=begins + timedelta(days=offset),
                                           start="08:00", end="11:30", topic=topic)
            statuses = {m.id: rng.choices(["present", "absent", "excused"], [8, 1, 1])[0]
                        for m in cohort.members}
            if cohorts.session_started(session):  # today's, before 08:00, is taken later
                cohorts.record_attendance(session, statuses, by=trainer)
        for member in cohort.members:
            pre = rng.randint(30, 70)
            db.session.add(PaperScore(
                person_id=member.person_id, course_id=course.id, cohort_id=cohort.id,
                pre_score=pre, post_score=min(100, pre + rng.randint(0, 45)) if close else None,
                entered_by_id=trainer.id))
        db.session.flush()
        if close:
            cohorts.close_cohort(cohort, by=trainer)


# --- assessments ----------------------------------------------------------------------------

def create_assessment_demo() -> None:
    """A few paper pre/post scores for the first Quảng Ninh cohort that has members and none
    yet (skipped when no cohort exists); the demo trainee needs nothing."""
    province = units.lookup_unit(PROVINCE_CODE, "province")
    subtree = select(Unit.id).where(Unit.path.startswith(province.path, autoescape=True))
    cohorts = db.session.scalars(select(Cohort).where(Cohort.host_unit_id.in_(subtree))
                                 .order_by(Cohort.id)).all()
    for cohort in cohorts:
        if db.session.scalar(select(PaperScore.id).where(PaperScore.cohort_id == cohort.id)):
            return
        members = db.session.scalars(select(CohortMember).where(
            CohortMember.cohort_id == cohort.id).order_by(CohortMember.id).limit(5)).all()
        if not members:
            continue
        rng = random.Random(cohort.id)  # the same scores every run
        for member in members:
            pre = rng.randint(3, 6) * 10
            db.session.add(PaperScore(person_id=member.person_id, course_id=cohort.course_id,
                                      cohort_id=cohort.id, pre_score=pre,
                                      post_score=min(100, pre + rng.randint(2, 4) * 10)))
        db.session.flush()
        return


# --- certificates ----------------------------------------------------------------------------

DEMO_ISSUER = {"agency": "Sở Y tế", "parent_agency": "Ủy ban nhân dân tỉnh Quảng Ninh",
               "place": "Quảng Ninh", "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
               "signer_name": "Nguyễn Văn Phong", "issuer_code": "22"}


def create_certificates_demo() -> int:
    """Set a Quảng Ninh issuer (when none is set) and issue certificates for demo online and
    cohort completions that have none yet (idempotent); returns how many were issued."""
    if not get_setting(certificates.ISSUER_KEY):
        certificates.save_issuer_settings(DEMO_ISSUER)
    return certificates.issue_missing()


# --- reports room: historical training records ------------------------------------------------

def demo_records_csv() -> bytes | None:
    """Historical completions for the demo roster, in the records import format: a third of
    Quảng Ninh's communes fully trained, a third about half, a third not at all. Dates are fixed
    (those still in the future are left out), so re-running adds nothing twice. None when no
    loaded course counts toward the target."""
    courses = db.session.scalars(select(Course.slug).where(
        Course.counts_toward_target.is_(True), Course.active.is_(True)).order_by(Course.id)).all()
    if not courses:
        return None
    province = units.lookup_unit(PROVINCE_CODE, "province")
    communes = db.session.scalars(select(Unit.id).where(
        Unit.system == CURRENT, Unit.parent_id == province.id).order_by(Unit.code)).all()
    rng = random.Random(7)  # fixed seed: the same records every run
    first, latest = date(2025, 1, 6), today()
    rows = []
    for index, commune_id in enumerate(communes):
        share = (1.0, 0.5, 0.0)[index % 3]
        staff = db.session.scalars(select(Person.staff_id).where(
            Person.commune_id == commune_id).order_by(Person.staff_id)).all()
        for number, staff_id in enumerate(staff):
            if number >= round(len(staff) * share):
                break
            on = first + timedelta(days=rng.randrange(540))
            course = courses[rng.randrange(len(courses))]
            if on <= latest:
                rows.append([staff_id, course, on.isoformat(), "Dữ liệu minh họa"])
    return write_csv(["ma_nhan_su", "ma_khoa_hoc", "ngay_hoan_thanh", "ghi_chu"], rows)


def create_demo_records() -> None:
    """Import the demo's historical completions (idempotent; skipped without courses)."""
    data = demo_records_csv()
    if data is not None:
        import_records(data, "demo-records.csv")
