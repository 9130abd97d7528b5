import marshmallow as ma
from marshmallow import validate

from tracker.fields import (
    ChangesSchema,
    Day,
    FlatSchema,
    Id,
    NonBlankText,
    OneOfSetting,
    PageArgs,
    PastOrToday,
    QueryId,
    StrictBool,
    Text,
)
from tracker.i18n import SUPPORTED_LOCALES
from tracker.projects.rules import missing_registry_fields
from tracker.trust.rules import RATIONALE_REQUIRED, rationale_missing
from tracker.vocab import AI_TYPES, RISK_TIERS, STAGES

KEY_PATTERN = r"^[A-Z0-9][A-Z0-9._-]{0,63}$"
# changed only through their own routes, never by PATCH (no mass assignment)
READ_ONLY = {
    "id": "ids are assigned by the service",
    "stage": "the stage changes only through POST /api/v1/projects/{id}/transitions",
    "stage_entered_at": "set by stage transitions",
    "history": "the history is written by stage transitions",
    "created_at": "set by the service",
    "updated_at": "set by the service",
    "risk_assessed_on": "set by the service when the risk tier changes",
}


def ProjectKey(**kwargs) -> ma.fields.String:  # noqa: N802
    return ma.fields.String(
        validate=validate.Regexp(
            KEY_PATTERN, error="1-64 of A-Z, 0-9, '.', '_', '-', starting with a letter or digit."
        ),
        metadata={"example": "SEOUL-TRAFFIC-01"},
        **kwargs,
    )


class _ProjectFields(ma.Schema):
    key = ProjectKey()
    title = NonBlankText(300)
    problem = Text(20_000)
    description = Text(20_000)
    domain = ma.fields.String(validate=OneOfSetting("DOMAINS"), metadata={"description": "One of the DOMAINS setting"})
    ai_type = ma.fields.String(validate=validate.OneOf(AI_TYPES))
    department = Text(200)
    owner_id = Id()
    public = StrictBool()
    purpose = Text(20_000)
    data_sources = Text(20_000)
    logic = Text(20_000)
    risks = Text(20_000)
    human_oversight = Text(20_000)
    contact_email = ma.fields.Email(validate=validate.Length(max=254))
    risk_tier = ma.fields.String(
        validate=validate.OneOf(RISK_TIERS),
        metadata={"description": "Only caio and admin may move it down from high_impact or prohibited"},
    )
    risk_rationale = Text(
        20_000, metadata={"description": "Why this tier; required with every change of tier but to unassessed"}
    )
    content_locale = ma.fields.String(
        validate=validate.OneOf(SUPPORTED_LOCALES),
        metadata={
            "description": "The language the project's own text is written in (default DEFAULT_LOCALE); "
            "not one it has a translation into"
        },
    )

    @ma.pre_load
    def refuse_read_only(self, data, **kwargs):
        if isinstance(data, dict):
            errors = {name: [why] for name, why in READ_ONLY.items() if name in data and name not in self.fields}
            if errors:
                raise ma.ValidationError(errors)
        return data


class ProjectCreateSchema(_ProjectFields):
    key = ProjectKey(required=True)
    title = NonBlankText(300, required=True)
    domain = ma.fields.String(required=True, validate=OneOfSetting("DOMAINS"))
    ai_type = ma.fields.String(required=True, validate=validate.OneOf(AI_TYPES))
    stage = ma.fields.String(load_default="poc", validate=validate.OneOf(STAGES))
    stage_entered_at = Day(validate=PastOrToday(), metadata={"description": "Defaults to today"})

    @ma.validates_schema
    def registry_fields_when_public(self, data, **kwargs):
        if data.get("public"):
            missing = missing_registry_fields(data)
            if missing:
                raise ma.ValidationError({name: ["Required when the project is public."] for name in missing})

    @ma.validates_schema
    def rationale_with_a_tier(self, data, **kwargs):
        # a new project starts unassessed, so a tier given at creation is a change of tier
        if rationale_missing(data.get("risk_tier", "unassessed"), data.get("risk_rationale")):
            raise ma.ValidationError({"risk_rationale": [RATIONALE_REQUIRED]})


class ProjectPatchSchema(ChangesSchema, _ProjectFields):
    pass


class TransitionRecordSchema(ma.Schema):
    id = ma.fields.Integer()
    project_id = ma.fields.Integer()
    from_stage = ma.fields.String(allow_none=True)
    to_stage = ma.fields.String()
    effective_date = ma.fields.Date()
    decided_by_id = ma.fields.Integer(allow_none=True)
    rationale = ma.fields.String()
    gate = ma.fields.Dict(metadata={"description": "checks (code, met), unmet, overridden"})
    override_reason = ma.fields.String(allow_none=True)
    recorded_at = ma.fields.AwareDateTime()


class ProjectSchema(FlatSchema):
    id = ma.fields.Integer()
    key = ma.fields.String()
    title = ma.fields.String()
    problem = ma.fields.String()
    description = ma.fields.String()
    domain = ma.fields.String()
    ai_type = ma.fields.String()
    department = ma.fields.String()
    owner_id = ma.fields.Integer()
    stage = ma.fields.String()
    stage_entered_at = ma.fields.Date()
    public = ma.fields.Boolean()
    purpose = ma.fields.String()
    data_sources = ma.fields.String()
    logic = ma.fields.String()
    risks = ma.fields.String()
    human_oversight = ma.fields.String()
    contact_email = ma.fields.String()
    risk_tier = ma.fields.String()
    risk_rationale = ma.fields.String()
    risk_assessed_on = ma.fields.Date(
        allow_none=True, metadata={"description": "The day (UTC) the risk tier last changed"}
    )
    content_locale = ma.fields.String(metadata={"description": "The language the project's own text is written in"})
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class ProjectFilters(ma.Schema):
    """The projects list's filters, shared by projects.csv."""

    stage = ma.fields.String(validate=validate.OneOf(STAGES))
    domain = ma.fields.String(validate=validate.Length(max=64))
    department = ma.fields.String(validate=validate.Length(max=200))
    owner = QueryId(metadata={"description": "Owner's user id"})
    flagged = ma.fields.Boolean(
        metadata={"description": "Only projects with (true) or without (false) unresolved flags"}
    )
    risk_tier = ma.fields.String(validate=validate.OneOf(RISK_TIERS))


class ProjectListArgs(ProjectFilters, PageArgs):
    pass


class TransitionCreateSchema(ma.Schema):
    to_stage = ma.fields.String(required=True, validate=validate.OneOf(STAGES))
    effective_date = Day(metadata={"description": "Defaults to today; not in the future"})
    rationale = NonBlankText(20_000, required=True)
    override_reason = NonBlankText(20_000, metadata={"description": "CAIO office only: pass a gate that is not met"})
