from decimal import Decimal

import marshmallow as ma
from marshmallow import validate

from tracker.fields import ChangesSchema, Day, ExactDecimal, PageArgs, PastOrToday, Text
from tracker.money import CURRENCIES, MAX_AMOUNT
from tracker.vocab import BUDGET_CATEGORIES, BUDGET_STAGES, BUDGET_STATUSES

FISCAL_YEAR = validate.Range(1900, 2200)
# Capitals only: a code is an identifier, and refusing "eur" is clearer than guessing.
CURRENCY = validate.OneOf(
    sorted(CURRENCIES), error='Must be an active ISO 4217 code in capitals, e.g. "EUR" (lower case is refused).'
)
MONEY_DOC = {"type": "string", "format": "decimal"}


def Money(**kwargs) -> ExactDecimal:  # noqa: N802 - reads like a field class
    """Money as a decimal string, >= 0. Up to 3 places pass here (KWD has 3); the service then
    holds the amount to its own currency's minor unit (2 for EUR and USD, 0 for KRW and JPY)."""
    metadata = {**MONEY_DOC, "example": "1250000.00", **kwargs.pop("metadata", {})}
    return ExactDecimal(
        places=3,
        minimum=Decimal(0),
        maximum=MAX_AMOUNT,
        error_messages={"range": f"Must be at least 0 and at most {MAX_AMOUNT:f}."},
        metadata=metadata,
        **kwargs,
    )


class _BudgetLineFields(ma.Schema):
    stage = ma.fields.String(validate=validate.OneOf(BUDGET_STAGES))
    fiscal_year = ma.fields.Integer(strict=True, validate=FISCAL_YEAR)
    category = ma.fields.String(validate=validate.OneOf(BUDGET_CATEGORIES))
    amount = Money(metadata={"description": "At most the currency's minor-unit decimals"})
    currency = ma.fields.String(validate=CURRENCY, metadata={"example": "EUR"})
    status = ma.fields.String(validate=validate.OneOf(BUDGET_STATUSES))
    spent = Money(metadata={"description": "At most the currency's minor-unit decimals"})
    source = Text(2_000, metadata={"example": "mid-term fiscal plan 2026-30"})
    planned_on = Day(
        validate=PastOrToday(),
        metadata={
            "description": "The day the line entered the plan; not in the future. Defaults to today "
            "(on creation: to approved_on when only that is given)"
        },
    )
    approved_on = Day(
        validate=PastOrToday(),
        metadata={
            "description": "The day the line was approved: only with status approved (a planned line has "
            "none: 422), not before planned_on, not in the future; an approved line without one gets today. "
            "Setting a line back to planned removes it"
        },
    )


class BudgetLineCreateSchema(_BudgetLineFields):
    stage = ma.fields.String(required=True, validate=validate.OneOf(BUDGET_STAGES))
    fiscal_year = ma.fields.Integer(strict=True, required=True, validate=FISCAL_YEAR)
    category = ma.fields.String(required=True, validate=validate.OneOf(BUDGET_CATEGORIES))
    amount = Money(required=True, metadata={"description": "At most the currency's minor-unit decimals"})
    currency = ma.fields.String(
        validate=CURRENCY, metadata={"description": "Defaults to the DEFAULT_CURRENCY setting", "example": "EUR"}
    )
    status = ma.fields.String(load_default="planned", validate=validate.OneOf(BUDGET_STATUSES))
    spent = Money(load_default=Decimal(0), metadata={"description": 'Defaults to "0"'})


class BudgetLinePatchSchema(ChangesSchema, _BudgetLineFields):
    pass


class BudgetLineSchema(ma.Schema):
    id = ma.fields.Integer()
    project_id = ma.fields.Integer()
    stage = ma.fields.String()
    fiscal_year = ma.fields.Integer()
    category = ma.fields.String()
    amount = Money(metadata={"description": "With exactly the currency's decimals: 1250000.00 EUR, 5000000 KRW"})
    currency = ma.fields.String()
    status = ma.fields.String()
    spent = Money(metadata={"description": "With exactly the currency's decimals"})
    source = ma.fields.String()
    planned_on = ma.fields.Date()
    approved_on = ma.fields.Date(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class BudgetLineListArgs(PageArgs):
    stage = ma.fields.String(validate=validate.OneOf(BUDGET_STAGES))
    fiscal_year = ma.fields.Integer(validate=FISCAL_YEAR)
    status = ma.fields.String(validate=validate.OneOf(BUDGET_STATUSES))
