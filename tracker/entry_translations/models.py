from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.db import Base, UTCDateTime, utcnow


class ProjectTranslation(Base):
    """A project's own text in a language other than its `content_locale`, written whole: a field
    it leaves out has no translation (null), and the reader is shown the original there.

    `originals` holds a fingerprint of each of the eight original fields as they read when the
    translation was last written: one that no longer matches is an original changed since (stale).
    """

    __tablename__ = "project_translations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    locale: so.Mapped[str] = so.mapped_column(sa.String(16))
    title: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    problem: so.Mapped[str | None] = so.mapped_column(sa.Text)
    purpose: so.Mapped[str | None] = so.mapped_column(sa.Text)
    data_sources: so.Mapped[str | None] = so.mapped_column(sa.Text)
    logic: so.Mapped[str | None] = so.mapped_column(sa.Text)
    risks: so.Mapped[str | None] = so.mapped_column(sa.Text)
    human_oversight: so.Mapped[str | None] = so.mapped_column(sa.Text)
    risk_rationale: so.Mapped[str | None] = so.mapped_column(sa.Text)
    originals: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    # one translation per language; also the index every read of a project's translations uses
    __table_args__ = (sa.UniqueConstraint("project_id", "locale", name="uq_project_translations_project_locale"),)
