"""A practice written is a change of its project's registry entry (SPEC "Trust": an entry's last
change is the later of its project's `updated_at` and its practices'). The project's
`changed_at` follows, without touching its `updated_at`, version (ETag) or audit trail."""

import sqlalchemy as sa

from tracker.projects.models import Project
from tracker.trust.models import Practice

_projects = Project.__table__


@sa.event.listens_for(Practice, "after_insert")
@sa.event.listens_for(Practice, "after_update")
def _entry_changed(mapper, connection, practice: Practice) -> None:
    connection.execute(
        sa.update(_projects)
        .where(_projects.c.id == practice.project_id, _projects.c.changed_at < practice.updated_at)
        # naming updated_at keeps its onupdate from firing: the project itself did not change
        .values(changed_at=practice.updated_at, updated_at=_projects.c.updated_at)
    )
