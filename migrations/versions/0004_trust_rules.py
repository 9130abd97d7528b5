"""trust: the scan's three trust rules in the flags' rule constraint

`risk_unassessed`, `practices_lapsed` and `prohibited_in_use` join the values a flag's `rule`
may hold. PostgreSQL swaps the CHECK constraint in place. SQLite cannot change a constraint, so
`flags` is copied (batch mode); no table has a foreign key to `flags`, so the copy cannot strand
another table's references. Going down removes the flags of the new rules first.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 20:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD_RULES = ('poc_stalled', 'pilot_purgatory', 'no_scale_budget', 'no_kpis', 'input_metrics_only', 'stale_reporting')
NEW_RULES = (*OLD_RULES, 'risk_unassessed', 'practices_lapsed', 'prohibited_in_use')


def _rule_type(rules):
    return sa.Enum(*rules, name='rule', native_enum=False, create_constraint=True, length=32)


def _allow(old, new):
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('flags', schema=None) as batch_op:
            batch_op.alter_column('rule', type_=_rule_type(new), existing_type=_rule_type(old), existing_nullable=False)
    else:
        op.drop_constraint(op.f('ck_flags_rule'), 'flags', type_='check')
        op.create_check_constraint(op.f('ck_flags_rule'), 'flags', f"rule IN ({', '.join(repr(rule) for rule in new)})")


def upgrade():
    _allow(OLD_RULES, NEW_RULES)


def downgrade():
    flags = sa.table('flags', sa.column('rule', sa.String))
    op.execute(flags.delete().where(flags.c.rule.notin_(OLD_RULES)))
    _allow(NEW_RULES, OLD_RULES)
