from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.money import from_minor
from tracker.vocab import BUDGET_CATEGORIES, BUDGET_STAGES, BUDGET_STATUSES


class BudgetLine(Base):
    """Money for one stage of a project; amounts are integer minor units of `currency`."""

    __tablename__ = "budget_lines"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage: so.Mapped[str] = so.mapped_column(enum_column("budget_stage", BUDGET_STAGES))
    fiscal_year: so.Mapped[int]
    category: so.Mapped[str] = so.mapped_column(enum_column("category", BUDGET_CATEGORIES))
    currency: so.Mapped[str] = so.mapped_column(sa.String(3))
    amount_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    spent_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    status: so.Mapped[str] = so.mapped_column(enum_column("budget_status", BUDGET_STATUSES))
    source: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # the day the line entered the plan, and the day it was approved (null while planned): the
    # trend's funding figures count lines by these (tracker/budgets/rules.py sets them)
    planned_on: so.Mapped[date]
    approved_on: so.Mapped[date | None]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        sa.CheckConstraint("spent_minor >= 0", name="spent_not_negative"),
        sa.CheckConstraint("fiscal_year BETWEEN 1900 AND 2200", name="fiscal_year_range"),
        sa.CheckConstraint("length(currency) = 3", name="currency_code"),
        sa.CheckConstraint(
            "(status = 'planned' AND approved_on IS NULL) OR (status = 'approved' AND approved_on IS NOT NULL)",
            name="approved_on_with_status",
        ),
        sa.CheckConstraint("approved_on IS NULL OR approved_on >= planned_on", name="approved_after_planned"),
    )

    @property
    def amount(self) -> Decimal:
        return from_minor(self.amount_minor, self.currency)

    @property
    def spent(self) -> Decimal:
        return from_minor(self.spent_minor, self.currency)
