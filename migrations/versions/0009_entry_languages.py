"""entry languages: projects' content_locale, and translations of their text

Every existing project is written in the deployment's DEFAULT_LOCALE: the migration reads the
setting of the app that runs it (`flask db upgrade`: tracker/cli.py passes it in the Alembic
config's attributes), else the DEFAULT_LOCALE environment variable (plain `alembic`), else `en`.
It is also the column's server default, so a row written outside the service gets it too.
Added in place, as in 0003.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 18:00:00
"""

import os

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def _default_locale():
    locale = op.get_context().config.attributes.get('default_locale') if op.get_context().config else None
    return (locale or os.environ.get('DEFAULT_LOCALE') or 'en').strip().lower()


def upgrade():
    locale = _default_locale()
    op.add_column('projects', sa.Column('content_locale', sa.String(length=16), server_default=locale,
                                        nullable=False))
    op.create_table('project_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('data_sources', sa.Text(), nullable=True),
    sa.Column('logic', sa.Text(), nullable=True),
    sa.Column('risks', sa.Text(), nullable=True),
    sa.Column('human_oversight', sa.Text(), nullable=True),
    sa.Column('risk_rationale', sa.Text(), nullable=True),
    sa.Column('originals', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_translations_project_id_projects'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_project_translations_updated_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_translations')),
    sa.UniqueConstraint('project_id', 'locale', name='uq_project_translations_project_locale')
    )


def downgrade():
    op.drop_table('project_translations')
    op.drop_column('projects', 'content_locale')
