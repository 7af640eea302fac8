"""Personal data: a person's export, and anonymisation of someone who left, keeping counts."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from lms.accounts.models import AuditLog, User
from lms.courses.models import Completion, Course
from lms.courses.services import record_completion
from lms.privacy.services import PrivacyError, anonymise_person, export_person
from lms.units.models import Person
from tests.conftest import post_form


@pytest.fixture
def leaver(db, make_person, make_user):
    """Someone who left on 30/6/2025, with a trainee account and a completion."""
    person = make_person(full_name="Đinh Thị Lụa", staff_id="QN77", phone="0912345678",
                         birth_year=1980, ethnicity="Dao", gender="female",
                         left_on=date(2025, 6, 30))
    make_user("trainee", username="lua", person=person)
    course = Course(slug="c1", title="Khóa 1", counts_toward_target=True)
    db.session.add(course)
    record_completion(person, course, date(2025, 3, 1), "import")
    db.session.commit()
    return person


def test_export_holds_everything_and_is_audited(db, leaver):
    """The export carries roster fields, the account, completions; the export is audited."""
    data = export_person(leaver)
    db.session.commit()
    json.dumps(data)  # JSON-ready
    assert data["person"]["full_name"] == "Đinh Thị Lụa"
    assert data["person"]["phone"] == "0912345678"
    assert data["account"]["username"] == "lua"
    assert data["completions"][0]["course"] == "c1"
    assert db.session.query(AuditLog).filter_by(action="person.export",
                                                target="QN77").count() == 1


def test_anonymise_removes_identity_and_keeps_counts(db, leaver):
    """Name, staff id, phone, birth year, ethnicity and the login go; rows and counts stay."""
    before = db.session.scalar(select(func.count()).select_from(Completion))
    anonymise_person(leaver)
    db.session.commit()
    person = db.session.get(Person, leaver.id)
    assert "Lụa" not in person.full_name and person.staff_id.startswith("anon-")
    assert (person.phone, person.birth_year, person.ethnicity) == (None, None, None)
    assert (person.gender, person.commune.code, person.in_target) == ("female", "06652", True)
    assert db.session.scalar(select(func.count()).select_from(Completion)) == before
    user = db.session.scalar(select(User).where(User.username == "lua"))
    assert user is None
    assert not db.session.query(AuditLog).filter_by(target="QN77").count()
    with pytest.raises(PrivacyError):
        anonymise_person(person)


def test_people_in_post_are_not_anonymised(db, make_person):
    """Someone without a leaving date (or leaving in the future) is refused."""
    with pytest.raises(PrivacyError):
        anonymise_person(make_person())
    with pytest.raises(PrivacyError):
        anonymise_person(make_person(left_on=date(2999, 1, 1)))


def test_web_export_and_anonymise(client, login_as, leaver, db):
    """An admin downloads the JSON and anonymises through the confirmation page, which says
    what goes and what stays; a POST without the confirmation is refused and does nothing."""
    login_as("admin")
    response = client.get(f"/privacy/person/{leaver.id}/export.json")
    assert response.status_code == 200 and response.json["person"]["staff_id"] == "QN77"
    url = f"/privacy/person/{leaver.id}/anonymise"
    assert url in client.get(f"/units/person/{leaver.id}").get_data(as_text=True)
    html = client.get(url).get_data(as_text=True)
    assert "được giữ nguyên" in html and "Không hoàn tác được." in html
    response = post_form(client, url, {}, page=f"/units/person/{leaver.id}")
    assert response.status_code == 400 and "Chưa xác nhận" in response.get_data(as_text=True)
    assert db.session.get(Person, leaver.id).staff_id == "QN77"  # no confirmation: nothing
    post_form(client, url, {"confirm": "yes"}, page=url)
    db.session.expire_all()
    assert db.session.get(Person, leaver.id).staff_id.startswith("anon-")


def test_person_pages_are_scoped(client, login_as, leaver, units, make_person):
    """Viewers cannot export; an admin of another province cannot open the person."""
    login_as("viewer", unit="22")
    assert client.get(f"/privacy/person/{leaver.id}/export.json").status_code == 403
    login_as("admin", unit="01")
    assert client.get(f"/units/person/{leaver.id}").status_code == 404


def test_cli_export_and_anonymise(runner, leaver, db, tmp_path):
    """`lms person export` writes JSON; `lms person anonymise --yes` anonymises."""
    out = tmp_path / "p.json"
    result = runner.invoke(args=["lms", "person", "export", "--staff-id", "QN77", "-o",
                                 str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["person"]["full_name"] == "Đinh Thị Lụa"
    result = runner.invoke(args=["lms", "person", "anonymise", "--staff-id", "QN77", "--yes"])
    assert result.exit_code == 0 and "anon-" in result.output
    result = runner.invoke(args=["lms", "person", "anonymise", "--staff-id", "nope", "--yes"])
    assert result.exit_code == 1
