"""What a person is told about a field the API refused, in the page's language.

The rules are the API's: its schemas and services refuse a value with an English message (the
JSON API stays in English). A form says the same in the reader's words: each API message is
recognised by its wording (the API's own constants where it has them) as a *reason*, and each
reason is worded for people, translated, its dates and numbers formatted by Babel. A field left
empty that must be filled in gets a message of its own field ("Enter a title").
"""

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from types import FunctionType

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.budgets.rules import PLANNED_HAS_NO_APPROVAL
from tracker.db import utcnow
from tracker.errors import UNSTORABLE_TEXT
from tracker.fields import ExactDecimal
from tracker.i18n import long_date
from tracker.i18n.vocab import PRACTICE_NAMES
from tracker.kpis.schemas import VALUE_LIMIT
from tracker.money import MAX_AMOUNT
from tracker.trust.rules import MAY_BE_NOT_APPLICABLE, RATIONALE_REQUIRED

log = logging.getLogger(__name__)

# the console's own refusal: a project key another project holds (the API answers it with a 409)
KEY_IN_USE = "Another project has this key."

# a field that must be filled in, left empty: what to do, by the field's name
MISSING = {
    "key": _l("Enter a reference, for example CITY-TRAFFIC-01"),
    "title": _l("Enter a title"),
    "domain": _l("Choose an area"),
    "ai_type": _l("Choose the kind of AI"),
    "stage": _l("Choose a stage"),
    "risk_tier": _l("Choose a risk level"),
    "to_stage": _l("Choose the stage to move to"),
    "rationale": _l("Enter the reasons for the decision"),
    "fiscal_year": _l("Enter the fiscal year, for example 2027"),
    "category": _l("Choose what the money is for"),
    "amount": _l("Enter the amount"),
    "currency": _l("Choose a currency"),
    "status": _l("Choose a status"),
    "name": _l("Enter the name of the KPI"),
    "kind": _l("Choose what the KPI measures"),
    "direction": _l("Choose which way is better"),
    "cadence_days": _l("Enter how often it is reported, in days"),
    "value": _l("Enter the value measured"),
    "measured_on": _l("Enter the date of the measurement"),
    "until": _l("Enter the date until which to snooze the flag"),
    "reason": _l("Enter why the flag can wait"),
}
# what a whole number is, by field, when something else was typed
WHOLE_NUMBER = {
    "fiscal_year": _l("Enter the fiscal year as a number, for example 2027"),
    "cadence_days": _l("Enter a number of days, for example 30"),
}


def _example_date() -> str:
    return (utcnow().date() + timedelta(days=30)).isoformat()


def _number(value: str) -> str:
    return format_decimal(Decimal(value))


def _day(value: str) -> str:
    return long_date(date.fromisoformat(value))


def _currency_places(found: dict) -> str:
    if found["places"] == "0":
        return _("Amounts in %(currency)s have no decimal places: enter a whole amount", currency=found["currency"])
    return _("Amounts in %(currency)s have at most %(places)s decimal places", **found)


def _not_applicable(_found: dict) -> str:
    practices = sorted(str(PRACTICE_NAMES[key]) for key in MAY_BE_NOT_APPLICABLE)
    return _("Only these practices may be not applicable: %(practices)s", practices=", ".join(practices))


