"""trust: risk tiers and practices; users' locale

Every existing project becomes `unassessed`; its eight practices read as `not_started` because a
practice has a row only once written. The columns are added in place (ALTER TABLE ... ADD COLUMN),
not by batch mode's table copy: on SQLite that copy of `projects`, with foreign keys pointing at
it, can fail halfway and leave a partial table behind.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 19:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

RISK_TIERS = ('unassessed', 'minimal', 'limited', 'high_impact', 'prohibited')
PRACTICES = ('testing', 'impact_assessment', 'independent_review', 'monitoring', 'training', 'human_oversight',
             'appeal', 'public_consultation')
PRACTICE_STATUSES = ('not_started', 'in_progress', 'done', 'not_applicable', 'waived')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade():
    op.create_table('practices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.Enum(*PRACTICES, name='practice', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum(*PRACTICE_STATUSES, name='practice_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('waived_on', sa.Date(), nullable=True),
    sa.Column('evidence_url', sa.String(length=2000), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('waiver_reason', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_practices_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_practices_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practices')),
    sa.UniqueConstraint('project_id', 'key', name='uq_practices_project_key')
    )
    tier_check = _in('risk_tier', RISK_TIERS)
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite takes a column's own CHECK in ADD COLUMN, and no ADD CONSTRAINT afterwards
        op.execute("ALTER TABLE projects ADD COLUMN risk_tier VARCHAR(32) DEFAULT 'unassessed' NOT NULL"
                   f" CONSTRAINT ck_projects_risk_tier CHECK ({tier_check})")
    else:
        op.add_column('projects', sa.Column('risk_tier', sa.String(length=32), server_default='unassessed', nullable=False))
        op.create_check_constraint('ck_projects_risk_tier', 'projects', tier_check)
    op.add_column('projects', sa.Column('risk_rationale', sa.Text(), server_default='', nullable=False))
    op.add_column('projects', sa.Column('risk_assessed_on', sa.Date(), nullable=True))
    op.create_index(op.f('ix_projects_risk_tier'), 'projects', ['risk_tier'], unique=False)
    op.add_column('users', sa.Column('locale', sa.String(length=16), nullable=True))


def downgrade():
    op.drop_column('users', 'locale')
    op.drop_index(op.f('ix_projects_risk_tier'), table_name='projects')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('ck_projects_risk_tier', 'projects', type_='check')
    op.drop_column('projects', 'risk_assessed_on')
    op.drop_column('projects', 'risk_rationale')
    op.drop_column('projects', 'risk_tier')
    op.drop_table('practices')
