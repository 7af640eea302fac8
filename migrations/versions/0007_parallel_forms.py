"""parallel forms: question difficulty and pool, the blueprint an attempt or paper score used

Revision ID: 0007_parallel_forms
Revises: 0006_position_aliases
Create Date: 2026-12-04 21:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_parallel_forms'
down_revision = '0006_position_aliases'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questions') as batch_op:
        batch_op.add_column(sa.Column('difficulty', sa.String(length=10), nullable=False,
                                      server_default='medium'))
        batch_op.add_column(sa.Column('form', sa.String(length=20), nullable=True))
    with op.batch_alter_table('questions') as batch_op:
        batch_op.alter_column('difficulty', server_default=None)
    with op.batch_alter_table('attempts') as batch_op:
        batch_op.add_column(sa.Column('blueprint', sa.String(length=12), nullable=True))
    with op.batch_alter_table('paper_scores') as batch_op:
        batch_op.add_column(sa.Column('blueprint', sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table('paper_scores') as batch_op:
        batch_op.drop_column('blueprint')
    with op.batch_alter_table('attempts') as batch_op:
        batch_op.drop_column('blueprint')
    with op.batch_alter_table('questions') as batch_op:
        batch_op.drop_column('form')
        batch_op.drop_column('difficulty')
