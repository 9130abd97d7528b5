"""Projects and their stage history, through the HTTP API."""

from datetime import date, timedelta

from tests import factories

NEW_PROJECT = {
    "key": "CITY-PERMITS-01",
    "title": "Building-permit pre-check assistant",
    "problem": "Applicants wait 42 days for a first answer on a building permit.",
    "domain": "operations",
    "ai_type": "generative",
    "department": "Urban Planning",
}


def test_manager_creates_a_project_owned_by_them_with_its_first_history_entry(manager):
    created = manager.post("/api/v1/projects", json=NEW_PROJECT)
    assert created.status_code == 201
    body = created.json
    assert created.headers["Location"] == f"/api/v1/projects/{body['id']}"
    assert body["owner_id"] == manager.user.id
    assert body["stage"] == "poc" and body["stage_entered_at"] == date.today().isoformat()
    assert created.headers["ETag"]

    history = manager.get(f"/api/v1/projects/{body['id']}/transitions")
    assert [(t["from_stage"], t["to_stage"]) for t in history.json] == [(None, "poc")]
    assert history.headers["X-Total-Count"] == "1"


def test_a_project_read_back_has_every_field_it_was_created_with(manager):
    project_id = manager.post("/api/v1/projects", json=NEW_PROJECT).json["id"]
    read = manager.get(f"/api/v1/projects/{project_id}")
    assert {k: read.json[k] for k in NEW_PROJECT} == NEW_PROJECT


def test_a_project_recorded_in_rollout_with_a_past_date_starts_its_history_there(caio):
    entered = date.today() - timedelta(days=400)
    body = caio.post(
        "/api/v1/projects", json={**NEW_PROJECT, "stage": "rollout", "stage_entered_at": entered.isoformat()}
    ).json
    assert (body["stage"], body["stage_entered_at"]) == ("rollout", entered.isoformat())
    history = caio.get(f"/api/v1/projects/{body['id']}/transitions").json
    assert [(t["from_stage"], t["to_stage"], t["effective_date"]) for t in history] == [
        (None, "rollout", entered.isoformat())
    ]


def test_a_duplicate_key_is_a_conflict_and_creates_nothing(manager):
    assert manager.post("/api/v1/projects", json=NEW_PROJECT).status_code == 201
    again = manager.post("/api/v1/projects", json={**NEW_PROJECT, "title": "Another"})
    assert again.status_code == 409 and again.json["code"] == 409
    assert manager.get("/api/v1/projects").headers["X-Total-Count"] == "1"


def test_list_filters_by_stage_domain_department_and_owner(manager, other_manager):
    mine = factories.ProjectFactory(owner=manager.user, stage="pilot", domain="mobility", department="Transport")
    factories.ProjectFactory(owner=other_manager.user, stage="pilot", domain="mobility", department="Transport")
    factories.ProjectFactory(owner=manager.user, stage="poc", domain="safety", department="Police")

    def keys(query):
        return [p["key"] for p in manager.get(f"/api/v1/projects?{query}").json]

    assert keys(f"stage=pilot&owner={manager.user.id}") == [mine.key]
    assert len(keys("domain=mobility&department=Transport")) == 2
    assert keys("stage=rollout") == []


def test_pages_carry_totals_and_links(manager):
    for _ in range(5):
        factories.ProjectFactory(owner=manager.user)
    page = manager.get("/api/v1/projects?page=2&page_size=2")
    assert len(page.json) == 2
    assert page.headers["X-Total-Count"] == "5" and page.headers["X-Total-Pages"] == "3"
    assert 'rel="next"' in page.headers["Link"] and 'rel="prev"' in page.headers["Link"]


def test_page_links_keep_the_filters_encoded_as_the_router_builds_them(app, manager):
    from flask import url_for

    department = "Parks & Recreation / Forestry (Zone 3)"
    for _ in range(3):
        factories.ProjectFactory(owner=manager.user, department=department)
    query = {"department": department, "page": "2", "page_size": "1"}
    page = manager.get("/api/v1/projects", query_string=query)
    assert page.json[0]["department"] == department

    with app.test_request_context():
        expected = [
            f'<{url_for("projects.Projects", **{**query, "page": number})}>; rel="{rel}"'
            for number, rel in ((1, "first"), (1, "prev"), (3, "next"), (3, "last"))
        ]
    assert page.headers["Link"] == ", ".join(expected)
    followed = manager.get(expected[2][1 : expected[2].index(">")])
    assert followed.status_code == 200 and followed.json[0]["department"] == department


