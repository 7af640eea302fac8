"""`flask lms init` and `flask lms demo`."""

import sys
from pathlib import Path

import click
from flask import current_app
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
    _load_content()


def _load_content() -> None:
    """Load CONTENT_DIR when it exists; on any content error print it and exit 1."""
    from lms.courses.loader import ContentInvalid, load_content

    root = Path(current_app.config["CONTENT_DIR"])
    if not root.is_dir():
        click.echo(f"content: {root} not found, no course loaded")
        return
    try:
        result = load_content(root)
    except ContentInvalid as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo(f"content: {len(exc.errors)} error(s); no course loaded "
                   f"(fix them, then run `flask --app app lms content load`)", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"content: {result.summary()}")


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
