"""Report arguments and the portfolio report's shape (SPEC "HTTP API", the portfolio paragraph)."""

import marshmallow as ma
from marshmallow import validate

from tracker.fields import Day, PastOrToday
from tracker.i18n import SUPPORTED_LOCALES
from tracker.reports.queries import TIMED_STAGES
from tracker.vocab import BUDGET_STAGES, RISK_TIERS, RULES, STAGES

MONEY_DOC = {"type": "string", "format": "decimal", "example": "1250000.00"}


class MoneyString(ma.fields.Field):
    """An exact amount written with its currency's decimals ("1250000.00" EUR, "5000000" KRW)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format(value, "f")


class PortfolioArgs(ma.Schema):
    as_of = Day(
        validate=PastOrToday(),
        metadata={"description": "The portfolio as it stood at the end of this day (UTC); defaults to today"},
    )
    domain = ma.fields.String(validate=validate.Length(max=64))
    department = ma.fields.String(validate=validate.Length(max=200))
    lang = ma.fields.String(
        validate=validate.OneOf(SUPPORTED_LOCALES),
        metadata={
            "description": "The printable page's language (`Accept: text/html`); without it, the "
            "Accept-Language header's, else DEFAULT_LOCALE. JSON and CSV are the same in every language."
        },
    )


StageCountsSchema = ma.Schema.from_dict(
    {stage: ma.fields.Integer(required=True) for stage in STAGES}, name="StageCounts"
)
FlagCountsSchema = ma.Schema.from_dict(
    {
        rule: ma.fields.Integer(required=True, metadata={"description": "Unresolved at the end of as_of"})
        for rule in RULES
    },
    name="FlagCounts",
)


class Days(ma.fields.Field):
    """A number of days, whole or halfway (a median of an even count), dumped as it is."""


MedianDaysSchema = ma.Schema.from_dict(
    {
        stage: Days(
            required=True,
            allow_none=True,
            metadata={"type": "number", "description": f"Median days of the stays in {stage}, null without one"},
        )
        for stage in TIMED_STAGES
    },
    name="MedianDaysInStage",
)


def _share(description: str) -> ma.fields.Float:
    return ma.fields.Float(
        required=True, allow_none=True, metadata={"description": description, "minimum": 0, "maximum": 1}
    )


class FunnelSchema(ma.Schema):
    poc_to_pilot = _share("Of the projects that ever entered poc, the share that reached pilot (4 places)")
    pilot_to_rollout = _share("Of the projects that ever reached pilot, the share that reached rollout (4 places)")


class _BudgetSums(ma.Schema):
    currency = ma.fields.String(required=True, metadata={"example": "EUR"})
    planned = MoneyString(required=True, metadata={**MONEY_DOC, "description": "Sum of amount of planned lines"})
    approved = MoneyString(required=True, metadata={**MONEY_DOC, "description": "Sum of amount of approved lines"})
    spent = MoneyString(required=True, metadata={**MONEY_DOC, "description": "Sum of spent of all lines"})


class BudgetByStageSchema(_BudgetSums):
    stage = ma.fields.String(required=True, metadata={"enum": list(BUDGET_STAGES)})


class BudgetByFiscalYearSchema(_BudgetSums):
    fiscal_year = ma.fields.Integer(required=True)


class BudgetSchema(ma.Schema):
    by_stage = ma.fields.List(ma.fields.Nested(BudgetByStageSchema), required=True)
    by_fiscal_year = ma.fields.List(ma.fields.Nested(BudgetByFiscalYearSchema), required=True)


class KpiCoverageSchema(ma.Schema):
    projects_with_outcome_kpi = ma.fields.Integer(
        required=True, metadata={"description": "Projects with an outcome KPI that has a baseline and a target"}
    )
    input_metrics_only = ma.fields.Integer(
        required=True, metadata={"description": "Projects with an unresolved input_metrics_only flag at as_of"}
    )


TierCountsSchema = ma.Schema.from_dict(
    {
        tier: ma.fields.Integer(required=True, metadata={"description": "Projects in poc, pilot or rollout at as_of"})
        for tier in RISK_TIERS
    },
    name="TierCounts",
)


class RiskSchema(ma.Schema):
    tiers = ma.fields.Nested(
        TierCountsSchema,
        required=True,
        metadata={"description": "Projects in poc, pilot or rollout at as_of, by their current risk tier"},
    )
    high_impact_in_rollout = ma.fields.Integer(
        required=True, metadata={"description": "High-impact projects in rollout at as_of"}
    )
    high_impact_practices_lapsed = ma.fields.Integer(
        required=True,
        metadata={"description": "Of those, the ones with at least one of the eight practices not in effect on as_of"},
    )
    high_impact_in_pilot_or_rollout = ma.fields.Integer(
        required=True, metadata={"description": "High-impact projects in pilot or rollout at as_of"}
    )
    high_impact_practices_in_effect = ma.fields.Integer(
        required=True, metadata={"description": "Of those, the ones with all eight practices in effect on as_of"}
    )


class PortfolioFundingSchema(ma.Schema):
    pilots = ma.fields.Integer(required=True, metadata={"description": "Projects in pilot at as_of"})
    with_rollout_budget = ma.fields.Integer(
        required=True, metadata={"description": "Of those, the ones with a rollout budget line (planned or approved)"}
    )
    with_approved_rollout_budget = ma.fields.Integer(
        required=True, metadata={"description": "Of those, the ones with an approved rollout budget line"}
    )


class PortfolioSchema(ma.Schema):
    """Stages, funnel, medians and flags as of the end of `as_of`; budgets and KPIs as they are now."""

    as_of = ma.fields.Date(required=True)
    stages = ma.fields.Nested(StageCountsSchema, required=True)
    funnel = ma.fields.Nested(FunnelSchema, required=True)
    median_days_in_stage = ma.fields.Nested(MedianDaysSchema, required=True)
    budget = ma.fields.Nested(BudgetSchema, required=True)
    kpis = ma.fields.Nested(KpiCoverageSchema, required=True)
    flags = ma.fields.Nested(FlagCountsSchema, required=True)
    by_domain = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(StageCountsSchema), required=True)
    by_department = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(StageCountsSchema), required=True)
    risk = ma.fields.Nested(RiskSchema, required=True)
    funding = ma.fields.Nested(
        PortfolioFundingSchema,
        required=True,
        metadata={"description": "The pilots' money to scale up: budget lines as they are now"},
    )
