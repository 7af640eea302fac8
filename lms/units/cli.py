"""`flask lms units …` and `flask lms roster …`: unit loading, roster import and export."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.core.cli_util import committed, echo_notes, fail_with_errors, read_input
from lms.core.tabular import ImportFailed
from lms.extensions import db
from lms.units import services

units_group = AppGroup("units", help="Administrative units.")
roster_group = AppGroup("roster", help="The staff roster.")


@units_group.command("load")
@click.option("--legacy", is_flag=True, help="Also load the pre-2025 three-level units.")
def load_units_command(legacy):
    """Load the current 34 provinces and 3,321 communes (idempotent)."""
    new, updated = services.load_current_units()
    click.echo(f"current units: {new} new, {updated} updated")
    if legacy:
        new, updated = services.load_legacy_units()
        click.echo(f"legacy units: {new} new, {updated} updated")
    db.session.commit()


@units_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--system", default="custom", show_default=True,
              help="Code system of the imported units.")
def import_units_command(file, system):
    """Add a custom hierarchy from CSV/XLSX with columns code,name,kind,parent_code."""
    try:
        new, updated = services.import_units(read_input(file), file.name, system=system)
    except ImportFailed as exc:
        db.session.rollback()
        fail_with_errors(exc)
    db.session.commit()
    click.echo(f"units: {new} new, {updated} updated")


@roster_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Check and show what would change (old → new), who is new and who is "
                   "missing; write nothing.")
@click.option("--legacy-codes", is_flag=True, help="ma_xa holds pre-2025 commune codes.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]),
              help="The day the list describes (default today): changes and new people "
                   "date from it.")
@click.option("--initial", is_flag=True,
              help="New people are present since the start of records (a first roster).")
@click.option("--mark-left", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]),
              help="Mark the people of the file's communes missing from it as left on DATE.")
def import_roster_command(file, dry_run, legacy_codes, as_of, initial, mark_left):
    """Import the roster (CSV/XLSX): every row is checked before anything is written."""
    data = read_input(file)
    try:
        with click.progressbar(length=1, label="checking rows", file=sys.stderr) as bar:
            def started(rows):
                bar.length = max(rows, 1)

            result = services.import_roster(
                data, file.name, dry_run=dry_run, legacy_codes=legacy_codes,
                as_of=as_of.date() if as_of else None, initial=initial,
                mark_left=mark_left.date() if mark_left else None, progress=bar.update,
                started=started)
    except ImportFailed as exc:
        db.session.rollback()
        fail_with_errors(exc)
    echo_notes(result)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    counts = (f"{result.new} new, {result.updated} updated, {result.unchanged} unchanged, "
              f"{len(result.missing)} missing from the file")
    if dry_run:
        db.session.rollback()
        _echo_preview(result)
        click.echo(f"dry run as of {result.as_of:%d/%m/%Y}: {counts} (nothing written)")
        return
    db.session.commit()
    click.echo(f"imported as of {result.as_of:%d/%m/%Y}: {counts}, {result.left} marked as left")


def _echo_preview(result) -> None:
    """Per person: what changes (old → new), who is new, who is missing from the file."""
    for change in result.changes:
        fields = "; ".join(f"{name}: {old} → {new}" for name, old, new in change.fields)
        click.echo(f"changed {change.staff_id} {change.full_name}: {fields}")
    for staff_id, name in result.added:
        click.echo(f"new {staff_id} {name}")
    for staff_id, name, commune in result.missing:
        click.echo(f"missing {staff_id} {name} ({commune})")
    if result.missing:
        click.echo("people missing from the file stay on the roster; --mark-left DATE marks "
                   "them as left")


def _unit(unit_code: str | None):
    """The unit a `--unit` option names (None without it); unknown codes exit non-zero."""
    if not unit_code:
        return None
    unit = services.lookup_unit(unit_code)
    if unit is None:
        raise click.ClickException(f"unknown unit code {unit_code}")
    return unit


@roster_group.command("export")
@click.option("--unit", "unit_code", help="Only this unit's subtree (code).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_roster_command(unit_code, output):
    """Export the roster as CSV in the import format."""
    output.write_bytes(services.export_roster(_unit(unit_code)))
    db.session.commit()  # the audit entry
    click.echo(f"written {output}")


@roster_group.command("template")
@click.option("--unit", "unit_code", help="Offer only this unit's communes (code).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def roster_template_command(unit_code, output):
    """Write the blank roster workbook (drop-down lists, instructions sheet)."""
    output.write_bytes(services.roster_template(_unit(unit_code)))
    click.echo(f"written {output}")


@roster_group.command("alias")
@click.argument("label")
@click.argument("position")
def position_alias_command(label, position):
    """Accept LABEL in files as the position with code POSITION."""
    with committed(services.VocabularyError):
        services.add_position_alias(label, position, by=None)
    click.echo(f"alias added: {label} → {position}")


commands = [units_group, roster_group]
