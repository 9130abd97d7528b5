"""Classifying a project's risk through the API: who may, with what reason, and what is kept."""

import csv
import io

import pytest

from tests.api.test_projects import NEW_PROJECT
from tracker.db import utcnow

HIGH_IMPACT = {
    "risk_tier": "high_impact",
    "risk_rationale": "Pre-checks building permits: it shapes residents' access to a public service.",
}


def create(caller, **changes) -> dict:
    created = caller.post("/api/v1/projects", json={**NEW_PROJECT, **changes})
    assert created.status_code == 201, created.json
    return {**created.json, "etag": created.headers["ETag"]}


def patch(caller, project: dict, changes: dict):
    url = f"/api/v1/projects/{project['id']}"
    etag = caller.get(url).headers["ETag"]
    return caller.patch(url, json=changes, headers={"If-Match": etag})


def read(caller, project: dict) -> dict:
    return caller.get(f"/api/v1/projects/{project['id']}").json


def test_a_new_project_is_unassessed_until_someone_classifies_it(manager):
    project = create(manager)
    assert (project["risk_tier"], project["risk_rationale"], project["risk_assessed_on"]) == ("unassessed", "", None)


def test_a_project_created_with_a_tier_and_its_reason_is_assessed_today(manager):
    project = create(manager, **HIGH_IMPACT)
    today = utcnow().date().isoformat()
    assert {k: project[k] for k in ("risk_tier", "risk_rationale", "risk_assessed_on")} == {
        **HIGH_IMPACT,
        "risk_assessed_on": today,
    }
    assert {k: read(manager, project)[k] for k in HIGH_IMPACT} == HIGH_IMPACT


@pytest.mark.parametrize("rationale", [None, "", "   "])
def test_a_tier_without_a_reason_is_refused_at_creation_and_nothing_is_created(manager, rationale):
    body = {**NEW_PROJECT, "risk_tier": "minimal", **({} if rationale is None else {"risk_rationale": rationale})}
    refused = manager.post("/api/v1/projects", json=body)
    assert refused.status_code == 422 and list(refused.json["errors"]["json"]) == ["risk_rationale"]
    assert manager.get("/api/v1/projects").headers["X-Total-Count"] == "0"


def test_an_unknown_tier_is_refused_naming_the_field(manager):
    refused = manager.post("/api/v1/projects", json={**NEW_PROJECT, "risk_tier": "medium", "risk_rationale": "x"})
    assert refused.status_code == 422 and "risk_tier" in refused.json["errors"]["json"]


def test_risk_assessed_on_is_read_only(manager):
    refused = manager.post("/api/v1/projects", json={**NEW_PROJECT, "risk_assessed_on": "2026-01-01"})
    assert refused.status_code == 422 and "risk_assessed_on" in refused.json["errors"]["json"]


def test_the_owner_classifies_and_raises_the_tier_each_time_with_its_reason(manager):
    project = create(manager)
    classified = patch(manager, project, {"risk_tier": "limited", "risk_rationale": "Residents read its answers."})
    assert classified.status_code == 200, classified.json
    assert (classified.json["risk_tier"], classified.json["risk_assessed_on"]) == (
        "limited",
        utcnow().date().isoformat(),
    )

    no_reason = patch(manager, project, {"risk_tier": "high_impact"})
    assert no_reason.status_code == 422 and list(no_reason.json["errors"]["json"]) == ["risk_rationale"]
    assert read(manager, project)["risk_tier"] == "limited"

    raised = patch(manager, project, HIGH_IMPACT)
    assert raised.status_code == 200 and raised.json["risk_tier"] == "high_impact"


