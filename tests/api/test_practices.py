"""A project's eight risk-management practices through the API: read, set, refuse, audit."""

from datetime import timedelta

import pytest

from tests.api.test_projects import NEW_PROJECT
from tracker.db import utcnow
from tracker.vocab import PRACTICES

EVIDENCE = "https://www.city.example/ai-register/permits/testing-report.pdf"


def today():
    return utcnow().date()


def days_ago(n: int) -> str:
    return (today() - timedelta(days=n)).isoformat()


@pytest.fixture
def project(manager) -> dict:
    created = manager.post("/api/v1/projects", json=NEW_PROJECT)
    assert created.status_code == 201
    return created.json


def url(project: dict, key: str | None = None) -> str:
    base = f"/api/v1/projects/{project['id']}/practices"
    return base if key is None else f"{base}/{key}"


def test_a_new_project_lists_all_eight_practices_not_started_in_spec_order_on_one_page(project, viewer):
    listed = viewer.get(url(project))
    assert listed.status_code == 200
    assert (
        [p["key"] for p in listed.json]
        == list(PRACTICES)
        == [
            "testing",
            "impact_assessment",
            "independent_review",
            "monitoring",
            "training",
            "human_oversight",
            "appeal",
            "public_consultation",
        ]
    )
    assert listed.json[0] == {
        "key": "testing",
        "status": "not_started",
        "completed_on": None,
        "evidence_url": "",
        "note": "",
        "waiver_reason": "",
        "in_effect": False,
        "expires_on": None,
        "updated_at": None,
        "updated_by": None,
    }
    assert "X-Total-Count" not in listed.headers
    assert viewer.get(url(project, "appeal")).json == listed.json[6]


def test_unknown_practices_and_projects_are_404_in_json(project, manager):
    for path in (url(project, "fairness"), url({"id": 999}, "testing"), url({"id": 999})):
        missing = manager.get(path)
        assert missing.status_code == 404 and missing.json["code"] == 404, path
    put = manager.put(url(project, "fairness"), json={"status": "in_progress"})
    assert put.status_code == 404 and "testing" in put.json["message"]


def test_the_owner_records_a_done_practice_with_its_evidence_and_it_is_in_effect_for_a_year(project, manager):
    put = manager.put(
        url(project, "testing"),
        json={"status": "done", "completed_on": days_ago(10), "evidence_url": EVIDENCE, "note": "v2 of the test"},
    )
    assert put.status_code == 200, put.json
    body = put.json
    assert {k: body[k] for k in ("key", "status", "completed_on", "evidence_url", "note", "waiver_reason")} == {
        "key": "testing",
        "status": "done",
        "completed_on": days_ago(10),
        "evidence_url": EVIDENCE,
        "note": "v2 of the test",
        "waiver_reason": "",
    }
    assert body["in_effect"] is True
    assert body["expires_on"] == (today() - timedelta(days=10) + timedelta(days=365)).isoformat()
    assert body["updated_by"] == manager.user.id and body["updated_at"].startswith(today().isoformat())
    assert manager.get(url(project, "testing")).json == body
    assert manager.get(url(project)).json[0] == body


def test_a_practice_done_more_than_a_year_ago_has_lapsed(project, manager):
    body = manager.put(url(project, "impact_assessment"), json={"status": "done", "completed_on": days_ago(365)}).json
    assert body["in_effect"] is False and body["expires_on"] == today().isoformat()


def test_practice_valid_days_is_a_setting(app, project, manager):
    app.config["PRACTICE_VALID_DAYS"] = 30
    body = manager.put(url(project, "monitoring"), json={"status": "done", "completed_on": days_ago(31)}).json
    assert body["in_effect"] is False
    assert body["expires_on"] == (today() - timedelta(days=1)).isoformat()


def test_a_put_sets_the_practice_as_sent_and_fields_left_out_become_empty(project, manager):
    manager.put(
        url(project, "training"), json={"status": "done", "completed_on": days_ago(5), "evidence_url": EVIDENCE}
    )
    again = manager.put(url(project, "training"), json={"status": "in_progress"})
    assert again.status_code == 200
    assert (again.json["completed_on"], again.json["evidence_url"], again.json["note"]) == (None, "", "")
    assert (again.json["in_effect"], again.json["expires_on"]) == (False, None)


@pytest.mark.parametrize("key", ["human_oversight", "appeal"])
def test_only_oversight_and_appeal_may_be_not_applicable_and_are_then_in_effect(project, manager, key):
    put = manager.put(url(project, key), json={"status": "not_applicable", "note": "Appeal precluded by law"})
    assert put.status_code == 200 and put.json["in_effect"] is True and put.json["expires_on"] is None


BAD = [
    ({"status": "done"}, "completed_on", 422),
    ({"status": "done", "completed_on": None}, "completed_on", 422),
    ({"status": "done", "completed_on": "tomorrow"}, "completed_on", 422),
    ({"status": "in_progress", "completed_on": "2026-01-05"}, "completed_on", 422),
    ({"status": "done", "completed_on": "2026-01-05", "evidence_url": "javascript:alert(1)"}, "evidence_url", 422),
    ({"status": "in_progress", "evidence_url": "ftp://files.city.example/report.pdf"}, "evidence_url", 422),
    ({"status": "in_progress", "evidence_url": "www.city.example/report.pdf"}, "evidence_url", 422),
    ({"status": "in_progress", "evidence_url": "https://city.example/" + "a" * 2000}, "evidence_url", 422),
    ({"status": "not_applicable"}, "status", 422),
    ({"status": "finished"}, "status", 422),
    ({"note": "no status"}, "status", 422),
    ({"status": "in_progress", "waiver_reason": "why not"}, "waiver_reason", 422),
    ({"status": "in_progress", "colour": "green"}, "colour", 422),
]


