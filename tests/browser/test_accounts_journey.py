"""Every person on the roster can sign in, in Chromium on a phone: an admin makes the accounts
of a commune and downloads the slips; a trainee signs in from a slip (the QR code's address,
username filled in), is made to choose a password, learns; after logout the old cookie is
refused."""

import csv
import io
import zipfile

import pytest

from lms.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

STAFF_ID = "HN-BJ-001"
NEW_PASSWORD = "song-hong-mua-lu"  # noqa: S105 — a throw-away account in a throw-away database


@pytest.fixture
def commune(live_server):
    """A Hà Nội commune (the demo fills only Quảng Ninh) with two roster people, no accounts."""
    from sqlalchemy import select

    from lms.core.text import fold
    from lms.extensions import db
    from lms.units.models import CURRENT, Person, Unit
    from lms.units.services import lookup_unit

    with live_server.app.app_context():
        province = lookup_unit("01", "province")
        unit = db.session.scalars(select(Unit).where(
            Unit.system == CURRENT, Unit.parent_id == province.id).order_by(Unit.code)).first()
        for n, name in ((1, "Nguyễn Thị Ánh"), (2, "Trần Văn Đức")):
            staff_id = f"HN-BJ-{n:03d}"
            if db.session.scalar(select(Person.id).where(Person.staff_id == staff_id)) is None:
                db.session.add(Person(staff_id=staff_id, full_name=name, name_search=fold(name),
                                      position="can_bo_xa", commune=unit, birth_year=1990))
        db.session.commit()
        code = unit.code
        db.session.remove()
    return code


def test_admin_makes_slips_trainee_signs_in_learns_and_logout_ends_the_session(
        open_page, live_server, journal, login, loaded_courses, commune):
    """The whole way in for a trainee, on phones."""
    admin = open_page()
    login(admin, "admin", DEMO_PASSWORD)
    admin.goto(f"{live_server.url}/accounts/users")
    admin.click("main a:has-text('Tạo tài khoản từ danh sách nhân sự')")
    admin.fill("input[name=unit_code]", commune)
    with admin.expect_download() as info:
        admin.click("main form button[type=submit]")
    with open(info.value.path(), "rb") as fh:
        archive = zipfile.ZipFile(io.BytesIO(fh.read()))
    names = archive.namelist()
    assert any(n.endswith(".pdf") for n in names) and any(n.endswith(".xlsx") for n in names)
    slips = archive.read(next(n for n in names if n.endswith(".pdf")))
    assert slips.startswith(b"%PDF")
    rows = list(csv.reader(io.StringIO(
        archive.read(next(n for n in names if n.endswith(".csv"))).decode("utf-8-sig"))))
    assert rows[0] == ["ma_nhan_su", "ho_ten", "ma_xa", "ten_dang_nhap", "mat_khau_mot_lan"]
    row = next(r for r in rows[1:] if r[0] == STAFF_ID)
    username, password = row[3], row[4]
    assert username == "hnbj001" and row[2] == commune

    trainee = open_page()
    trainee.goto(f"{live_server.url}/accounts/login?u={username}")  # the slip's QR code
    assert trainee.input_value("input[name=username]") == username
    trainee.fill("input[name=password]", f"{password[:4]} {password[4:]}")  # as printed
    with trainee.expect_navigation():
        trainee.click("main form button[type=submit]")
    assert trainee.url.endswith("/accounts/password")
    trainee.goto(f"{live_server.url}/courses/")
    assert trainee.url.endswith("/accounts/password")  # nothing else before a new password
    trainee.fill("input[name=current]", password)
    trainee.fill("input[name=new]", NEW_PASSWORD)
    trainee.fill("input[name=confirm]", NEW_PASSWORD)
    with trainee.expect_navigation():
        trainee.click("main form button[type=submit]")
    assert "/accounts/password" not in trainee.url
    assert "Đã đổi mật khẩu" in trainee.inner_text("main")

    slug = loaded_courses[0]
    trainee.goto(f"{live_server.url}/courses/{slug}")
    with trainee.expect_navigation():
        trainee.click("main form button:has-text('Ghi danh')")
    trainee.goto(f"{live_server.url}/courses/{slug}")
    with trainee.expect_navigation():
        trainee.click("main ol.outline li a >> nth=0")
    lesson_url = trainee.url
    assert "/lessons/" in lesson_url
    assert trainee.locator("main h1").count() == 1

    cookies = trainee.context.cookies()
    with trainee.expect_navigation():
        trainee.click("header form button:has-text('Đăng xuất')")
    replay = open_page()
    replay.context.add_cookies(cookies)
    replay.goto(lesson_url)
    assert "/accounts/login" in replay.url
    journal.assert_clean()
