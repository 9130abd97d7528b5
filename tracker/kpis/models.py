from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.hybrid import hybrid_property

from tracker.db import Base, ScaledDecimal, UTCDateTime, enum_column, utcnow
from tracker.vocab import KPI_DIRECTIONS, KPI_KINDS

# KPI values keep six decimal places exactly (stored as integers of 10**-6).
KPI_SCALE = 6


class Kpi(Base):
    __tablename__ = "kpis"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[str] = so.mapped_column(enum_column("kind", KPI_KINDS))
    unit: so.Mapped[str] = so.mapped_column(sa.String(50), default="")
    direction: so.Mapped[str] = so.mapped_column(enum_column("direction", KPI_DIRECTIONS))
    baseline: so.Mapped[Decimal | None] = so.mapped_column(ScaledDecimal(KPI_SCALE))
    baseline_date: so.Mapped[date | None]
    target: so.Mapped[Decimal | None] = so.mapped_column(ScaledDecimal(KPI_SCALE))
    target_date: so.Mapped[date | None]
    cadence_days: so.Mapped[int] = so.mapped_column(default=30)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.CheckConstraint("cadence_days BETWEEN 1 AND 3660", name="cadence_range"),)

    @hybrid_property
    def is_outcome(self) -> bool:
        """An outcome KPI in the sense of the gates and the reports: kind outcome, baseline and target set."""
        return self.kind == "outcome" and self.baseline is not None and self.target is not None

    @is_outcome.inplace.expression
    @classmethod
    def _is_outcome_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.kind == "outcome", cls.baseline.is_not(None), cls.target.is_not(None))


class Measurement(Base):
    __tablename__ = "measurements"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kpi_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("kpis.id", ondelete="CASCADE"))
    value: so.Mapped[Decimal] = so.mapped_column(ScaledDecimal(KPI_SCALE))
    measured_on: so.Mapped[date]
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_measurements_kpi_measured_on", "kpi_id", "measured_on"),)
