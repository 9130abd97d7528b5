"""Users, roles and tokens: admins manage them; tokens are shown once and stored only as hashes."""

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from tracker.db import utcnow
from tracker.users.models import ApiToken


def test_admin_creates_a_user_and_issues_a_token_that_works_once_shown(admin, client, session):
    created = admin.post("/api/v1/users", json={"email": "Jiwoo.Kim@City.example", "name": "김지우", "role": "manager"})
    assert created.status_code == 201
    user = created.json
    assert (user["email"], user["name"], user["role"], user["active"]) == (
        "jiwoo.kim@city.example",
        "김지우",
        "manager",
        True,
    )
    assert created.headers["Location"] == f"/api/v1/users/{user['id']}"

    issued = admin.post(f"/api/v1/users/{user['id']}/tokens", json={"name": "laptop"})
    assert issued.status_code == 201
    token = issued.json["token"]
    assert token.startswith("trk_") and issued.json["prefix"] == token[:12]

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["email"] == "jiwoo.kim@city.example"

    listed = admin.get(f"/api/v1/users/{user['id']}/tokens")
    assert [t["name"] for t in listed.json] == ["laptop"]
    assert "token" not in listed.json[0] and token not in listed.get_data(as_text=True)

    stored = session.scalar(sa.select(ApiToken.token_hash).where(ApiToken.id == issued.json["id"]))
    assert stored == hashlib.sha256(token.encode()).hexdigest()


def test_a_revoked_token_stops_working_at_once(admin, manager, client):
    token_id = admin.get(f"/api/v1/users/{manager.user.id}/tokens").json[0]["id"]
    assert manager.get("/api/v1/projects").status_code == 200
    assert admin.delete(f"/api/v1/users/{manager.user.id}/tokens/{token_id}").status_code == 204
    refused = manager.get("/api/v1/projects")
    assert refused.status_code == 401 and refused.json["code"] == 401
    revoked = admin.get(f"/api/v1/users/{manager.user.id}/tokens/{token_id}").json
    assert revoked["revoked_at"] is not None


def test_an_inactive_users_tokens_stop_working(admin, manager):
    deactivated = admin.patch(f"/api/v1/users/{manager.user.id}", json={"active": False})
    assert deactivated.status_code == 200 and deactivated.json["active"] is False
    assert manager.get("/api/v1/projects").status_code == 401
    admin.patch(f"/api/v1/users/{manager.user.id}", json={"active": True})
    assert manager.get("/api/v1/projects").status_code == 200


def test_an_expired_token_is_refused(admin, manager, session):
    record = session.scalar(sa.select(ApiToken).where(ApiToken.user_id == manager.user.id))
    record.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert manager.get("/api/v1/projects").status_code == 401


def test_a_token_can_be_issued_with_an_expiry(admin, manager):
    issued = admin.post(f"/api/v1/users/{manager.user.id}/tokens", json={"expires_in_days": 30}).json
    assert issued["expires_at"] is not None


def test_only_admins_manage_users_and_tokens(caio, manager, viewer):
    for caller in (caio, manager, viewer):
        assert caller.get("/api/v1/users").status_code == 403
        assert (
            caller.post("/api/v1/users", json={"email": "x@city.example", "name": "X", "role": "admin"}).status_code
            == 403
        )
        assert caller.post(f"/api/v1/users/{caller.user.id}/tokens", json={}).status_code == 403
        assert caller.patch(f"/api/v1/users/{caller.user.id}", json={"role": "admin"}).status_code == 403
    assert caio.get("/api/v1/me").json["role"] == "caio"


def test_a_duplicate_email_is_a_conflict(admin):
    admin.post("/api/v1/users", json={"email": "ana@city.example", "name": "Ana", "role": "viewer"})
    again = admin.post("/api/v1/users", json={"email": "ANA@city.example", "name": "Ana 2", "role": "viewer"})
    assert again.status_code == 409 and "ana@city.example" in again.json["message"]


def test_the_last_active_admin_cannot_be_demoted(admin):
    refused = admin.patch(f"/api/v1/users/{admin.user.id}", json={"role": "viewer"})
    assert refused.status_code == 409
    assert admin.get(f"/api/v1/users/{admin.user.id}").json["role"] == "admin"


def test_bad_user_input_names_the_field(admin):
    refused = admin.post("/api/v1/users", json={"email": "not-an-email", "name": " ", "role": "king", "extra": 1})
    assert refused.status_code == 422
    assert set(refused.json["errors"]["json"]) == {"email", "name", "role", "extra"}
    assert admin.get("/api/v1/users").headers["X-Total-Count"] == "1"


def test_no_token_or_a_bad_one_is_401_in_the_error_shape(client):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}):
        refused = client.get("/api/v1/projects", headers=headers)
        assert refused.status_code == 401
        assert refused.json["code"] == 401 and refused.json["status"] == "Unauthorized" and refused.json["message"]


def test_create_user_prints_the_token_alone_on_the_last_line(app, client):
    result = app.test_cli_runner().invoke(
        args=["create-user", "caio@city.example", "--name", "Chief", "--role", "caio"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("trk_") and " " not in token
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["role"] == "caio"

    again = app.test_cli_runner().invoke(args=["create-user", "caio@city.example", "--name", "Chief", "--role", "caio"])
    assert again.exit_code != 0 and "exists already" in again.output
