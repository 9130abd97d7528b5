"""register: projects' search text and registry entry's last change

`search_text` holds the searched fields NFC-normalised and casefolded (tracker/projects/search.py);
`changed_at` the later of the project's `updated_at` and its practices' (SPEC "Trust"), indexed
with `public` so the register lists newest first without sorting every entry. Both are filled
for the rows already there. Added in place, as in 0003.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 20:00:00
"""

import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# a copy of tracker/projects/search.py as of this revision: a migration does not change with the code
SEARCHED_FIELDS = ('title', 'problem', 'purpose', 'department', 'key')


def _fold(text):
    return unicodedata.normalize('NFC', unicodedata.normalize('NFC', text).casefold())


def upgrade():
    op.add_column('projects', sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    # SQLite adds a NOT NULL column only with a constant default; every row gets its value below
    on_sqlite = op.get_bind().dialect.name == 'sqlite'
    default = sa.text("'1970-01-01 00:00:00+00:00'") if on_sqlite else sa.func.now()
    op.add_column('projects', sa.Column('changed_at', sa.DateTime(timezone=True), server_default=default,
                                        nullable=False))
    op.create_index('ix_projects_public_changed_at', 'projects', ['public', 'changed_at', 'id'], unique=False)

    connection = op.get_bind()
    projects = sa.table('projects', sa.column('id'), sa.column('search_text'), sa.column('updated_at'),
                        sa.column('changed_at'), *(sa.column(name) for name in SEARCHED_FIELDS))
    practices = sa.table('practices', sa.column('project_id'), sa.column('updated_at'))
    rows = connection.execute(sa.select(projects.c.id, *(projects.c[name] for name in SEARCHED_FIELDS))).all()
    updates = [{'row_id': row.id, 'text': '\n'.join(_fold(row[i + 1] or '') for i in range(len(SEARCHED_FIELDS)))}
               for row in rows]
    if updates:
        connection.execute(
            projects.update().where(projects.c.id == sa.bindparam('row_id')).values(search_text=sa.bindparam('text')),
            updates,
        )
    latest_practice = (sa.select(sa.func.max(practices.c.updated_at))
                       .where(practices.c.project_id == projects.c.id).scalar_subquery())
    connection.execute(projects.update().values(changed_at=projects.c.updated_at))
    connection.execute(projects.update().where(latest_practice > projects.c.updated_at)
                       .values(changed_at=latest_practice))


def downgrade():
    op.drop_index('ix_projects_public_changed_at', table_name='projects')
    op.drop_column('projects', 'changed_at')
    op.drop_column('projects', 'search_text')
