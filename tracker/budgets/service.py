"""Budget lines: money per project stage, kept as integer minor units of its currency."""

from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.budgets import rules
from tracker.budgets.models import BudgetLine
from tracker.db import get_or_404, utcnow
from tracker.errors import Invalid
from tracker.money import minor_exponent, to_minor
from tracker.projects.models import Project

MONEY_FIELDS = ("amount", "spent")
DATE_FIELDS = ("planned_on", "approved_on")


def get_budget_line(session: so.Session, line_id: int, *, for_update: bool = False) -> BudgetLine:
    # a PATCH checks amounts against the currency it reads: nobody may change either meanwhile
    return get_or_404(session, BudgetLine, line_id, name="budget line", for_update=for_update)


def list_budget_lines_query(
    project_id: int, *, stage: str | None = None, fiscal_year: int | None = None, status: str | None = None
) -> sa.Select:
    stmt = sa.select(BudgetLine).where(BudgetLine.project_id == project_id).order_by(BudgetLine.id)
    for column, value in (
        (BudgetLine.stage, stage),
        (BudgetLine.fiscal_year, fiscal_year),
        (BudgetLine.status, status),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def _minor_units(amounts: dict[str, Decimal], currency: str, *, sent: set[str]) -> dict[str, int]:
    """{field}_minor for each amount, or Invalid naming every field the currency cannot hold."""
    minor, errors = {}, {}
    for field, amount in amounts.items():
        try:
            minor[f"{field}_minor"] = to_minor(amount, currency)
        except ValueError:
            places = minor_exponent(currency)
            why = f"{currency} amounts have at most {places} decimal places; {amount:f} has more."
            if field not in sent:
                why += f" Send a new {field} together with the currency."
            errors[field] = why
    if errors:
        raise Invalid(errors)
    return minor


def create_budget_line(session: so.Session, *, project: Project, data: dict, default_currency: str) -> BudgetLine:
    currency = data.pop("currency", default_currency)
    amounts = {field: data.pop(field) for field in MONEY_FIELDS}
    minor = _minor_units(amounts, currency, sent=set(MONEY_FIELDS))
    sent_dates = {field: data.pop(field) for field in DATE_FIELDS if field in data}
    dates = rules.budget_dates(status=data["status"], sent=sent_dates, current=None, today=utcnow().date())
    line = BudgetLine(
        project_id=project.id,
        currency=currency,
        planned_on=dates.planned_on,
        approved_on=dates.approved_on,
        **minor,
        **data,
    )
    session.add(line)
    session.commit()
    return line


def update_budget_line(session: so.Session, *, line: BudgetLine, changes: dict) -> BudgetLine:
    """Apply `changes`. A new currency does not convert anything (there is no exchange rate
    here): the amounts keep their value, so each must fit the new currency's decimals. The dates
    follow the line's status (tracker/budgets/rules.py): approving it dates the approval today
    unless told, setting it back to planned removes the approval date."""
    currency = changes.pop("currency", line.currency)
    sent = {field for field in MONEY_FIELDS if field in changes}
    amounts = {field: changes.pop(field, getattr(line, field)) for field in MONEY_FIELDS}
    minor = _minor_units(amounts, currency, sent=sent)
    sent_dates = {field: changes.pop(field) for field in DATE_FIELDS if field in changes}
    dates = rules.budget_dates(
        status=changes.get("status", line.status),
        sent=sent_dates,
        current=rules.BudgetDates(line.planned_on, line.approved_on),
        today=utcnow().date(),
    )
    line.planned_on, line.approved_on = dates.planned_on, dates.approved_on
    line.currency = currency
    for name, value in {**minor, **changes}.items():
        setattr(line, name, value)
    session.commit()
    return line


def delete_budget_line(session: so.Session, line: BudgetLine) -> None:
    session.delete(line)
    session.commit()
