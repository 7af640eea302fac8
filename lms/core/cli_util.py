"""Shared command-line helpers: reading input files, one transaction per command, printing
import errors with exit code 1."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from lms.core.tabular import ImportFailed
from lms.extensions import db


def read_input(path: Path) -> bytes:
    """The bytes of a file, or of standard input for `-`."""
    if str(path) == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def fail_with_errors(exc: ImportFailed) -> None:
    """Print every error as `row N, column X: reason` on stderr and exit 1 (nothing written)."""
    for error in exc.errors:
        click.echo(str(error), err=True)
    click.echo(f"{len(exc.errors)} error(s); nothing was written.", err=True)
    sys.exit(1)


def echo_notes(result) -> None:
    """Print on stderr the columns an import ignored and the rows the reader skipped."""
    if result.ignored:
        click.echo(f"ignored columns: {', '.join(result.ignored)}", err=True)
    for note in result.notes:
        click.echo(f"skipped: {note}", err=True)


@contextmanager
def committed(*errors: type[Exception]) -> Iterator[None]:
    """A command's service calls as one transaction, the CLI's `commit_or_flash`: committed
    when the block ends; on an ImportFailed every error is printed (exit 1), on one of `errors`
    its message (exit 1); nothing is written then."""
    try:
        yield
    except ImportFailed as exc:
        db.session.rollback()
        fail_with_errors(exc)
    except errors as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
