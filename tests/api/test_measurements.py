"""Measurements of KPIs through the HTTP API: recording, newest-first history, roles, bad input."""

from datetime import timedelta

import pytest

from tests import factories
from tracker.db import utcnow


def today():
    return utcnow().date()


def days_ago(n: int) -> str:
    return (today() - timedelta(days=n)).isoformat()


@pytest.fixture
def kpi(manager):
    project = factories.ProjectFactory(owner=manager.user, stage="pilot")
    return factories.OutcomeKpiFactory(project=project)


def measurements_url(kpi) -> str:
    return f"/api/v1/kpis/{kpi.id}/measurements"


def record(caller, kpi, **body):
    answer = caller.post(measurements_url(kpi), json={"value": "31.5", "measured_on": days_ago(0), **body})
    assert answer.status_code == 201, answer.json
    return answer


def test_owner_records_a_measurement_and_reads_it_back_at_its_location(manager, viewer, kpi):
    created = record(manager, kpi, value="31.25", measured_on=days_ago(3), note="March figures from the permit office")
    body = created.json
    assert created.headers["Location"] == f"/api/v1/measurements/{body['id']}"
    assert (body["kpi_id"], body["value"], body["measured_on"]) == (kpi.id, "31.25", days_ago(3))
    assert (body["note"], body["recorded_by_id"]) == ("March figures from the permit office", manager.user.id)
    assert body["created_at"].endswith("+00:00")

    assert viewer.get(created.headers["Location"]).json == body
    listed = viewer.get(measurements_url(kpi))
    assert listed.json == [body] and listed.headers["X-Total-Count"] == "1"


def test_a_measurement_moves_the_kpis_latest_value_and_progress(manager, kpi):
    record(manager, kpi, value="33.75")  # baseline 42.5, target 25: half of the way
    body = manager.get(f"/api/v1/kpis/{kpi.id}").json
    assert (body["latest_value"], body["latest_measured_on"], body["progress"]) == ("33.75", days_ago(0), "0.5000")
    assert body["overdue"] is False


def test_measurements_are_listed_newest_first_and_paged(manager, kpi):
    record(manager, kpi, value="40", measured_on=days_ago(60))
    record(manager, kpi, value="30", measured_on=days_ago(1))
    record(manager, kpi, value="35", measured_on=days_ago(30))
    record(manager, kpi, value="29", measured_on=days_ago(1))  # same day, recorded later: first

    listed = manager.get(measurements_url(kpi)).json
    assert [(m["value"], m["measured_on"]) for m in listed] == [
        ("29", days_ago(1)),
        ("30", days_ago(1)),
        ("35", days_ago(30)),
        ("40", days_ago(60)),
    ]
    page = manager.get(f"{measurements_url(kpi)}?page=2&page_size=3")
    assert [m["value"] for m in page.json] == ["40"]
    assert (page.headers["X-Total-Count"], page.headers["X-Total-Pages"]) == ("4", "2")


def test_another_kpis_measurements_are_not_listed(manager, kpi):
    factories.MeasurementFactory()
    record(manager, kpi)
    assert [m["kpi_id"] for m in manager.get(measurements_url(kpi)).json] == [kpi.id]


def test_values_stay_exact_to_six_places(manager, kpi):
    for value in ("0.1", "0.2", "-0.000001", "999999999999.999999"):
        assert record(manager, kpi, value=value).json["value"] == value
    values = {m["value"] for m in manager.get(measurements_url(kpi)).json}
    assert values == {"0.1", "0.2", "-0.000001", "999999999999.999999"}


def test_a_measurement_dated_today_is_accepted_and_tomorrow_is_refused(manager, kpi):
    assert record(manager, kpi, measured_on=today().isoformat()).json["measured_on"] == today().isoformat()
    tomorrow = (today() + timedelta(days=1)).isoformat()
    refused = manager.post(measurements_url(kpi), json={"value": "30", "measured_on": tomorrow})
    assert refused.status_code == 422
    assert refused.json["errors"]["json"]["measured_on"] == ["Must not be in the future."]
    assert manager.get(measurements_url(kpi)).headers["X-Total-Count"] == "1"


# --- who may write -------------------------------------------------------------------------


# roles are fixture names: `manager` owns the KPI's project, `client` sends no token
@pytest.mark.parametrize("role", ["manager", "caio", "admin"])
def test_the_owner_and_the_caio_office_may_record_measurements(role, request, kpi):
    who = request.getfixturevalue(role)
    answer = who.post(measurements_url(kpi), json={"value": "30", "measured_on": days_ago(0)})
    assert answer.status_code == 201
    assert (answer.json["value"], answer.json["recorded_by_id"]) == ("30", who.user.id)


