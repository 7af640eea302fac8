"""`flask lms content …`: check and load the course sources."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.courses.conventions import content_warnings, load_glossary
from lms.courses.loader import ContentInvalid, check_content, load_content
from lms.courses.quality import check_quality
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
@click.option("--quality", is_flag=True,
              help="Also report item-writing patterns a test-wise trainee exploits; exit 1 on "
                   "any.")
def check_command(directory, quality):
    """Validate the content folder (default: CONTENT_DIR); writes nothing.

    Errors exit 1; glossary and minutes warnings are printed but do not change the exit code.
    """
    root = _root(directory)
    try:
        specs = check_content(root)
        glossary_errors: list = []
        terms = load_glossary(root, glossary_errors)
        if glossary_errors:
            raise ContentInvalid(glossary_errors)
    except ContentInvalid as exc:
        _fail(exc)
    warnings = content_warnings(specs, terms)
    for warning in warnings:
        click.echo(str(warning))
    lessons = sum(len(s.lessons) for s in specs)
    questions = sum(len(s.questions) for s in specs)
    click.echo(f"{root}: {len(specs)} course(s), {lessons} lessons, {questions} questions, "
               f"{len(terms)} glossary terms, {len(warnings)} warning(s) — OK")
    if quality:
        results = check_quality(specs)
        findings = [f for r in results for f in r.findings]
        for result in results:
            click.echo(result.summary())
        for finding in findings:
            click.echo(str(finding), err=True)
        click.echo(f"quality: {len(findings)} finding(s)")
        if findings:
            sys.exit(1)


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
