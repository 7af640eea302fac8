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
    create_certificates_demo()
    return [(role, role, DEMO_PASSWORD) for role in ("admin", "trainer", "viewer", "trainee")]


# --- certificates ----------------------------------------------------------------------------

DEMO_ISSUER = {"agency": "Sở Y tế", "parent_agency": "Ủy ban nhân dân tỉnh Quảng Ninh",
               "place": "Quảng Ninh", "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
               "signer_name": "Nguyễn Văn Phong", "issuer_code": "22"}


def create_certificates_demo() -> int:
    """Set a Quảng Ninh issuer (when none is set) and issue certificates for demo online and
    cohort completions that have none yet (idempotent); returns how many were issued."""
    from lms.certificates import services as certificates
    from lms.core.models import get_setting

    if not get_setting(certificates.ISSUER_KEY):
        certificates.save_issuer_settings(DEMO_ISSUER)
    return certificates.issue_missing()
