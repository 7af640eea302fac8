"""`flask lms backup` and `flask lms restore`: SQLite online backup and a checked restore."""

import functools
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.extensions import db
from lms.ops import services


def _fail(exc: services.OpsError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)


def _migrations_dir() -> str:
    return current_app.extensions["migrate"].directory


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file to write.")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@with_appcontext
def backup_command(output, force):
    """Back up the SQLite database while the app runs (PostgreSQL: use pg_dump)."""
    try:
        info = services.backup_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], output,
                                      overwrite=force)
    except services.OpsError as exc:
        _fail(exc)
    click.echo(f"backup written: {info.path} ({info.size:,} bytes, {info.tables} tables, "
               f"schema {info.revision})")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(file, yes):
    """Replace the SQLite database by a backup, keeping a safety copy of the current one.

    The backup is checked first (intact, a known schema revision, every table of that revision
    present) and the rows per table of both databases are printed before anything is replaced.
    """
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    revisions = services.known_revisions(_migrations_dir())
    config = current_app.extensions["migrate"].migrate.get_config(_migrations_dir())
    expected = functools.partial(services.expected_tables, config)
    try:
        target = services.sqlite_path(url)
        services.inspect_backup(file, revisions, expected)
    except services.OpsError as exc:
        _fail(exc)
    _print_counts(file, target)
    if not yes:
        click.confirm(f"Replace {target} with {file}? Stop the app servers first.", abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection may keep reading the old pages
    try:
        info = services.restore_sqlite(url, file, revisions, expected)
    except services.OpsError as exc:
        _fail(exc)
    if info.safety_copy:
        click.echo(f"safety copy of the previous database: {info.safety_copy}")
    click.echo(f"restored {file} into {info.path} (schema {info.revision})")
    if info.revision not in services.head_revisions(_migrations_dir()):
        click.echo("the backup's schema is older than this code: run `flask --app app lms init` "
                   "to upgrade it")


def _print_counts(backup: Path, current: Path) -> None:
    """Rows per table: the backup's beside the current database's (none when it is new)."""
    theirs = services.table_counts(backup)
    ours = services.table_counts(current) if current.is_file() else {}
    width = max(len(name) for name in theirs | ours)
    click.echo(f"{'table':<{width}}  {'backup':>9}  {'current':>9}")
    for name in sorted(theirs | ours):
        mine = ours.get(name)
        click.echo(f"{name:<{width}}  {theirs.get(name, '-'):>9}  "
                   f"{'-' if mine is None else mine:>9}")


commands = [backup_command, restore_command]