def test_a_page_size_above_the_cap_is_refused(manager):
    refused = manager.get("/api/v1/projects?page_size=101")
    assert refused.status_code == 422
    assert "page_size" in refused.json["errors"]["query"]


def test_patch_needs_if_match_and_refuses_a_stale_etag(manager):
    created = manager.post("/api/v1/projects", json=NEW_PROJECT)
    url, etag = created.headers["Location"], created.headers["ETag"]

    missing = manager.patch(url, json={"title": "Renamed"})
    assert missing.status_code == 428

    changed = manager.patch(url, json={"title": "Renamed"}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.json["title"] == "Renamed"
    assert changed.headers["ETag"] != etag

    stale = manager.patch(url, json={"title": "Lost update"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert manager.get(url).json["title"] == "Renamed"


def test_patch_cannot_write_stage_owner_history_or_timestamps(manager, other_manager):
    created = manager.post("/api/v1/projects", json=NEW_PROJECT)
    url, etag = created.headers["Location"], created.headers["ETag"]
    for field, value in [
        ("stage", "rollout"),
        ("stage_entered_at", "2020-01-01"),
        ("id", 9),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("history", []),
    ]:
        refused = manager.patch(url, json={field: value}, headers={"If-Match": etag})
        assert refused.status_code == 422, field
        assert field in refused.json["errors"]["json"]
    handed_over = manager.patch(url, json={"owner_id": other_manager.user.id}, headers={"If-Match": etag})
    assert handed_over.status_code == 403
    assert manager.get(url).json["owner_id"] == manager.user.id


def test_caio_hands_a_project_to_another_manager(manager, other_manager, caio):
    created = manager.post("/api/v1/projects", json=NEW_PROJECT)
    moved = caio.patch(
        created.headers["Location"],
        json={"owner_id": other_manager.user.id},
        headers={"If-Match": created.headers["ETag"]},
    )
    assert moved.status_code == 200 and moved.json["owner_id"] == other_manager.user.id


def test_making_a_project_public_requires_every_registry_field(manager):
    created = manager.post("/api/v1/projects", json=NEW_PROJECT)
    refused = manager.patch(
        created.headers["Location"],
        json={"public": True, "purpose": "Answer permit questions"},
        headers={"If-Match": created.headers["ETag"]},
    )
    assert refused.status_code == 422
    assert set(refused.json["errors"]["json"]) == {"data_sources", "logic", "risks", "human_oversight", "contact_email"}
    assert manager.get(created.headers["Location"]).json["public"] is False


def test_only_an_admin_deletes_a_project(manager, admin):
    url = manager.post("/api/v1/projects", json=NEW_PROJECT).headers["Location"]
    assert manager.delete(url).status_code == 403
    assert admin.delete(url).status_code == 204
    assert admin.get(url).status_code == 404


def test_the_projects_list_says_exactly_what_marshmallow_would_of_federal_inventory_rows(admin, session):
    # ProjectSchema dumps through FlatSchema's direct lookups: its output must be marshmallow's own
    import json

    import marshmallow as ma
    import sqlalchemy as sa

    from tracker.projects.models import Project
    from tracker.projects.schemas import ProjectSchema

    imported = admin.post(
        "/api/v1/imports?format=omb-2025",
        data=factories.federal_inventory_rows(60).encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert imported.status_code == 201 and imported.json["created"] == 60

    listed = admin.get("/api/v1/projects?page_size=100").json
    reference = ma.Schema.from_dict(dict(ProjectSchema._declared_fields))(many=True)
    projects = session.scalars(sa.select(Project).order_by(Project.id)).all()
    assert len(listed) == 60
    assert listed == json.loads(json.dumps(reference.dump(projects)))
    assert listed[0]["created_at"].endswith("+00:00") and listed[0]["stage_entered_at"].count("-") == 2
