"""`flask lms cohorts …`: list, add members from a file, close, export, print sign-in sheets;
`flask lms completions unlinked`: completions whose cohort cannot be told."""

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.accounts import audit
from lms.accounts.models import User
from lms.cohorts import links, services
from lms.cohorts.models import Cohort, CohortSession
from lms.cohorts.pdf import signin_sheet
from lms.core.cli_util import committed, read_input
from lms.core.text import format_date
from lms.extensions import db

cohorts_group = AppGroup("cohorts", help="Training cohorts (lớp tập huấn).")


def _cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"no cohort with id {cohort_id}")
    return cohort


def _user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.lower()))
    if user is None or not user.active:
        raise click.ClickException(f"no active account {username}")
    return user


@cohorts_group.command("list")
@click.option("--status", type=click.Choice(["planned", "running", "closed"]))
def list_command(status):
    """List cohorts: id, status, dates, members, name."""
    stmt = select(Cohort).order_by(Cohort.starts_on, Cohort.id)
    if status:
        stmt = stmt.where(Cohort.status == status)
    cohorts = db.session.scalars(stmt).all()
    counts = services.member_counts([c.id for c in cohorts])
    for c in cohorts:
        click.echo(f"{c.id:>5}  {c.status:<8} {format_date(c.starts_on)}–"
                   f"{format_date(c.ends_on)}  {counts.get(c.id, 0):>4}  {c.name}")


@cohorts_group.command("add-members")
@click.argument("cohort_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "username", required=True, help="The acting trainer or admin.")
def add_members_command(cohort_id, file, username):
    """Add the people listed by staff id (column ma_nhan_su or staff_id); all or nothing."""
    cohort, user = _cohort(cohort_id), _user(username)
    with committed(services.CohortError):
        added, already = services.add_members_from_file(cohort, read_input(file), file.name,
                                                        by=user)
    click.echo(f"added {added}; {already} already in the cohort")


@cohorts_group.command("close")
@click.argument("cohort_id", type=int)
@click.option("--by", "username", required=True, help="The acting trainer or admin.")
def close_command(cohort_id, username):
    """Close a cohort: record outcomes and completions; print who did not complete and why."""
    cohort, user = _cohort(cohort_id), _user(username)
    with committed(services.CohortError):
        results = services.close_cohort(cohort, by=user)
    click.echo(f"closed: {sum(r.completes for r in results)}/{len(results)} completed")
    for r in results:
        if not r.completes:
            click.echo(f"  {r.person.staff_id}  {r.person.full_name}: {r.reason}")


@cohorts_group.command("export")
@click.argument("cohort_id", type=int)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.csv or FILE.xlsx")
def export_command(cohort_id, output):
    """Export members, attendance, scores and outcome (audited)."""
    cohort = _cohort(cohort_id)
    suffix = output.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise click.ClickException("the output must end in .csv or .xlsx")
    export = services.export_csv if suffix == ".csv" else services.export_xlsx
    data = export(cohort, by=None)
    output.write_bytes(data)
    db.session.commit()  # the audit entry
    click.echo(f"written {output}")


@cohorts_group.command("sign-in-sheet")
@click.argument("session_id", type=int)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def signin_sheet_command(session_id, output):
    """Write the sign-in sheet PDF of one session."""
    session = db.session.get(CohortSession, session_id)
    if session is None:
        raise click.ClickException(f"no session with id {session_id}")
    people = [r.person for r in services.member_results(session.cohort)]
    output.write_bytes(signin_sheet(session, people))
    audit.record("cohort.signin_sheet", target=f"cohort {session.cohort_id}",
                 session=session.id, rows=len(people))
    db.session.commit()
    click.echo(f"written {output} ({len(people)} people)")


completions_group = AppGroup("completions", help="Completions and the cohorts they came from.")


@completions_group.command("unlinked")
@click.option("--link", is_flag=True,
              help="First link every completion that matches exactly one cohort (the "
                   "migration's backfill, again).")
def unlinked_command(link):
    """List completions without a cohort that match several cohorts (ambiguous) and cohort
    completions matching none (unmatched); exit 1 when any is ambiguous."""
    if link:
        with committed():
            click.echo(f"linked {links.link_unique()} completion(s) to their one cohort")
    rows = links.unlinked()
    for row in rows:
        what = "ambiguous" if row.ambiguous else "unmatched"
        cohorts = ", ".join(str(i) for i in row.cohorts) or "-"
        click.echo(f"{what}\tcompletion {row.completion_id}\t{row.staff_id}\t{row.course}\t"
                   f"{row.completed_on.isoformat()}\t{row.source}\tcohorts {cohorts}")
    ambiguous = sum(row.ambiguous for row in rows)
    click.echo(f"{ambiguous} ambiguous, {len(rows) - ambiguous} unmatched")
    if ambiguous:
        raise SystemExit(1)


commands = [cohorts_group, completions_group]
