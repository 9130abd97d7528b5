from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.db import Base, UTCDateTime, utcnow


class Snapshot(Base):
    """A frozen council pack: the trend and the portfolio report as they read when it was made.

    The figures are stored as the API answered them (JSON), never recomputed: later edits to
    projects, budget lines or KPIs do not reach them. Who made it is kept by id and by the name
    they had then, so the pack still says who made it after the user is renamed.
    """

    __tablename__ = "snapshots"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_by_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # period, from, to, domain, department as resolved
    parameters: so.Mapped[dict] = so.mapped_column(sa.JSON)
    portfolio: so.Mapped[dict] = so.mapped_column(sa.JSON)
    trend: so.Mapped[dict] = so.mapped_column(sa.JSON)
