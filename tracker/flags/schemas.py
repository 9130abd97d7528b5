import marshmallow as ma
from marshmallow import validate

from tracker.fields import Day, NonBlankText, PageArgs, PastOrToday, QueryId, StrictBool
from tracker.vocab import FLAG_STATUSES, RULES


class AfterToday(validate.Validator):
    """A date after today (UTC)."""

    def __call__(self, value):
        from tracker.db import utcnow

        if value <= utcnow().date():
            raise ma.ValidationError("Must be after today.")
        return value


def _explanation(description: str) -> ma.fields.String:
    return ma.fields.String(metadata={"description": description, "readOnly": True})


class FlagSchema(ma.Schema):
    id = ma.fields.Integer()
    project_id = ma.fields.Integer()
    project_key = ma.fields.String()
    project_title = ma.fields.String()
    owner_id = ma.fields.Integer(metadata={"description": "The project owner's user id"})
    rule = ma.fields.String(metadata={"enum": list(RULES)})
    status = ma.fields.String(
        metadata={
            "enum": list(FLAG_STATUSES),
            "description": "A snoozed flag whose `snoozed_until` has come reads `open` (and the `status` filter "
            "finds it so) from that date on",
        }
    )
    opened_at = ma.fields.Date(metadata={"description": "as_of of the scan that opened it"})
    last_seen_at = ma.fields.Date(
        metadata={
            "description": "as_of of the last scan that found it. Derived for an unresolved flag: the latest "
            "real scan's as_of (scans do not rewrite a flag that is still true with the same facts); for a "
            "resolved flag, the as_of of the real scan before the one that resolved it"
        }
    )
    resolved_at = ma.fields.Date(allow_none=True, metadata={"description": "as_of of the scan that no longer found it"})
    details = ma.fields.Dict(
        metadata={
            "description": "The numbers behind the finding, with the threshold. The day counts `days_in_stage` "
            "and (stale_reporting) `days_without_measurement` are counted to `last_seen_at`; the other numbers "
            "are the facts the last scan that changed them found"
        }
    )
    explanation = _explanation("The finding in plain words, with its numbers")
    acknowledged_at = ma.fields.AwareDateTime(allow_none=True)
    acknowledged_by_id = ma.fields.Integer(allow_none=True)
    snoozed_until = ma.fields.Date(allow_none=True)
    snooze_reason = ma.fields.String(allow_none=True)


class FlagListArgs(PageArgs):
    rule = ma.fields.String(validate=validate.OneOf(RULES))
    status = ma.fields.String(validate=validate.OneOf(FLAG_STATUSES))
    project = QueryId(metadata={"description": "Project id"})
    owner = QueryId(metadata={"description": "The project owner's user id"})


class SnoozeSchema(ma.Schema):
    until = Day(required=True, validate=AfterToday(), metadata={"description": "After today; open again from then"})
    reason = NonBlankText(2000, required=True)


class ScanCreateSchema(ma.Schema):
    as_of = Day(
        validate=PastOrToday(),
        metadata={"description": "Defaults to today (UTC); a real scan not before the last real scan's"},
    )
    dry_run = StrictBool(load_default=False, metadata={"description": "Compute and report; write nothing"})


class FindingSchema(ma.Schema):
    project_id = ma.fields.Integer()
    project_key = ma.fields.String()
    project_title = ma.fields.String()
    owner_id = ma.fields.Integer()
    rule = ma.fields.String(metadata={"enum": list(RULES)})
    details = ma.fields.Dict(
        attribute="shown_details",
        metadata={"description": "The numbers behind the finding, the day counts counted to the scan's as_of"},
    )
    explanation = _explanation("The finding in plain words, with its numbers")


class ScanSchema(ma.Schema):
    """A recorded scan."""

    id = ma.fields.Integer(allow_none=True, metadata={"description": "null for a dry run (not recorded)"})
    as_of = ma.fields.Date()
    dry_run = ma.fields.Boolean()
    trigger = ma.fields.String(metadata={"enum": ["api", "cli", "scheduler"]})
    triggered_by_id = ma.fields.Integer(allow_none=True)
    started_at = ma.fields.AwareDateTime()
    duration_ms = ma.fields.Integer()
    projects_evaluated = ma.fields.Integer()
    flags_opened = ma.fields.Integer()
    flags_refreshed = ma.fields.Integer(metadata={"description": "Unresolved flags found again"})
    flags_resolved = ma.fields.Integer()
    alerts_queued = ma.fields.Integer()


class ScanReportSchema(ScanSchema):
    """A scan just run: the record and every finding (the project's flags hold them afterwards)."""

    flags_opened = ma.fields.Integer(attribute="opened")
    flags_refreshed = ma.fields.Integer(attribute="refreshed", metadata={"description": "Unresolved flags found again"})
    flags_resolved = ma.fields.Integer(attribute="resolved")
    findings = ma.fields.List(ma.fields.Nested(FindingSchema))
