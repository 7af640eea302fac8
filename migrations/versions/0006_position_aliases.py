"""units: admins' aliases for positions; staff ids in their one normalised form

Revision ID: 0006_position_aliases
Revises: 0005_certificates
Create Date: 2026-12-04 22:10:00

Staff ids are now stored NFKC-normalised, without spaces or invisible characters, in upper case
(`lms.core.tabular.normalise_id`), so the ids already stored are brought to that form; ids
whose normalised forms would collide are left as they are and listed, for an admin to merge.
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0006_position_aliases'
down_revision = '0005_certificates'
branch_labels = None
depends_on = None

_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Zs"}


def _normalise(value: str) -> str:
    # a copy of lms.core.tabular.normalise_id as it was when this migration was written
    text = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE).upper()


def upgrade():
    op.create_table('position_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=30), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_position_aliases_created_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_aliases')),
    sa.UniqueConstraint('key', name=op.f('uq_position_aliases_key'))
    )
    persons = sa.table('persons', sa.column('id', sa.Integer), sa.column('staff_id', sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(persons.c.id, persons.c.staff_id)).all()
    taken = {staff_id for _id, staff_id in rows}
    clashes = []
    for person_id, staff_id in rows:
        wanted = _normalise(staff_id)
        if wanted == staff_id:
            continue
        if wanted in taken or not wanted:
            clashes.append(staff_id)
            continue
        bind.execute(persons.update().where(persons.c.id == person_id).values(staff_id=wanted))
        taken.discard(staff_id)
        taken.add(wanted)
    if clashes:
        print(f"staff ids left as they were (their normal form is taken): {clashes[:50]}")


def downgrade():
    op.drop_table('position_aliases')
