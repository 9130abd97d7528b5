"""Each role on each project write: exactly the rights SPEC gives."""

import pytest

from tests.api.test_projects import NEW_PROJECT

# who: the owning manager, another manager, caio, admin, viewer
EXPECTED = {
    "create": {"owner": 201, "other_manager": 201, "caio": 201, "admin": 201, "viewer": 403},
    "patch": {"owner": 200, "other_manager": 403, "caio": 200, "admin": 200, "viewer": 403},
    "transition": {"owner": 201, "other_manager": 403, "caio": 201, "admin": 201, "viewer": 403},
    "delete": {"owner": 403, "other_manager": 403, "caio": 403, "admin": 204, "viewer": 403},
    "read": {"owner": 200, "other_manager": 200, "caio": 200, "admin": 200, "viewer": 200},
    "practice": {"owner": 200, "other_manager": 403, "caio": 200, "admin": 200, "viewer": 403},
    "waive": {"owner": 403, "other_manager": 403, "caio": 200, "admin": 200, "viewer": 403},
    "lower_tier": {"owner": 403, "other_manager": 403, "caio": 200, "admin": 200, "viewer": 403},
}
# the project each action meets: classified high-impact, so lowering its tier is the CAIO office's
HIGH_IMPACT = {**NEW_PROJECT, "risk_tier": "high_impact", "risk_rationale": "Decides who gets a permit first."}


@pytest.fixture
def callers(manager, other_manager, caio, admin, viewer):
    return {"owner": manager, "other_manager": other_manager, "caio": caio, "admin": admin, "viewer": viewer}


def _cancel(caller, project_id):
    return caller.post(
        f"/api/v1/projects/{project_id}/transitions", json={"to_stage": "cancelled", "rationale": "kill"}
    )


ACTIONS = {
    "create": lambda caller, project: caller.post(
        "/api/v1/projects", json={**NEW_PROJECT, "key": f"K-{caller.user.id}"}
    ),
    "patch": lambda caller, project: caller.patch(
        f"/api/v1/projects/{project['id']}", json={"title": "Changed"}, headers={"If-Match": project["etag"]}
    ),
    "transition": lambda caller, project: _cancel(caller, project["id"]),
    "delete": lambda caller, project: caller.delete(f"/api/v1/projects/{project['id']}"),
    "read": lambda caller, project: caller.get(f"/api/v1/projects/{project['id']}"),
    "practice": lambda caller, project: caller.put(
        f"/api/v1/projects/{project['id']}/practices/testing", json={"status": "in_progress"}
    ),
    "waive": lambda caller, project: caller.put(
        f"/api/v1/projects/{project['id']}/practices/testing", json={"status": "waived", "waiver_reason": "covered"}
    ),
    "lower_tier": lambda caller, project: caller.patch(
        f"/api/v1/projects/{project['id']}",
        json={"risk_tier": "limited", "risk_rationale": "Only drafts letters now."},
        headers={"If-Match": project["etag"]},
    ),
}


def _state(caller, project_id) -> tuple:
    """What a refused write must leave as it was: the project and its practices."""
    return (
        caller.get(f"/api/v1/projects/{project_id}").json,
        caller.get(f"/api/v1/projects/{project_id}/practices").json,
    )


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ["owner", "other_manager", "caio", "admin", "viewer"])
def test_each_role_on_each_project_write(callers, role, action):
    owner = callers["owner"]
    created = owner.post("/api/v1/projects", json=HIGH_IMPACT)
    project = {"id": created.json["id"], "etag": created.headers["ETag"]}
    before = _state(owner, project["id"])

    response = ACTIONS[action](callers[role], project)

    assert response.status_code == EXPECTED[action][role], response.get_json()
    if response.status_code == 403:
        assert response.json["code"] == 403
        assert _state(owner, project["id"]) == before  # nothing changed


def test_a_manager_cannot_create_a_project_for_someone_else(manager, other_manager):
    refused = manager.post("/api/v1/projects", json={**NEW_PROJECT, "owner_id": other_manager.user.id})
    assert refused.status_code == 403
    assert manager.get("/api/v1/projects").headers["X-Total-Count"] == "0"


def test_the_caio_office_creates_a_project_for_a_manager_but_never_for_a_viewer(caio, manager, viewer):
    made = caio.post("/api/v1/projects", json={**NEW_PROJECT, "owner_id": manager.user.id})
    assert made.status_code == 201 and made.json["owner_id"] == manager.user.id
    refused = caio.post("/api/v1/projects", json={**NEW_PROJECT, "key": "K-2", "owner_id": viewer.user.id})
    assert refused.status_code == 422 and "owner_id" in refused.json["errors"]["json"]
