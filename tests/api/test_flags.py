"""Flags through the HTTP API: list and filter, read, acknowledge, snooze, and who may do what."""

from datetime import date, timedelta

import pytest

from tests import factories
from tracker.flags.models import Flag

TODAY = date.today()


@pytest.fixture
def flags(manager, other_manager, caio):
    """A real scan (through the API) over three projects of two managers, as of 1 April 2025."""
    mine = factories.ProjectFactory(owner=manager.user, stage="pilot", stage_entered_at=date(2025, 1, 1))
    stalled = factories.ProjectFactory(
        owner=manager.user,
        stage="poc",
        stage_entered_at=date(2024, 12, 1),
        risk_tier="minimal",
        risk_rationale="Back-office forecasting; no resident is affected by its output.",
    )
    theirs = factories.ProjectFactory(owner=other_manager.user, stage="pilot", stage_entered_at=date(2025, 1, 1))
    factories.BudgetLineFactory(project=theirs, stage="rollout")
    scanned = caio.post("/api/v1/scans", json={"as_of": "2025-04-01"})
    assert scanned.status_code == 201, scanned.json
    listed = caio.get("/api/v1/flags?page_size=100").json
    return {(f["project_key"], f["rule"]): f for f in listed} | {
        "projects": {"mine": mine, "stalled": stalled, "theirs": theirs}
    }


def flag(flags, project: str, rule: str) -> dict:
    return flags[(flags["projects"][project].key, rule)]


def test_the_list_shows_each_flag_with_its_project_owner_numbers_and_words(flags, viewer):
    mine = flags["projects"]["mine"]
    listed = viewer.get("/api/v1/flags?page_size=100")
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "4"
    (budget,) = [f for f in listed.json if f["project_id"] == mine.id and f["rule"] == "no_scale_budget"]
    assert budget == {
        "id": budget["id"],
        "project_id": mine.id,
        "project_key": mine.key,
        "project_title": mine.title,
        "owner_id": mine.owner_id,
        "rule": "no_scale_budget",
        "status": "open",
        "opened_at": "2025-04-01",
        "last_seen_at": "2025-04-01",
        "resolved_at": None,
        "details": {
            "stage": "pilot",
            "stage_entered_on": "2025-01-01",
            "days_in_stage": 90,
            "missing_budget_stage": "rollout",
            "rollout_budget_lines": 0,
        },
        "explanation": "In pilot for 90 days with no full rollout budget line at all: "
        "nobody has planned the money to scale it up.",
        "acknowledged_at": None,
        "acknowledged_by_id": None,
        "snoozed_until": None,
        "snooze_reason": None,
    }


def test_the_list_filters_by_rule_status_project_and_owner(flags, manager, other_manager, viewer):
    projects = flags["projects"]

    def listed(query):
        return sorted((f["project_key"], f["rule"]) for f in viewer.get(f"/api/v1/flags?{query}").json)

    assert listed("rule=poc_stalled") == [(projects["stalled"].key, "poc_stalled")]
    assert listed(f"project={projects['theirs'].id}") == [(projects["theirs"].key, "no_kpis")]
    assert listed(f"owner={other_manager.user.id}") == [(projects["theirs"].key, "no_kpis")]
    assert listed(f"owner={manager.user.id}&rule=no_kpis") == [(projects["mine"].key, "no_kpis")]
    assert listed("status=open&rule=no_kpis") == sorted(
        [(projects["mine"].key, "no_kpis"), (projects["theirs"].key, "no_kpis")]
    )
    assert listed("status=resolved") == []


def test_the_list_is_paginated_and_refuses_unknown_filter_values(flags, viewer):
    page = viewer.get("/api/v1/flags?page=2&page_size=3")
    assert len(page.json) == 1 and page.headers["X-Total-Pages"] == "2"
    refused = viewer.get("/api/v1/flags?rule=slow&status=sleeping")
    assert refused.status_code == 422
    assert set(refused.json["errors"]["query"]) == {"rule", "status"}