def test_a_manager_may_not_lower_a_high_impact_tier_and_nothing_changes(manager):
    project = create(manager, **HIGH_IMPACT)
    before = manager.get(f"/api/v1/projects/{project['id']}")
    for lower in ("limited", "minimal", "unassessed"):
        refused = patch(manager, project, {"risk_tier": lower, "risk_rationale": "we think it is fine"})
        assert refused.status_code == 403 and refused.json["code"] == 403
    after = manager.get(f"/api/v1/projects/{project['id']}")
    assert after.json == before.json and after.headers["ETag"] == before.headers["ETag"]
    # raising from high_impact to prohibited is not lowering: the owner may
    assert patch(manager, project, {"risk_tier": "prohibited", "risk_rationale": "social scoring"}).status_code == 200


@pytest.mark.parametrize("office", ["caio", "admin"])
def test_the_caio_office_lowers_a_guarded_tier_with_a_reason(manager, office, request):
    project = create(manager, risk_tier="prohibited", risk_rationale="Emotion recognition at the counter.")
    lowered = patch(
        request.getfixturevalue(office),
        project,
        {"risk_tier": "limited", "risk_rationale": "Emotion recognition removed; it now only routes queues."},
    )
    assert lowered.status_code == 200, lowered.json
    assert lowered.json["risk_tier"] == "limited"


def test_back_to_unassessed_needs_no_reason_and_the_reason_of_an_assessed_tier_cannot_be_blanked(manager, caio):
    project = create(manager, risk_tier="minimal", risk_rationale="Back-office only.")
    blanked = patch(manager, project, {"risk_rationale": " "})
    assert blanked.status_code == 422 and list(blanked.json["errors"]["json"]) == ["risk_rationale"]
    reworded = patch(manager, project, {"risk_rationale": "Back-office only; no resident sees it."})
    assert reworded.status_code == 200 and reworded.json["risk_tier"] == "minimal"
    reset = patch(manager, project, {"risk_tier": "unassessed"})
    assert reset.status_code == 200 and reset.json["risk_tier"] == "unassessed"
    # the same tier again is no change: no reason needed, the date stays
    assert patch(manager, project, {"risk_tier": "unassessed"}).status_code == 200


def test_the_audit_trail_records_the_tier_before_and_after(manager, caio):
    project = create(manager)
    patch(manager, project, HIGH_IMPACT)
    trail = caio.get(f"/api/v1/audit?project={project['id']}&entity=project").json
    changes = trail[0]["changes"]
    assert changes["risk_tier"] == {"before": "unassessed", "after": "high_impact"}
    assert changes["risk_rationale"] == {"before": "", "after": HIGH_IMPACT["risk_rationale"]}
    assert changes["risk_assessed_on"] == {"before": None, "after": utcnow().date().isoformat()}


def test_the_list_and_projects_csv_filter_by_tier_and_the_file_has_the_risk_columns(manager, viewer):
    create(manager, key="CITY-HI-01", **HIGH_IMPACT)
    create(manager, key="CITY-MIN-01", risk_tier="minimal", risk_rationale="=HYPERLINK(1)")
    create(manager, key="CITY-NEW-01")
    listed = viewer.get("/api/v1/projects?risk_tier=high_impact")
    assert [p["key"] for p in listed.json] == ["CITY-HI-01"] and listed.headers["X-Total-Count"] == "1"
    assert viewer.get("/api/v1/projects?risk_tier=severe").status_code == 422

    text = viewer.get("/api/v1/reports/projects.csv?risk_tier=minimal").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["key"], r["risk_tier"], r["risk_rationale"]) for r in rows] == [
        ("CITY-MIN-01", "minimal", "'=HYPERLINK(1)")
    ]
    assert rows[0]["risk_assessed_on"] == utcnow().date().isoformat()
    everyone = list(csv.DictReader(io.StringIO(viewer.get("/api/v1/reports/projects.csv").get_data(as_text=True))))
    assert {r["\ufeffkey"]: r["risk_assessed_on"] for r in everyone}["CITY-NEW-01"] == ""
    header = next(csv.reader(io.StringIO(text)))
    assert header[header.index("days_in_stage") + 1 : header.index("days_in_stage") + 4] == [
        "risk_tier",
        "risk_rationale",
        "risk_assessed_on",
    ]
