"""trend: budget lines' planned_on and approved_on; frozen council packs (snapshots)

Existing lines take `planned_on` from the day they were created and, when approved, `approved_on`
from the day of their last change (never before `planned_on`), as SPEC says of lines older than
these fields. `budget_lines` is rebuilt in batch mode on SQLite to make the dates NOT NULL and add
their checks: no table references it, so the copy is safe.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _day(column: str) -> str:
    """The UTC day of a stored timestamp, in this database's SQL."""
    if op.get_bind().dialect.name == 'postgresql':
        return f"CAST({column} AT TIME ZONE 'UTC' AS DATE)"
    return f"date({column})"


def upgrade():
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('approved_on', sa.Date(), nullable=True))
    created, changed = _day('created_at'), _day('updated_at')
    op.execute(f"UPDATE budget_lines SET planned_on = {created}")
    op.execute(
        f"UPDATE budget_lines SET approved_on = CASE WHEN {changed} > planned_on THEN {changed} ELSE planned_on END"
        " WHERE status = 'approved'"
    )
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.alter_column('planned_on', existing_type=sa.Date(), nullable=False)
        batch_op.create_check_constraint(
            'approved_on_with_status',
            "(status = 'planned' AND approved_on IS NULL) OR (status = 'approved' AND approved_on IS NOT NULL)",
        )
        batch_op.create_check_constraint('approved_after_planned', 'approved_on IS NULL OR approved_on >= planned_on')

    op.create_table('snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('portfolio', sa.JSON(), nullable=False),
    sa.Column('trend', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_snapshots_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_snapshots'))
    )
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_snapshots_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_snapshots_created_at'))
    op.drop_table('snapshots')
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.drop_constraint('approved_after_planned', type_='check')
        batch_op.drop_constraint('approved_on_with_status', type_='check')
        batch_op.drop_column('approved_on')
        batch_op.drop_column('planned_on')
