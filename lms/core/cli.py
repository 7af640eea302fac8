"""`flask lms init` and `flask lms demo`."""

import click
from flask_migrate import upgrade

from lms.extensions import db


@click.command("init")
def init_command():
    """Upgrade the schema to head, load administrative units and course content (idempotent)."""
    from lms.units.services import load_current_units

    upgrade()
    new, updated = load_current_units()
    db.session.commit()
    click.echo(f"schema at head; units: {new} new, {updated} updated")


@click.command("demo")
def demo_command():
    """Create the Quảng Ninh demo data and one account per role (idempotent)."""
    from lms.core.demo import create_demo

    logins = create_demo()
    db.session.commit()
    click.echo("Demo logins (username / password):")
    for role, username, password in logins:
        click.echo(f"  {role:<8} {username:<10} {password}")


commands = [init_command, demo_command]
