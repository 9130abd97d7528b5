"""The stage gates of SPEC, walked through the API the way a project manager and the CAIO office would."""

from datetime import timedelta

import pytest

from tracker.db import utcnow

NEW_PROJECT = {
    "key": "CITY-LEAKS-01",
    "title": "Water-leak detection from acoustic sensors",
    "problem": "A fifth of the city's drinking water is lost to leaks before it reaches a tap.",
    "domain": "environment",
    "ai_type": "traditional_ml",
    "department": "Water Utility",
    "risk_tier": "minimal",
    "risk_rationale": "Listens to water mains; decides nothing about residents.",
}
# the trust gates a classified, not prohibited project meets (SPEC "Trust")
TRUST_MET = [{"code": "risk_tier_required", "met": True}, {"code": "prohibited_use", "met": True}]
OUTCOME_KPI = {
    "name": "Water lost to leaks",
    "kind": "outcome",
    "unit": "% of supply",
    "direction": "decrease",
    "baseline": "21.4",
    "baseline_date": "2025-01-01",
    "target": "12",
}
ROLLOUT_LINE = {
    "stage": "rollout",
    "fiscal_year": 2027,
    "category": "equipment",
    "amount": "4800000.00",
    "currency": "EUR",
    "status": "planned",
    "source": "mid-term fiscal plan 2026-30",
}


def today():
    return utcnow().date()


def days_ago(n: int) -> str:
    return (today() - timedelta(days=n)).isoformat()


class Project:
    """The URLs of one project, and the moves its caller makes through the API."""

    def __init__(self, caller, body: dict):
        self.caller, self.id = caller, body["id"]
        self.url = f"/api/v1/projects/{self.id}"

    def move(self, to_stage: str, caller=None, **extra):
        body = {"to_stage": to_stage, "rationale": f"ready for {to_stage}", **extra}
        return (caller or self.caller).post(f"{self.url}/transitions", json=body)

    def add(self, what: str, body: dict) -> dict:
        created = self.caller.post(f"{self.url}/{what}", json=body)
        assert created.status_code == 201, created.json
        return created.json

    def measure(self, kpi: dict, value: str) -> dict:
        created = self.caller.post(
            f"/api/v1/kpis/{kpi['id']}/measurements", json={"value": value, "measured_on": days_ago(0)}
        )
        assert created.status_code == 201, created.json
        return created.json

    def stage(self) -> str:
        return self.caller.get(self.url).json["stage"]

    def history(self) -> list[dict]:
        return self.caller.get(f"{self.url}/transitions").json


def create_project(caller, **changes) -> Project:
    created = caller.post("/api/v1/projects", json={**NEW_PROJECT, **changes})
    assert created.status_code == 201, created.json
    return Project(caller, created.json)


def assert_refused(answer, unmet: list[str]) -> None:
    assert answer.status_code == 409, answer.json
    assert answer.json["code"] == 409 and answer.json["unmet"] == unmet


def test_a_project_reaches_rollout_only_once_each_gate_is_met(manager):
    project = create_project(manager)
    assert project.stage() == "poc"

    # poc -> pilot asks for a KPI of any kind
    assert_refused(project.move("pilot"), ["kpi_required"])
    assert project.stage() == "poc" and len(project.history()) == 1
    input_kpi = project.add("kpis", {"name": "Sensors installed", "kind": "input", "unit": "sensors"})
    entered_pilot = project.move("pilot")
    assert entered_pilot.status_code == 201
    assert entered_pilot.headers["Location"] == f"/api/v1/transitions/{entered_pilot.json['id']}"
    assert entered_pilot.json["gate"] == {
        "checks": [{"code": "kpi_required", "met": True}, *TRUST_MET],
        "unmet": [],
        "overridden": False,
    }
    assert project.stage() == "pilot"

    # pilot -> rollout asks for an outcome KPI, a measurement on it and approved rollout money
    all_three = ["outcome_kpi_required", "outcome_measurement_required", "rollout_budget_approved_required"]
    assert_refused(project.move("rollout"), all_three)
    # an input KPI's measurement and an approved pilot budget do not count
    project.measure(input_kpi, "120")
    project.add("budget-lines", {**ROLLOUT_LINE, "stage": "pilot", "status": "approved"})
    assert_refused(project.move("rollout"), all_three)

    outcome_kpi = project.add("kpis", OUTCOME_KPI)
    assert outcome_kpi["is_outcome"] is True
    assert_refused(project.move("rollout"), ["outcome_measurement_required", "rollout_budget_approved_required"])

    project.measure(outcome_kpi, "19.8")
    assert_refused(project.move("rollout"), ["rollout_budget_approved_required"])

    line = project.add("budget-lines", ROLLOUT_LINE)
    assert line["status"] == "planned"
    assert_refused(project.move("rollout"), ["rollout_budget_approved_required"])
    assert project.stage() == "pilot"

    approved = manager.patch(f"/api/v1/budget-lines/{line['id']}", json={"status": "approved"})
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    entered_rollout = project.move("rollout")
    assert entered_rollout.status_code == 201, entered_rollout.json
    assert entered_rollout.json["gate"] == {
        "checks": [*({"code": code, "met": True} for code in all_three), *TRUST_MET],
        "unmet": [],
        "overridden": False,
    }
    assert project.stage() == "rollout"

    history = project.history()
    assert [(t["from_stage"], t["to_stage"]) for t in history] == [
        (None, "poc"),
        ("poc", "pilot"),
        ("pilot", "rollout"),
    ]
    assert [t["gate"]["checks"] for t in history] == [
        [],
        [{"code": "kpi_required", "met": True}, *TRUST_MET],
        [*({"code": code, "met": True} for code in all_three), *TRUST_MET],
    ]
    assert {t["decided_by_id"] for t in history} == {manager.user.id}
    assert all(t["override_reason"] is None for t in history)


