"""Request bodies as the OpenAPI document states them: a PATCH must name something to change; a scan
and a new token need no body at all."""

import json
from datetime import date
from pathlib import Path

import pytest

from tests import factories

SPEC = json.loads((Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_text(encoding="utf-8"))


def _patch_targets(owner) -> dict[str, str]:
    project = factories.ProjectFactory(owner=owner)
    return {
        "project": f"/api/v1/projects/{project.id}",
        "budget line": f"/api/v1/budget-lines/{factories.BudgetLineFactory(project=project).id}",
        "kpi": f"/api/v1/kpis/{factories.KpiFactory(project=project).id}",
        "user": f"/api/v1/users/{factories.UserFactory().id}",
    }


@pytest.mark.parametrize("target", ["project", "budget line", "kpi", "user"])
@pytest.mark.parametrize("body", [None, {}], ids=["no body", "empty object"])
def test_a_patch_with_nothing_to_change_is_refused_saying_what_is_missing(admin, target, body):
    path = _patch_targets(admin.user)[target]
    before = admin.get(path)

    refused = admin.patch(path, json=body, headers={"If-Match": before.headers.get("ETag", "*")})

    assert refused.status_code == 422 and refused.mimetype == "application/json"
    [why] = refused.json["errors"]["json"]["_schema"]
    assert why.startswith("The body is missing or empty: send at least one field to change (")
    assert refused.json["message"] == f"invalid input: json: {why}"
    after = admin.get(path)
    assert after.json == before.json and after.headers.get("ETag") == before.headers.get("ETag")


def test_the_refusal_lists_the_fields_that_can_be_changed(admin):
    path = _patch_targets(admin.user)["user"]
    [why] = admin.patch(path).json["errors"]["json"]["_schema"]
    assert why.endswith("(name, role, active, locale).")


def test_an_empty_project_patch_is_refused_before_its_if_match_is_judged(admin):
    """Checking the body first means a stale or missing If-Match does not hide what is wrong with it."""
    path = _patch_targets(admin.user)["project"]
    assert admin.patch(path, headers={"If-Match": '"stale"'}).status_code == 422
    assert admin.patch(path).status_code == 422


def test_a_patch_with_one_field_still_works(admin):
    targets = _patch_targets(admin.user)
    renamed = admin.patch(targets["user"], json={"name": "Renamed"})
    assert renamed.status_code == 200 and renamed.json["name"] == "Renamed"


def test_the_document_says_a_patch_body_is_required_and_names_at_least_one_field():
    for path in ("/api/v1/projects/{project_id}", "/api/v1/budget-lines/{line_id}", "/api/v1/kpis/{kpi_id}",
                 "/api/v1/users/{user_id}"):  # fmt: skip
        body = SPEC["paths"][path]["patch"]["requestBody"]
        assert body["required"] is True, path
        schema = SPEC["components"]["schemas"][body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
        assert schema["minProperties"] == 1, path


def test_a_scan_needs_no_body_and_runs_as_of_today(caio):
    factories.ProjectFactory(stage="pilot", stage_entered_at=date(2025, 1, 1))

    response = caio.post("/api/v1/scans")

    assert response.status_code == 201
    assert (response.json["as_of"], response.json["dry_run"]) == (date.today().isoformat(), False)
    assert {f["rule"] for f in response.json["findings"]} == {"pilot_purgatory", "no_scale_budget", "no_kpis"}
    assert caio.get(response.headers["Location"]).json["id"] == response.json["id"]


def test_a_token_needs_no_body_and_comes_unnamed_with_the_default_lifetime(admin, client):
    response = admin.post(f"/api/v1/users/{admin.user.id}/tokens")

    assert response.status_code == 201
    assert (response.json["name"], response.json["expires_at"]) == ("", None)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json['token']}"})
    assert me.status_code == 200 and me.json["id"] == admin.user.id


def test_the_document_says_the_scan_and_token_bodies_are_optional():
    assert SPEC["paths"]["/api/v1/scans"]["post"]["requestBody"]["required"] is False
    assert SPEC["paths"]["/api/v1/users/{user_id}/tokens"]["post"]["requestBody"]["required"] is False
