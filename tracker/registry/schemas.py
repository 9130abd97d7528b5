import marshmallow as ma
from marshmallow import validate

from tracker.db import utcnow
from tracker.entry_translations.rules import TRANSLATED_FIELDS
from tracker.fields import PageArgs
from tracker.i18n import SUPPORTED_LOCALES
from tracker.projects.schemas import ProjectCreateSchema
from tracker.registry.formats import FORMATS
from tracker.vocab import PRACTICE_STATUSES, PRACTICES, RISK_TIERS, STAGES


class PublicPracticeSchema(ma.Schema):
    """A practice as the public sees it: never its internal note, nor who changed it."""

    key = ma.fields.String(metadata={"enum": list(PRACTICES)})
    status = ma.fields.String(metadata={"enum": list(PRACTICE_STATUSES)})
    completed_on = ma.fields.Date(allow_none=True)
    expires_on = ma.fields.Date(allow_none=True, metadata={"description": "The first day it is no longer in effect"})
    in_effect = ma.fields.Boolean(metadata={"description": "In effect today"})
    evidence_url = ma.fields.String(metadata={"description": "A link to the evidence, or empty"})
    waiver_reason = ma.fields.String(metadata={"description": "The public summary of a waiver, or empty"})


class RegistryEntrySchema(ma.Schema):
    """What the public sees of a project. Nothing internal: no ids, owner, budgets, flags or notes."""

    key = ma.fields.String()
    title = ma.fields.String()
    problem = ma.fields.String(metadata={"description": "The problem it solves"})
    purpose = ma.fields.String()
    data_sources = ma.fields.String()
    logic = ma.fields.String(metadata={"description": "How it reaches its outputs"})
    risks = ma.fields.String()
    human_oversight = ma.fields.String()
    department = ma.fields.String(metadata={"description": "The responsible department"})
    contact_email = ma.fields.String(metadata={"description": "The published contact"})
    domain = ma.fields.String()
    ai_type = ma.fields.String()
    stage = ma.fields.String()
    stage_entered_at = ma.fields.Date()
    risk_tier = ma.fields.String(metadata={"enum": list(RISK_TIERS)})
    risk_rationale = ma.fields.String(metadata={"description": "Why the system has its risk tier"})
    risk_assessed_on = ma.fields.Date(allow_none=True, metadata={"description": "The day the tier last changed"})
    practices = ma.fields.List(
        ma.fields.Nested(PublicPracticeSchema),
        metadata={"description": "The eight risk-management practices, in the federal inventory's order"},
    )
    updated_at = ma.fields.DateTime(
        metadata={
            "description": "When the entry last changed: the latest of the project's, its practices' and its "
            "translations' changes"
        }
    )
    content_locale = ma.fields.String(
        metadata={"enum": list(SUPPORTED_LOCALES), "description": "The language the entry's own text is written in"}
    )
    translations = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String()),
        metadata={
            "description": "Its text in other languages: locale -> field -> text, for the fields translated "
            f"(any of {', '.join(TRANSLATED_FIELDS)})"
        },
    )


# the project's own text and facts among the entry's fields (the rest is derived, or added below)
REGISTRY_PROJECT_FIELDS = tuple(
    name
    for name in RegistryEntrySchema().fields
    if name not in ("practices", "updated_at", "content_locale", "translations")
)
# the practices' public fields, one CSV column each per practice (`testing_status`, ...)
PUBLIC_PRACTICE_FIELDS = tuple(name for name in PublicPracticeSchema().fields if name != "key")
# each language's translated fields, one CSV column each (`title_ko`, `purpose_en`, ...; empty: none)
TRANSLATION_COLUMNS = tuple(f"{name}_{locale}" for locale in SUPPORTED_LOCALES for name in TRANSLATED_FIELDS)
# the columns of the CSV, in this order: the entry's fields, the practices spread out, the
# last change, the entry's language and the translations spread out
REGISTRY_CSV_COLUMNS = (
    *REGISTRY_PROJECT_FIELDS,
    *(f"{key}_{name}" for key in PRACTICES for name in PUBLIC_PRACTICE_FIELDS),
    "updated_at",
    "content_locale",
    *TRANSLATION_COLUMNS,
)


class RegistryListArgs(PageArgs):
    domain = ma.fields.String(validate=validate.Length(max=64))
    stage = ma.fields.String(validate=validate.OneOf(STAGES))
    department = ma.fields.String(validate=validate.Length(max=200))


class TrackerRowSchema(ProjectCreateSchema):
    """One row of the tracker CSV format: a new project's fields, as text."""

    owner_email = ma.fields.Email(validate=validate.Length(max=254))
    public = ma.fields.Boolean(load_default=False)
    # every row names the same columns (one multi-row INSERT): a row without a tier is unassessed
    risk_tier = ma.fields.String(load_default="unassessed", validate=validate.OneOf(RISK_TIERS))
    risk_rationale = ma.fields.String(load_default="", validate=validate.Length(max=20_000))

    class Meta:
        exclude = ("owner_id",)

    @ma.pre_load
    def blank_cells_are_absent(self, data, **kwargs):
        # a blank cell means "not given": the field's default applies, or it is reported missing
        return {name: value.strip() for name, value in data.items() if value and value.strip()}

    @ma.post_load
    def assessed_on_import(self, data, **kwargs):
        # a new project's tier is its first classification, made today (as the API's create does)
        data["risk_assessed_on"] = None if data["risk_tier"] == "unassessed" else utcnow().date()
        return data


class ImportArgs(ma.Schema):
    format = ma.fields.String(
        load_default="tracker", validate=validate.OneOf(FORMATS), metadata={"description": "The CSV format"}
    )


class ImportSummarySchema(ma.Schema):
    id = ma.fields.Integer(metadata={"description": "The import's id (its audit event)"})
    format = ma.fields.String()
    source = ma.fields.String(metadata={"description": "The file name, or 'request body'"})
    rows = ma.fields.Integer(metadata={"description": "Data rows read"})
    created = ma.fields.Integer(metadata={"description": "Projects created"})
    stages = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Integer(), metadata={"description": "Created projects by stage"}
    )
    blank_stages = ma.fields.Integer(metadata={"description": "omb-2025: rows without a stage, imported as poc"})
    generated_keys = ma.fields.Integer(metadata={"description": "omb-2025: keys made for rows without an id"})
    suffixed_keys = ma.fields.Integer(metadata={"description": "omb-2025: repeated ids given a -2, -3... suffix"})
    skipped_existing = ma.fields.List(
        ma.fields.String(), metadata={"description": "omb-2025: keys present already, rows not imported"}
    )
    untitled = ma.fields.Integer(metadata={"description": "omb-2025: rows without a name, given a made-up title"})
    dates = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        metadata={"description": "omb-2025 operational_date: parsed, blank, unparsed, future (the last three: today)"},
    )
    users_created = ma.fields.Integer(metadata={"description": "omb-2025: managers created for contact emails"})
    default_owner_rows = ma.fields.Integer(metadata={"description": "Projects given the default owner"})
    risk_tiers = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Integer(), metadata={"description": "Created projects by risk tier"}
    )
    practices = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        metadata={"description": "omb-2025: practices written from the hi_* columns, by status"},
    )
    unmapped = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer()),
        metadata={"description": "omb-2025: column -> value -> rows, for every value that could not be mapped"},
    )
