"""Demo data: Quảng Ninh (code 22) with its real communes, a few hundred roster people, one
account per role. Idempotent: running it again changes nothing."""

import random

from sqlalchemy import select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.core.tabular import write_csv
from lms.extensions import db
from lms.units import services as units
from lms.units.models import CURRENT, Person, Unit
from lms.units.positions import POSITIONS

PROVINCE_CODE = "22"
DEMO_PASSWORD = "taphuan-demo"
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
    units.import_roster(demo_roster_csv(), "demo.csv")
    province = units.lookup_unit(PROVINCE_CODE, "province")
    trainee_person = db.session.scalar(select(Person).where(Person.staff_id == "QN00001"))
    _ensure_user("admin", "admin", "Quản trị hệ thống")
    _ensure_user("trainer", "trainer", "Giảng viên Trần Thu Hà", unit=province)
    _ensure_user("viewer", "viewer", "Cán bộ theo dõi tỉnh Quảng Ninh", unit=province)
    _ensure_user("trainee", "trainee", trainee_person.full_name, unit=trainee_person.commune,
                 person=trainee_person)
    db.session.flush()
    create_demo_records()
    return [(role, role, DEMO_PASSWORD) for role in ("admin", "trainer", "viewer", "trainee")]


# --- reports room: historical training records ------------------------------------------------

def demo_records_csv() -> bytes | None:
    """Historical completions for the demo roster, in the records import format: a third of
    Quảng Ninh's communes fully trained, a third about half, a third not at all. Dates are fixed
    (those still in the future are left out), so re-running adds nothing twice. None when no
    loaded course counts toward the target."""
    from datetime import date, timedelta

    from lms.core.timeutil import today
    from lms.courses.models import Course

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
    from lms.reports.records import import_records

    data = demo_records_csv()
    if data is not None:
        import_records(data, "demo-records.csv")
