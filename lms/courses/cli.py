"""`flask lms content …`: check and load the course sources."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.courses.conventions import content_warnings, load_glossary
from lms.courses.loader import ContentInvalid, check_content, load_content
from lms.courses.paths import check_paths
from lms.courses.pdf import default_labels, lesson_handout
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
    except ContentInvalid as exc:
        _fail(exc)
    terms = load_glossary(root, [])
    paths = check_paths(root, specs, [])
    warnings = content_warnings(specs, terms)
    for warning in warnings:
        click.echo(str(warning))
    lessons = sum(len(s.lessons) for s in specs)
    questions = sum(len(s.questions) for s in specs)
    click.echo(f"{root}: {len(specs)} course(s), {lessons} lessons, {questions} questions, "
               f"{len(terms)} glossary terms, {len(paths)} position paths, {len(warnings)} "
               f"warning(s) — OK")
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


@content_group.command("handouts")
@click.argument("output", type=click.Path(file_okay=False, path_type=Path))
@click.option("--content", "directory", type=click.Path(path_type=Path),
              help="Content folder (default: CONTENT_DIR).")
@click.option("--course", "course_slug", help="Only this course.")
def handouts_command(output, directory, course_slug):
    """Write every lesson's A5 handout as OUTPUT/<course>/<NN-lesson>.pdf (from the sources)."""
    root = _root(directory)
    try:
        specs = check_content(root)
    except ContentInvalid as exc:
        _fail(exc)
    specs = [s for s in specs if course_slug in (None, s.slug)]
    if not specs:
        click.echo(f"no course {course_slug!r} in {root}", err=True)
        sys.exit(1)
    labels, written = default_labels(), 0
    for spec in specs:
        folder = output / spec.slug
        folder.mkdir(parents=True, exist_ok=True)
        for lesson in spec.lessons:
            data = lesson_handout(spec.title, lesson.title, lesson.body_md, labels)
            (folder / f"{lesson.position:02d}-{lesson.slug}.pdf").write_bytes(data)
            written += 1
    click.echo(f"{written} handout(s) written to {output}")


commands = [content_group]
