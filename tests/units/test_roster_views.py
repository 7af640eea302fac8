"""Roster pages: scope, filters, diacritic-free search, web import and export."""

import io

from lms.accounts.models import AuditLog
from lms.units.models import Person
from tests.conftest import csrf_token


def test_search_without_diacritics(client, login_as, make_person):
    """"nguyen thi huong" finds "Nguyễn Thị Hường"; other names are not listed."""
    make_person(full_name="Nguyễn Thị Hường", staff_id="A1")
    make_person(full_name="Trần Văn Nam", staff_id="A2")
    login_as("admin")
    html = client.get("/units/22?q=nguyen thi huong").get_data(as_text=True)
    assert "Nguyễn Thị Hường" in html and "Trần Văn Nam" not in html
    assert "Trần Văn Nam" in client.get("/units/22?q=A2").get_data(as_text=True)


def test_position_filter(client, login_as, make_person):
    """Filtering by position lists only that position."""
    make_person(full_name="Công An Một", position="cong_an")
    make_person(full_name="Trưởng Thôn Hai", position="truong_thon")
    login_as("viewer", unit="22")
    html = client.get("/units/22?position=cong_an").get_data(as_text=True)
    assert "Công An Một" in html and "Trưởng Thôn Hai" not in html


def test_trained_filter(client, login_as, make_person, db):
    """trained=yes/no split people by completions of courses that count toward the target."""
    from datetime import date

    from lms.courses.models import Completion, Course

    done = make_person(full_name="Đã Học")
    make_person(full_name="Chưa Học")
    course = Course(slug="c1", title="Khóa 1", counts_toward_target=True)
    db.session.add(course)
    db.session.add(Completion(person=done, course=course, completed_on=date(2025, 8, 1),
                              source="import"))
    db.session.commit()
    login_as("admin")
    yes = client.get("/units/22?trained=yes").get_data(as_text=True)
    no = client.get("/units/22?trained=no").get_data(as_text=True)
    assert "Đã Học" in yes and "Chưa Học" not in yes
    assert "Chưa Học" in no and "Đã Học" not in no


def test_viewer_is_limited_to_their_unit(client, login_as, make_person, units):
    """A viewer of Quảng Ninh cannot open Hà Nội's roster nor a Hà Nội commune."""
    make_person(full_name="Người Hà Nội", commune=units("00004"))
    login_as("viewer", unit="22")
    assert client.get("/units/01").status_code == 403
    assert client.get("/units/00004").status_code == 403
    assert client.get("/units/").status_code == 200  # their own scope
    assert "Người Hà Nội" not in client.get("/units/?q=nguoi").get_data(as_text=True)


def test_trainee_cannot_see_roster(client, login_as):
    """Trainees have no roster access."""
    login_as("trainee")
    assert client.get("/units/22").status_code == 403


def test_web_import_errors_and_success(client, login_as, db, units):
    """A bad file ends on a page listing row errors with nothing written; a good one is
    previewed, then written once confirmed."""
    login_as("admin")
    bad = "ma_nhan_su,ho_ten,chuc_danh,ma_xa\nQN1,An,khac,06652\nQN2,Bình,khac,99999\n"
    response = client.post("/units/import", data={
        "csrf_token": csrf_token(client, "/units/import"),
        "file": (io.BytesIO(bad.encode()), "r.csv")}, content_type="multipart/form-data",
        follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "dòng 3, cột ma_xa" in html
    assert db.session.query(Person).count() == 0
    good = bad.replace("99999", "06652")
    response = client.post("/units/import", data={
        "csrf_token": csrf_token(client, "/units/import"),
        "file": (io.BytesIO(good.encode()), "r.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    preview = response.headers["Location"]
    assert "2 mới" in client.get(preview).get_data(as_text=True)
    assert db.session.query(Person).count() == 0
    response = client.post(preview + "/confirm", data={"csrf_token": csrf_token(client, preview)})
    assert response.status_code == 302
    assert db.session.query(Person).count() == 2
    assert db.session.query(AuditLog).filter_by(action="roster.import").count() == 1


def test_web_import_rejects_other_file_types(client, login_as, db, units):
    """Only .csv and .xlsx uploads are accepted."""
    login_as("admin")
    response = client.post("/units/import", data={
        "csrf_token": csrf_token(client, "/units/import"),
        "file": (io.BytesIO(b"x"), "r.exe")}, content_type="multipart/form-data")
    assert "Chỉ nhận tệp" in response.get_data(as_text=True)


def test_export_is_admin_only_and_audited(client, login_as, make_person, db):
    """Admins export a unit's roster as CSV (audited); viewers cannot."""
    make_person(full_name="Nguyễn Thị Hường")
    login_as("viewer", unit="22")
    assert client.get("/units/22/export.csv").status_code == 403
    login_as("admin")
    response = client.get("/units/22/export.csv")
    assert response.status_code == 200
    assert "Nguyễn Thị Hường" in response.data.decode("utf-8-sig")
    assert db.session.query(AuditLog).filter_by(action="roster.export").count() == 1


def test_admins_add_and_remove_position_aliases(client, login_as, db):
    """The catalogue page adds an alias (audited), refuses a name already taken, removes it."""
    from lms.units.models import PositionAlias

    login_as("admin")
    page = client.get("/units/positions").get_data(as_text=True)
    assert "Công an xã" in page and "truong_thon" in page
    response = client.post("/units/positions", data={
        "csrf_token": csrf_token(client, "/units/positions"), "label": "Thôn đội trưởng",
        "position": "truong_thon"})
    assert response.status_code == 302
    alias = db.session.query(PositionAlias).one()
    assert (alias.key, alias.position) == ("thondoitruong", "truong_thon")
    response = client.post("/units/positions", data={
        "csrf_token": csrf_token(client, "/units/positions"), "label": "CÔNG AN XÃ",
        "position": "khac"})
    assert "đã là tên của chức danh Công an" in response.get_data(as_text=True)
    url = f"/units/positions/{alias.id}/delete"
    assert "Thôn đội trưởng" in client.get(url).get_data(as_text=True)  # the confirmation
    client.post(url, data={"csrf_token": csrf_token(client, "/units/positions")})
    assert db.session.query(PositionAlias).count() == 1  # not confirmed: kept
    client.post(url, data={"csrf_token": csrf_token(client, url), "confirm": "yes"})
    assert db.session.query(PositionAlias).count() == 0
    actions = {a.action for a in db.session.query(AuditLog)}
    assert {"position_alias.add", "position_alias.delete"} <= actions


def test_position_aliases_are_admin_only(client, login_as):
    """Viewers cannot see or change the catalogue."""
    login_as("viewer")
    assert client.get("/units/positions").status_code == 403


def test_alias_command(runner, db):
    """`flask lms roster alias LABEL CODE` adds an alias; an unknown code exits non-zero."""
    assert runner.invoke(args=["lms", "roster", "alias", "Già bản", "nguoi_uy_tin"]).exit_code == 0
    result = runner.invoke(args=["lms", "roster", "alias", "X", "bac_si"])
    assert result.exit_code != 0 and "bac_si" in result.output
