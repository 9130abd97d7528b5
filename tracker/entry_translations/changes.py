"""A translation written or removed is a change of its project's registry entry (SPEC: it counts
as the entry's last change), and of what the register's search finds: the project's
`changed_at` and `search_text` follow, without touching its `updated_at`, version (ETag) or audit
trail. Every writer of a translation goes through the ORM, so these hooks keep both current."""

import sqlalchemy as sa

from tracker.db import utcnow
from tracker.entry_translations.models import ProjectTranslation
from tracker.projects import search
from tracker.projects.models import Project, entry_changed, searched_translations


def _refresh_entry(connection: sa.Connection, project_id: int, at) -> None:
    searched = (
        connection.execute(
            sa.select(*(getattr(Project, name) for name in search.SEARCHED_FIELDS)).where(Project.id == project_id)
        )
        .mappings()
        .first()
    )
    if searched is None:  # the project itself is being deleted with its translations
        return
    text = search.search_text(searched, searched_translations(connection, project_id))
    entry_changed(connection, project_id, at, search_text=text)


@sa.event.listens_for(ProjectTranslation, "after_insert")
@sa.event.listens_for(ProjectTranslation, "after_update")
def _written(mapper, connection, translation: ProjectTranslation) -> None:
    _refresh_entry(connection, translation.project_id, translation.updated_at)


@sa.event.listens_for(ProjectTranslation, "after_delete")
def _removed(mapper, connection, translation: ProjectTranslation) -> None:
    _refresh_entry(connection, translation.project_id, utcnow())
