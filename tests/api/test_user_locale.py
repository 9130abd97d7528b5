"""Users' language (`locale`): the language of the alerts they receive. Admins set anyone's through
the users API; users set their own with PATCH /api/v1/me, which changes nothing else."""

import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.users.models import User


def stored_locale(session, user_id: int) -> str | None:
    session.expire_all()
    return session.get(User, user_id).locale


def test_a_user_created_without_a_locale_follows_the_default_locale(app, admin, session):
    created = admin.post("/api/v1/users", json={"email": "ana@city.example", "name": "Ana", "role": "viewer"})
    assert created.status_code == 201 and created.json["locale"] == "en"
    assert stored_locale(session, created.json["id"]) is None  # null: follows the setting

    app.config["DEFAULT_LOCALE"] = "ko"
    assert admin.get(f"/api/v1/users/{created.json['id']}").json["locale"] == "ko"


def test_an_admin_creates_and_changes_a_users_locale(admin, session):
    created = admin.post(
        "/api/v1/users", json={"email": "seoyeon@city.example", "name": "박서연", "role": "manager", "locale": "ko"}
    )
    assert created.status_code == 201 and created.json["locale"] == "ko"
    user_id = created.json["id"]

    changed = admin.patch(f"/api/v1/users/{user_id}", json={"locale": "en"})
    assert changed.status_code == 200 and changed.json["locale"] == "en"
    assert stored_locale(session, user_id) == "en"
    listed = {u["email"]: u["locale"] for u in admin.get("/api/v1/users").json}
    assert listed["seoyeon@city.example"] == "en"


def test_an_unsupported_locale_is_a_422_naming_locale_and_changes_nothing(admin, manager, session):
    for locale in ("fr", "KO", "ko-KR", "", None, 1):
        refused = admin.patch(f"/api/v1/users/{manager.user.id}", json={"locale": locale})
        assert refused.status_code == 422 and set(refused.json["errors"]["json"]) == {"locale"}, locale
        own = manager.patch("/api/v1/me", json={"locale": locale})
        assert own.status_code == 422 and set(own.json["errors"]["json"]) == {"locale"}, locale
    refused = admin.post(
        "/api/v1/users", json={"email": "x@city.example", "name": "X", "role": "viewer", "locale": "jp"}
    )
    assert refused.status_code == 422 and set(refused.json["errors"]["json"]) == {"locale"}
    assert stored_locale(session, manager.user.id) is None
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_every_user_reads_and_sets_their_own_locale_at_me(viewer, session):
    me = viewer.get("/api/v1/me")
    assert me.status_code == 200 and me.json["locale"] == "en" and me.json["email"] == viewer.user.email

    changed = viewer.patch("/api/v1/me", json={"locale": "ko"})
    assert changed.status_code == 200
    assert (changed.json["id"], changed.json["locale"], changed.json["role"]) == (viewer.user.id, "ko", "viewer")
    assert viewer.get("/api/v1/me").json["locale"] == "ko"
    assert stored_locale(session, viewer.user.id) == "ko"
    change = session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "user")).all()[-1]
    assert (change.entity_id, change.action) == (viewer.user.id, "update")


def test_me_changes_nothing_but_the_locale_and_names_the_fields_it_refuses(viewer, session):
    for body in (
        {"role": "admin"},
        {"locale": "ko", "role": "admin"},
        {"locale": "ko", "name": "Someone else", "active": False, "email": "x@city.example"},
    ):
        refused = viewer.patch("/api/v1/me", json=body)
        assert refused.status_code == 422, body
        errors = refused.json["errors"]["json"]
        assert set(errors) == set(body) - {"locale"} | ({"locale"} if "locale" not in body else set()), errors
        for name in set(body) - {"locale"}:
            assert "only locale" in errors[name][0]
    user = session.get(User, viewer.user.id)
    session.refresh(user)
    assert (user.role, user.locale, user.active, user.email) == ("viewer", None, True, viewer.user.email)


def test_me_needs_a_token(client):
    assert client.patch("/api/v1/me", json={"locale": "ko"}).status_code == 401


def test_create_user_takes_a_locale(app, client, session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "seoyeon@city.example", "--name", "박서연", "--role", "manager", "--locale", "ko"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["locale"] == "ko"

    plain = runner.invoke(args=["create-user", "ana@city.example", "--name", "Ana", "--role", "viewer"])
    assert plain.exit_code == 0, plain.output
    assert session.scalar(sa.select(User.locale).where(User.email == "ana@city.example")) is None

    refused = runner.invoke(args=["create-user", "x@city.example", "--name", "X", "--role", "viewer", "--locale", "fr"])
    assert refused.exit_code == 2 and "--locale" in refused.output and "'fr' is not one of 'en', 'ko'" in refused.output
    assert session.scalar(sa.select(User.id).where(User.email == "x@city.example")) is None