def test_one_flag_is_read_by_its_id(flags, viewer):
    stalled = flag(flags, "stalled", "poc_stalled")
    read = viewer.get(f"/api/v1/flags/{stalled['id']}")
    assert read.status_code == 200 and read.json == stalled
    assert read.json["explanation"].startswith("In proof of concept for 121 days (since 2024-12-01)")
    missing = viewer.get("/api/v1/flags/999999")
    assert missing.status_code == 404 and missing.json["message"] == "no flag with id 999999"


def test_flags_need_a_signed_in_user(flags, client):
    assert client.get("/api/v1/flags").status_code == 401


def test_the_owner_acknowledges_their_flag_and_a_second_time_changes_nothing(flags, manager):
    no_kpis = flag(flags, "mine", "no_kpis")
    acked = manager.post(f"/api/v1/flags/{no_kpis['id']}/acknowledge")
    assert acked.status_code == 200
    assert (acked.json["status"], acked.json["acknowledged_by_id"]) == ("acknowledged", manager.user.id)
    assert acked.json["acknowledged_at"].endswith("+00:00")
    assert {k: v for k, v in acked.json.items() if not k.startswith(("status", "acknowledged"))} == {
        k: v for k, v in no_kpis.items() if not k.startswith(("status", "acknowledged"))
    }
    again = manager.post(f"/api/v1/flags/{no_kpis['id']}/acknowledge")
    assert again.status_code == 200 and again.json == acked.json


def test_another_manager_and_a_viewer_may_not_acknowledge_it_but_the_caio_office_may(
    flags, other_manager, viewer, caio, admin
):
    budget = flag(flags, "mine", "no_scale_budget")
    for caller in (other_manager, viewer):
        refused = caller.post(f"/api/v1/flags/{budget['id']}/acknowledge")
        assert refused.status_code == 403 and refused.json["code"] == 403
    assert caio.get(f"/api/v1/flags/{budget['id']}").json["status"] == "open"
    assert caio.post(f"/api/v1/flags/{budget['id']}/acknowledge").json["acknowledged_by_id"] == caio.user.id
    theirs = flag(flags, "theirs", "no_kpis")
    assert admin.post(f"/api/v1/flags/{theirs['id']}/acknowledge").json["status"] == "acknowledged"


def test_a_resolved_flag_can_be_neither_acknowledged_nor_snoozed(flags, manager, caio):
    stalled = flags["projects"]["stalled"]
    factories.KpiFactory(project=stalled)  # a KPI: the PoC may now move to pilot
    moved = manager.post(
        f"/api/v1/projects/{stalled.id}/transitions",
        json={"to_stage": "pilot", "rationale": "the PoC worked", "effective_date": "2025-04-02"},
    )
    assert moved.status_code == 201, moved.json
    assert caio.post("/api/v1/scans", json={"as_of": "2025-04-02"}).json["flags_resolved"] == 1
    resolved = flag(flags, "stalled", "poc_stalled")
    assert caio.get(f"/api/v1/flags/{resolved['id']}").json["resolved_at"] == "2025-04-02"

    acked = manager.post(f"/api/v1/flags/{resolved['id']}/acknowledge")
    snoozed = manager.post(
        f"/api/v1/flags/{resolved['id']}/snooze", json={"until": str(TODAY + timedelta(days=5)), "reason": "later"}
    )
    assert (acked.status_code, snoozed.status_code) == (409, 409)
    assert "resolved on 2025-04-02" in acked.json["message"]
    assert manager.get(f"/api/v1/flags/{resolved['id']}").json["status"] == "resolved"


