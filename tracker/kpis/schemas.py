from decimal import Decimal

import marshmallow as ma
from marshmallow import validate

from tracker.fields import ChangesSchema, Day, ExactDecimal, NonBlankText, PageArgs, PastOrToday, Text
from tracker.kpis.models import KPI_SCALE
from tracker.vocab import KPI_DIRECTIONS, KPI_KINDS

# below 1e12, with the six places the database keeps: far inside its 64-bit scaled integers
VALUE_LIMIT = Decimal("999999999999.999999")
CADENCE = validate.Range(1, 3660)
DECIMAL_DOC = {"type": "string", "format": "decimal"}


def KpiValue(**kwargs) -> ExactDecimal:  # noqa: N802 - reads like a field class
    """A KPI value as a decimal string: at most 6 places, absolute value below 1e12."""
    metadata = {**DECIMAL_DOC, "example": "42.5", **kwargs.pop("metadata", {})}
    return ExactDecimal(
        places=KPI_SCALE,
        minimum=-VALUE_LIMIT,
        maximum=VALUE_LIMIT,
        error_messages={"range": "Its absolute value must be below 1000000000000."},
        metadata=metadata,
        **kwargs,
    )


def _derived(description: str, field: ma.fields.Field) -> ma.fields.Field:
    field.metadata.update(description=description, readOnly=True)
    return field


class _KpiFields(ma.Schema):
    name = NonBlankText(200, metadata={"example": "Average building-permit wait"})
    kind = ma.fields.String(validate=validate.OneOf(KPI_KINDS))
    unit = Text(50, metadata={"example": "days"})
    direction = ma.fields.String(validate=validate.OneOf(KPI_DIRECTIONS))
    baseline = KpiValue(allow_none=True)
    baseline_date = Day(allow_none=True)
    target = KpiValue(allow_none=True, metadata={"example": "25"})
    target_date = Day(allow_none=True, metadata={"description": "Not before baseline_date"})
    cadence_days = ma.fields.Integer(strict=True, validate=CADENCE)


class KpiCreateSchema(_KpiFields):
    name = NonBlankText(200, required=True, metadata={"example": "Average building-permit wait"})
    kind = ma.fields.String(required=True, validate=validate.OneOf(KPI_KINDS))
    direction = ma.fields.String(
        load_default="increase",
        validate=validate.OneOf(KPI_DIRECTIONS),
        metadata={"description": "Which way is better; defaults to increase"},
    )
    cadence_days = ma.fields.Integer(
        strict=True, load_default=30, validate=CADENCE, metadata={"description": "Days between reports"}
    )


class KpiPatchSchema(ChangesSchema, _KpiFields):
    pass


class KpiSchema(ma.Schema):
    id = ma.fields.Integer()
    project_id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    unit = ma.fields.String()
    direction = ma.fields.String()
    baseline = KpiValue(allow_none=True)
    baseline_date = ma.fields.Date(allow_none=True)
    target = KpiValue(allow_none=True)
    target_date = ma.fields.Date(allow_none=True)
    cadence_days = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()
    latest_value = _derived(
        "Value of the latest measurement", KpiValue(attribute="status.latest_value", allow_none=True)
    )
    latest_measured_on = _derived(
        "Date of the latest measurement", ma.fields.Date(attribute="status.latest_measured_on", allow_none=True)
    )
    progress = _derived(
        "Share of the way from baseline to target of the latest measurement, 4 places; "
        "null without baseline, target or measurement, or when target equals baseline; "
        "below 0 when it moved away from the target, above 1 past it",
        KpiValue(attribute="status.progress", allow_none=True, metadata={"example": "0.4118"}),
    )
    overdue = _derived(
        "The latest measurement (or, with none, the KPI's creation) is more than cadence_days before today (UTC)",
        ma.fields.Boolean(attribute="status.overdue"),
    )
    is_outcome = _derived(
        "Kind outcome with a baseline and a target: what the rollout gate asks for", ma.fields.Boolean()
    )


class KpiListArgs(PageArgs):
    kind = ma.fields.String(validate=validate.OneOf(KPI_KINDS))


class MeasurementCreateSchema(ma.Schema):
    value = KpiValue(required=True)
    measured_on = Day(required=True, validate=PastOrToday(), metadata={"description": "Not in the future"})
    note = Text(20_000, load_default="")


class MeasurementSchema(ma.Schema):
    id = ma.fields.Integer()
    kpi_id = ma.fields.Integer()
    value = KpiValue()
    measured_on = ma.fields.Date()
    note = ma.fields.String()
    recorded_by_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.AwareDateTime()
