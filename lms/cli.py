"""The `flask lms …` group: `init`, `demo` and `jobs` here, each room's commands from
`<room>/cli.py`."""

import sys
from importlib import import_module
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from lms.core.jobs import jobs_group
from lms.courses.loader import ContentInvalid, load_content
from lms.demo import create_demo
from lms.extensions import db
from lms.units.services import load_current_units

lms_group = AppGroup("lms", help="Tập Huấn administration commands.")

ROOMS = ("accounts", "units", "privacy", "courses", "assessments", "cohorts", "certificates",
         "reports", "ops")


@lms_group.command("init")
def init_command():
    """Upgrade the schema to head, load administrative units and course content (idempotent)."""
    upgrade()
    new, updated = load_current_units()
    db.session.commit()
    click.echo(f"schema at head; units: {new} new, {updated} updated")
    load_content_dir()


def load_content_dir() -> None:
    """Load CONTENT_DIR when it exists; on any content error print it and exit 1."""
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


@lms_group.command("demo")
def demo_command():
    """Create the Quảng Ninh demo data and one account per role (idempotent)."""
    logins = create_demo()
    db.session.commit()
    click.echo("Demo logins (username / password):")
    for role, username, password in logins:
        click.echo(f"  {role:<8} {username:<10} {password}")


lms_group.add_command(jobs_group)
for room in ROOMS:
    for command in import_module(f"lms.{room}.cli").commands:
        lms_group.add_command(command)