# (the API's message, what a person is told): the first that matches wins. A message takes the
# match's named groups; a function gets them and words the message itself.
_MISSING, _WHOLE = "missing", "whole number"
_EMPTY = re.compile(
    r"Missing data for required field\.|Field may not be null\.|Shorter than minimum length 1\.|Must not be blank\."
)
REASONS: list[tuple[str, object]] = [
    (_EMPTY.pattern, _MISSING),
    (
        re.escape(UNSTORABLE_TEXT),
        _l("The text held a character no one can store (such as NUL): it is taken out here; check the text"),
    ),
    (
        r"Longer than maximum length (?P<max>\d+)\.|Length must be between 1 and (?P<between>\d+)\.",
        lambda f: _("Enter at most %(max)s characters", max=_number(f["max"] or f["between"])),
    ),
    (r"Must not be in the future\.", _l("The date must be today or earlier")),
    (r"Must be after today\.", _l("The date must be after today")),
    (
        r"Must be greater than or equal to 1900-01-01 and less than or equal to 2199-12-31\.",
        _l("Enter a date between the years 1900 and 2199"),
    ),
    (r"Not a valid date\.", lambda f: _("Enter a real date, for example %(example)s", example=_example_date())),
    (
        r"Must be greater than or equal to (?P<min>-?\d+) and less than or equal to (?P<max>-?\d+)\.",
        lambda f: _("Enter a number from %(min)s to %(max)s", min=f["min"], max=f["max"]),
    ),
    (r"Not a valid integer\.|Number too large\.", _WHOLE),
    (re.escape(ExactDecimal.default_error_messages["invalid"]), _l("Enter a number, for example 1250.5")),
    (r"At most (?P<places>\d+) decimal places\.", lambda f: _("Enter at most %(places)s decimal places", **f)),
    (r"(?P<currency>[A-Z]{3}) amounts have at most (?P<places>\d+) decimal places; .*", _currency_places),
    (
        r"Must be at least 0 and at most .*",
        lambda f: _("Enter an amount from 0 to %(max)s", max=format_decimal(MAX_AMOUNT)),
    ),
    (
        r"Its absolute value must be below .*",
        lambda f: _(
            "Enter a number above -%(limit)s and below %(limit)s", limit=format_decimal(VALUE_LIMIT.to_integral_value())
        ),
    ),
    (r"Not a valid email address\.", _l("Enter an email address, for example name@city.example")),
    (r"Must be an http or https URL\.", _l("Enter a web address that starts with http:// or https://")),
    (r"1-64 of A-Z, 0-9, .*", _l("Use 1 to 64 capital letters, digits, dots, hyphens or underscores")),
    (re.escape(KEY_IN_USE), _l("Another project has this reference: choose another")),
    (re.escape(RATIONALE_REQUIRED), _l("Say why the project has this risk level")),
    (r"Required when the project is public\.", _l("Fill this in: a project in the public register needs it")),
    (r"Must be an active user with the role .*", _l("Choose an owner from the list")),
    (re.escape(PLANNED_HAS_NO_APPROVAL), _l("A planned line has no approval date: remove it, or choose Approved")),
    (
        r"The approval \((?P<approved>[0-9-]+)\) must not be before the planning \((?P<planned>[0-9-]+)\)\.",
        lambda f: _("The approval must not be before the line was planned (%(date)s)", date=_day(f["planned"])),
    ),
    (
        r"Must not be before baseline_date \((?P<date>[0-9-]+)\)\.",
        lambda f: _("The target date must not be before the baseline date (%(date)s)", date=_day(f["date"])),
    ),
    (
        r"Must not be before the previous stage decision \((?P<date>[0-9-]+)\)\.",
        lambda f: _("The date must not be before the previous stage decision (%(date)s)", date=_day(f["date"])),
    ),
    (
        r"Must not be after to \((?P<date>[0-9-]+)\)\.",
        lambda f: _("The start must not be after the end (%(date)s)", date=_day(f["date"])),
    ),
    (
        r"The range holds (?P<count>\d+) periods of a [a-z]+; at most (?P<most>\d+)\.",
        lambda f: _(
            "The range holds %(count)s periods: choose at most %(most)s, or a longer period",
            count=_number(f["count"]),
            most=_number(f["most"]),
        ),
    ),
    (r"not_applicable is allowed only for .*", _not_applicable),
    (r"Required when the status is done\.", _l("Enter the date it was done")),
    (r"Only with the status done\.", _l("A completion date goes only with Done: remove it, or choose Done")),
    (r"Required when the status is waived\.", _l("Enter the reason for the waiver")),
    (r"Only with the status waived\.", _l("A waiver reason goes only with Waived: remove it, or choose Waived")),
    (
        r"The project has a translation into .*",
        _l("The project has a translation into this language: keep its language, or delete the translation first"),
    ),
    (r"Must be one of: .*|Must be an active ISO 4217 code.*", _l("Choose one of the options")),
]
_COMPILED = [(re.compile(pattern), wording) for pattern, wording in REASONS]
CHECK_VALUE = _l("This value cannot be used: check it")


def in_words(name: str, message: str) -> str:
    """What a person is told about field `name`, for the API's `message` about it."""
    for pattern, wording in _COMPILED:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        if wording is _MISSING:
            return str(MISSING.get(name, _l("Fill this in")))
        if wording is _WHOLE:
            return str(WHOLE_NUMBER.get(name, _l("Enter a whole number")))
        if isinstance(wording, FunctionType):
            return wording(found.groupdict())
        return str(wording)
    log.warning("no words for the API's message about %s: %s", name, message)
    return str(CHECK_VALUE)


def errors_in_words(problems: Mapping[str, Iterable[str] | str], order: Iterable[str]) -> dict[str, str]:
    """The API's field errors ({name: [messages]}) in a person's words, one per field, in the
    form's order; errors of fields the form does not have come last, under their own names."""
    order = list(order)
    words = {}
    for name in sorted(problems, key=lambda n: order.index(n) if n in order else len(order)):
        messages = [problems[name]] if isinstance(problems[name], str) else [str(m) for m in problems[name]]
        # a field left empty is told so first (empty text also breaks its length: "between 1 and 300")
        empty = [message for message in messages if _EMPTY.fullmatch(message)]
        words[name] = in_words(name, (empty or messages or [""])[0])
    return words
