import marshmallow as ma
from marshmallow import validate

from tracker.alerts.models import CHANNELS, DELIVERY_STATUSES
from tracker.fields import PageArgs, QueryId


class AlertSchema(ma.Schema):
    """An outbox message and where its delivery stands."""

    id = ma.fields.Integer()
    channel = ma.fields.String(metadata={"description": "email or webhook"})
    recipient = ma.fields.String(metadata={"description": "An email address, or the webhook URL"})
    subject = ma.fields.String()
    status = ma.fields.String(metadata={"description": "pending, sent, or failed (after the last attempt)"})
    attempts = ma.fields.Integer(metadata={"description": "Delivery attempts made so far"})
    next_attempt_at = ma.fields.AwareDateTime(metadata={"description": "When a pending message is tried next"})
    last_error = ma.fields.String(allow_none=True, metadata={"description": "Why the last attempt failed"})
    sent_at = ma.fields.AwareDateTime(allow_none=True)
    message_id = ma.fields.String(metadata={"description": "The stable Message-ID (webhooks: X-Tracker-Delivery)"})
    scan_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.AwareDateTime()


class AlertDetailSchema(AlertSchema):
    payload = ma.fields.Dict(metadata={"description": "The digest: recipient, scan, and each flag with its kind"})
    body_text = ma.fields.String(metadata={"description": "The email's plain-text body (empty for webhooks)"})


class AlertListArgs(PageArgs):
    status = ma.fields.String(validate=validate.OneOf(DELIVERY_STATUSES))
    channel = ma.fields.String(validate=validate.OneOf(CHANNELS))
    scan = QueryId(metadata={"description": "Only the messages queued by this scan"})
