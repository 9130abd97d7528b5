"""The register's search text: a project's searched fields, NFC-normalised and casefolded.

Kept in a column of its own (`projects.search_text`) because neither database folds case in
Unicode by itself the same way (SQLite's lower() is ASCII-only; PostgreSQL's follows the
database's locale), and folding 20,000 rows in Python on every search is too slow. A search
word, folded the same way, matches when it occurs inside the column: inside words, and
across Korean text, which has no spaces between the parts of a compound (교통 in 교통신호).
"""

import unicodedata
from collections.abc import Mapping

# SPEC: every word of `q` must match one of these
SEARCHED_FIELDS = ("title", "problem", "purpose", "department", "key")


def fold(text: str) -> str:
    """Unicode caseless form: NFC, casefolded, NFC again (casefold may decompose, e.g. İ)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def search_text(values: Mapping) -> str:
    # one field a line: a word cannot match across two fields
    return "\n".join(fold(str(values.get(name) or "")) for name in SEARCHED_FIELDS)


def search_words(q: str) -> list[str]:
    """The words of a query, folded, each once."""
    return list(dict.fromkeys(fold(q).split()))
