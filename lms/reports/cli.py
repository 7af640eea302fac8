"""`flask lms report coverage` and `flask lms records import`."""

import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.core.cli_util import committed, echo_notes, fail_with_errors, read_input
from lms.core.tabular import ImportFailed
from lms.core.timeutil import today
from lms.extensions import db
from lms.reports import dhis2, exports, records, services

report_group = AppGroup("report", help="Coverage reports.")
records_group = AppGroup("records", help="Historical training records.")


def _iso_date(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)",
                                 param_hint=option) from None


@report_group.command("coverage")
@click.option("--unit", "unit_code", help="Unit code (province '22', commune '06652'); "
              "default: the whole country.")
@click.option("--from", "date_from", help="First day, YYYY-MM-DD (default: 1 January of --to).")
@click.option("--to", "date_to", help="Last day, YYYY-MM-DD (default: today).")
@click.option("--mode", type=click.Choice(services.MODES), default="cumulative",
              show_default=True)
@click.option("--course", "course_slug", help="Only this course (slug).")
@click.option("--rule", type=click.Choice(services.RULES), default="any", show_default=True,
              help="Trained by any counting course, or by the position's whole path.")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (default: standard output).")
def coverage_command(unit_code, date_from, date_to, mode, course_slug, rule, fmt, output):
    """Coverage of a unit against the 100% target, as JSON, CSV, XLSX or PDF."""
    end = _iso_date(date_to, "--to") or today()
    start = _iso_date(date_from, "--from") or date(end.year, 1, 1)
    unit = services.find_unit(unit_code)
    if unit is None:
        raise click.ClickException(f"unknown unit code {unit_code or 'VN'}"
                                   + ("" if unit_code else " (run `flask lms units load`)"))
    course = services.find_course(course_slug)
    if course_slug and course is None:
        raise click.ClickException(f"unknown course {course_slug}")
    with committed(services.ReportError):  # commits the audit entry of a commune's names
        data, _name = services.export(fmt, unit, start, end, mode, course, rule=rule)
    _write(data, output)


@report_group.command("dhis2")
@click.option("--unit", "unit_code", help="Unit code (default: the whole country).")
@click.option("--period", required=True, help="DHIS2 period: 2026, 2026Q4 or 202611.")
@click.option("--course", "course_slug", help="Only this course (slug).")
@click.option("--rule", type=click.Choice(services.RULES), default="any", show_default=True,
              help="Trained by any counting course, or by the position's whole path.")
@click.option("--format", "fmt", type=click.Choice(dhis2.FORMATS), default="json",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (default: standard output).")
def dhis2_command(unit_code, period, course_slug, rule, fmt, output):
    """Aggregate coverage of a unit's communes as a DHIS2 data value set (JSON or CSV)."""
    unit = services.find_unit(unit_code)
    if unit is None:
        raise click.ClickException(f"unknown unit code {unit_code or 'VN'}")
    course = services.find_course(course_slug)
    if course_slug and course is None:
        raise click.ClickException(f"unknown course {course_slug}")
    try:
        data, _name = dhis2.export(fmt, unit, period, course, rule)
    except services.ReportError as exc:
        raise click.ClickException(str(exc)) from exc
    _write(data, output)


def _write(data: bytes, output: Path | None) -> None:
    """Write `data` to `output`, or to standard output."""
    if output:
        output.write_bytes(data)
        click.echo(f"written {output}", err=True)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@records_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_records_command(file):
    """Import historical completions (CSV/XLSX: ma_nhan_su, ma_khoa_hoc, ngay_hoan_thanh,
    ghi_chu); all rows are checked before anything is written."""
    try:
        result = records.import_records(read_input(file), file.name)
    except ImportFailed as exc:
        db.session.rollback()
        fail_with_errors(exc)
    echo_notes(result)
    db.session.commit()
    click.echo(f"imported: {result.new} new completions, {result.duplicates} duplicates")


@records_group.command("template")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def records_template_command(output):
    """Write the blank records workbook (course drop-down, instructions sheet)."""
    output.write_bytes(records.records_template())
    click.echo(f"written {output}")


commands = [report_group, records_group]
