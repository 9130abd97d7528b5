"""A practice written is a change of its project's registry entry (SPEC "Trust": an entry's last
change is the later of its project's `updated_at` and its practices'). The project's
`changed_at` follows, without touching its `updated_at`, version (ETag) or audit trail."""

import sqlalchemy as sa

from tracker.projects.models import entry_changed
from tracker.trust.models import Practice


@sa.event.listens_for(Practice, "after_insert")
@sa.event.listens_for(Practice, "after_update")
def _entry_changed(mapper, connection, practice: Practice) -> None:
    entry_changed(connection, practice.project_id, practice.updated_at)
