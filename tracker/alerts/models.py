from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.db import Base, UTCDateTime, enum_column, utcnow

CHANNELS = ("email", "webhook")
DELIVERY_STATUSES = ("pending", "sent", "failed")


class OutboxMessage(Base):
    """An alert waiting for, or done with, delivery. Written in the scan's transaction."""

    __tablename__ = "outbox_messages"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    channel: so.Mapped[str] = so.mapped_column(enum_column("channel", CHANNELS))
    recipient: so.Mapped[str] = so.mapped_column(sa.String(1000))
    subject: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    body_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    body_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    payload: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    # stable across retries, so a copy accepted before a crash is recognisable
    message_id: so.Mapped[str] = so.mapped_column(sa.String(250), unique=True)
    status: so.Mapped[str] = so.mapped_column(enum_column("delivery_status", DELIVERY_STATUSES), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # SQLite: taken by a deliverer until then (PostgreSQL locks the row instead); see outbox.py
    leased_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    scan_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("scan_runs.id", ondelete="SET NULL"), index=True)

    __table_args__ = (sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),)
