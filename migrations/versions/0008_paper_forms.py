"""paper forms: printed tests kept for per-item paper answers, graded as attempts

Revision ID: 0008_paper_forms
Revises: 0007_parallel_forms
Create Date: 2026-12-04 22:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_paper_forms'
down_revision = '0007_parallel_forms'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('paper_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('layout', sa.JSON(), nullable=False),
    sa.Column('blueprint', sa.String(length=12), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_paper_forms_course_id_courses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_forms')),
    sa.UniqueConstraint('course_id', 'kind', 'seed', name=op.f('uq_paper_forms_course_id'))
    )
    with op.batch_alter_table('paper_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_forms_course_id'), ['course_id'], unique=False)
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper_form_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cohort_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attempts_paper_form_id'), ['paper_form_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attempts_paper_form_id_paper_forms'), 'paper_forms', ['paper_form_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_attempts_cohort_id_cohorts'), 'cohorts', ['cohort_id'], ['id'])


def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempts_cohort_id_cohorts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_attempts_paper_form_id_paper_forms'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attempts_paper_form_id'))
        batch_op.drop_column('cohort_id')
        batch_op.drop_column('paper_form_id')
    with op.batch_alter_table('paper_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_forms_course_id'))
    op.drop_table('paper_forms')
