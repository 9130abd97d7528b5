from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.hybrid import hybrid_method

from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.vocab import FLAG_STATUSES, RULES


class Flag(Base):
    """A stall finding. Its dates are scan `as_of` dates, so the history can be replayed per day."""

    __tablename__ = "flags"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    rule: so.Mapped[str] = so.mapped_column(enum_column("rule", RULES))
    status: so.Mapped[str] = so.mapped_column(enum_column("flag_status", FLAG_STATUSES), default="open")
    opened_at: so.Mapped[date]
    last_seen_at: so.Mapped[date]
    resolved_at: so.Mapped[date | None]
    details: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    acknowledged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    acknowledged_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    snoozed_until: so.Mapped[date | None]
    snooze_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # alert bookkeeping: when the owner last heard of it, whether the CAIO was told, whether
    # the owner was told it resolved
    last_alerted_on: so.Mapped[date | None]
    escalated_on: so.Mapped[date | None]
    resolution_alerted: so.Mapped[bool] = so.mapped_column(default=False)

    __table_args__ = (
        # at most one unresolved flag per (project, rule), enforced by the database
        sa.Index(
            "uq_flags_project_rule_unresolved",
            "project_id",
            "rule",
            unique=True,
            sqlite_where=sa.text("status != 'resolved'"),
            postgresql_where=sa.text("status != 'resolved'"),
        ),
        sa.Index("ix_flags_project_id", "project_id"),
        sa.Index("ix_flags_status_rule", "status", "rule"),
    )

    # A snooze runs out on its date: the flag reads `open` from then on, when read (the API, its
    # `status` filter), before the next real scan writes it (tracker/flags/scan.py). The one rule:
    @hybrid_method
    def snooze_ran_out(self, on: date) -> bool:
        return self.status == "snoozed" and self.snoozed_until <= on

    @snooze_ran_out.inplace.expression
    @classmethod
    def _snooze_ran_out(cls, on: date) -> sa.ColumnElement[bool]:
        return sa.and_(cls.status == "snoozed", cls.snoozed_until <= on)

    def status_on(self, day: date) -> str:
        """The status as it reads on `day`."""
        return "open" if self.snooze_ran_out(day) else self.status

    @classmethod
    def reads(cls, status: str, day: date) -> sa.ColumnElement[bool]:
        """SQL: the flags whose status reads `status` on `day` (plain comparisons: the status index serves)."""
        if status == "open":
            return sa.or_(cls.status == "open", cls.snooze_ran_out(day))
        if status == "snoozed":
            return sa.and_(cls.status == "snoozed", sa.not_(cls.snooze_ran_out(day)))
        return cls.status == status


def expire_loaded_flags(session: so.Session, attributes: list[str] | None = None) -> None:
    """After a bulk statement on the flags (it bypasses the identity map): Flag objects loaded
    earlier in `session` read `attributes` (default all) from their row again, not stale values."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Flag):
            session.expire(obj, attributes)


class ScanRun(Base):
    """One real (recorded) scan."""

    __tablename__ = "scan_runs"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    as_of: so.Mapped[date] = so.mapped_column(index=True)
    dry_run: so.Mapped[bool] = so.mapped_column(default=False)
    trigger: so.Mapped[str] = so.mapped_column(sa.String(20))  # api, cli, scheduler
    triggered_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    started_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    duration_ms: so.Mapped[int] = so.mapped_column(default=0)
    projects_evaluated: so.Mapped[int] = so.mapped_column(default=0)
    flags_opened: so.Mapped[int] = so.mapped_column(default=0)
    flags_refreshed: so.Mapped[int] = so.mapped_column(default=0)
    flags_resolved: so.Mapped[int] = so.mapped_column(default=0)
    alerts_queued: so.Mapped[int] = so.mapped_column(default=0)


class SchedulerClaim(Base):
    """A scheduled slot taken by one process: the unique key lets only one insert win."""

    __tablename__ = "scheduler_claims"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    job: so.Mapped[str] = so.mapped_column(sa.String(50))
    slot: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    claimed_by: so.Mapped[str] = so.mapped_column(sa.String(200))
    claimed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("job", "slot", name="uq_scheduler_claims_job_slot"),)
