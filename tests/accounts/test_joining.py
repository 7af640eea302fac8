"""Joining at a conference: the code and QR on the projector, the public join page, the
trainer's confirmation, the one-time sign-in of the phone that asked, throttling."""

import re

import pytest

from lms.accounts import joining
from lms.accounts.models import AuditLog, JoinRequest, User
from lms.cohorts.models import CohortMember
from tests.conftest import csrf_token, post_form


@pytest.fixture
def conference(db, make_user, make_cohort, make_person):
    """A running cohort with an open join code, its trainer, and a roster person."""
    from datetime import date, timedelta

    trainer = make_user("trainer", unit="22")
    cohort = make_cohort(trainer=trainer, ends_on=date.today() + timedelta(days=2))
    joining.open_code(cohort, by=trainer)
    db.session.commit()
    person = make_person(staff_id="QN-77", birth_year=1988)
    return cohort, trainer, person


def _ask(client, cohort, staff_id="qn-77", year="1988"):
    url = f"/accounts/join/{cohort.join_code}"
    return post_form(client, url, {"staff_id": staff_id, "birth_year": year}, page=url)


def test_projector_screen_shows_code_and_qr(client, login_as, conference):
    """The trainer's screen shows the code and a QR code (an inline SVG, no external file)."""
    cohort, trainer, _ = conference
    login_as(user=trainer)
    html = client.get(f"/accounts/cohorts/{cohort.id}/join-screen").get_data(as_text=True)
    assert cohort.join_code in html and 'src="data:image/svg+xml' in html
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", cohort.join_code)


def test_join_files_a_request_and_grants_nothing(client, db, conference):
    """A match files a pending request with a check number; no member, no account yet."""
    cohort, _, person = conference
    response = _ask(client, cohort)
    assert response.headers["Location"].endswith("/accounts/join/status")
    join = db.session.query(JoinRequest).one()
    assert join.person_id == person.id and join.status == "pending"
    html = client.get("/accounts/join/status").get_data(as_text=True)
    assert join.check_number in html
    assert db.session.query(CohortMember).filter_by(person_id=person.id).count() == 0
    assert db.session.query(User).filter_by(person_id=person.id).count() == 0
    assert client.get("/courses/").status_code == 302  # not signed in


def test_wrong_birth_year_or_unknown_id_matches_nobody(client, db, conference):
    """A wrong birth year or staff id files nothing and says so without naming anyone."""
    cohort, _, person = conference
    for staff_id, year in (("QN-77", "1989"), ("QN-78", "1988"), ("QN-77", "abcd")):
        html = _ask(client, cohort, staff_id, year).get_data(as_text=True)
        assert "Không tìm thấy" in html or "Năm sinh" in html
        assert person.full_name not in html
    assert db.session.query(JoinRequest).count() == 0


def test_trainer_confirms_then_the_phone_is_signed_in_once(app, client, db, login_as,
                                                           conference):
    """Confirmation adds the member and makes an account; the asking phone is signed in once
    and sent to choose a password; another browser gets nothing."""
    cohort, trainer, person = conference
    _ask(client, cohort)
    join = db.session.query(JoinRequest).one()
    staff = app.test_client()
    post_form(staff, "/accounts/login", {"username": trainer.username,
                                         "password": "correct-horse-battery"},
              page="/accounts/login")
    page = staff.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert person.full_name in page and join.check_number in page
    response = post_form(staff, f"/accounts/join-requests/{join.id}/confirm",
                         page=f"/cohorts/{cohort.id}")
    assert response.status_code == 302
    assert db.session.query(CohortMember).filter_by(person_id=person.id).count() == 1
    user = db.session.query(User).filter_by(person_id=person.id).one()
    assert user.username == "qn77" and user.must_change_password

    other = app.test_client()
    assert other.get("/accounts/join/status").status_code == 302
    assert other.get("/courses/").status_code == 302
    response = client.get("/accounts/join/status")
    assert response.headers["Location"].endswith("/accounts/password")
    assert client.get("/accounts/password").status_code == 200
    post_form(client, "/accounts/logout", page="/accounts/password")
    assert client.get("/accounts/join/status").status_code == 302  # once only
    assert db.session.query(AuditLog).filter_by(action="join.confirm").count() == 1


def test_only_the_cohorts_trainer_can_decide(client, db, login_as, make_user, conference):
    """Another trainer, or an admin of another province, cannot confirm (404); a rejection
    grants nothing."""
    cohort, trainer, person = conference
    _ask(client, cohort)
    join = db.session.query(JoinRequest).one()
    login_as("trainer", unit="22")
    assert post_form(client, f"/accounts/join-requests/{join.id}/confirm").status_code == 404
    login_as("admin", unit="01")
    assert post_form(client, f"/accounts/join-requests/{join.id}/confirm").status_code == 404
    with pytest.raises(joining.JoinError):
        joining.decide(join, True, by=make_user("trainer", unit="22"))
    login_as(user=trainer)
    post_form(client, f"/accounts/join-requests/{join.id}/reject")
    db.session.expire_all()
    assert db.session.get(JoinRequest, join.id).status == "rejected"
    assert db.session.query(User).filter_by(person_id=person.id).count() == 0


def test_closed_code_and_closed_cohort_refuse_joining(client, db, conference):
    """A closed code is a 404; the code page refuses a wrong code."""
    cohort, trainer, _ = conference
    code = cohort.join_code
    joining.close_code(cohort, by=trainer)
    db.session.commit()
    assert client.get(f"/accounts/join/{code}").status_code == 404
    html = post_form(client, "/accounts/join", {"code": code}, page="/accounts/join").get_data(
        as_text=True)
    assert "không đúng" in html


def test_code_typed_in_lower_case_with_spaces_works(client, db, conference):
    """The code page accepts `abc 234` for `ABC234`."""
    cohort, _, _ = conference
    typed = f"{cohort.join_code[:3].lower()} {cohort.join_code[3:]}"
    response = post_form(client, "/accounts/join", {"code": typed}, page="/accounts/join")
    assert response.headers["Location"].endswith(f"/accounts/join/{cohort.join_code}")


def test_join_form_is_throttled(app, client, db, conference):
    """More than JOIN_RATE_LIMIT posts a minute from one address are refused with 429."""
    cohort, _, _ = conference
    url = f"/accounts/join/{cohort.join_code}"
    token = csrf_token(client, url)
    codes = [client.post(url, data={"csrf_token": token, "staff_id": "x", "birth_year": "1990"}
                         ).status_code for _ in range(12)]
    assert codes[:10] == [200] * 10 and codes[-1] == 429
