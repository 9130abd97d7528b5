"""The audit trail: who changed what and when, with values before and after, for the CAIO office."""

from tests.api.test_projects import NEW_PROJECT


def test_a_project_change_is_recorded_with_its_actor_and_values_before_and_after(manager, caio):
    created = manager.post("/api/v1/projects", json=NEW_PROJECT)
    project_id = created.json["id"]
    manager.patch(created.headers["Location"], json={"title": "Renamed"}, headers={"If-Match": created.headers["ETag"]})

    trail = caio.get(f"/api/v1/audit?project={project_id}&entity=project").json
    update, create = trail[0], trail[1]
    assert (update["action"], update["actor_id"], update["actor_email"], update["source"]) == (
        "update",
        manager.user.id,
        manager.user.email,
        "api",
    )
    assert update["changes"] == {"title": {"before": NEW_PROJECT["title"], "after": "Renamed"}}
    assert create["action"] == "create" and create["changes"]["key"] == {"before": None, "after": NEW_PROJECT["key"]}


def test_a_stage_decision_is_in_the_trail_of_its_project(manager, caio):
    project_id = manager.post("/api/v1/projects", json=NEW_PROJECT).json["id"]
    caio.post(
        f"/api/v1/projects/{project_id}/transitions",
        json={"to_stage": "pilot", "rationale": "council approved", "override_reason": "no KPI yet, agreed"},
    )
    entities = [(e["entity"], e["action"], e["actor_id"]) for e in caio.get(f"/api/v1/audit?project={project_id}").json]
    assert ("stage_transition", "create", caio.user.id) in entities
    assert ("project", "update", caio.user.id) in entities


def test_a_refused_change_leaves_no_trace(manager, caio):
    project_id = manager.post("/api/v1/projects", json=NEW_PROJECT).json["id"]
    before = caio.get("/api/v1/audit").headers["X-Total-Count"]
    assert (
        manager.post(
            f"/api/v1/projects/{project_id}/transitions", json={"to_stage": "pilot", "rationale": "x"}
        ).status_code
        == 409
    )
    assert caio.get("/api/v1/audit").headers["X-Total-Count"] == before


def test_tokens_never_appear_in_the_trail(admin, manager):
    issued = admin.post(f"/api/v1/users/{manager.user.id}/tokens", json={"name": "ci"}).json
    body = admin.get("/api/v1/audit?entity=api_token").get_data(as_text=True)
    assert issued["token"] not in body and manager.token not in body
    assert "token_hash" not in body


def test_the_trail_filters_by_actor(manager, other_manager, caio):
    manager.post("/api/v1/projects", json=NEW_PROJECT)
    other_manager.post("/api/v1/projects", json={**NEW_PROJECT, "key": "CITY-OTHER-01"})
    events = caio.get(f"/api/v1/audit?actor={other_manager.user.id}").json
    assert events and {e["actor_id"] for e in events} == {other_manager.user.id}


def test_only_the_caio_office_reads_the_trail(manager, viewer, admin):
    assert manager.get("/api/v1/audit").status_code == 403
    assert viewer.get("/api/v1/audit").status_code == 403
    assert admin.get("/api/v1/audit").status_code == 200


def test_cli_writes_are_attributed_to_the_command_line(app, caio):
    app.test_cli_runner().invoke(args=["create-user", "new@city.example", "--name", "New", "--role", "viewer"])
    event = caio.get("/api/v1/audit?entity=user").json[0]
    assert event["source"] == "cli" and event["actor_email"].startswith("cli:") and event["actor_id"] is None
