"""Translations in SQL: a project's translated fields alongside its own, for the reads that show
them (the register, the registry, the federal export)."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.entry_translations.models import ProjectTranslation
from tracker.entry_translations.rules import TRANSLATED_FIELDS, Shown, in_language
from tracker.projects.models import Project


def with_translation(
    stmt: sa.Select, locale: str, fields: tuple[str, ...] = TRANSLATED_FIELDS, *, label: str = "translated_{name}"
) -> sa.Select:
    """`stmt` (of projects) with the `fields` of their translation into `locale` as columns named
    by `label` (null: not translated). An outer join on the translations' unique (project, locale)
    key: still one row per project, and a stream stays a stream."""
    translation = so.aliased(ProjectTranslation, name=f"translation_{locale}")
    return stmt.outerjoin(
        translation, sa.and_(translation.project_id == Project.id, translation.locale == locale)
    ).add_columns(*(getattr(translation, name).label(label.format(name=name)) for name in fields))


def as_shown(row, reader: str, fields: tuple[str, ...] = TRANSLATED_FIELDS) -> dict[str, Shown]:
    """A row of `with_translation(..., reader, fields)` (with its `content_locale`): each field as
    the reader is shown it, marked with the language it is written in."""
    return in_language(
        {name: getattr(row, name) for name in fields},
        content_locale=row.content_locale,
        translation={name: getattr(row, f"translated_{name}") for name in fields},
        reader=reader,
        fields=fields,
    )
