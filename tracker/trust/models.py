from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.vocab import PRACTICE_STATUSES, PRACTICES


class Practice(Base):
    """One risk-management practice of a project, stored once written.

    A project has all eight practices; one never written has no row and reads as `not_started`
    with empty fields, so a new project (or the 100,000 of a large portfolio) costs no rows.
    """

    __tablename__ = "practices"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    key: so.Mapped[str] = so.mapped_column(enum_column("practice", PRACTICES))
    status: so.Mapped[str] = so.mapped_column(enum_column("practice_status", PRACTICE_STATUSES))
    completed_on: so.Mapped[date | None]
    # the day of the latest write that set `waived`: each such write re-certifies the waiver
    waived_on: so.Mapped[date | None]
    evidence_url: so.Mapped[str] = so.mapped_column(sa.String(2000), default="")
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    waiver_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (sa.UniqueConstraint("project_id", "key", name="uq_practices_project_key"),)
