"""projects: an index of stage, area and reference, for the console's list of projects

The console lists a stage's projects in an area by reference, 50 to a page: with this index the
page is read in order from the index, not found among every match and sorted (at 100k projects,
3,000 pilots of an area: 10 ms to 3 on SQLite).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 02:00:00
"""

from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_projects_stage_domain_key', 'projects', ['stage', 'domain', 'key'])


def downgrade():
    op.drop_index('ix_projects_stage_domain_key', table_name='projects')
