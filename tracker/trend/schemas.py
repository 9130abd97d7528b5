"""The trend's parameters and shape (SPEC "The portfolio over time")."""

import marshmallow as ma
from marshmallow import validate

from tracker.fields import Day
from tracker.i18n import SUPPORTED_LOCALES
from tracker.reports.schemas import StageCountsSchema
from tracker.trend.figures import COHORT_HORIZONS, MOVES
from tracker.trend.incidence import HORIZONS
from tracker.trend.periods import DEFAULT_PERIODS, MAX_PERIODS, PERIOD_KINDS

LANG_DOC = (
    "The council pack's language (`Accept: text/html`); without it, the Accept-Language header's, else "
    "DEFAULT_LOCALE. JSON and CSV are the same in every language."
)


class TrendRangeArgs(ma.Schema):
    """The range and filters of a trend (a query, or a frozen pack's body)."""

    period = ma.fields.String(
        load_default="quarter", validate=validate.OneOf(PERIOD_KINDS), metadata={"description": "Default quarter"}
    )
    start = Day(
        data_key="from",
        metadata={
            "description": f"The first period is the one holding this day; default: {DEFAULT_PERIODS - 1} periods "
            f"before the one holding `to`. Not after `to`; at most {MAX_PERIODS} periods"
        },
    )
    to = Day(metadata={"description": "The last period ends on this day (UTC); default today, never in the future"})
    domain = ma.fields.String(
        validate=validate.Length(max=64), metadata={"description": "The projects' current domain"}
    )
    department = ma.fields.String(
        validate=validate.Length(max=200), metadata={"description": "The projects' current department"}
    )


class LangArgs(ma.Schema):
    lang = ma.fields.String(validate=validate.OneOf(SUPPORTED_LOCALES), metadata={"description": LANG_DOC})


class TrendArgs(TrendRangeArgs, LangArgs):
    pass


def _counts(names, description: str, name: str, nullable: bool = False) -> type[ma.Schema]:
    return ma.Schema.from_dict(
        {
            key: ma.fields.Integer(required=True, allow_none=nullable, metadata={"description": description})
            for key in names
        },
        name=name,
    )


MovesSchema = _counts(MOVES.values(), "Transitions dated within the period", "TrendMoves")


class PurgatorySchema(ma.Schema):
    at_start = ma.fields.Integer(
        required=True, metadata={"description": "In purgatory at the end of the day before start"}
    )
    entered = ma.fields.Integer(required=True, metadata={"description": "Came into purgatory within the period"})
    rolled_out = ma.fields.Integer(required=True, metadata={"description": "Left purgatory for rollout"})
    cancelled = ma.fields.Integer(required=True, metadata={"description": "Left purgatory cancelled"})
    sent_back = ma.fields.Integer(required=True, metadata={"description": "Left purgatory sent back to poc"})
    at_end = ma.fields.Integer(
        required=True, metadata={"description": "at_start + entered - rolled_out - cancelled - sent_back"}
    )


class FundingSchema(ma.Schema):
    pilots = ma.fields.Integer(required=True, metadata={"description": "Projects in pilot at the end of the period"})
    with_rollout_budget = ma.fields.Integer(
        required=True, metadata={"description": "Of those, with a rollout budget line planned by then"}
    )
    with_approved_rollout_budget = ma.fields.Integer(
        required=True, metadata={"description": "Of those, with a rollout budget line approved by then"}
    )


class OutcomesSchema(ma.Schema):
    rollouts = ma.fields.Integer(
        required=True, metadata={"description": "Projects in rollout at the end of the period"}
    )
    measured = ma.fields.Integer(
        required=True, metadata={"description": "Of those, with a measurement by then on an outcome KPI"}
    )
    on_target = ma.fields.Integer(
        required=True,
        metadata={"description": "Of measured, those whose outcome KPIs' latest measurements were all at target"},
    )


class PeriodSchema(ma.Schema):
    label = ma.fields.String(required=True, metadata={"example": "2026-Q1"})
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True, metadata={"description": "Its last day, or `to` for the last period"})
    partial = ma.fields.Boolean(required=True, metadata={"description": "The last period, cut short at `to`"})
    stages = ma.fields.Nested(StageCountsSchema, required=True)
    entered = ma.fields.Nested(StageCountsSchema, required=True)
    moves = ma.fields.Nested(MovesSchema, required=True)
    graduation_share = ma.fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "minimum": 0,
            "maximum": 1,
            "description": "pilot_to_rollout / (pilot_to_rollout + pilot_to_cancelled + pilot_to_poc), 4 places",
        },
    )
    purgatory = ma.fields.Nested(PurgatorySchema, required=True)
    funding = ma.fields.Nested(FundingSchema, required=True)
    outcomes = ma.fields.Nested(OutcomesSchema, required=True)


CohortWithinSchema = _counts(
    (str(h) for h in COHORT_HORIZONS),
    "How many reached rollout within that many days of their pilot day; null while too young to tell",
    "CohortRolledOutWithin",
    nullable=True,
)


class CohortSchema(ma.Schema):
    label = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True, metadata={"description": "Projects whose pilot day is in the period"})
    rolled_out_within = ma.fields.Nested(CohortWithinSchema, required=True)


IncidenceSchema = ma.Schema.from_dict(
    {
        str(h): ma.fields.Float(
            required=True,
            allow_none=True,
            metadata={"minimum": 0, "maximum": 1, "description": "Aalen-Johansen share reaching rollout within it"},
        )
        for h in HORIZONS
    },
    name="CumulativeIncidence",
)


class CurveStep(ma.fields.Field):
    """One step of the curve: [days, share]."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else [int(value[0]), float(value[1])]


class TimeToRolloutSchema(ma.Schema):
    pilots = ma.fields.Integer(required=True)
    rolled_out = ma.fields.Integer(required=True)
    cancelled = ma.fields.Integer(required=True)
    open = ma.fields.Integer(required=True)
    cumulative_incidence = ma.fields.Nested(IncidenceSchema, required=True)
    curve = ma.fields.List(
        CurveStep(metadata={"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}),
        required=True,
        metadata={"description": "[days, F(days)] at each distinct rollout duration, 4 places"},
    )
    median_days = ma.fields.Integer(required=True, allow_none=True)


class TrendSchema(ma.Schema):
    """The portfolio over time, period by period, rebuilt from the dated history."""

    period = ma.fields.String(required=True, metadata={"enum": list(PERIOD_KINDS)})
    start = ma.fields.Date(
        required=True, data_key="from", attribute="from", metadata={"description": "The first period's start"}
    )
    to = ma.fields.Date(required=True)
    purgatory_days = ma.fields.Integer(required=True, metadata={"description": "The PILOT_MAX_DAYS in force"})
    domain = ma.fields.String(required=True, allow_none=True)
    department = ma.fields.String(required=True, allow_none=True)
    periods = ma.fields.List(ma.fields.Nested(PeriodSchema), required=True)
    cohorts = ma.fields.List(ma.fields.Nested(CohortSchema), required=True)
    time_to_rollout = ma.fields.Nested(TimeToRolloutSchema, required=True)
