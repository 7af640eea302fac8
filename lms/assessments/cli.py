"""`flask lms quiz …`: paper tests as PDF and paper-score import for a cohort."""

import random
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.assessments import services
from lms.assessments.models import KINDS, PaperForm
from lms.assessments.pdf import paper_labels, paper_test_pdf
from lms.cohorts.models import Cohort
from lms.cohorts.services import CohortError
from lms.core.cli_util import committed, read_input
from lms.courses.models import Course
from lms.extensions import db

quiz_group = AppGroup("quiz", help="Quizzes, paper tests and paper scores.")


@quiz_group.command("paper-test")
@click.argument("course_slug")
@click.option("--kind", type=click.Choice(KINDS), default="final", show_default=True)
@click.option("--seed", type=int, default=None, help="Draw the same paper again.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="Where to write the PDF.")
def paper_test_command(course_slug, kind, seed, output):
    """Write a printable test drawn from the course's bank (answer grid with the paper's code,
    answer key on the last pages); the paper is kept for per-item answer entry."""
    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    if course is None:
        raise click.ClickException(f"no course with slug {course_slug!r}")
    seed = seed if seed is not None else random.SystemRandom().randint(1, 999_999)
    form = services.paper_form(course, kind, seed)
    paper = services.paper_test(course, kind, layout=form.layout)
    if not paper:
        db.session.rollback()
        raise click.ClickException(f"the question bank of {course_slug!r} is empty")
    db.session.commit()
    output.write_bytes(paper_test_pdf(course.title, paper, paper_labels(kind, course.title),
                                      code=form.id))
    click.echo(f"{len(paper)} questions written to {output} (paper code {form.id}, "
               f"seed {seed})")


@quiz_group.command("paper-answers")
@click.argument("cohort_id", type=int)
@click.argument("paper_code", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def paper_answers_command(cohort_id, paper_code, file):
    """Import per-item answers to a printed paper for a cohort (CSV/XLSX: ma_nhan_su, cau_1 …
    cau_N); checked first, nothing written on any error, then graded like online attempts."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"no cohort with id {cohort_id}")
    form = db.session.get(PaperForm, paper_code)
    if form is None or form.course_id != cohort.course_id:
        raise click.ClickException(f"no paper with code {paper_code} for this cohort's course")
    with committed(CohortError):
        changed = services.import_paper_answers(cohort, form, read_input(file), file.name)
    click.echo(f"paper answers: {changed} attempt(s) graded")


@quiz_group.command("paper-scores")
@click.argument("cohort_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def paper_scores_command(cohort_id, file):
    """Import paper pre/post scores of a cohort (CSV/XLSX: ma_nhan_su, diem_truoc, diem_sau);
    every row is checked first and nothing is written on any error."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"no cohort with id {cohort_id}")
    with committed(CohortError):
        changed = services.import_paper_scores(cohort, read_input(file), file.name)
    click.echo(f"paper scores: {changed} row(s) changed")


commands = [quiz_group]
