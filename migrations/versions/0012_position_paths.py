"""courses: the courses each roster position must complete (content/paths.yml)

Revision ID: 0012_position_paths
Revises: 0011_reason_codes
Create Date: 2026-12-08 02:05:00

Filled by the next `flask lms content load`; until then the "path" rule of the coverage
reports says that no path is loaded.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_position_paths'
down_revision = '0011_reason_codes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('position_courses',
    sa.Column('position', sa.String(length=30), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                            name=op.f('fk_position_courses_course_id_courses'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('position', 'course_id', name=op.f('pk_position_courses'))
    )


def downgrade():
    op.drop_table('position_courses')
