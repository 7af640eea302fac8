"""`flask lms content …`: check and load the course sources."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.courses.loader import ContentInvalid, check_content, load_content
from lms.extensions import db

content_group = AppGroup("content", help="Course content (Markdown + YAML sources).")


def _root(directory: Path | None) -> Path:
    return Path(directory or current_app.config["CONTENT_DIR"])


def _fail(exc: ContentInvalid) -> None:
    """Print every error as `file:line: reason` on stderr and exit 1."""
    for error in exc.errors:
        click.echo(str(error), err=True)
    click.echo(f"{len(exc.errors)} error(s); nothing was loaded.", err=True)
    sys.exit(1)


@content_group.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def check_command(directory):
    """Validate the content folder (default: CONTENT_DIR); writes nothing."""
    root = _root(directory)
    try:
        specs = check_content(root)
    except ContentInvalid as exc:
        _fail(exc)
    lessons = sum(len(s.lessons) for s in specs)
    questions = sum(len(s.questions) for s in specs)
    click.echo(f"{root}: {len(specs)} course(s), {lessons} lessons, {questions} questions — OK")


@content_group.command("load")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def load_command(directory):
    """Validate, then load every course all-or-nothing (idempotent)."""
    root = _root(directory)
    try:
        result = load_content(root)
    except ContentInvalid as exc:
        db.session.rollback()
        _fail(exc)
    db.session.commit()
    click.echo(result.summary())


commands = [content_group]