@pytest.mark.parametrize("body,field,status", BAD, ids=[f"{field}-{n}" for n, (_, field, _) in enumerate(BAD)])
def test_bad_input_is_refused_naming_the_field_and_nothing_changes(project, caio, body, field, status):
    if body.get("completed_on") == "tomorrow":
        body = {**body, "completed_on": (today() + timedelta(days=1)).isoformat()}
    before = caio.put(url(project, "testing"), json={"status": "in_progress", "note": "running"}).json
    refused = caio.put(url(project, "testing"), json=body)
    assert refused.status_code == status, refused.json
    assert field in refused.json["errors"]["json"], refused.json
    assert caio.get(url(project, "testing")).json == before


def test_a_waiver_needs_a_reason_and_only_the_caio_office_grants_or_keeps_it(project, manager, caio):
    no_reason = caio.put(url(project, "independent_review"), json={"status": "waived", "waiver_reason": " "})
    assert no_reason.status_code == 422 and list(no_reason.json["errors"]["json"]) == ["waiver_reason"]

    refused = manager.put(url(project, "independent_review"), json={"status": "waived", "waiver_reason": "budget"})
    assert refused.status_code == 403 and refused.json["code"] == 403
    assert manager.get(url(project, "independent_review")).json["status"] == "not_started"

    reason = "Covered by the national type approval's independent review."
    waived = caio.put(url(project, "independent_review"), json={"status": "waived", "waiver_reason": reason})
    assert waived.status_code == 200
    assert (waived.json["waiver_reason"], waived.json["in_effect"]) == (reason, True)
    assert waived.json["expires_on"] == (today() + timedelta(days=365)).isoformat()
    assert waived.json["updated_by"] == caio.user.id

    # keeping the waiver is waiving it again: not for a manager, and nothing changes
    kept = manager.put(url(project, "independent_review"), json={"status": "waived", "waiver_reason": reason})
    assert kept.status_code == 403
    assert manager.get(url(project, "independent_review")).json == waived.json
    # the owner may still take the practice up themselves
    started = manager.put(url(project, "independent_review"), json={"status": "in_progress"})
    assert started.status_code == 200 and started.json["waiver_reason"] == ""


def test_only_the_owner_and_the_caio_office_change_practices(project, other_manager, viewer, admin):
    for caller in (other_manager, viewer):
        refused = caller.put(url(project, "testing"), json={"status": "in_progress"})
        assert refused.status_code == 403 and refused.json["code"] == 403
    assert admin.get(url(project, "testing")).json["status"] == "not_started"
    assert admin.put(url(project, "testing"), json={"status": "in_progress"}).status_code == 200


def test_each_change_is_in_the_audit_trail_with_values_before_and_after(project, manager, caio):
    manager.put(url(project, "appeal"), json={"status": "in_progress", "note": "ombudsman route"})
    manager.put(url(project, "appeal"), json={"status": "done", "completed_on": days_ago(1), "evidence_url": EVIDENCE})
    trail = caio.get(f"/api/v1/audit?project={project['id']}&entity=practice").json
    update, create = trail[0], trail[1]
    assert (create["action"], create["actor_id"]) == ("create", manager.user.id)
    assert create["changes"]["key"] == {"before": None, "after": "appeal"}
    assert create["changes"]["status"] == {"before": None, "after": "in_progress"}
    assert update["action"] == "update" and update["entity_id"] == create["entity_id"]
    assert update["changes"] == {
        "status": {"before": "in_progress", "after": "done"},
        "completed_on": {"before": None, "after": days_ago(1)},
        "evidence_url": {"before": "", "after": EVIDENCE},
        "note": {"before": "ombudsman route", "after": ""},
    }


def test_a_refused_practice_change_leaves_no_trace(project, manager, caio):
    before = caio.get("/api/v1/audit").headers["X-Total-Count"]
    assert manager.put(url(project, "testing"), json={"status": "done"}).status_code == 422
    assert manager.put(url(project, "testing"), json={"status": "waived", "waiver_reason": "x"}).status_code == 403
    assert caio.get("/api/v1/audit").headers["X-Total-Count"] == before


def test_a_practice_is_not_a_change_of_the_projects_own_fields_nor_of_its_etag(project, manager):
    read = manager.get(f"/api/v1/projects/{project['id']}")
    manager.put(url(project, "testing"), json={"status": "in_progress"})
    again = manager.get(f"/api/v1/projects/{project['id']}")
    assert again.headers["ETag"] == read.headers["ETag"] and again.json == read.json


def test_deleting_a_project_takes_its_practices_with_it(project, manager, admin):
    manager.put(url(project, "testing"), json={"status": "in_progress"})
    assert admin.delete(f"/api/v1/projects/{project['id']}").status_code == 204
    assert admin.get(url(project)).status_code == 404


def test_a_put_that_changes_nothing_writes_nothing(project, manager, caio):
    body = {"status": "done", "completed_on": days_ago(3), "evidence_url": EVIDENCE}
    first = manager.put(url(project, "training"), json=body).json
    again = manager.put(url(project, "training"), json=body).json
    assert again == first
    assert caio.get(f"/api/v1/audit?project={project['id']}&entity=practice").headers["X-Total-Count"] == "1"
