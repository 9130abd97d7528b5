import marshmallow as ma

from tracker.fields import NonBlankText
from tracker.reports.schemas import PortfolioSchema
from tracker.trend.periods import PERIOD_KINDS
from tracker.trend.schemas import TrendRangeArgs, TrendSchema


class SnapshotCreateSchema(TrendRangeArgs):
    title = NonBlankText(200, required=True, metadata={"example": "City council, 2026-Q1 review"})


class SnapshotParametersSchema(ma.Schema):
    period = ma.fields.String(required=True, metadata={"enum": list(PERIOD_KINDS)})
    start = ma.fields.String(required=True, data_key="from", attribute="from", metadata={"format": "date"})
    to = ma.fields.String(required=True, metadata={"format": "date"})
    domain = ma.fields.String(required=True, allow_none=True)
    department = ma.fields.String(required=True, allow_none=True)


class SnapshotSummarySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    created_by = ma.fields.Integer(
        required=True, allow_none=True, attribute="created_by_id", metadata={"description": "The user who froze it"}
    )
    created_by_name = ma.fields.String(required=True, metadata={"description": "Their name when they froze it"})
    parameters = ma.fields.Nested(SnapshotParametersSchema, required=True, metadata={"description": "As resolved"})


class Stored(ma.fields.Nested):
    """Figures stored as the API answered them: documented by their schema, dumped as they are."""

    def _serialize(self, nested_obj, attr, obj, **kwargs):
        return nested_obj


class SnapshotSchema(SnapshotSummarySchema):
    """A frozen council pack: the figures exactly as they read when it was made."""

    portfolio = Stored(PortfolioSchema, required=True, metadata={"description": "The portfolio report as of `to`"})
    trend = Stored(TrendSchema, required=True)
