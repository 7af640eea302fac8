"""accounts at scale: session versions, one-time passwords, cohort join codes and requests

Revision ID: 0009_accounts_at_scale
Revises: 0008_paper_forms
Create Date: 2026-12-04 21:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_accounts_at_scale'
down_revision = '0008_paper_forms'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1',
                                      nullable=False))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('password_expires_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('join_code', sa.String(length=12), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_cohorts_join_code'), ['join_code'])
    op.create_table('join_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('check_number', sa.String(length=4), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('collected_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'],
                            name=op.f('fk_join_requests_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                            name=op.f('fk_join_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'],
                            name=op.f('fk_join_requests_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_join_requests')),
    sa.UniqueConstraint('cohort_id', 'person_id',
                        name=op.f('uq_join_requests_cohort_id'))
    )
    with op.batch_alter_table('join_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_join_requests_cohort_id'), ['cohort_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_join_requests_person_id'), ['person_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('join_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_join_requests_person_id'))
        batch_op.drop_index(batch_op.f('ix_join_requests_cohort_id'))
    op.drop_table('join_requests')
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_cohorts_join_code'), type_='unique')
        batch_op.drop_column('join_code')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('password_expires_at')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('session_version')
