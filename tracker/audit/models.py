from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.db import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """Who changed what, when, with the values before and after. Append-only.

    Actor and project are kept as plain ids (no foreign keys) so the trail outlives deletions.
    """

    __tablename__ = "audit_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    actor_id: so.Mapped[int | None] = so.mapped_column(index=True)
    actor_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    source: so.Mapped[str] = so.mapped_column(sa.String(20))  # api, cli, scheduler, email-link, console
    action: so.Mapped[str] = so.mapped_column(sa.String(40))
    entity: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    entity_id: so.Mapped[int | None]
    project_id: so.Mapped[int | None] = so.mapped_column(index=True)
    changes: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
