"""Reading the audit trail: newest first, filtered (the audit API and the console's project page)."""

import sqlalchemy as sa

from tracker.audit.models import AuditEvent


def events_query(*, project: int | None = None, actor: int | None = None, entity: str | None = None) -> sa.Select:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    for column, value in ((AuditEvent.project_id, project), (AuditEvent.actor_id, actor), (AuditEvent.entity, entity)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt
