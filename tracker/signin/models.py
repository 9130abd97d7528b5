"""Staff sign-in: the console's sessions, recorded on the server, and the emailed one-time links.

Neither table keeps a secret a browser holds: the session cookie and the link carry 256 random
bits, and only their SHA-256 is stored (as with API tokens), so a copy of the database opens no
session and spends no link.
"""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.db import Base, UTCDateTime, enum_column, utcnow

SIGN_IN_METHODS = ("email-link", "oidc")
# why a session ended before its time (a session that ran out has no end recorded: it expired)
END_REASONS = ("signed-out", "user-inactive", "replaced")


class StaffSession(Base):
    """One sign-in to the console: live from `started_at` until `expires_at`, unless it `ended_at` before."""

    __tablename__ = "staff_sessions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: so.Mapped[str] = so.mapped_column(enum_column("sign_in_method", SIGN_IN_METHODS))
    started_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    ended_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    end_reason: so.Mapped[str | None] = so.mapped_column(enum_column("end_reason", END_REASONS))
    # what the pages keep between requests: the CSRF secret, a confirmation to show after a redirect
    data: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)


class SignInLink(Base):
    """An emailed one-time link: it works until `expires_at`, once (`used_at`)."""

    __tablename__ = "sign_in_links"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    # the hourly limit counts a user's recent links
    __table_args__ = (sa.Index("ix_sign_in_links_user_created", "user_id", "created_at"),)
