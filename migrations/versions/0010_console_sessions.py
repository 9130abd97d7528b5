"""console sessions: staff sign-ins recorded on the server, and the emailed one-time links

Both keep only the SHA-256 of the secret the browser holds. And projects' search text puts each field
on one line (a line break inside a field reads as a space), its first line holding every title (the
original's and its translations', tab-separated) that the console's search reads; every row whose
text differs is written again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 18:04:33.286008
"""

import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# a copy of tracker/projects/search.py as of this revision: a migration does not change with the code
SEARCHED_FIELDS = ('title', 'problem', 'purpose', 'department', 'key')
TRANSLATED_SEARCHED_FIELDS = ('title', 'problem', 'purpose')


def _fold(text):
    return unicodedata.normalize('NFC', unicodedata.normalize('NFC', text).casefold())


def _one_line(text):
    return _fold(text or '').replace('\n', ' ')


def _search_text(row, translations):
    titles = [row['title'], *(translation['title'] for translation in translations)]
    lines = ['\t'.join(_one_line(title) for title in titles if title)]
    lines += [_one_line(row[name]) for name in SEARCHED_FIELDS if name != 'title']
    for translation in translations:
        lines += [_one_line(translation[name]) for name in TRANSLATED_SEARCHED_FIELDS if name != 'title']
    return '\n'.join(lines)


def _titles_first_one_field_a_line():
    connection = op.get_bind()
    projects = sa.table('projects', sa.column('id'), sa.column('search_text'),
                        *(sa.column(name) for name in SEARCHED_FIELDS))
    translations = sa.table('project_translations', sa.column('project_id'), sa.column('locale'),
                            *(sa.column(name) for name in TRANSLATED_SEARCHED_FIELDS))
    by_project = {}
    for row in connection.execute(sa.select(translations).order_by(translations.c.locale)).mappings():
        by_project.setdefault(row['project_id'], []).append(row)
    rows = connection.execute(sa.select(projects)).mappings().all()
    updates = []
    for row in rows:
        text = _search_text(row, by_project.get(row['id'], []))
        if text != row['search_text']:
            updates.append({'row_id': row['id'], 'text': text})
    if updates:
        connection.execute(
            projects.update().where(projects.c.id == sa.bindparam('row_id')).values(search_text=sa.bindparam('text')),
            updates,
        )


def upgrade():
    op.create_table('sign_in_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_links_token_hash'))
    )
    with op.batch_alter_table('sign_in_links', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_links_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('staff_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('email-link', 'oidc', name='sign_in_method', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.Enum('signed-out', 'user-inactive', 'replaced', name='end_reason', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_sessions_token_hash'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False)

    _titles_first_one_field_a_line()



def downgrade():
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_user_id'))

    op.drop_table('staff_sessions')
    with op.batch_alter_table('sign_in_links', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_links_user_created')

    op.drop_table('sign_in_links')