@pytest.mark.parametrize(("role", "status"), [("other_manager", 403), ("viewer", 403), ("client", 401)])
def test_other_managers_viewers_and_strangers_may_not_record_measurements(role, status, request, manager, kpi):
    answer = request.getfixturevalue(role).post(measurements_url(kpi), json={"value": "1", "measured_on": days_ago(0)})
    assert answer.status_code == status
    assert answer.json["code"] == status and answer.json["message"]
    assert manager.get(measurements_url(kpi)).json == []
    assert manager.get(f"/api/v1/kpis/{kpi.id}").json["latest_value"] is None


def test_anyone_signed_in_reads_measurements_but_not_without_a_token(manager, other_manager, client, kpi):
    url = record(manager, kpi).headers["Location"]
    assert other_manager.get(url).json["value"] == "31.5"
    assert other_manager.get(measurements_url(kpi)).status_code == 200
    for refused in (client.get(url), client.get(measurements_url(kpi))):
        assert refused.status_code == 401 and refused.json["code"] == 401


def test_measurements_cannot_be_changed_or_deleted_by_anyone(admin, manager, kpi):
    url = record(manager, kpi).headers["Location"]
    before = admin.get(url).json
    for answer in (admin.patch(url, json={"value": "1"}), admin.delete(url)):
        assert answer.status_code == 405 and answer.json["code"] == 405
        assert answer.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert admin.get(url).json == before


# --- bad input -----------------------------------------------------------------------------

BAD_BODIES = [
    ({"value": 30.5}, "value"),
    ({"value": 30}, "value"),
    ({"value": "thirty"}, "value"),
    ({"value": "Infinity"}, "value"),
    ({"value": "1000000000000"}, "value"),
    ({"value": "1e400"}, "value"),
    ({"value": "0.0000001"}, "value"),
    ({"value": None}, "value"),
    ({"measured_on": "2026-02-30"}, "measured_on"),
    ({"measured_on": "01/02/2026"}, "measured_on"),
    ({"measured_on": "9999-12-31"}, "measured_on"),
    ({"measured_on": "1899-12-31"}, "measured_on"),
    ({"measured_on": 20260101}, "measured_on"),
    ({"measured_on": None}, "measured_on"),
    ({"note": 5}, "note"),
    ({"note": "n" * 20_001}, "note"),
    ({"kpi_id": 2}, "kpi_id"),
    ({"recorded_by_id": 1}, "recorded_by_id"),
    ({"id": 1}, "id"),
]


def test_a_bad_measurement_is_refused_naming_the_field_and_nothing_is_recorded(manager, kpi):
    for change, field in BAD_BODIES:
        refused = manager.post(measurements_url(kpi), json={"value": "30", "measured_on": days_ago(1), **change})
        assert refused.status_code == 422, change
        assert field in refused.json["errors"]["json"], change
        assert field in refused.json["message"], change
    assert manager.get(measurements_url(kpi)).headers["X-Total-Count"] == "0"


def test_value_and_measured_on_are_required(manager, kpi):
    refused = manager.post(measurements_url(kpi), json={"note": "forgot the rest"})
    assert refused.status_code == 422
    assert set(refused.json["errors"]["json"]) == {"value", "measured_on"}


@pytest.mark.parametrize("body", ['{"value": "1"', "value=1", "[1,"])
def test_malformed_json_is_a_400_and_nothing_is_recorded(manager, kpi, body):
    answer = manager.post(measurements_url(kpi), data=body, content_type="application/json")
    assert answer.status_code == 400 and answer.json["code"] == 400
    assert manager.get(measurements_url(kpi)).json == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/measurements/12345",
        "/api/v1/measurements/99999999999999999999999999",
        "/api/v1/kpis/12345/measurements",
        "/api/v1/kpis/99999999999999999999999999/measurements",
    ],
)
def test_unknown_or_huge_ids_are_a_json_404(admin, path):
    for answer in (admin.get(path), admin.post(path, json={"value": "1", "measured_on": days_ago(0)})):
        assert answer.status_code in (404, 405)
        assert answer.is_json and answer.json["code"] == answer.status_code
    assert admin.get(path).status_code == 404


@pytest.mark.parametrize(("query", "field"), [("page=99999999999999999999999", "page"), ("page_size=101", "page_size")])
def test_bad_query_strings_are_a_422_naming_the_parameter(manager, kpi, query, field):
    refused = manager.get(f"{measurements_url(kpi)}?{query}")
    assert refused.status_code == 422
    assert field in refused.json["errors"]["query"]
