"""The register's search text: a project's searched fields, NFC-normalised and casefolded, one a
line (a line break inside a field reads as a space: no word holds one, so no match changes).

The originals and every translation's are kept in a column of its own (`projects.search_text`) because neither database folds case in
Unicode by itself the same way (SQLite's lower() is ASCII-only; PostgreSQL's follows the
database's locale), and folding 20,000 rows in Python on every search is too slow. A search
word, folded the same way, matches when it occurs inside the column: inside words, and
across Korean text, which has no spaces between the parts of a compound (교통 in 교통신호).
"""

import unicodedata
from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

# SPEC: every word of `q` must match one of these, in the original or a translation
SEARCHED_FIELDS = ("title", "problem", "purpose", "department", "key")
# those a translation may carry (tracker/entry_translations)
TRANSLATED_SEARCHED_FIELDS = ("title", "problem", "purpose")


def fold(text: str) -> str:
    """Unicode caseless form: NFC, casefolded, NFC again (casefold may decompose, e.g. İ)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def search_text(values: Mapping, translations: Iterable[Mapping] = ()) -> str:
    """The searched fields of the original and of each translation, one field a line (a word
    cannot match across two fields; a line break inside a field reads as a space). The first line
    holds every title, the original's first, separated by tabs (no search word holds one): the
    console's search reads titles only, in every language."""
    titles = [values.get("title"), *(translation.get("title") for translation in translations)]
    lines = ["\t".join(_one_line(title) for title in titles if title)]
    lines += [_one_line(values.get(name)) for name in SEARCHED_FIELDS if name != "title"]
    for translation in translations:
        lines += [_one_line(translation.get(name)) for name in TRANSLATED_SEARCHED_FIELDS if name != "title"]
    return "\n".join(lines)


def _one_line(text) -> str:
    return fold(str(text or "")).replace("\n", " ")


def search_words(q: str) -> list[str]:
    """The words of a query, folded, each once."""
    return list(dict.fromkeys(fold(q).split()))


class title_line(sa.sql.functions.FunctionElement):  # noqa: N801 - reads like the SQL it is
    """The first line of a search text: the folded titles, the original's and its translations'."""

    type = sa.Text()
    inherit_cache = True


@compiles(title_line)
def _title_line(element, compiler, **kw):
    return f"split_part({compiler.process(element.clauses, **kw)}, chr(10), 1)"


@compiles(title_line, "sqlite")
def _title_line_sqlite(element, compiler, **kw):
    text = compiler.process(element.clauses, **kw)
    return f"substr({text}, 1, instr({text}, char(10)) - 1)"


def key_or_title_matches(q: str, *, text: sa.ColumnElement, key: sa.ColumnElement) -> list[sa.ColumnElement[bool]]:
    """The console's search (SPEC: key or title, as the register's search matches): every word of
    `q` inside a folded title (the original's or a translation's: the search text's first line) or
    the key (A-Z, 0-9 and . _ -, so lower() folds it on either database); % and _ match themselves."""
    return [
        sa.or_(title_line(text).contains(word, autoescape=True), sa.func.lower(key).contains(word, autoescape=True))
        for word in search_words(q)
    ]


# On PostgreSQL a search first narrows the entries with a GIN index of each search text's pieces
# of two and three characters (n-grams): a word of three or more characters occurs only in a text
# holding all of its trigrams, a word of two is its own bigram. The candidates are then checked
# with LIKE. Reading every entry's text was 4-7 times a page of the JSON registry at 20,000
# entries; pg_trgm cannot serve the two-character Korean words residents search for. The function
# is the index's expression, so every writer (ORM, bulk insert, import, migration) keeps it
# current. COST: evaluated per row instead of read from the index, it costs about 0.1 ms a row, so
# the planner must never prefer that. The index keeps no statistics (ANALYZE would evaluate the
# function on every sampled row).
NGRAMS_INDEX = "ix_projects_search_ngrams"
CREATE_NGRAMS_FUNCTION = r"""
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
DROP_NGRAMS_FUNCTION = "DROP FUNCTION IF EXISTS register_ngrams(text)"


def ngrams_query(word: str) -> str | None:
    """A tsquery (text form) that the index answers with the entries holding every trigram of the
    word (its bigram, if two characters); None for one character, which only a full read finds."""
    if len(word) < 2:
        return None
    size = 2 if len(word) == 2 else 3
    grams = dict.fromkeys(word[i : i + size] for i in range(len(word) - size + 1))
    # a quoted lexeme: a backslash escapes, a quote is doubled
    return " & ".join("'" + gram.replace("\\", "\\\\").replace("'", "''") + "'" for gram in grams)
