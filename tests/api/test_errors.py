"""Every error is JSON in one shape; no input, however malformed, produces a 500."""

import pytest

from tests.api.test_projects import NEW_PROJECT


def assert_error_shape(response, code):
    assert response.status_code == code
    assert response.mimetype == "application/json"
    assert response.json["code"] == code and response.json["status"] and response.json.get("message")
    assert "Traceback" not in response.get_data(as_text=True)


def test_an_unknown_route_is_a_json_404(manager):
    assert_error_shape(manager.get("/api/v1/nowhere"), 404)
    assert_error_shape(manager.get("/api/v1/projects/12345"), 404)


@pytest.mark.parametrize(
    "path", ["/api/v1/projects/99999999999999999999999", "/api/v1/projects/-1", "/api/v1/projects/1.5"]
)
def test_an_impossible_id_is_a_404_never_an_overflow(manager, path):
    assert_error_shape(manager.get(path), 404)


def test_a_method_not_allowed_is_405_with_allow(manager):
    response = manager.delete("/api/v1/projects")
    assert_error_shape(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_malformed_json_is_400(manager):
    response = manager.post("/api/v1/projects", data='{"key": ', content_type="application/json")
    assert_error_shape(response, 400)
    assert "JSON" in response.json["message"]


@pytest.mark.parametrize(
    "body,field",
    [
        ({**NEW_PROJECT, "title": 12}, "title"),
        ({**NEW_PROJECT, "public": "yes"}, "public"),
        ({**NEW_PROJECT, "owner_id": 2**80}, "owner_id"),
        ({**NEW_PROJECT, "owner_id": 1.5}, "owner_id"),
        ({**NEW_PROJECT, "stage_entered_at": "2026-02-30"}, "stage_entered_at"),
        ({**NEW_PROJECT, "stage_entered_at": "99999-01-01"}, "stage_entered_at"),
        ({**NEW_PROJECT, "stage_entered_at": "2999-01-01"}, "stage_entered_at"),
        ({**NEW_PROJECT, "domain": "space"}, "domain"),
        ({**NEW_PROJECT, "ai_type": "magic"}, "ai_type"),
        ({**NEW_PROJECT, "key": "lower case"}, "key"),
        ({**NEW_PROJECT, "stage": "scaled"}, "stage"),
        ({**NEW_PROJECT, "unexpected": True}, "unexpected"),
        ({k: v for k, v in NEW_PROJECT.items() if k != "title"}, "title"),
    ],
)
def test_bad_project_input_is_422_naming_the_field_and_creates_nothing(manager, body, field):
    response = manager.post("/api/v1/projects", json=body)
    assert_error_shape(response, 422)
    assert field in response.json["errors"]["json"]
    assert field in response.json["message"]
    assert manager.get("/api/v1/projects").headers["X-Total-Count"] == "0"


@pytest.mark.parametrize("body", [[], "text", 5, None])
def test_a_body_that_is_not_an_object_is_refused(manager, body):
    response = manager.post("/api/v1/projects", json=body)
    assert response.status_code in (400, 422)
    assert response.json["code"] == response.status_code


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=99999999999999999999", "page_size=0", "page_size=1000", "page=abc", "owner=99999999999999999999"],
)
def test_bad_query_parameters_are_422(manager, query):
    assert_error_shape(manager.get(f"/api/v1/projects?{query}"), 422)


def test_a_body_over_the_limit_is_413(manager):
    response = manager.post("/api/v1/projects", json={**NEW_PROJECT, "description": "x" * 1_100_000})
    assert_error_shape(response, 413)


def test_security_headers_are_on_every_answer(manager, client):
    for response in (manager.get("/api/v1/projects"), client.get("/api/v1/projects"), client.get("/health")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_health_and_readiness(client):
    assert client.get("/health").json == {"status": "ok"}
    assert client.get("/health/ready").json == {"status": "ready"}


def test_a_write_whose_body_is_not_json_is_415_and_changes_nothing(manager):
    created = manager.post("/api/v1/projects", json=NEW_PROJECT)
    response = manager.patch(
        created.headers["Location"],
        data="title=Renamed",
        content_type="application/x-www-form-urlencoded",
        headers={"If-Match": created.headers["ETag"]},
    )
    assert_error_shape(response, 415)
    assert manager.get(created.headers["Location"]).json["title"] == NEW_PROJECT["title"]


def test_an_id_beyond_the_databases_integers_is_a_404_and_a_filter_beyond_them_a_422(manager):
    assert_error_shape(manager.get("/api/v1/projects/2147483648"), 404)
    assert_error_shape(manager.get("/api/v1/projects?owner=2147483648"), 422)


def test_a_boolean_must_be_true_or_false_not_one_or_zero(manager):
    response = manager.post("/api/v1/projects", json={**NEW_PROJECT, "public": 1})
    assert_error_shape(response, 422)
    assert "public" in response.json["errors"]["json"]


def test_json_nested_too_deeply_to_parse_is_400_not_500(manager, client):
    deep = "[" * 100_000 + "]" * 100_000
    for caller in (manager, client):  # signed in or not: the body is judged first
        response = caller.post("/api/v1/projects", data=deep, headers={"Content-Type": "application/json"})
        assert_error_shape(response, 400)
        assert response.json["message"] == "the request body is not valid JSON: it is nested too deeply"


@pytest.mark.parametrize(
    "text", ["Traffic\x00signals", "Traffic \udabb signals"], ids=["a NUL character", "half a surrogate pair"]
)
def test_text_no_database_stores_is_422_naming_the_field_and_creates_nothing(admin, text):
    """PostgreSQL text holds no NUL, and UTF-8 has no unpaired surrogates: refused on both databases."""
    project = admin.post("/api/v1/projects", json={**NEW_PROJECT, "title": text, "problem": "fine"})
    assert_error_shape(project, 422)
    assert project.json["errors"] == {
        "json": {"title": ["Must be text without NUL characters or unpaired surrogates."]}
    }
    assert project.json["message"] == "invalid input: json.title"
    token = admin.post(f"/api/v1/users/{admin.user.id}/tokens", json={"name": text})
    assert_error_shape(token, 422)
    assert list(token.json["errors"]["json"]) == ["name"]
    # a query string is bytes, decoded leniently: only a NUL gets through it
    listed = admin.get("/api/v1/projects", query_string={"department": text.replace("\udabb", "\x00")})
    assert_error_shape(listed, 422)
    assert list(listed.json["errors"]) == ["query"] and list(listed.json["errors"]["query"]) == ["department"]
    assert admin.get("/api/v1/projects").json == []
    assert len(admin.get(f"/api/v1/users/{admin.user.id}/tokens").json) == 1


def test_a_method_no_route_takes_is_405_whatever_the_body(admin):
    for body in ({"data": b"key\n", "headers": {"Content-Type": "text/csv"}}, {"json": {"title": "a\x00b"}}):
        headers = {"Authorization": f"Bearer {admin.token}", **body.pop("headers", {})}
        response = admin.client.put("/api/v1/imports", headers=headers, **body)
        assert_error_shape(response, 405)
        assert response.headers["Allow"] == "OPTIONS, POST"