def test_the_owner_snoozes_a_flag_until_a_later_date_with_a_reason(flags, manager):
    budget = flag(flags, "mine", "no_scale_budget")
    until = TODAY + timedelta(days=30)
    snoozed = manager.post(
        f"/api/v1/flags/{budget['id']}/snooze",
        json={"until": until.isoformat(), "reason": "Rollout money is in the budget vote of next month"},
    )
    assert snoozed.status_code == 200
    assert (snoozed.json["status"], snoozed.json["snoozed_until"], snoozed.json["snooze_reason"]) == (
        "snoozed",
        until.isoformat(),
        "Rollout money is in the budget vote of next month",
    )
    assert manager.get("/api/v1/flags?status=snoozed").json == [snoozed.json]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"until": TODAY.isoformat(), "reason": "today is not later"}, "until"),
        ({"until": (TODAY - timedelta(days=1)).isoformat(), "reason": "past"}, "until"),
        ({"until": "2026-02-30", "reason": "no such day"}, "until"),
        ({"reason": "no date"}, "until"),
        ({"until": (TODAY + timedelta(days=3)).isoformat(), "reason": "   "}, "reason"),
        ({"until": (TODAY + timedelta(days=3)).isoformat()}, "reason"),
    ],
)
def test_a_snooze_needs_a_date_after_today_and_a_reason(flags, manager, body, field):
    budget = flag(flags, "mine", "no_scale_budget")
    refused = manager.post(f"/api/v1/flags/{budget['id']}/snooze", json=body)
    assert refused.status_code == 422
    assert list(refused.json["errors"]["json"]) == [field]
    assert manager.get(f"/api/v1/flags/{budget['id']}").json["status"] == "open"


def test_another_manager_may_not_snooze_it(flags, other_manager):
    budget = flag(flags, "mine", "no_scale_budget")
    refused = other_manager.post(
        f"/api/v1/flags/{budget['id']}/snooze",
        json={"until": (TODAY + timedelta(days=3)).isoformat(), "reason": "not mine"},
    )
    assert refused.status_code == 403 and "owner" in refused.json["message"]


def test_acknowledging_or_snoozing_an_unknown_flag_is_not_found(manager):
    assert manager.post("/api/v1/flags/424242/acknowledge").status_code == 404
    snooze = manager.post("/api/v1/flags/424242/snooze", json={"until": "2199-01-01", "reason": "x"})
    assert snooze.status_code == 404 and snooze.json["code"] == 404


def test_a_still_true_flag_shows_the_latest_real_scan_as_last_seen_and_day_counts_to_it(flags, caio, viewer):
    stalled = flags["projects"]["stalled"]
    before = flag(flags, "stalled", "poc_stalled")
    assert (before["last_seen_at"], before["details"]["days_in_stage"]) == ("2025-04-01", 121)

    for as_of in ("2025-04-02", "2025-04-20"):
        assert caio.post("/api/v1/scans", json={"as_of": as_of}).status_code == 201
    assert caio.post("/api/v1/scans", json={"as_of": "2025-05-01", "dry_run": True}).status_code == 200

    [after] = viewer.get(f"/api/v1/flags?project={stalled.id}").json
    assert (after["id"], after["opened_at"], after["last_seen_at"]) == (before["id"], "2025-04-01", "2025-04-20")
    assert after["details"] == {**before["details"], "days_in_stage": 140}  # 1 Dec 2024 to 20 April 2025
    assert after["explanation"].startswith("In proof of concept for 140 days (since 2024-12-01)")
    assert viewer.get(f"/api/v1/flags/{after['id']}").json == after


def test_a_resolved_flag_keeps_the_day_it_was_last_seen_and_its_numbers_then(flags, caio, viewer):
    mine = flags["projects"]["mine"]
    factories.BudgetLineFactory(project=mine, stage="rollout")
    assert caio.post("/api/v1/scans", json={"as_of": "2025-04-10"}).status_code == 201
    assert caio.post("/api/v1/scans", json={"as_of": "2025-04-12"}).status_code == 201

    [resolved] = viewer.get(f"/api/v1/flags?project={mine.id}&rule=no_scale_budget").json
    assert (resolved["status"], resolved["last_seen_at"], resolved["resolved_at"]) == (
        "resolved",
        "2025-04-01",
        "2025-04-10",
    )
    assert resolved["details"]["days_in_stage"] == 90  # 1 January to 1 April
    [still] = viewer.get(f"/api/v1/flags?project={mine.id}&rule=no_kpis").json
    assert (still["last_seen_at"], still["details"]["days_in_stage"]) == ("2025-04-12", 101)


