"""A posted form as the API's input: what each field's text becomes before the API's own schema
loads it, so that a form and a JSON body are judged by the same rules.

A form posts text only. The API's schemas take JSON values: exact decimals and dates as strings
(as typed), whole numbers as numbers, booleans as booleans. Each form lists its fields with how
its text is read (`Field.kind`) and what an empty one means (`Field.blank`: the API's default,
empty text, or null). Only the fields a form lists are read: anything else posted is ignored
(no mass assignment through a field the form does not have).
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker.errors import UNSTORABLE_TEXT
from tracker.http import storable, without_unstorable

TEXT, INTEGER, DECIMAL, DATE, CHOICE, CHECKBOX = "text", "integer", "decimal", "date", "choice", "checkbox"
OMIT, EMPTY, NULL = "omit", "empty", "null"

# a number written with grouping commas as people write money ("1,250,000.50"): read without them
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
# a whole number a database holds; anything longer goes to the schema as text ("Not a valid integer")
_WHOLE = re.compile(r"[+-]?[0-9]{1,18}")


@dataclass(frozen=True)
class Field:
    """One field of a form: its name (the API's), how its text is read, what empty means."""

    name: str
    kind: str = TEXT
    blank: str = OMIT


def typed(form: Mapping[str, str], fields: Iterable[Field]) -> dict[str, str]:
    """What the person typed in each field the post holds, as text to show back; a checkbox is
    always there ("true" or "": a browser sends no unticked box). Line breaks are a textarea's
    CR LF read as LF: the text as the person sees it."""
    values = {}
    for field in fields:
        if field.kind == CHECKBOX:
            values[field.name] = "true" if form.get(field.name) == "true" else ""
        elif field.name in form:
            values[field.name] = form[field.name].replace("\r\n", "\n")
    return values


def shown_back(values: Mapping[str, str]) -> dict[str, str]:
    """What was typed, to show in a form again: without the characters no page may hold (a NUL),
    which the error beside the field says were there."""
    return {name: without_unstorable(text) for name, text in values.items()}


def api_input(values: Mapping[str, str], fields: Iterable[Field]) -> tuple[dict, dict[str, list[str]]]:
    """The API's input from what was typed, and the fields whose text no database stores (a NUL
    character), named as the API names them."""
    data, problems = {}, {}
    for field in fields:
        if field.name not in values:
            continue
        text = values[field.name]
        if not storable(text):
            problems[field.name] = [UNSTORABLE_TEXT]
            continue
        if field.kind == CHECKBOX:
            data[field.name] = text == "true"
            continue
        if not text.strip():
            if field.blank != OMIT:
                data[field.name] = "" if field.blank == EMPTY else None
            continue
        data[field.name] = text if field.kind == TEXT else _read(field.kind, text.strip())
    return data, problems


def _read(kind: str, text: str):
    if kind == INTEGER:
        return int(text) if _WHOLE.fullmatch(text) else text
    if kind == DECIMAL and _GROUPED.fullmatch(text):
        return text.replace(",", "")
    return text


def shown(value) -> str:
    """A stored value as a form field shows it: text as it is, a date as the browser's date field
    sends it, an exact decimal written out, a boolean as a checkbox's value, nothing as empty."""
    if value is None or value is False:
        return ""
    if value is True:
        return "true"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def changed(values: Mapping[str, str], current: Mapping[str, object]) -> list[str]:
    """The fields whose typed text is not what the form showed of the stored value."""
    return [name for name, text in values.items() if text != shown(current.get(name))]
