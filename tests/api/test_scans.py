"""Scans through the HTTP API and the `flask scan` command: who may run them, real versus dry runs,
the as_of rules, the history."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.extensions import db
from tracker.flags.models import ScanRun

RUN_KEYS = {
    "id",
    "as_of",
    "dry_run",
    "trigger",
    "triggered_by_id",
    "started_at",
    "duration_ms",
    "projects_evaluated",
    "flags_opened",
    "flags_refreshed",
    "flags_resolved",
    "alerts_queued",
}


@pytest.fixture
def portfolio(manager):
    """A stalled PoC and a pilot with no money and no KPI, both of the manager, as of April 2025."""
    return {
        "poc": factories.ProjectFactory(owner=manager.user, stage="poc", stage_entered_at=date(2025, 1, 1)),
        "pilot": factories.ProjectFactory(owner=manager.user, stage="pilot", stage_entered_at=date(2025, 2, 1)),
    }


def test_the_caio_runs_a_real_scan_and_gets_what_it_found(portfolio, caio):
    ran = caio.post("/api/v1/scans", json={"as_of": "2025-04-02"})
    assert ran.status_code == 201
    body = ran.json
    assert ran.headers["Location"] == f"/api/v1/scans/{body['id']}"
    assert set(body) == RUN_KEYS | {"findings"}
    assert {k: body[k] for k in RUN_KEYS - {"id", "started_at", "duration_ms", "alerts_queued"}} == {
        "as_of": "2025-04-02",
        "dry_run": False,
        "trigger": "api",
        "triggered_by_id": caio.user.id,
        "projects_evaluated": 2,
        "flags_opened": 3,
        "flags_refreshed": 0,
        "flags_resolved": 0,
    }
    assert body["alerts_queued"] >= 1 and body["duration_ms"] >= 0
    poc, pilot = portfolio["poc"], portfolio["pilot"]
    assert sorted((f["project_key"], f["rule"]) for f in body["findings"]) == sorted(
        [(poc.key, "poc_stalled"), (pilot.key, "no_scale_budget"), (pilot.key, "no_kpis")]
    )
    (stalled,) = [f for f in body["findings"] if f["rule"] == "poc_stalled"]
    assert stalled == {
        "project_id": poc.id,
        "project_key": poc.key,
        "project_title": poc.title,
        "owner_id": poc.owner_id,
        "rule": "poc_stalled",
        "details": {"stage": "poc", "stage_entered_on": "2025-01-01", "days_in_stage": 91, "max_days": 90},
        "explanation": "In proof of concept for 91 days (since 2025-01-01), longer than the 90 days allowed: "
        "decide to pilot it or stop it.",
    }

    recorded = caio.get(ran.headers["Location"])
    assert recorded.status_code == 200
    assert recorded.json == {k: body[k] for k in RUN_KEYS}


def test_a_dry_run_answers_the_same_report_without_an_id_and_records_nothing(portfolio, admin):
    dry = admin.post("/api/v1/scans", json={"as_of": "2025-04-02", "dry_run": True})
    assert dry.status_code == 200 and "Location" not in dry.headers
    assert set(dry.json) == RUN_KEYS | {"findings"}
    assert (dry.json["id"], dry.json["dry_run"], dry.json["flags_opened"], dry.json["alerts_queued"]) == (
        None,
        True,
        3,
        0,
    )
    assert len(dry.json["findings"]) == 3
    assert admin.get("/api/v1/scans").json == [] and admin.get("/api/v1/flags").json == []


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_only_the_caio_office_runs_scans(portfolio, make_caller, caio, role):
    for dry_run in (True, False):
        refused = make_caller(role).post("/api/v1/scans", json={"dry_run": dry_run})
        assert refused.status_code == 403 and refused.json["code"] == 403
    assert caio.get("/api/v1/scans").json == [] and caio.get("/api/v1/flags").json == []


def test_as_of_defaults_to_today(portfolio, caio):
    body = caio.post("/api/v1/scans", json={}).json
    assert body["as_of"] == date.today().isoformat() and body["dry_run"] is False


@pytest.mark.parametrize(
    "body,field",
    [
        ({"as_of": (date.today() + timedelta(days=1)).isoformat()}, "as_of"),
        ({"as_of": "01/04/2025"}, "as_of"),
        ({"as_of": "1899-12-31"}, "as_of"),
        ({"dry_run": "yes"}, "dry_run"),
        ({"dry_run": None}, "dry_run"),
    ],
)
def test_a_bad_as_of_or_dry_run_is_refused_naming_the_field(caio, body, field):
    refused = caio.post("/api/v1/scans", json=body)
    assert refused.status_code == 422
    assert list(refused.json["errors"]["json"]) == [field]


def test_a_real_scan_before_the_last_real_scan_is_a_conflict_but_a_dry_run_may_look_back(portfolio, caio):
    assert caio.post("/api/v1/scans", json={"as_of": "2025-04-02"}).status_code == 201
    back = caio.post("/api/v1/scans", json={"as_of": "2025-03-01"})
    assert back.status_code == 409
    assert "the last real scan was as of 2025-04-02" in back.json["message"]
    look = caio.post("/api/v1/scans", json={"as_of": "2025-03-01", "dry_run": True})
    assert look.status_code == 200 and [f["rule"] for f in look.json["findings"]] == ["no_scale_budget", "no_kpis"]
    again = caio.post("/api/v1/scans", json={"as_of": "2025-04-02"})
    assert again.status_code == 201
    assert (again.json["flags_opened"], again.json["flags_refreshed"], again.json["alerts_queued"]) == (0, 3, 0)


def test_the_history_lists_recorded_scans_latest_first_to_any_user(portfolio, caio, viewer):
    for as_of in ("2025-03-01", "2025-04-02"):
        caio.post("/api/v1/scans", json={"as_of": as_of})
    caio.post("/api/v1/scans", json={"as_of": "2025-05-01", "dry_run": True})
    history = viewer.get("/api/v1/scans")
    assert history.status_code == 200 and history.headers["X-Total-Count"] == "2"
    assert [(s["as_of"], s["flags_opened"]) for s in history.json] == [("2025-04-02", 1), ("2025-03-01", 2)]
    assert all(set(s) == RUN_KEYS for s in history.json)
    page = viewer.get("/api/v1/scans?page=2&page_size=1").json
    assert [s["as_of"] for s in page] == ["2025-03-01"]


def test_an_unknown_scan_is_not_found(viewer):
    missing = viewer.get("/api/v1/scans/31337")
    assert missing.status_code == 404 and missing.json["message"] == "no scan with id 31337"


def test_flask_scan_prints_a_table_and_a_summary(portfolio, app):
    result = app.test_cli_runner().invoke(args=["scan", "--as-of", "2025-04-02"])
    assert result.exit_code == 0, result.output
    poc, pilot = portfolio["poc"].key, portfolio["pilot"].key
    lines = result.output.splitlines()
    width = max(len(poc), len(pilot), len("PROJECT"))
    assert lines[0].split() == ["PROJECT", "RULE", "NUMBERS"]
    assert sorted(lines[1:4]) == sorted(
        [
            f"{poc:<{width}}  poc_stalled      91 days in poc > 90",
            f"{pilot:<{width}}  no_scale_budget  0 rollout budget lines, 60 days in pilot",
            f"{pilot:<{width}}  no_kpis          0 KPIs, 60 days in pilot",
        ]
    )
    assert lines[4].startswith("Scan 1 as of 2025-04-02: 2 projects evaluated, 3 findings; flags 3 opened, ")
    assert "0 refreshed, 0 resolved;" in lines[4]
    with app.app_context():
        assert db.session.get(ScanRun, 1).trigger == "cli"


def test_flask_scan_dry_run_writes_nothing(portfolio, app):
    result = app.test_cli_runner().invoke(args=["scan", "--as-of", "2025-04-02", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith(
        "Dry run as of 2025-04-02: 2 projects evaluated, 3 findings; would open 3, refresh 0, resolve 0 flags; "
        "nothing written"
    )
    with app.app_context():
        assert db.session.scalars(sa.select(ScanRun)).all() == []


def test_flask_scan_with_nothing_to_report_prints_only_the_summary(app):
    result = app.test_cli_runner().invoke(args=["scan", "--dry-run"])
    assert result.exit_code == 0
    (summary,) = result.output.splitlines()
    assert summary.startswith(f"Dry run as of {date.today()}: 0 projects evaluated, 0 findings;")


@pytest.mark.parametrize(
    "as_of,message",
    [
        ("2025-02-30", "Invalid value for '--as-of'"),
        ("yesterday", "Invalid value for '--as-of'"),
        ("1850-01-01", "must not be before 1900-01-01"),
        ((date.today() + timedelta(days=1)).isoformat(), "--as-of must not be in the future"),
    ],
)
def test_flask_scan_refuses_a_bad_date_cleanly(app, as_of, message):
    result = app.test_cli_runner().invoke(args=["scan", "--as-of", as_of])
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output


def test_flask_scan_before_the_last_real_scan_says_why(portfolio, app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["scan", "--as-of", "2025-04-02"]).exit_code == 0
    result = runner.invoke(args=["scan", "--as-of", "2025-04-01"])
    assert result.exit_code == 1
    assert "Error: a real scan as of 2025-04-01 would go back in time" in result.output
