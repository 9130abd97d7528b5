"""register: on PostgreSQL, an index of public entries' search text by pieces of two and three characters

A search reads only the entries holding every trigram (or the bigram) of each word, then checks them with LIKE
(tracker/projects/search.py). SQLite keeps reading every public entry's text: it meets its
target without an index. The function is copied as of this revision: a migration does not
change with the code.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 23:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

CREATE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION register_ngrams(t text) RETURNS tsvector
IMMUTABLE STRICT PARALLEL SAFE COST 10000 LANGUAGE plpgsql AS $$
DECLARE
  chars text[] := regexp_split_to_array(t, '');
  grams text[] := '{}';
BEGIN
  FOR i IN 1 .. coalesce(array_length(chars, 1), 0) - 1 LOOP
    -- a search word never holds a space, and fields are one a line
    CONTINUE WHEN chars[i] IN (' ', E'\n') OR chars[i + 1] IN (' ', E'\n');
    grams := grams || (chars[i] || chars[i + 1]);
    IF chars[i + 2] NOT IN (' ', E'\n') THEN  -- null past the end
      grams := grams || (chars[i] || chars[i + 1] || chars[i + 2]);
    END IF;
  END LOOP;
  RETURN array_to_tsvector(grams);
END $$
"""


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(CREATE_FUNCTION)
    op.create_index('ix_projects_search_ngrams', 'projects', [sa.text('register_ngrams(search_text)')],
                    postgresql_using='gin', postgresql_where=sa.text('public IS true'))
    # no statistics: ANALYZE would evaluate the function on every sampled row
    op.execute('ALTER INDEX ix_projects_search_ngrams ALTER COLUMN 1 SET STATISTICS 0')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_projects_search_ngrams', table_name='projects')
    op.execute('DROP FUNCTION register_ngrams(text)')
