import marshmallow as ma
from marshmallow import validate

from tracker.fields import Day, PastOrToday, Text
from tracker.vocab import PRACTICE_STATUSES

MAX_EVIDENCE_URL = 2000
# empty (no link), or an absolute http(s) URL with a host: never javascript:, data: or file:
EVIDENCE_URL_PATTERN = r"^(https?://[^\s/?#]+([/?#]\S*)?)?$"


class PracticePutSchema(ma.Schema):
    """A practice as it should be: the fields left out become empty."""

    status = ma.fields.String(required=True, validate=validate.OneOf(PRACTICE_STATUSES))
    completed_on = Day(
        allow_none=True, validate=PastOrToday(), metadata={"description": "Required with done, and only with done"}
    )
    evidence_url = ma.fields.String(
        allow_none=True,
        validate=[
            validate.Length(max=MAX_EVIDENCE_URL),
            validate.Regexp(EVIDENCE_URL_PATTERN, error="Must be an http or https URL."),
        ],
        metadata={"description": "http or https; shown in the registry"},
    )
    note = Text(20_000, allow_none=True, metadata={"description": "Internal: never shown in the registry"})
    waiver_reason = Text(
        20_000,
        allow_none=True,
        metadata={"description": "Required with waived, and only with waived; the registry's public summary"},
    )


class PracticeSchema(ma.Schema):
    key = ma.fields.String()
    status = ma.fields.String()
    completed_on = ma.fields.Date(allow_none=True)
    evidence_url = ma.fields.String()
    note = ma.fields.String()
    waiver_reason = ma.fields.String()
    in_effect = ma.fields.Boolean(metadata={"description": "In effect today (UTC)"})
    expires_on = ma.fields.Date(
        allow_none=True, metadata={"description": "The first day it is no longer in effect (done or waived)"}
    )
    updated_at = ma.fields.AwareDateTime(allow_none=True, metadata={"description": "Null: never written"})
    updated_by = ma.fields.Integer(allow_none=True, metadata={"description": "The user id of the last writer"})
