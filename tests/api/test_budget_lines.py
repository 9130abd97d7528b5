"""Budget lines through the HTTP API: exact money per currency, filters, roles, bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.budgets.models import BudgetLine
from tracker.db import utcnow
from tracker.money import from_minor

LINE = {
    "stage": "rollout",
    "fiscal_year": 2027,
    "category": "compute",
    "amount": "1250000.00",
    "currency": "EUR",
    "status": "planned",
    "spent": "0.00",
    "source": "mid-term fiscal plan 2026-30",
}


@pytest.fixture
def project(manager):
    return factories.ProjectFactory(owner=manager.user, stage="pilot")


def lines_url(project) -> str:
    return f"/api/v1/projects/{project.id}/budget-lines"


def add_line(caller, project, **changes):
    created = caller.post(lines_url(project), json={**LINE, **changes})
    assert created.status_code == 201, created.json
    return created


def test_owner_adds_a_budget_line_and_reads_it_back_at_its_location(manager, viewer, project, session):
    created = add_line(manager, project)
    body = created.json
    assert created.headers["Location"] == f"/api/v1/budget-lines/{body['id']}"
    assert {k: body[k] for k in LINE} == LINE
    assert body["project_id"] == project.id

    assert viewer.get(created.headers["Location"]).json == body
    listed = viewer.get(lines_url(project))
    assert listed.json == [body] and listed.headers["X-Total-Count"] == "1"
    # stored as integer cents, never as a float
    assert session.scalar(sa.select(BudgetLine.amount_minor)) == 125_000_000


def test_a_line_without_currency_status_or_spent_takes_the_defaults(manager, project, app):
    minimal = {"stage": "pilot", "fiscal_year": 2026, "category": "services", "amount": "5000"}
    created = manager.post(lines_url(project), json=minimal).json
    assert app.config["DEFAULT_CURRENCY"] == "USD"
    assert (created["currency"], created["amount"], created["spent"]) == ("USD", "5000.00", "0.00")
    assert (created["status"], created["source"]) == ("planned", "")


def test_list_filters_by_stage_fiscal_year_and_status_and_pages_carry_totals(manager, project):
    add_line(manager, project, stage="pilot", fiscal_year=2026, status="approved")
    add_line(manager, project, stage="rollout", fiscal_year=2027, status="planned")
    add_line(manager, project, stage="rollout", fiscal_year=2028, status="approved")
    factories.BudgetLineFactory(stage="rollout")  # another project's line is never listed

    def listed(query: str) -> list[tuple]:
        return [(b["stage"], b["fiscal_year"], b["status"]) for b in manager.get(f"{lines_url(project)}?{query}").json]

    assert listed("stage=rollout") == [("rollout", 2027, "planned"), ("rollout", 2028, "approved")]
    assert listed("fiscal_year=2026") == [("pilot", 2026, "approved")]
    assert listed("status=approved&stage=rollout") == [("rollout", 2028, "approved")]
    assert listed("stage=poc") == []

    page = manager.get(f"{lines_url(project)}?page=2&page_size=2")
    assert len(page.json) == 1
    assert (page.headers["X-Total-Count"], page.headers["X-Total-Pages"]) == ("3", "2")


def test_owner_approves_a_line_and_records_spending(manager, project):
    url = add_line(manager, project).headers["Location"]
    changed = manager.patch(url, json={"status": "approved", "spent": "1000.50"})
    assert changed.status_code == 200
    assert (changed.json["status"], changed.json["spent"], changed.json["amount"]) == (
        "approved",
        "1000.50",
        "1250000.00",
    )
    assert manager.get(url).json == changed.json


def test_deleting_a_line_answers_204_and_it_is_gone(manager, project):
    url = add_line(manager, project).headers["Location"]
    deleted = manager.delete(url)
    assert deleted.status_code == 204 and deleted.data == b""
    gone = manager.get(url)
    assert gone.status_code == 404 and gone.json["code"] == 404
    assert manager.get(lines_url(project)).json == []


# --- who may write -------------------------------------------------------------------------

ALLOWED = {"create": 201, "change": 200, "delete": 204}


def attempt(write: str, who, project, line_url: str):
    if write == "create":
        return who.post(lines_url(project), json={**LINE, "amount": "7.00"})
    if write == "change":
        return who.patch(line_url, json={"status": "approved"})
    return who.delete(line_url)


# roles are fixture names: `manager` owns `project`, `client` sends no token
@pytest.mark.parametrize("write", ALLOWED)
@pytest.mark.parametrize("role", ["manager", "caio", "admin"])
def test_the_owner_and_the_caio_office_may_write_budget_lines(write, role, request, manager, project):
    line_url = add_line(manager, project).headers["Location"]
    answer = attempt(write, request.getfixturevalue(role), project, line_url)
    assert answer.status_code == ALLOWED[write], answer.json
    if write == "create":
        assert answer.json["amount"] == "7.00"
    elif write == "change":
        assert answer.json["status"] == "approved"
    else:
        assert manager.get(line_url).status_code == 404


@pytest.mark.parametrize("write", ALLOWED)
@pytest.mark.parametrize(("role", "status"), [("other_manager", 403), ("viewer", 403), ("client", 401)])
def test_other_managers_viewers_and_strangers_may_not_write_budget_lines(
    write, role, status, request, manager, project
):
    line_url = add_line(manager, project).headers["Location"]
    before = manager.get(lines_url(project)).json
    answer = attempt(write, request.getfixturevalue(role), project, line_url)
    assert answer.status_code == status
    assert answer.json["code"] == status and answer.json["message"]
    assert manager.get(lines_url(project)).json == before


def test_anyone_signed_in_reads_budget_lines_but_not_without_a_token(manager, viewer, other_manager, client, project):
    url = add_line(manager, project).headers["Location"]
    assert viewer.get(url).status_code == 200 and other_manager.get(url).json["amount"] == "1250000.00"
    refused = client.get(url)
    assert refused.status_code == 401 and refused.json["code"] == 401


# --- bad input -----------------------------------------------------------------------------

BAD_BODIES = [
    ({"amount": 10.5}, "amount"),
    ({"amount": 10}, "amount"),
    ({"amount": "ten"}, "amount"),
    ({"amount": "-0.01"}, "amount"),
    ({"amount": "NaN"}, "amount"),
    ({"amount": "Infinity"}, "amount"),
    ({"amount": "1e400"}, "amount"),
    ({"amount": "1000000000000000.01"}, "amount"),
    ({"amount": "9" * 41}, "amount"),
    ({"amount": None}, "amount"),
    ({"amount": ""}, "amount"),
    ({"spent": "-5"}, "spent"),
    ({"spent": 0.1}, "spent"),
    ({"fiscal_year": "2026"}, "fiscal_year"),
    ({"fiscal_year": 2026.0}, "fiscal_year"),
    ({"fiscal_year": True}, "fiscal_year"),
    ({"fiscal_year": 10**30}, "fiscal_year"),
    ({"fiscal_year": 1899}, "fiscal_year"),
    ({"stage": "cancelled"}, "stage"),
    ({"category": "snacks"}, "category"),
    ({"status": "spent"}, "status"),
    ({"currency": "eur"}, "currency"),
    ({"currency": "EUD"}, "currency"),
    ({"currency": 978}, "currency"),
    ({"source": 12}, "source"),
    ({"amount_minor": 5}, "amount_minor"),
    ({"id": 99}, "id"),
    ({"project_id": 2}, "project_id"),
]


def test_a_bad_new_line_is_refused_naming_the_field_and_nothing_is_created(manager, project):
    for change, field in BAD_BODIES:
        refused = manager.post(lines_url(project), json={**LINE, **change})
        assert refused.status_code == 422, change
        assert field in refused.json["errors"]["json"], change
        assert field in refused.json["message"], change
    assert manager.get(lines_url(project)).headers["X-Total-Count"] == "0"


def test_a_bad_change_is_refused_naming_the_field_and_the_line_is_unchanged(manager, project):
    url = add_line(manager, project).headers["Location"]
    before = manager.get(url).json
    for change, field in BAD_BODIES:
        refused = manager.patch(url, json=change)
        assert refused.status_code == 422, change
        assert field in refused.json["errors"]["json"], change
    assert manager.get(url).json == before


def test_required_fields_are_named_when_missing(manager, project):
    refused = manager.post(lines_url(project), json={})
    assert refused.status_code == 422
    assert set(refused.json["errors"]["json"]) == {"stage", "fiscal_year", "category", "amount"}


@pytest.mark.parametrize("body", ['{"amount": "1.00"', "amount=1", "[1, 2", "{'amount': '1'}"])
def test_malformed_json_is_a_400_and_nothing_changes(manager, project, body):
    url = add_line(manager, project).headers["Location"]
    before = manager.get(url).json
    for answer in (
        manager.post(lines_url(project), data=body, content_type="application/json"),
        manager.patch(url, data=body, content_type="application/json"),
    ):
        assert answer.status_code == 400 and answer.json["code"] == 400
    assert manager.get(lines_url(project)).json == [before]


@pytest.mark.parametrize("body", [[LINE], "a string", 42, None])
def test_a_body_that_is_not_an_object_is_refused(manager, project, body):
    refused = manager.post(lines_url(project), json=body)
    assert refused.status_code == 422 and refused.json["code"] == 422
    assert manager.get(lines_url(project)).headers["X-Total-Count"] == "0"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/budget-lines/12345",
        "/api/v1/budget-lines/99999999999999999999999999",
        "/api/v1/budget-lines/0",
        "/api/v1/budget-lines/-1",
        "/api/v1/budget-lines/abc",
        "/api/v1/projects/12345/budget-lines",
        "/api/v1/projects/99999999999999999999999999/budget-lines",
    ],
)
def test_unknown_or_huge_ids_are_a_json_404_for_reads_and_writes(admin, path):
    for answer in (admin.get(path), admin.patch(path, json={"status": "approved"}), admin.post(path, json=LINE)):
        assert answer.status_code in (404, 405)
        assert answer.is_json and answer.json["code"] == answer.status_code
    assert admin.get(path).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("fiscal_year=99999999999999999999999", "fiscal_year"),
        ("fiscal_year=twenty", "fiscal_year"),
        ("fiscal_year=2026.5", "fiscal_year"),
        ("stage=cancelled", "stage"),
        ("status=spent", "status"),
        ("page=99999999999999999999999", "page"),
        ("page=0", "page"),
        ("page_size=101", "page_size"),
    ],
)
def test_bad_query_strings_are_a_422_naming_the_parameter(manager, project, query, field):
    refused = manager.get(f"{lines_url(project)}?{query}")
    assert refused.status_code == 422
    assert field in refused.json["errors"]["query"]


# --- money precision and exactness ---------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "amount", "shown"),
    [
        ("EUR", "10.5", "10.50"),
        ("EUR", "10.500", "10.50"),
        ("USD", "0", "0.00"),
        ("KRW", "5000000", "5000000"),
        ("KRW", "5000000.00", "5000000"),
        ("JPY", "1200", "1200"),
        ("KWD", "1.234", "1.234"),
        ("EUR", "1000000000000000", "1000000000000000.00"),
    ],
)
def test_amounts_are_shown_with_exactly_their_currencys_decimals(manager, project, currency, amount, shown):
    body = add_line(manager, project, currency=currency, amount=amount, spent=amount).json
    assert (body["currency"], body["amount"], body["spent"]) == (currency, shown, shown)
    assert manager.get(f"/api/v1/budget-lines/{body['id']}").json["amount"] == shown


@pytest.mark.parametrize(
    ("currency", "amount"), [("EUR", "10.005"), ("USD", "0.001"), ("KRW", "10.5"), ("JPY", "0.1"), ("KWD", "1.2345")]
)
def test_more_decimals_than_the_currency_has_are_refused(manager, project, currency, amount):
    refused = manager.post(lines_url(project), json={**LINE, "currency": currency, "amount": amount})
    assert refused.status_code == 422
    assert "decimal places" in refused.json["errors"]["json"]["amount"][0]
    assert manager.get(lines_url(project)).json == []


def test_changing_the_currency_refuses_amounts_it_cannot_hold_and_changes_nothing(manager, project):
    url = add_line(manager, project, currency="EUR", amount="10.50", spent="0.25").headers["Location"]
    before = manager.get(url).json
    refused = manager.patch(url, json={"currency": "KRW"})
    assert refused.status_code == 422
    assert set(refused.json["errors"]["json"]) == {"amount", "spent"}
    assert "KRW" in refused.json["errors"]["json"]["amount"][0]
    assert manager.get(url).json == before

    half_fixed = manager.patch(url, json={"currency": "KRW", "amount": "11"})
    assert half_fixed.status_code == 422 and set(half_fixed.json["errors"]["json"]) == {"spent"}
    assert manager.get(url).json == before

    fixed = manager.patch(url, json={"currency": "KRW", "amount": "11", "spent": "0"})
    assert fixed.status_code == 200
    assert (fixed.json["currency"], fixed.json["amount"], fixed.json["spent"]) == ("KRW", "11", "0")


def test_changing_the_currency_keeps_whole_amounts_as_they_are(manager, project):
    url = add_line(manager, project, currency="EUR", amount="10.00").headers["Location"]
    to_krw = manager.patch(url, json={"currency": "KRW"}).json
    assert (to_krw["currency"], to_krw["amount"]) == ("KRW", "10")
    to_kwd = manager.patch(url, json={"currency": "KWD"}).json
    assert (to_kwd["currency"], to_kwd["amount"]) == ("KWD", "10.000")


def test_sums_of_amounts_stay_exact(manager, project, session):
    for _ in range(3):
        add_line(manager, project, currency="USD", amount="0.10", spent="0.10")
    read = manager.get(lines_url(project)).json
    assert [line["amount"] for line in read] == ["0.10", "0.10", "0.10"]
    assert sum(Decimal(line["amount"]) for line in read) == Decimal("0.30")
    assert 0.1 + 0.1 + 0.1 != 0.3  # what a float would have made of it
    total = session.scalar(sa.select(sa.func.sum(BudgetLine.amount_minor)))
    assert format(from_minor(total, "USD"), "f") == "0.30"


# ---- planned_on and approved_on (SPEC "Budget line") ------------------------------------------


def _days_ago(days: int) -> str:
    return (utcnow().date() - timedelta(days=days)).isoformat()


def test_a_new_line_is_planned_today_and_an_approved_one_approved_today(manager, project):
    today = utcnow().date().isoformat()
    planned = add_line(manager, project).json
    assert (planned["planned_on"], planned["approved_on"]) == (today, None)
    approved = add_line(manager, project, status="approved").json
    assert (approved["planned_on"], approved["approved_on"]) == (today, today)


def test_planned_on_defaults_to_approved_on_when_only_that_is_given(manager, project):
    line = add_line(manager, project, status="approved", approved_on=_days_ago(30)).json
    assert (line["planned_on"], line["approved_on"]) == (_days_ago(30), _days_ago(30))
    both = add_line(manager, project, status="approved", planned_on=_days_ago(90), approved_on=_days_ago(30)).json
    assert (both["planned_on"], both["approved_on"]) == (_days_ago(90), _days_ago(30))


def test_approving_a_line_dates_it_today_and_setting_it_back_to_planned_loses_the_date(manager, project):
    line = add_line(manager, project, planned_on=_days_ago(200)).json
    url = f"/api/v1/budget-lines/{line['id']}"
    approved = manager.patch(url, json={"status": "approved"}).json
    assert (approved["planned_on"], approved["approved_on"]) == (_days_ago(200), utcnow().date().isoformat())
    redated = manager.patch(url, json={"approved_on": _days_ago(100)}).json
    assert redated["approved_on"] == _days_ago(100)
    # a change of something else keeps the dates
    assert manager.patch(url, json={"spent": "10.00"}).json["approved_on"] == _days_ago(100)
    back = manager.patch(url, json={"status": "planned"}).json
    assert (back["status"], back["planned_on"], back["approved_on"]) == ("planned", _days_ago(200), None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "planned", "approved_on": "2025-01-01"}, "approved_on"),
        ({"approved_on": "2025-01-01"}, "approved_on"),  # status defaults to planned
        ({"status": "approved", "planned_on": "2025-02-01", "approved_on": "2025-01-31"}, "approved_on"),
        ({"planned_on": "2999-01-01"}, "planned_on"),
        ({"status": "approved", "approved_on": "2999-01-01"}, "approved_on"),
        ({"planned_on": "2025-02-30"}, "planned_on"),
        ({"status": "approved", "approved_on": None}, "approved_on"),
    ],
)
def test_bad_budget_dates_are_a_422_naming_the_field_and_nothing_is_stored(manager, project, session, body, field):
    refused = manager.post(lines_url(project), json={**LINE, **body})
    assert refused.status_code == 422, refused.json
    assert set(refused.json["errors"]["json"]) == {field}
    assert session.scalar(sa.select(sa.func.count()).select_from(BudgetLine)) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"approved_on": _days_ago(20)}, "approved_on"),  # still planned: no approval date
        ({"status": "approved", "approved_on": _days_ago(61)}, "approved_on"),  # before the planning
        ({"planned_on": _days_ago(5)}, None),  # a planned line may move its planning date
    ],
)
def test_a_patch_keeps_the_date_rules_and_changes_nothing_when_refused(manager, project, changes, field):
    line = add_line(manager, project, planned_on=_days_ago(60)).json
    answer = manager.patch(f"/api/v1/budget-lines/{line['id']}", json=changes)
    if field is None:
        assert answer.status_code == 200 and answer.json["planned_on"] == _days_ago(5)
        return
    assert answer.status_code == 422 and set(answer.json["errors"]["json"]) == {field}
    assert manager.get(f"/api/v1/budget-lines/{line['id']}").json == line


def test_moving_an_approved_lines_planning_after_its_approval_is_refused_naming_planned_on(manager, project):
    line = add_line(manager, project, status="approved", planned_on=_days_ago(60), approved_on=_days_ago(30)).json
    refused = manager.patch(f"/api/v1/budget-lines/{line['id']}", json={"planned_on": _days_ago(10)})
    assert refused.status_code == 422 and set(refused.json["errors"]["json"]) == {"planned_on"}
