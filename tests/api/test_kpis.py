"""KPIs through the HTTP API: fields, derived progress and overdue, roles, bad input."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.db import utcnow
from tracker.extensions import db

KPI = {
    "name": "Average building-permit wait",
    "kind": "outcome",
    "unit": "days",
    "direction": "decrease",
    "baseline": "40",
    "baseline_date": "2025-01-01",
    "target": "20",
    "target_date": "2027-12-31",
    "cadence_days": 30,
}


def today():
    return utcnow().date()


@pytest.fixture
def project(manager):
    return factories.ProjectFactory(owner=manager.user, stage="pilot")


def kpis_url(project) -> str:
    return f"/api/v1/projects/{project.id}/kpis"


def add_kpi(caller, project, **changes):
    created = caller.post(kpis_url(project), json={**KPI, **changes})
    assert created.status_code == 201, created.json
    return created


def measure(caller, kpi_id: int, value: str, days_ago: int = 0):
    answer = caller.post(
        f"/api/v1/kpis/{kpi_id}/measurements",
        json={"value": value, "measured_on": (today() - timedelta(days=days_ago)).isoformat()},
    )
    assert answer.status_code == 201, answer.json
    return answer


def test_owner_adds_a_kpi_and_reads_it_back_at_its_location(manager, viewer, project):
    created = add_kpi(manager, project)
    body = created.json
    assert created.headers["Location"] == f"/api/v1/kpis/{body['id']}"
    assert {k: body[k] for k in KPI} == KPI
    assert body["project_id"] == project.id
    assert (body["latest_value"], body["latest_measured_on"], body["progress"]) == (None, None, None)
    assert (body["overdue"], body["is_outcome"]) == (False, True)

    assert viewer.get(created.headers["Location"]).json == body
    listed = viewer.get(kpis_url(project))
    assert listed.json == [body] and listed.headers["X-Total-Count"] == "1"


def test_a_kpi_with_only_name_and_kind_takes_the_defaults(manager, project):
    body = manager.post(kpis_url(project), json={"name": "Models deployed", "kind": "input"}).json
    assert (body["direction"], body["cadence_days"], body["unit"]) == ("increase", 30, "")
    assert (body["baseline"], body["target"], body["baseline_date"], body["target_date"]) == (None,) * 4
    assert body["is_outcome"] is False


def test_decimal_values_come_back_exactly_as_sent(manager, project):
    body = add_kpi(manager, project, baseline="0.000001", target="999999999999.999999").json
    assert (body["baseline"], body["target"]) == ("0.000001", "999999999999.999999")
    negative = add_kpi(manager, project, baseline="-12.5", target="-0.25").json
    assert (negative["baseline"], negative["target"]) == ("-12.5", "-0.25")


def test_list_filters_by_kind_and_pages_carry_totals(manager, project):
    add_kpi(manager, project, name="Wait", kind="outcome")
    add_kpi(manager, project, name="Budget spent", kind="input")
    add_kpi(manager, project, name="Permits processed", kind="output")
    factories.KpiFactory(kind="outcome")  # another project's KPI is never listed

    def names(query: str) -> list[str]:
        return [k["name"] for k in manager.get(f"{kpis_url(project)}?{query}").json]

    assert names("kind=outcome") == ["Wait"]
    assert names("kind=input") == ["Budget spent"]
    assert names("") == ["Wait", "Budget spent", "Permits processed"]
    page = manager.get(f"{kpis_url(project)}?page=2&page_size=2")
    assert [k["name"] for k in page.json] == ["Permits processed"]
    assert (page.headers["X-Total-Count"], page.headers["X-Total-Pages"]) == ("3", "2")


def test_owner_changes_a_kpi_and_clearing_the_target_makes_it_no_outcome_kpi(manager, project):
    url = add_kpi(manager, project).headers["Location"]
    measure(manager, int(url.rsplit("/", 1)[1]), "30")
    changed = manager.patch(url, json={"target": "10", "cadence_days": 7, "unit": "working days"})
    assert changed.status_code == 200
    assert (changed.json["target"], changed.json["cadence_days"], changed.json["unit"]) == ("10", 7, "working days")
    assert changed.json["progress"] == "0.3333"
    assert manager.get(url).json == changed.json

    cleared = manager.patch(url, json={"target": None}).json
    assert (cleared["target"], cleared["is_outcome"], cleared["progress"]) == (None, False, None)


def test_deleting_a_kpi_answers_204_and_takes_its_measurements_with_it(manager, project):
    url = add_kpi(manager, project).headers["Location"]
    measurement_url = measure(manager, int(url.rsplit("/", 1)[1]), "30").headers["Location"]
    deleted = manager.delete(url)
    assert deleted.status_code == 204 and deleted.data == b""
    assert manager.get(url).status_code == 404
    assert manager.get(measurement_url).json["code"] == 404
    assert manager.get(kpis_url(project)).json == []


# --- derived fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "target", "value", "progress"),
    [
        ("40", "20", "35", "0.2500"),  # a quarter of the way down
        ("40", "20", "20", "1.0000"),
        ("40", "20", "10", "1.5000"),  # past the target
        ("40", "20", "45", "-0.2500"),  # moved away from it
        ("0", "3", "1", "0.3333"),
        ("0", "3", "2", "0.6667"),  # rounded half up at the 4th place
        ("0", "0.000001", "999999999999.999999", "999999999999999999.0000"),
    ],
)
def test_progress_is_the_share_of_the_way_from_baseline_to_target(manager, project, baseline, target, value, progress):
    kpi_id = add_kpi(manager, project, baseline=baseline, target=target).json["id"]
    measure(manager, kpi_id, value)
    body = manager.get(f"/api/v1/kpis/{kpi_id}").json
    assert (body["latest_value"], body["latest_measured_on"]) == (value, today().isoformat())
    assert body["progress"] == progress


@pytest.mark.parametrize(
    "changes", [{"baseline": None}, {"target": None}, {"target": "40"}], ids=["no baseline", "no target", "same"]
)
def test_progress_is_null_without_baseline_or_target_or_when_they_are_equal(manager, project, changes):
    kpi_id = add_kpi(manager, project, **changes).json["id"]
    measure(manager, kpi_id, "30")
    body = manager.get(f"/api/v1/kpis/{kpi_id}").json
    assert (body["latest_value"], body["progress"]) == ("30", None)


def test_the_latest_measurement_is_the_latest_measured_on_not_the_last_recorded(manager, project):
    kpi_id = add_kpi(manager, project).json["id"]
    measure(manager, kpi_id, "30", days_ago=2)
    measure(manager, kpi_id, "38", days_ago=10)  # recorded late, about an older day
    assert manager.get(f"/api/v1/kpis/{kpi_id}").json["latest_value"] == "30"
    measure(manager, kpi_id, "25", days_ago=2)  # a correction for the same day wins
    body = manager.get(f"/api/v1/kpis/{kpi_id}").json
    assert (body["latest_value"], body["progress"]) == ("25", "0.7500")


def test_a_kpi_is_overdue_once_its_latest_measurement_is_older_than_its_cadence(manager, project):
    on_time = add_kpi(manager, project, cadence_days=30).json["id"]
    measure(manager, on_time, "30", days_ago=30)
    late = add_kpi(manager, project, cadence_days=30).json["id"]
    measure(manager, late, "30", days_ago=31)
    assert manager.get(f"/api/v1/kpis/{on_time}").json["overdue"] is False
    assert manager.get(f"/api/v1/kpis/{late}").json["overdue"] is True


def test_a_kpi_never_measured_is_overdue_counted_from_its_creation(manager, project):
    fresh = add_kpi(manager, project, cadence_days=7).json
    old = factories.KpiFactory(project=project, cadence_days=7, created_at=utcnow() - timedelta(days=8))
    assert fresh["overdue"] is False
    assert manager.get(f"/api/v1/kpis/{old.id}").json["overdue"] is True


@pytest.mark.parametrize(
    ("changes", "is_outcome"),
    [
        ({}, True),
        ({"target": None}, False),
        ({"baseline": None}, False),
        ({"kind": "input"}, False),
        ({"kind": "output"}, False),
    ],
)
def test_is_outcome_means_kind_outcome_with_a_baseline_and_a_target(manager, project, changes, is_outcome):
    assert add_kpi(manager, project, **changes).json["is_outcome"] is is_outcome


def test_a_page_of_kpis_costs_the_same_queries_however_many_kpis_it_holds(manager, project):
    def statements_for_a_page() -> int:
        count = 0

        def counter(*_args):
            nonlocal count
            count += 1

        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            page = manager.get(f"{kpis_url(project)}?page_size=100")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)
        assert page.status_code == 200
        return count

    kpi_id = add_kpi(manager, project).json["id"]
    measure(manager, kpi_id, "30")
    with_one = statements_for_a_page()
    for n in range(12):
        kpi_id = add_kpi(manager, project, name=f"KPI {n}").json["id"]
        measure(manager, kpi_id, str(n), days_ago=n)
    assert statements_for_a_page() == with_one
    page = manager.get(f"{kpis_url(project)}?page_size=100").json
    assert len(page) == 13 and [k["latest_value"] for k in page[1:4]] == ["0", "1", "2"]


# --- who may write -------------------------------------------------------------------------

ALLOWED = {"create": 201, "change": 200, "delete": 204}


def attempt(write: str, who, project, kpi_url: str):
    if write == "create":
        return who.post(kpis_url(project), json={**KPI, "name": "Resident satisfaction"})
    if write == "change":
        return who.patch(kpi_url, json={"target": "15"})
    return who.delete(kpi_url)


# roles are fixture names: `manager` owns `project`, `client` sends no token
@pytest.mark.parametrize("write", ALLOWED)
@pytest.mark.parametrize("role", ["manager", "caio", "admin"])
def test_the_owner_and_the_caio_office_may_write_kpis(write, role, request, manager, project):
    kpi_url = add_kpi(manager, project).headers["Location"]
    answer = attempt(write, request.getfixturevalue(role), project, kpi_url)
    assert answer.status_code == ALLOWED[write], answer.json
    if write == "create":
        assert answer.json["name"] == "Resident satisfaction"
    elif write == "change":
        assert answer.json["target"] == "15"
    else:
        assert manager.get(kpi_url).status_code == 404


@pytest.mark.parametrize("write", ALLOWED)
@pytest.mark.parametrize(("role", "status"), [("other_manager", 403), ("viewer", 403), ("client", 401)])
def test_other_managers_viewers_and_strangers_may_not_write_kpis(write, role, status, request, manager, project):
    kpi_url = add_kpi(manager, project).headers["Location"]
    before = manager.get(kpis_url(project)).json
    answer = attempt(write, request.getfixturevalue(role), project, kpi_url)
    assert answer.status_code == status
    assert answer.json["code"] == status and answer.json["message"]
    assert manager.get(kpis_url(project)).json == before


def test_anyone_signed_in_reads_kpis_but_not_without_a_token(manager, viewer, client, project):
    url = add_kpi(manager, project).headers["Location"]
    assert viewer.get(url).json["name"] == KPI["name"]
    refused = client.get(url)
    assert refused.status_code == 401 and refused.json["code"] == 401


# --- bad input -----------------------------------------------------------------------------

BAD_BODIES = [
    ({"baseline": 4.5}, "baseline"),
    ({"baseline": 4}, "baseline"),
    ({"baseline": "forty"}, "baseline"),
    ({"baseline": "NaN"}, "baseline"),
    ({"baseline": "1000000000000"}, "baseline"),
    ({"baseline": "-1e12"}, "baseline"),
    ({"baseline": "1e400"}, "baseline"),
    ({"baseline": "0.0000001"}, "baseline"),
    ({"target": 20.0}, "target"),
    ({"target": "9" * 41}, "target"),
    ({"cadence_days": "30"}, "cadence_days"),
    ({"cadence_days": 30.0}, "cadence_days"),
    ({"cadence_days": True}, "cadence_days"),
    ({"cadence_days": 0}, "cadence_days"),
    ({"cadence_days": 3661}, "cadence_days"),
    ({"cadence_days": 10**30}, "cadence_days"),
    ({"kind": "impact"}, "kind"),
    ({"direction": "up"}, "direction"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": None}, "name"),
    ({"unit": "u" * 51}, "unit"),
    ({"baseline_date": "2025-02-30"}, "baseline_date"),
    ({"baseline_date": "yesterday"}, "baseline_date"),
    ({"baseline_date": "10000-01-01"}, "baseline_date"),
    ({"baseline_date": "1899-12-31"}, "baseline_date"),
    ({"baseline_date": 20250101}, "baseline_date"),
    ({"target_date": "2024-12-31"}, "target_date"),  # before baseline_date
    ({"latest_value": "3"}, "latest_value"),
    ({"progress": "0.5"}, "progress"),
    ({"project_id": 2}, "project_id"),
    ({"colour": "red"}, "colour"),
]


def test_a_bad_new_kpi_is_refused_naming_the_field_and_nothing_is_created(manager, project):
    for change, field in BAD_BODIES:
        refused = manager.post(kpis_url(project), json={**KPI, **change})
        assert refused.status_code == 422, change
        assert field in refused.json["errors"]["json"], change
        assert field in refused.json["message"], change
    assert manager.get(kpis_url(project)).headers["X-Total-Count"] == "0"


def test_a_bad_change_is_refused_naming_the_field_and_the_kpi_is_unchanged(manager, project):
    url = add_kpi(manager, project).headers["Location"]
    before = manager.get(url).json
    for change, field in BAD_BODIES:
        refused = manager.patch(url, json=change)
        assert refused.status_code == 422, change
        assert field in refused.json["errors"]["json"], change
    assert manager.get(url).json == before


def test_a_change_is_checked_against_the_stored_dates(manager, project):
    url = add_kpi(manager, project, baseline_date="2025-06-01", target_date=None).headers["Location"]
    refused = manager.patch(url, json={"target_date": "2025-05-31"})
    assert refused.status_code == 422 and "2025-06-01" in refused.json["errors"]["json"]["target_date"][0]
    assert manager.get(url).json["target_date"] is None
    assert manager.patch(url, json={"target_date": "2025-06-01"}).json["target_date"] == "2025-06-01"


def test_required_fields_are_named_when_missing(manager, project):
    refused = manager.post(kpis_url(project), json={})
    assert refused.status_code == 422
    assert set(refused.json["errors"]["json"]) == {"name", "kind"}


@pytest.mark.parametrize("body", ['{"name": "x"', "name=x", "{'name': 'x'}"])
def test_malformed_json_is_a_400_and_nothing_changes(manager, project, body):
    url = add_kpi(manager, project).headers["Location"]
    before = manager.get(url).json
    for answer in (
        manager.post(kpis_url(project), data=body, content_type="application/json"),
        manager.patch(url, data=body, content_type="application/json"),
    ):
        assert answer.status_code == 400 and answer.json["code"] == 400
    assert manager.get(kpis_url(project)).json == [before]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/kpis/12345",
        "/api/v1/kpis/99999999999999999999999999",
        "/api/v1/kpis/0",
        "/api/v1/projects/12345/kpis",
        "/api/v1/projects/99999999999999999999999999/kpis",
    ],
)
def test_unknown_or_huge_ids_are_a_json_404(admin, path):
    for answer in (admin.get(path), admin.patch(path, json={"target": "1"}), admin.post(path, json=KPI)):
        assert answer.status_code in (404, 405)
        assert answer.is_json and answer.json["code"] == answer.status_code
    assert admin.get(path).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [("kind=impact", "kind"), ("page=99999999999999999999999", "page"), ("page_size=101", "page_size")],
)
def test_bad_query_strings_are_a_422_naming_the_parameter(manager, project, query, field):
    refused = manager.get(f"{kpis_url(project)}?{query}")
    assert refused.status_code == 422
    assert field in refused.json["errors"]["query"]
