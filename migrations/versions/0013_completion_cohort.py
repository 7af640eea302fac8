"""completions know their cohort: completions.cohort_id, backfilled where one cohort matches

Revision ID: 0013_completion_cohort
Revises: 0012_position_paths
Create Date: 2026-12-08 01:40:00

A completion without a cohort is linked when exactly one cohort matches it: same course, the
person a member, the completion date within the cohort's start and end dates (the rule of
lms/cohorts/links.py). Ambiguous rows (two or more matches) are left unlinked and counted in
the log; `flask --app app lms completions unlinked` lists them.
"""
import logging

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_completion_cohort'
down_revision = '0012_position_paths'
branch_labels = None
depends_on = None

log = logging.getLogger('alembic.runtime.migration')

_MATCHES = """
    FROM cohorts k JOIN cohort_members m ON m.cohort_id = k.id
    WHERE m.person_id = completions.person_id AND k.course_id = completions.course_id
      AND k.starts_on <= completions.completed_on AND k.ends_on >= completions.completed_on"""


def upgrade():
    # The column and its named reference in one ADD COLUMN, valid on PostgreSQL and SQLite: on
    # SQLite a batch copy of the table would be refused (foreign keys are on and certificates
    # reference its rows).
    op.execute("ALTER TABLE completions ADD COLUMN cohort_id INTEGER "
               "CONSTRAINT fk_completions_cohort_id_cohorts REFERENCES cohorts (id)")
    op.create_index(op.f('ix_completions_cohort_id'), 'completions', ['cohort_id'],
                    unique=False)
    backfill(op.get_bind())


def backfill(bind) -> tuple[int, int]:
    """Link the completions without a cohort that match exactly one; log how many were linked
    and how many match several (left unlinked). Returns (linked, ambiguous)."""
    linked = bind.execute(sa.text(
        f"UPDATE completions SET cohort_id = (SELECT MIN(k.id) {_MATCHES}) "
        f"WHERE cohort_id IS NULL AND (SELECT COUNT(*) {_MATCHES}) = 1")).rowcount
    ambiguous = bind.execute(sa.text(
        f"SELECT COUNT(*) FROM completions "
        f"WHERE cohort_id IS NULL AND (SELECT COUNT(*) {_MATCHES}) > 1")).scalar()
    log.info("completions linked to their cohort: %s; ambiguous, left unlinked: %s "
             "(flask --app app lms completions unlinked lists them)", linked, ambiguous)
    if ambiguous:
        log.warning("%s completion(s) match more than one cohort and were not linked",
                    ambiguous)
    return linked, ambiguous


def downgrade():
    op.drop_index(op.f('ix_completions_cohort_id'), table_name='completions')
    with op.batch_alter_table('completions', schema=None) as batch_op:
        if op.get_bind().dialect.name != 'sqlite':
            batch_op.drop_constraint('fk_completions_cohort_id_cohorts', type_='foreignkey')
        batch_op.drop_column('cohort_id')
