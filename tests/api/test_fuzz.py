"""Schemathesis against the served OpenAPI document, with all its checks: no server errors,
responses that match their schemas, documented status codes and headers, auth enforced.

OpenAPI 3.0 cannot state rules that depend on today's date or on another field; requests that break
one of those (listed in `breaks_a_rule_openapi_cannot_state`) are not generated as "valid" data.
Nor are requests holding text no database stores (a NUL, half a surrogate pair): the document does
not repeat that rule on every string, and the service refuses such text with a 422 naming the field.

One test per operation of the committed spec, each on a fresh database with a project in it.
Bounded: FUZZ_EXAMPLES examples per operation (default 15), derandomized, no deadline.
"""

import json
import os
from datetime import date
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis.checks import positive_data_acceptance

from tests import factories
from tracker.auth import issue_token
from tracker.db import utcnow
from tracker.money import minor_exponent
from tracker.trend.periods import MAX_PERIODS, PERIOD_KINDS, count_periods
from tracker.trust.rules import MAY_BE_NOT_APPLICABLE
from tracker.vocab import REGISTRY_FIELDS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
SPEC = json.loads((Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_text(encoding="utf-8"))
OPERATIONS = [
    (method.upper(), path)
    for path, methods in SPEC["paths"].items()
    for method in methods
    if method in {"get", "post", "put", "patch", "delete"}
]


NOT_AFTER_TODAY = ("as_of", "measured_on", "stage_entered_at", "effective_date", "to", "planned_on", "approved_on")


def breaks_a_rule_openapi_cannot_state(case, owner_id: int) -> bool:
    """True for requests that break a documented rule relative to today, another field or another
    record (owner_id must name an active manager, caio or admin; the fuzzing admin is the only one)."""
    values = {**(case.query or {}), **(case.body if isinstance(case.body, dict) else {})}
    if any(not storable(text) for text in (*values, *values.values()) if isinstance(text, str)):
        return True
    today = utcnow().date().isoformat()
    if any(isinstance(values.get(name), str) and values[name] > today for name in NOT_AFTER_TODAY):
        return True
    if isinstance(values.get("until"), str) and values["until"] <= today:
        return True
    if "owner_id" in values and values["owner_id"] != owner_id:
        return True
    if values.get("public") is True and not all(str(values.get(name) or "").strip() for name in REGISTRY_FIELDS):
        return True
    currency = values.get("currency") if isinstance(values.get("currency"), str) else "USD"
    for money in ("amount", "spent"):
        decimals = values[money].partition(".")[2] if isinstance(values.get(money), str) else ""
        if len(decimals) > minor_exponent(currency):
            return True
    if breaks_a_trust_rule(values, (case.path_parameters or {}).get("key")):
        return True
    if breaks_a_date_rule(values, today):
        return True
    if breaks_a_translation_rule(values, (case.path_parameters or {}).get("locale")):
        return True
    dates = (values.get("baseline_date"), values.get("target_date"))
    return all(isinstance(d, str) for d in dates) and dates[1] < dates[0]


def breaks_a_trust_rule(values: dict, practice_key: str | None) -> bool:
    """A tier without its rationale (or a blank one, refused once the project is assessed), and a
    practice's fields that go only with one status."""
    if "risk_rationale" in values and not str(values["risk_rationale"] or "").strip():
        return True
    if values.get("risk_tier") not in (None, "unassessed") and "risk_rationale" not in values:
        return True
    status = values.get("status")
    if practice_key is None or not isinstance(status, str):
        return False
    return (
        (status == "done") != (values.get("completed_on") is not None)
        or (status == "waived") != bool(str(values.get("waiver_reason") or "").strip())
        or (status != "waived" and bool(values.get("waiver_reason")))
        or (status == "not_applicable" and practice_key not in MAY_BE_NOT_APPLICABLE)
    )


def breaks_a_date_rule(values: dict, today: str) -> bool:
    """A budget line's approval date with a planned line or before its planning; a trend's `from`
    after its `to`, or more than MAX_PERIODS periods before it."""
    planned_on, approved_on = values.get("planned_on"), values.get("approved_on")
    if approved_on is not None and values.get("status", "planned") == "planned":
        return True
    if isinstance(planned_on, str) and isinstance(approved_on, str) and approved_on < planned_on:
        return True
    start, to, period = values.get("from"), values.get("to") or today, values.get("period", "quarter")
    if not (isinstance(start, str) and isinstance(to, str) and period in PERIOD_KINDS):
        return False
    try:
        return start > to or count_periods(period, date.fromisoformat(start), date.fromisoformat(to), 1) > MAX_PERIODS
    except ValueError:  # not a date: the service answers 422, which the fuzzer expects
        return False


# what the fuzzed project is written in (DEFAULT_LOCALE), and the fields of it that hold text
FUZZED_LOCALE = "en"
FUZZED_TEXT = ("title", "problem")


def breaks_a_translation_rule(values: dict, locale: str | None) -> bool:
    """A translation into the project's own language, or of a field whose original is empty (the
    fuzzed project has a title and a problem, nothing else to translate)."""
    if locale is None:
        return False
    return locale == FUZZED_LOCALE or any(name not in FUZZED_TEXT for name in values)


def storable(text: str) -> bool:
    """No NUL (PostgreSQL text cannot hold one) and no unpaired surrogate (UTF-8 cannot encode one)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


@pytest.fixture
def fuzzing_admin(session):
    user = factories.UserFactory(role="admin")
    factories.ProjectFactory(owner=user, content_locale=FUZZED_LOCALE)
    _, token = issue_token(session, user)
    session.commit()
    return user.id, token


@pytest.mark.parametrize("method,path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_api_keeps_its_openapi_promises(app, fuzzing_admin, method, path):
    admin_id, admin_token = fuzzing_admin
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def keeps_its_promises(case):
        assume(not breaks_a_rule_openapi_cannot_state(case, admin_id))
        case.call_and_validate(
            headers={"Authorization": f"Bearer {admin_token}"}, excluded_checks=checks_skipped_for(case)
        )

    keeps_its_promises()


def checks_skipped_for(case) -> list:
    """An uploaded CSV file's content is a file format OpenAPI describes only as binary: any bytes
    are "valid" to the fuzzer, so for it the check that valid data is accepted does not apply (every
    other check does; tests/api/test_imports.py covers the format)."""
    return [positive_data_acceptance] if case.media_type == "multipart/form-data" else []
