"""The register's reads: plain SELECTs of public entries' public columns, never an ORM object."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from tracker.entry_translations.queries import with_translation
from tracker.entry_translations.rules import as_written
from tracker.projects.models import Project, StageTransition
from tracker.projects.search import ngrams_query, search_words
from tracker.trust.models import Practice
from tracker.trust.queries import PUBLIC_COLUMNS
from tracker.vocab import RISK_TIERS, STAGES

PAGE_SIZE = 20
FEED_SIZE = 50
# the project's own text a list or the feed shows (a system's page shows all of TRANSLATED_FIELDS)
LISTED_TEXT = ("title", "purpose")
FILTERS = ("department", "domain", "stage", "risk_tier")
# what the list shows of an entry (with its title and purpose in the reader's language)
_LISTED = (
    Project.key,
    Project.title,
    Project.purpose,
    Project.department,
    Project.domain,
    Project.stage,
    Project.risk_tier,
    Project.changed_at,
    Project.content_locale,
)
_NEWEST_FIRST = (Project.changed_at.desc(), Project.id.desc())
_PUBLIC = Project.public.is_(True)


@dataclass(frozen=True)
class Page:
    entries: list
    total: int
    page: int
    pages: int


def _conditions(connection: sa.Connection, filters: Mapping[str, str], q: str) -> list:
    conditions = [_PUBLIC]
    conditions += [getattr(Project, name) == value for name, value in filters.items()]
    for word in search_words(q):
        ngrams = ngrams_query(word) if connection.dialect.name == "postgresql" else None
        if ngrams:
            # the candidates, from the n-gram index (tracker/projects/search.py)
            tsquery = sa.cast(ngrams, postgresql.TSQUERY)
            conditions.append(sa.func.register_ngrams(Project.search_text).bool_op("@@")(tsquery))
        # the word somewhere in the folded fields; autoescape: % and _ match themselves
        conditions.append(Project.search_text.contains(word, autoescape=True))
    return conditions


def public_state(connection: sa.Connection) -> tuple[int, datetime | None]:
    """How many public entries there are and their newest change: both from the (public,
    changed_at) index. Any change to a public entry, or to which entries are public, moves one."""
    return tuple(connection.execute(sa.select(sa.func.count(), sa.func.max(Project.changed_at)).where(_PUBLIC)).one())


_choices_cache: dict = {}


def filter_choices(connection: sa.Connection, state: tuple) -> dict[str, list[str]]:
    """The values in use among public entries, per filter (the departments marked with their
    language); read again only when `state` moved."""
    key = (str(connection.engine.url), state)
    cached = _choices_cache.get(key)
    if cached is None:
        in_use = connection.execute(
            sa.select(*(getattr(Project, name) for name in FILTERS), Project.content_locale).where(_PUBLIC).distinct()
        )
        values = {name: set() for name in FILTERS}
        # a department is written in the language of the entries naming it (the most of them)
        languages: dict[str, Counter] = {}
        for row in in_use:
            for name, value in zip(FILTERS, row, strict=False):
                if value:
                    values[name].add(value)
            if row.department:
                languages.setdefault(row.department, Counter())[row.content_locale] += 1
        departments = sorted(values["department"], key=str.casefold)
        cached = {
            "department": [as_written(name, languages[name].most_common(1)[0][0]) for name in departments],
            "domain": sorted(values["domain"]),
            "stage": [stage for stage in STAGES if stage in values["stage"]],
            "risk_tier": [tier for tier in RISK_TIERS if tier in values["risk_tier"]],
        }
        _choices_cache.clear()  # one state is current; older ones are of no use
        _choices_cache[key] = cached
    return cached


def search(
    connection: sa.Connection, *, filters: Mapping[str, str], q: str, page: int, total: int | None, reader: str
) -> Page:
    """One page of the matching entries, newest change first; a page out of range is the nearest.
    `total` when already known (no filter, no search: the public count). Each entry's title and
    purpose come with their translation into the `reader`'s language."""
    conditions = _conditions(connection, filters, q)
    page = max(page, 1)
    if total is None:
        # One pass over the matches gives the page and, alongside, their number.
        entries = _page_of(connection, conditions, page, reader, counted=True)
        if entries:
            total = entries[0].matches
            return Page(entries=entries, total=total, page=page, pages=_pages(total))
        # nothing matches, or the page is past the end
        total = connection.scalar(sa.select(sa.func.count()).select_from(Project).where(*conditions))
    page = min(page, _pages(total))
    entries = _page_of(connection, conditions, page, reader) if total else []
    return Page(entries=entries, total=total, page=page, pages=_pages(total))


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def _page_of(
    connection: sa.Connection, conditions: list, page: int, reader: str, counted: bool = False
) -> list[sa.Row]:
    """The page's rows: the matches are sorted by their ids and dates alone, and the listed
    columns read for the 20 on the page (a search may match thousands)."""
    matches = sa.select(Project.id, *([sa.func.count().over().label("matches")] if counted else []))
    on_page = (
        matches.where(*conditions).order_by(*_NEWEST_FIRST).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE).subquery()
    )
    listed = sa.select(*_LISTED, *([on_page.c.matches] if counted else [])).join(on_page, Project.id == on_page.c.id)
    listed = with_translation(listed, reader, LISTED_TEXT)
    return connection.execute(listed.order_by(*_NEWEST_FIRST)).all()


_ENTRY_COLUMNS = (
    Project.id,
    Project.key,
    Project.title,
    Project.purpose,
    Project.problem,
    Project.stage,
    Project.department,
    Project.contact_email,
    Project.domain,
    Project.ai_type,
    Project.risk_tier,
    Project.risk_rationale,
    Project.risk_assessed_on,
    Project.human_oversight,
    Project.data_sources,
    Project.logic,
    Project.risks,
    Project.changed_at,
    Project.content_locale,
)


def entry(connection: sa.Connection, key: str, reader: str) -> sa.Row | None:
    """A public entry's public columns with its translation into the `reader`'s language, or None
    (a private one is answered like a missing one)."""
    stmt = with_translation(sa.select(*_ENTRY_COLUMNS), reader)
    return connection.execute(stmt.where(_PUBLIC, Project.key == key)).first()


def stage_decisions(connection: sa.Connection, project_id: int) -> list[sa.Row]:
    """The entry's stage decisions, oldest first: the stage entered and the day (nothing else)."""
    return connection.execute(
        sa.select(StageTransition.to_stage, StageTransition.effective_date)
        .where(StageTransition.project_id == project_id)
        .order_by(StageTransition.effective_date, StageTransition.id)
    ).all()


def written_practices(connection: sa.Connection, project_id: int) -> list[sa.Row]:
    """The practices written for a project: the fields the registry publishes (never note or updated_by)."""
    return connection.execute(sa.select(*PUBLIC_COLUMNS).where(Practice.project_id == project_id)).all()


def feed_entries(connection: sa.Connection, reader: str) -> list[sa.Row]:
    """The most recently changed public entries, for the Atom feed, with their title and purpose
    translated into the `reader`'s language."""
    stmt = sa.select(
        Project.id, Project.key, Project.title, Project.purpose, Project.changed_at, Project.content_locale
    )
    stmt = with_translation(stmt, reader, LISTED_TEXT).where(_PUBLIC).order_by(*_NEWEST_FIRST).limit(FEED_SIZE)
    return connection.execute(stmt).all()
