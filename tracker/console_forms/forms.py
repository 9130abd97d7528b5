"""Each console form: the fields it posts (the API's names), the API schema that judges them, and
how a submission is read, refused and shown back.

A submission goes through the API's own schema and then the API's own service: a value either
refuses is an error beside its field in the reader's words (tracker/console_forms/messages.py),
and nothing is saved (a refused write is rolled back before the form is shown again).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import marshmallow as ma
from flask import request

from tracker.budgets.schemas import BudgetLineCreateSchema, BudgetLinePatchSchema
from tracker.console_forms import messages, reading
from tracker.console_forms.reading import CHECKBOX, CHOICE, DATE, DECIMAL, EMPTY, INTEGER, Field
from tracker.errors import Invalid
from tracker.extensions import db
from tracker.flags.schemas import SnoozeSchema
from tracker.kpis.schemas import KpiCreateSchema, MeasurementCreateSchema
from tracker.projects.schemas import ProjectCreateSchema, ProjectPatchSchema, TransitionCreateSchema
from tracker.trust.schemas import PracticePutSchema

T = TypeVar("T")


@dataclass
class Submitted:
    """A posted form: what was typed (shown back as typed), the API's input, the errors in words."""

    values: dict[str, str]  # as shown again (tracker/console_forms/reading.py shown_back)
    data: dict
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Form:
    fields: tuple[Field, ...]
    schema: ma.Schema

    @property
    def names(self) -> list[str]:
        return [field.name for field in self.fields]

    def read(self, only: list[str] | None = None) -> Submitted:
        """The posted form, loaded by the API's schema (`only`: those fields of it, a change)."""
        fields = [field for field in self.fields if only is None or field.name in only]
        values = reading.typed(request.form, fields)
        data, problems = reading.api_input(values, fields)
        if not problems:
            try:
                data = self.schema.load(data)
            except ma.ValidationError as error:
                problems = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        return Submitted(reading.shown_back(values), data, messages.errors_in_words(problems, self.names))

    def typed(self) -> dict[str, str]:
        """What was typed in each field the post holds (a field it lacks is not shown as emptied)."""
        return reading.typed(request.form, self.fields)

    def shown_back(self) -> dict[str, str]:
        """What was typed, as the form shows it again."""
        return reading.shown_back(self.typed())

    def write(self, submitted: Submitted, write: Callable[[dict], T]) -> T | None:
        """`write(data)` (a service's call with the API's input), or None with the fields it refused
        added to `submitted.errors`, and nothing saved."""
        try:
            return write(dict(submitted.data))
        except Invalid as refused:
            db.session.rollback()
            fields = refused.extra["errors"]["json"]
            submitted.errors.update(messages.errors_in_words(fields, self.names))
            return None

    def submit(self, write: Callable[[dict], T]) -> tuple[Submitted, T | None]:
        """The posted form read and, when the schema takes it, written: what was posted, and what
        `write(data)` answered (None when anything was refused: the errors are in the submission)."""
        submitted = self.read()
        return submitted, None if submitted.errors else self.write(submitted, write)


NEW_PROJECT = Form(
    (
        Field("key"),
        Field("title"),
        Field("problem"),
        Field("description"),
        Field("domain", CHOICE),
        Field("ai_type", CHOICE),
        Field("department"),
        Field("content_locale", CHOICE),
        Field("stage", CHOICE),
        Field("stage_entered_at", DATE),
        Field("risk_tier", CHOICE),
        Field("risk_rationale"),
        # the CAIO office's (the API refuses anyone else naming another owner: a 403)
        Field("owner_id", INTEGER),
    ),
    ProjectCreateSchema(),
)
# a change: an emptied text field is sent empty, not left as it was
EDIT_PROJECT = Form(
    (
        Field("key", blank=EMPTY),
        Field("title", blank=EMPTY),
        Field("problem", blank=EMPTY),
        Field("description", blank=EMPTY),
        Field("domain", CHOICE),
        Field("ai_type", CHOICE),
        Field("department", blank=EMPTY),
        Field("owner_id", INTEGER),
        Field("content_locale", CHOICE),
        Field("risk_tier", CHOICE),
        Field("risk_rationale", blank=EMPTY),
        Field("public", CHECKBOX),
        Field("purpose", blank=EMPTY),
        Field("data_sources", blank=EMPTY),
        Field("logic", blank=EMPTY),
        Field("risks", blank=EMPTY),
        Field("human_oversight", blank=EMPTY),
        Field("contact_email", blank=EMPTY),
    ),
    ProjectPatchSchema(),
)
TRANSITION = Form(
    (Field("to_stage", CHOICE), Field("effective_date", DATE), Field("rationale"), Field("override_reason")),
    TransitionCreateSchema(),
)
NEW_BUDGET_LINE = Form(
    (
        Field("stage", CHOICE),
        Field("fiscal_year", INTEGER),
        Field("category", CHOICE),
        Field("amount", DECIMAL),
        Field("currency", CHOICE),
        Field("status", CHOICE),
        Field("spent", DECIMAL),
        Field("source"),
        Field("planned_on", DATE),
        Field("approved_on", DATE),
    ),
    BudgetLineCreateSchema(),
)
BUDGET_LINE = Form(
    (Field("status", CHOICE), Field("approved_on", DATE), Field("spent", DECIMAL)),
    BudgetLinePatchSchema(),
)
NEW_KPI = Form(
    (
        Field("name"),
        Field("kind", CHOICE),
        Field("unit"),
        Field("direction", CHOICE),
        Field("baseline", DECIMAL),
        Field("baseline_date", DATE),
        Field("target", DECIMAL),
        Field("target_date", DATE),
        Field("cadence_days", INTEGER),
    ),
    KpiCreateSchema(),
)
MEASUREMENT = Form((Field("value", DECIMAL), Field("measured_on", DATE), Field("note")), MeasurementCreateSchema())
# a practice is set as sent: a field left empty becomes empty
PRACTICE = Form(
    (
        Field("status", CHOICE),
        Field("completed_on", DATE),
        Field("evidence_url"),
        Field("note"),
        Field("waiver_reason"),
    ),
    PracticePutSchema(),
)
SNOOZE = Form((Field("until", DATE), Field("reason")), SnoozeSchema())
