"""`flask lms users …` and `flask lms accounts …`: accounts from the command line."""

import sys
import zipfile

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from lms.accounts import bulk, services
from lms.accounts.models import ROLES
from lms.core.cli_util import committed
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
    with committed(services.AccountError):
        unit = services.find_unit(unit_code)
        person = None
        if staff_id:
            person = db.session.scalar(select(Person).where(Person.staff_id == staff_id))
            if person is None:
                raise services.AccountError(f"no roster entry with staff id {staff_id}")
        user = services.create_user(username, role, password, full_name=full_name, unit=unit,
                                    person=person)
    click.echo(f"created {user.username} ({user.role})")
    if generated:
        click.echo(f"password: {password}")


accounts_group = AppGroup("accounts", help="Accounts for the roster, in bulk.")


@accounts_group.command("from-roster")
@click.option("--unit", "unit_code", required=True, help="Unit code: a province or commune.")
@click.option("--dry-run", is_flag=True, help="Count what would change; write nothing.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True),
              help="CSV of the new accounts (with their one-time passwords).")
@click.option("--slips", "slips_path", type=click.Path(dir_okay=False, writable=True),
              help="Printable login slips: OUT.pdf for one PDF, OUT.zip for one PDF per "
                   "commune (memory bounded by the largest commune).")
def from_roster_command(unit_code, dry_run, csv_path, slips_path):
    """Create trainee accounts for every roster person of a unit who has none; deactivate the
    accounts of people who have left."""
    if not dry_run and not (csv_path or slips_path):
        raise click.UsageError("give --csv and/or --slips: the one-time passwords are shown "
                               "only there (or use --dry-run)")
    try:
        unit = services.find_unit(unit_code)
    except services.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    run = bulk.Run(by=None, unit=unit, dry_run=dry_run)
    if dry_run:
        bulk.write_outputs(run, base_url=current_app.config["BASE_URL"])
        db.session.rollback()
        click.echo(f"dry run for {unit.code} {unit.name}: {run.created} account(s) would be "
                   f"created, {run.already} person(s) already have one, {run.deactivated} "
                   f"account(s) of people who left would be deactivated; nothing written")
        return
    csv_file = open(csv_path, "wb") if csv_path else None  # noqa: SIM115 - closed below
    slips_file = open(slips_path, "wb") if slips_path else None  # noqa: SIM115
    slips_zip = (zipfile.ZipFile(slips_file, "w", zipfile.ZIP_DEFLATED)
                 if slips_path and slips_path.lower().endswith(".zip") else None)
    try:
        pages = bulk.write_outputs(run, base_url=current_app.config["BASE_URL"],
                                   csv_out=csv_file, slips_out=slips_file, slips_zip=slips_zip)
    except Exception:
        db.session.rollback()
        raise
    finally:
        if slips_zip is not None:
            slips_zip.close()
        for fh in (csv_file, slips_file):
            if fh is not None:
                fh.close()
    db.session.commit()
    click.echo(f"{unit.code} {unit.name}: {run.created} account(s) created, {run.already} "
               f"person(s) already had one, {run.deactivated} account(s) of people who left "
               f"deactivated")
    if csv_path:
        click.echo(f"csv: {csv_path}")
    if slips_path:
        click.echo(f"slips: {slips_path} ({pages} page(s))")


commands = [users_group, accounts_group]
