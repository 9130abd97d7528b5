import marshmallow as ma

from tracker.entry_translations.rules import MAX_LENGTHS, TRANSLATED_FIELDS
from tracker.fields import ChangesSchema, NonBlankText


class TranslationPutSchema(ChangesSchema):
    """A translation as it should be, whole: a field left out has no translation."""

    title = NonBlankText(MAX_LENGTHS["title"])
    problem = NonBlankText(MAX_LENGTHS["problem"])
    purpose = NonBlankText(MAX_LENGTHS["purpose"])
    data_sources = NonBlankText(MAX_LENGTHS["data_sources"])
    logic = NonBlankText(MAX_LENGTHS["logic"])
    risks = NonBlankText(MAX_LENGTHS["risks"])
    human_oversight = NonBlankText(MAX_LENGTHS["human_oversight"])
    risk_rationale = NonBlankText(MAX_LENGTHS["risk_rationale"])

    @ma.pre_load
    def refuse_nothing_to_change(self, data, **kwargs):
        if isinstance(data, dict) and not data:
            raise ma.ValidationError(
                f"The body is missing or empty: send the translated fields ({', '.join(TRANSLATED_FIELDS)}); "
                "to remove the translation, DELETE it."
            )
        return data


class TranslationSchema(ma.Schema):
    locale = ma.fields.String(metadata={"description": "The language of this translation"})
    title = ma.fields.String(allow_none=True)
    problem = ma.fields.String(allow_none=True)
    purpose = ma.fields.String(allow_none=True)
    data_sources = ma.fields.String(allow_none=True)
    logic = ma.fields.String(allow_none=True)
    risks = ma.fields.String(allow_none=True)
    human_oversight = ma.fields.String(allow_none=True)
    risk_rationale = ma.fields.String(allow_none=True)
    stale = ma.fields.Boolean(
        metadata={"description": "An original field changed after the translation was last written"}
    )
    originals_changed = ma.fields.List(
        ma.fields.String(), metadata={"description": "The original fields changed since then (empty when not stale)"}
    )
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime(metadata={"description": "When the translation was last written"})
    updated_by = ma.fields.Integer(allow_none=True, metadata={"description": "The user id of the last writer"})
