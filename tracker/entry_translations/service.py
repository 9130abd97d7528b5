"""Translations of a project's text: load, ask the rules, write, commit once.

Every write is in the audit trail (entity `translation`) and is a change of the project's
registry entry (tracker/entry_translations/changes.py); the project's own fields, ETag and
`updated_at` are untouched, as with practices.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as so

from tracker.auth import Actor, can_edit_project
from tracker.db import get_or_404
from tracker.entry_translations import rules
from tracker.entry_translations.models import ProjectTranslation
from tracker.errors import Forbidden, Invalid, NotFound
from tracker.projects.models import Project


@dataclass(frozen=True)
class TranslationView:
    """A translation as the API shows it: its fields (None: not translated), and whether an
    original changed since it was last written."""

    locale: str
    title: str | None
    problem: str | None
    purpose: str | None
    data_sources: str | None
    logic: str | None
    risks: str | None
    human_oversight: str | None
    risk_rationale: str | None
    stale: bool
    originals_changed: list[str]
    created_at: datetime
    updated_at: datetime
    updated_by: int | None


def _originals(project: Project) -> dict[str, str]:
    return {name: getattr(project, name) for name in rules.TRANSLATED_FIELDS}


def _view(project: Project, translation: ProjectTranslation) -> TranslationView:
    changed = rules.changed_originals(_originals(project), translation.originals or {})
    return TranslationView(
        locale=translation.locale,
        **{name: getattr(translation, name) for name in rules.TRANSLATED_FIELDS},
        stale=bool(changed),
        originals_changed=changed,
        created_at=translation.created_at,
        updated_at=translation.updated_at,
        updated_by=translation.updated_by_id,
    )


def _check_locale(project: Project, locale: str, supported: Iterable[str]) -> None:
    problem = rules.locale_problem(locale, content_locale=project.content_locale, supported=supported)
    if problem:
        raise Invalid({"locale": problem}, location="path")


def _written(session: so.Session, project_id: int, locale: str) -> ProjectTranslation | None:
    return session.scalar(
        sa.select(ProjectTranslation).where(
            ProjectTranslation.project_id == project_id, ProjectTranslation.locale == locale
        )
    )


def list_translations(session: so.Session, project_id: int) -> list[TranslationView]:
    """A project's translations, by language (at most one per language besides its own)."""
    project = get_or_404(session, Project, project_id, name="project")
    written = session.scalars(
        sa.select(ProjectTranslation)
        .where(ProjectTranslation.project_id == project_id)
        .order_by(ProjectTranslation.locale)
    )
    return [_view(project, translation) for translation in written]


def read_translation(session: so.Session, project_id: int, locale: str, *, supported: Iterable[str]) -> TranslationView:
    project = get_or_404(session, Project, project_id, name="project")
    _check_locale(project, locale, supported)
    translation = _written(session, project_id, locale)
    if translation is None:
        raise NotFound(f"project {project_id} has no translation into {locale}")
    return _view(project, translation)


def _editable(session: so.Session, actor: Actor, project_id: int) -> Project:
    # the lock serialises writes of one project's translations with changes to its text
    project = get_or_404(session, Project, project_id, name="project", for_update=True)
    if not can_edit_project(actor, project.owner_id):
        raise Forbidden("only the project's owner or the CAIO office may change its translations")
    return project


def put_translation(
    session: so.Session, *, actor: Actor, project_id: int, locale: str, data: dict, supported: Iterable[str]
) -> tuple[TranslationView, bool]:
    """Set the project's text in `locale` as sent, whole: the fields left out have no translation.
    Returns the translation and whether it was created (else replaced)."""
    project = _editable(session, actor, project_id)
    _check_locale(project, locale, supported)
    originals = _originals(project)
    empty = rules.untranslatable(originals, data)
    if empty:
        raise Invalid({name: "The original is empty: there is nothing to translate." for name in empty})
    values = {name: data.get(name) for name in rules.TRANSLATED_FIELDS}
    values |= {"originals": rules.fingerprints(originals), "updated_by_id": actor.id}
    try:
        translation, created = _write(session, project_id, locale, values)
    except sa_exc.IntegrityError:
        # a racing first write made the row between our read and our insert (SQLite: PostgreSQL
        # queues on the project's lock instead); ours is then an update of it
        session.rollback()
        project = _editable(session, actor, project_id)
        translation, created = _write(session, project_id, locale, values)
    return _view(project, translation), created


def _write(session: so.Session, project_id: int, locale: str, values: dict) -> tuple[ProjectTranslation, bool]:
    translation = _written(session, project_id, locale)
    created = translation is None
    if created:
        translation = ProjectTranslation(project_id=project_id, locale=locale)
        session.add(translation)
    for name, value in values.items():
        setattr(translation, name, value)
    session.commit()
    return translation, created


def delete_translation(
    session: so.Session, *, actor: Actor, project_id: int, locale: str, supported: Iterable[str]
) -> None:
    project = _editable(session, actor, project_id)
    _check_locale(project, locale, supported)
    translation = _written(session, project_id, locale)
    if translation is None:
        raise NotFound(f"project {project_id} has no translation into {locale}")
    session.delete(translation)
    session.commit()


def title_in(session: so.Session, project: Project, reader: str) -> rules.Shown:
    """A project's title as a reader of `reader`'s language is shown it (the action pages)."""
    translated = session.scalar(
        sa.select(ProjectTranslation.title).where(
            ProjectTranslation.project_id == project.id, ProjectTranslation.locale == reader
        )
    )
    shown = rules.in_language(
        {"title": project.title},
        content_locale=project.content_locale,
        translation={"title": translated},
        reader=reader,
        fields=("title",),
    )
    return shown["title"]


def check_content_locale(session: so.Session, project: Project, content_locale: str) -> None:
    """A project's language may change only to one it has no translation into (422 otherwise)."""
    if content_locale != project.content_locale and _written(session, project.id, content_locale) is not None:
        raise Invalid(
            {
                "content_locale": f"The project has a translation into {content_locale}: "
                "delete it first, or keep the project's language."
            }
        )