def test_a_snooze_whose_date_has_come_reads_open_at_once_not_at_the_next_scan(flags, manager, session):
    budget, purgatory = flag(flags, "mine", "no_scale_budget"), flag(flags, "stalled", "poc_stalled")
    for snoozed in (budget, purgatory):
        answer = manager.post(
            f"/api/v1/flags/{snoozed['id']}/snooze", json={"until": str(TODAY + timedelta(days=5)), "reason": "later"}
        )
        assert answer.json["status"] == "snoozed"
    # time passes: the budget flag's snooze runs out today (the API takes only future dates)
    session.get(Flag, budget["id"]).snoozed_until = TODAY
    session.commit()

    read = manager.get(f"/api/v1/flags/{budget['id']}").json
    assert (read["status"], read["snoozed_until"], read["snooze_reason"]) == ("open", TODAY.isoformat(), "later")
    assert manager.get(f"/api/v1/flags/{purgatory['id']}").json["status"] == "snoozed"
    open_ids = [f["id"] for f in manager.get("/api/v1/flags?status=open&page_size=100").json]
    assert budget["id"] in open_ids and purgatory["id"] not in open_ids
    assert [f["id"] for f in manager.get("/api/v1/flags?status=snoozed").json] == [purgatory["id"]]
    [listed] = [f for f in manager.get(f"/api/v1/flags?project={budget['project_id']}").json if f["id"] == budget["id"]]
    assert listed["status"] == "open"
    # the stored status is the scan's to write; until then every read derives it
    assert session.get(Flag, budget["id"]).status == "snoozed"


def test_the_trust_rules_are_flagged_filtered_and_explained_through_the_api(manager, caio, viewer):
    prohibited = factories.ProjectFactory(
        owner=manager.user, stage="pilot", stage_entered_at=date(2025, 3, 1), risk_tier="prohibited"
    )
    unassessed = factories.ProjectFactory(
        owner=manager.user, stage="rollout", stage_entered_at=date(2025, 3, 1), risk_tier="unassessed"
    )
    high_impact = factories.ProjectFactory(
        owner=manager.user, stage="rollout", stage_entered_at=date(2025, 3, 1), risk_tier="high_impact"
    )
    factories.PracticeFactory(project=high_impact, key="impact_assessment", completed_on=date(2024, 3, 1))
    assert caio.post("/api/v1/scans", json={"as_of": "2025-04-01"}).status_code == 201

    def listed(rule: str) -> list[dict]:
        response = viewer.get(f"/api/v1/flags?rule={rule}")
        assert response.status_code == 200, response.json
        return response.json

    [banned] = listed("prohibited_in_use")
    assert (banned["project_id"], banned["details"]["days_in_stage"]) == (prohibited.id, 31)
    assert banned["explanation"] == (
        "Classified as a prohibited use, yet in pilot for 31 days: a use the law forbids must stop. "
        "Switch it off and cancel it."
    )
    [unclassified] = listed("risk_unassessed")
    assert unclassified["project_id"] == unassessed.id
    assert unclassified["explanation"].startswith("In full rollout for 31 days with no risk tier")
    [lapsed] = listed("practices_lapsed")
    assert lapsed["project_id"] == high_impact.id
    assert lapsed["details"]["not_in_effect"] == [
        "testing",
        "impact_assessment",
        "independent_review",
        "monitoring",
        "training",
        "human_oversight",
        "appeal",
        "public_consultation",
    ]
    assert lapsed["details"]["expired_on"] == {"impact_assessment": "2025-03-01"}
    assert "impact assessment (expired on 2025-03-01)" in lapsed["explanation"]
    # the projects list's flagged filter sees them like any other flag
    flagged = viewer.get("/api/v1/projects?flagged=true&page_size=100").json
    assert {p["id"] for p in flagged} >= {prohibited.id, unassessed.id, high_impact.id}