def test_a_manager_may_not_override_a_gate(manager):
    project = create_project(manager)
    refused = project.move("pilot", override_reason="the KPIs are coming next month")
    assert refused.status_code == 403 and refused.json["code"] == 403
    assert project.stage() == "poc" and len(project.history()) == 1


@pytest.mark.parametrize("office", ["caio", "admin"])
def test_the_caio_office_passes_a_gate_with_a_reason_that_the_history_keeps(manager, office, request):
    project = create_project(manager)
    caio = request.getfixturevalue(office)
    reason = "Council mandate: the pilot starts before the KPI framework is signed off"
    passed = project.move("pilot", caller=caio, override_reason=reason)
    assert passed.status_code == 201, passed.json
    assert passed.json["override_reason"] == reason
    assert passed.json["gate"] == {
        "checks": [{"code": "kpi_required", "met": False}, *TRUST_MET],
        "unmet": ["kpi_required"],
        "overridden": True,
    }
    assert project.stage() == "pilot"
    last = project.history()[-1]
    assert (last["to_stage"], last["override_reason"], last["decided_by_id"]) == ("pilot", reason, caio.user.id)
    assert last["gate"]["overridden"] is True


def test_an_override_reason_must_not_be_blank(caio, manager):
    project = create_project(manager)
    refused = project.move("pilot", caller=caio, override_reason="   ")
    assert refused.status_code == 422 and "override_reason" in refused.json["errors"]["json"]
    assert project.stage() == "poc"


def test_a_decision_may_not_be_dated_in_the_future(manager):
    project = create_project(manager)
    project.add("kpis", {"name": "Sensors installed", "kind": "input"})
    tomorrow = (today() + timedelta(days=1)).isoformat()
    refused = project.move("pilot", effective_date=tomorrow)
    assert refused.status_code == 422
    assert "effective_date" in refused.json["errors"]["json"]
    assert project.stage() == "poc" and len(project.history()) == 1


def test_a_decision_may_not_be_dated_before_the_previous_one(manager):
    project = create_project(manager, stage_entered_at=days_ago(100))
    project.add("kpis", {"name": "Sensors installed", "kind": "input"})

    too_early = project.move("pilot", effective_date=days_ago(101))
    assert too_early.status_code == 422
    assert days_ago(100) in too_early.json["errors"]["json"]["effective_date"][0]

    assert project.move("pilot", effective_date=days_ago(50)).status_code == 201
    back = project.move("poc", effective_date=days_ago(51))
    assert back.status_code == 422 and "effective_date" in back.json["errors"]["json"]

    assert project.move("poc", effective_date=days_ago(50)).status_code == 201  # the same day is fine
    history = project.history()
    assert [(t["to_stage"], t["effective_date"]) for t in history] == [
        ("poc", days_ago(100)),
        ("pilot", days_ago(50)),
        ("poc", days_ago(50)),
    ]
    assert manager.get(project.url).json["stage_entered_at"] == days_ago(50)


@pytest.mark.parametrize("effective_date", ["2026-02-30", "yesterday", 20260101, "99999-01-01"])
def test_a_malformed_effective_date_is_refused(manager, effective_date):
    project = create_project(manager)
    project.add("kpis", {"name": "Sensors installed", "kind": "input"})
    refused = project.move("pilot", effective_date=effective_date)
    assert refused.status_code == 422 and "effective_date" in refused.json["errors"]["json"]
    assert project.stage() == "poc"


def test_another_manager_may_not_move_a_project_they_do_not_own(manager, other_manager):
    project = create_project(manager)
    project.add("kpis", {"name": "Sensors installed", "kind": "input"})
    refused = project.move("pilot", caller=other_manager)
    assert refused.status_code == 403 and refused.json["code"] == 403
    assert project.stage() == "poc"
