"""roster history: the day a person's current state took effect, their past periods, and
the background import jobs

Revision ID: 0010_roster_history
Revises: 0009_accounts_at_scale
Create Date: 2026-12-07 23:05:00

Existing people get no `since` (present since the start of records) and no past periods: the
roster as it was before this migration is taken as the initial roster.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_roster_history'
down_revision = '0009_accounts_at_scale'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('since', sa.Date(), nullable=True))
    op.create_table('roster_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=30), nullable=False),
    sa.Column('in_target', sa.Boolean(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['units.id'],
                            name=op.f('fk_roster_periods_commune_id_units')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'],
                            name=op.f('fk_roster_periods_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_periods'))
    )
    with op.batch_alter_table('roster_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_periods_commune_id'), ['commune_id'],
                              unique=False)
        batch_op.create_index('ix_roster_periods_person_to', ['person_id', 'valid_to'],
                              unique=False)
    op.create_table('import_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('errors', sa.JSON(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_import_jobs_created_by_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs'))
    )
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_jobs_created_by_id'), ['created_by_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_jobs_created_by_id'))
    op.drop_table('import_jobs')
    with op.batch_alter_table('roster_periods', schema=None) as batch_op:
        batch_op.drop_index('ix_roster_periods_person_to')
        batch_op.drop_index(batch_op.f('ix_roster_periods_commune_id'))
    op.drop_table('roster_periods')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_column('since')
