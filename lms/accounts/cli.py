"""`flask lms users …`: create accounts from the command line."""

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.accounts import services
from lms.accounts.models import ROLES
from lms.extensions import db
from lms.units.models import Person

users_group = AppGroup("users", help="Manage accounts.")


@users_group.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(list(ROLES)))
@click.option("--unit", "unit_code", help="Limit the account to this unit's subtree (code).")
@click.option("--full-name", default="")
@click.option("--staff-id", help="Link a trainee to this roster entry.")
def create_user_command(username, role, unit_code, full_name, staff_id):
    """Create an account; the password is read from standard input, or generated and printed."""
    piped = not sys.stdin.isatty()
    password = sys.stdin.readline().rstrip("\r\n") if piped else ""
    generated = not password
    if generated:
        password = services.generate_password()
    try:
        unit = services.find_unit(unit_code)
        person = None
        if staff_id:
            person = db.session.scalar(select(Person).where(Person.staff_id == staff_id))
            if person is None:
                raise services.AccountError(f"no roster entry with staff id {staff_id}")
        user = services.create_user(username, role, password, full_name=full_name, unit=unit,
                                    person=person)
    except services.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created {user.username} ({user.role})")
    if generated:
        click.echo(f"password: {password}")


commands = [users_group]
