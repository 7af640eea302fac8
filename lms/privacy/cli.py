"""`flask lms person …`: a person's data export and anonymisation."""

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.core.cli_util import committed
from lms.extensions import db
from lms.privacy.services import PrivacyError, anonymise_person, export_person, to_json
from lms.units.models import Person

person_group = AppGroup("person", help="Personal data: export and anonymisation.")


def _person(staff_id: str) -> Person:
    """The roster entry with the staff id, or a click error."""
    person = db.session.scalar(select(Person).where(Person.staff_id == staff_id))
    if person is None:
        raise click.ClickException(f"no roster entry with staff id {staff_id}")
    return person


@person_group.command("export")
@click.option("--staff-id", required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON file (default: standard output).")
def export_person_command(staff_id, output):
    """Everything held about one person, as JSON (audited)."""
    data = to_json(export_person(_person(staff_id)))
    db.session.commit()
    if output:
        output.write_bytes(data)
        click.echo(f"written {output}")
    else:
        click.echo(data.decode("utf-8"), nl=False)


@person_group.command("anonymise")
@click.option("--staff-id", required=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def anonymise_person_command(staff_id, yes):
    """Anonymise someone who has left the post, keeping all counts (cannot be undone)."""
    person = _person(staff_id)
    if not yes:
        click.confirm(f"Anonymise {person.full_name} ({staff_id})? This cannot be undone",
                      abort=True)
    with committed(PrivacyError):
        anonymise_person(person)
    click.echo(f"anonymised: now {person.staff_id}")


commands = [person_group]
