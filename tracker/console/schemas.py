"""The reading pages' query strings: the API's own filter schemas, with what only the console adds
(a search, "mine", a page number), and what a person is told when one is wrong."""

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from tracker.fields import MAX_ID, QueryId
from tracker.projects.schemas import ProjectFilters
from tracker.reports.schemas import PortfolioArgs
from tracker.users.service import normalise_email
from tracker.vocab import FLAG_STATUSES, RULES

MAX_EMAIL = 254  # characters of an email address (the users' column)
MAX_QUERY = 200  # characters of a search kept (the box takes no more)
# the flags page's status filter: every status, and the two that are none of them
UNRESOLVED, EVERY_STATUS = "unresolved", "all"


class _Page(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))


class DashboardArgs(PortfolioArgs):
    class Meta:
        fields = ("domain", "department")


class OwnerFilter(ma.fields.Field):
    """The projects' owner: a user id, as the API's filter and every link take it, or an email
    address, what a person types when there are too many owners to list (views resolve it)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        if "@" in text and len(text) <= MAX_EMAIL:
            return normalise_email(text)
        if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID:
            return int(text)
        raise ma.ValidationError("Not a user id or an email address.")


class ProjectsCsvArgs(ProjectFilters):
    owner = OwnerFilter()
    q = ma.fields.String(validate=validate.Length(max=MAX_QUERY))
    mine = ma.fields.Boolean()


class ProjectsArgs(ProjectsCsvArgs, _Page):
    pass


class FlagsArgs(_Page):
    rule = ma.fields.String(validate=validate.OneOf(RULES))
    status = ma.fields.String(
        load_default=UNRESOLVED, validate=validate.OneOf((UNRESOLVED, *FLAG_STATUSES, EVERY_STATUS))
    )
    project = QueryId()
    mine = ma.fields.Boolean()


# what a person is told about a filter that cannot be read, by the field's name
ERRORS = {
    "stage": _l("Choose a stage from the list"),
    "domain": _l("Choose an area from the list"),
    "department": _l("Choose a department from the list"),
    "owner": _l("Choose an owner from the list, or enter their email address"),
    "risk_tier": _l("Choose a risk level from the list"),
    "flagged": _l("Choose whether the projects have unresolved flags"),
    "mine": _l("Choose whose projects to show"),
    "q": _l("Search with at most %(count)s characters", count=MAX_QUERY),
    "page": _l("Enter a page number, 1 or more"),
    "rule": _l("Choose a rule from the list"),
    "status": _l("Choose a status from the list"),
    "project": _l("Choose a project from its page"),
    "as_of": _l("Enter a real date that is today or earlier, for example %(example)s", example="2026-06-30"),
    "period": _l("Choose a period from the list"),
    "from": _l("Enter a real date, for example %(example)s", example="2026-01-01"),
    "to": _l("Enter a real date that is today or earlier, for example %(example)s", example="2026-06-30"),
}


def load(schema: ma.Schema, args) -> tuple[dict, dict]:
    """The values of a page's query string, blank ones left out (a form's "All"), and the errors
    in the reader's words, by field."""
    names = {field.data_key or name for name, field in schema.fields.items()}  # as sent: `from`, not `start`
    given = {name: value for name, value in args.items() if name in names and value.strip()}
    try:
        return schema.load(given, unknown=ma.EXCLUDE), {}
    except ma.ValidationError as error:
        errors = error.messages if isinstance(error.messages, dict) else {}
        return {}, {name: str(ERRORS.get(name, _l("Choose a value from the list"))) for name in errors}
