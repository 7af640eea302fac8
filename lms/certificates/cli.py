"""`flask lms certificates …`: print PDFs, issue on request, list."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.certificates import pdf, services
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort
from lms.core.timeutil import today
from lms.extensions import db
from lms.units.services import lookup_unit

certificates_group = AppGroup("certificates", help="Certificates: print, issue, list.")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@certificates_group.command("pdf")
@click.option("--cohort", "cohort_id", type=int, help="Every certificate of this cohort.")
@click.option("--code", help="One certificate, by its verification code.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def pdf_command(cohort_id, code, output):
    """Write a cohort's certificates (a page each) or one certificate to a PDF file."""
    if (cohort_id is None) == (code is None):
        _fail("give exactly one of --cohort ID or --code CODE")
    if code is not None:
        cert = db.session.scalar(select(Certificate).where(Certificate.code == code))
        if cert is None:
            _fail(f"no certificate with code {code}")
        output.write_bytes(pdf.certificate_pdf(cert, services.verify_url(cert.code)))
        click.echo(f"written {output} ({cert.number})")
        return
    if db.session.get(Cohort, cohort_id) is None:
        _fail(f"no cohort {cohort_id}")
    stmt = services.cohort_certificates(cohort_id)
    pairs = ((c, services.verify_url(c.code)) for c in db.session.scalars(stmt))
    with output.open("wb") as fh:
        pages = pdf.batch_pdf(pairs, fh)
    if pages == 0:
        output.unlink()
        _fail(f"cohort {cohort_id} has no certificates")
    click.echo(f"written {output} ({pages} pages)")


@certificates_group.command("issue")
@click.option("--staff-id", required=True, help="The holder's staff id on the roster.")
@click.option("--course", "course_slug", required=True, help="The course slug.")
def issue_command(staff_id, course_slug):
    """Issue (or show the existing) certificate for a recorded completion, imported ones too."""
    try:
        cert, created = services.issue_for(staff_id, course_slug)
    except services.CertificateError as exc:
        db.session.rollback()
        _fail(str(exc))
    db.session.commit()
    click.echo(f"{'issued' if created else 'existing'} {cert.number} "
               f"({cert.shown_status(today())}) {services.verify_url(cert.code)}")


@certificates_group.command("list")
@click.option("--unit", "unit_code", help="Only holders in this unit's subtree (code).")
@click.option("--cohort", "cohort_id", type=int, help="Only this cohort.")
def list_command(unit_code, cohort_id):
    """Print number, holder, course, issue date and status, tab-separated."""
    unit = None
    if unit_code:
        unit = lookup_unit(unit_code)
        if unit is None:
            _fail(f"unknown unit code {unit_code}")
    stmt = services.certificates_query(unit=unit, cohort_id=cohort_id)
    count = 0
    for row in services.list_rows(stmt):
        click.echo("\t".join(row))
        count += 1
    click.echo(f"{count} certificate(s)", err=True)


commands = [certificates_group]
