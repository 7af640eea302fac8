"""`lms init` and `lms demo` from an empty database, twice, and every demo login works."""

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.demo import DEMO_PASSWORD
from lms.units.models import Person, Unit
from tests.conftest import post_form


def test_init_and_demo_are_idempotent(runner, db, client, empty_schema):
    """init migrates and loads units; demo creates Quảng Ninh's roster and four logins;
    running both again changes nothing; each demo login works."""
    result = runner.invoke(args=["lms", "init"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 1 + 34 + 3321
    result = runner.invoke(args=["lms", "demo"])
    assert result.exit_code == 0, result.output
    people = db.session.scalar(select(func.count()).select_from(Person))
    assert people >= 200
    assert runner.invoke(args=["lms", "init"]).exit_code == 0
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Person)) == people
    assert db.session.scalar(select(func.count()).select_from(User)) == 4
    for role in ("admin", "trainer", "viewer", "trainee"):
        assert f"{role}" in result.output and DEMO_PASSWORD in result.output
        response = post_form(client, "/accounts/login",
                             {"username": role, "password": DEMO_PASSWORD},
                             page="/accounts/login")
        assert response.status_code == 302, role
        post_form(client, "/accounts/logout")
    communes = db.session.scalar(select(func.count(func.distinct(Person.commune_id))))
    assert communes == 54
