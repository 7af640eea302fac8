"""The bulk pages: an admin's unit (within scope), a cohort's members (its trainers)."""

import csv
import io
import zipfile

from lms.accounts.models import User
from tests.conftest import post_form

PAGE = "/accounts/from-roster"


def _zip(response):
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name.rsplit(".", 1)[1]: archive.read(name) for name in archive.namelist()}


def test_slips_come_as_a_pdf_per_commune(client, login_as, make_person, units):
    """A province's ZIP holds one slips PDF per commune beside the CSV and the XLSX."""
    make_person()
    make_person(commune=units("06658", "commune"))
    login_as("admin", unit="22")
    response = post_form(client, PAGE, {"unit_code": "22"}, page=PAGE)
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    pdfs = sorted(n for n in names if n.endswith(".pdf"))
    assert [n.split("-")[3] for n in pdfs] == ["06652", "06658"]
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["csv", "pdf", "pdf", "xlsx"]


def test_admin_downloads_slips_csv_and_xlsx(client, login_as, make_person, db):
    """An admin of the province creates the commune's accounts and gets one ZIP."""
    people = [make_person() for _ in range(3)]
    login_as("admin", unit="22")
    response = post_form(client, PAGE, {"unit_code": "06652"}, page=PAGE)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    files = _zip(response)
    assert files["pdf"].startswith(b"%PDF")
    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [p.staff_id for p in people]
    assert files["xlsx"].startswith(b"PK")
    assert db.session.query(User).filter_by(role="trainee").count() == 3


def test_preview_counts_and_creates_nothing(client, login_as, make_person, db):
    """A preview says how many accounts would be made and makes none."""
    make_person()
    login_as("admin", unit="22")
    html = post_form(client, PAGE, {"unit_code": "22", "dry_run": "y"}, page=PAGE).get_data(
        as_text=True)
    assert "sẽ tạo 1 tài khoản" in html
    assert db.session.query(User).filter_by(role="trainee").count() == 0


def test_out_of_scope_unit_is_refused(client, login_as, make_person, db):
    """A Hà Nội admin cannot make accounts for Quảng Ninh; viewers and trainers see no page."""
    make_person()
    login_as("admin", unit="01")
    html = post_form(client, PAGE, {"unit_code": "06652"}, page=PAGE).get_data(as_text=True)
    assert "ngoài phạm vi" in html
    assert db.session.query(User).filter_by(role="trainee").count() == 0
    login_as("viewer", unit="22")
    assert client.get(PAGE).status_code == 403


def test_cohort_trainer_makes_accounts_for_members_only(client, login_as, make_user, make_person,
                                                        make_cohort, fill, db):
    """The cohort page's button makes accounts for its members, not other roster people; a
    trainer of another cohort cannot."""
    trainer = make_user("trainer", unit="22")
    cohort = make_cohort(trainer=trainer)
    members = fill(cohort, 2)
    outsider = make_person()
    login_as(user=trainer)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Tạo tài khoản cho 2 học viên chưa có" in page
    response = post_form(client, f"/accounts/from-cohort/{cohort.id}")
    assert response.mimetype == "application/zip"
    made = {u.person_id for u in db.session.query(User).filter_by(role="trainee")}
    assert made == {m.person_id for m in members} and outsider.id not in made
    assert "Mọi học viên của lớp đã có tài khoản" in client.get(
        f"/cohorts/{cohort.id}").get_data(as_text=True)
    login_as("trainer", unit="22")
    assert post_form(client, f"/accounts/from-cohort/{cohort.id}").status_code == 404
