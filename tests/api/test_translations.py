"""A project's own text in the other language: content_locale, the translations resource (read,
write whole, remove), its refusals, staleness, audit, and what a translation changes."""

import csv
import io

import pytest

from tests.api.test_projects import NEW_PROJECT
from tracker.entry_translations.rules import TRANSLATED_FIELDS

KOREAN = {
    "title": "건축허가 사전검토 도우미",
    "problem": "건축허가 첫 답변까지 42일을 기다립니다.",
}


@pytest.fixture
def project(manager) -> dict:
    created = manager.post("/api/v1/projects", json=NEW_PROJECT)
    assert created.status_code == 201
    return created.json


def url(project: dict, locale: str | None = None) -> str:
    base = f"/api/v1/projects/{project['id']}/translations"
    return base if locale is None else f"{base}/{locale}"


def audit_count(caio) -> str:
    return caio.get("/api/v1/audit").headers["X-Total-Count"]


def test_a_project_is_written_in_the_default_language_unless_it_says_otherwise(app, manager):
    english = manager.post("/api/v1/projects", json=NEW_PROJECT).json
    assert english["content_locale"] == "en"
    korean = manager.post("/api/v1/projects", json={**NEW_PROJECT, "key": "SEOUL-01", "content_locale": "ko"}).json
    assert korean["content_locale"] == "ko"
    assert manager.get(f"/api/v1/projects/{korean['id']}").json["content_locale"] == "ko"
    app.config["DEFAULT_LOCALE"] = "ko"
    assert manager.post("/api/v1/projects", json={**NEW_PROJECT, "key": "SEOUL-02"}).json["content_locale"] == "ko"
    refused = manager.post("/api/v1/projects", json={**NEW_PROJECT, "key": "SEOUL-03", "content_locale": "fr"})
    assert refused.status_code == 422 and "content_locale" in refused.json["errors"]["json"]


def test_a_translation_is_written_whole_read_listed_and_replaced(project, manager, viewer):
    created = manager.put(url(project, "ko"), json=KOREAN)
    assert created.status_code == 201
    assert created.headers["Location"] == url(project, "ko")
    assert created.json["locale"] == "ko"
    assert {name: created.json[name] for name in TRANSLATED_FIELDS} == {
        **dict.fromkeys(TRANSLATED_FIELDS),
        **KOREAN,
    }  # the fields left out have none
    assert created.json["stale"] is False and created.json["originals_changed"] == []
    assert created.json["updated_by"] == manager.user.id

    assert viewer.get(url(project, "ko")).json == created.json
    assert viewer.get(url(project)).json == [created.json]

    replaced = manager.put(url(project, "ko"), json={"title": "건축허가 도우미"})
    assert replaced.status_code == 200
    assert replaced.json["title"] == "건축허가 도우미" and replaced.json["problem"] is None


def test_a_translation_is_stale_once_an_original_changes_and_fresh_when_written_again(project, manager):
    manager.put(url(project, "ko"), json=KOREAN)
    etag = manager.get(f"/api/v1/projects/{project['id']}").headers["ETag"]
    changed = manager.patch(
        f"/api/v1/projects/{project['id']}",
        json={"problem": "Applicants wait 60 days.", "purpose": "Answers applicants faster."},
        headers={"If-Match": etag},
    )
    assert changed.status_code == 200
    stale = manager.get(url(project, "ko")).json
    assert stale["stale"] is True and stale["originals_changed"] == ["problem", "purpose"]
    assert stale["problem"] == KOREAN["problem"]  # still there, and still shown

    assert manager.put(url(project, "ko"), json=KOREAN).json["stale"] is False


def test_an_edit_undone_leaves_the_translation_fresh(project, manager):
    manager.put(url(project, "ko"), json=KOREAN)
    path = f"/api/v1/projects/{project['id']}"
    for title in ("Another title", NEW_PROJECT["title"]):
        manager.patch(path, json={"title": title}, headers={"If-Match": manager.get(path).headers["ETag"]})
    assert manager.get(url(project, "ko")).json["stale"] is False


@pytest.mark.parametrize(
    ("locale", "body", "field"),
    [
        ("en", KOREAN, ("path", "locale")),  # the original's own language
        ("fr", KOREAN, ("path", "locale")),  # a language the service does not have
        ("ko-KR", KOREAN, ("path", "locale")),
        ("ko", {"title": ""}, ("json", "title")),
        ("ko", {"title": "   "}, ("json", "title")),
        ("ko", {"title": None}, ("json", "title")),
        ("ko", {"title": "가" * 301}, ("json", "title")),
        ("ko", {"logic": "논리"}, ("json", "logic")),  # the original has no logic to translate
        ("ko", {"titel": "오타"}, ("json", "titel")),
        ("ko", {}, ("json", "_schema")),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(project, manager, caio, locale, body, field):
    before = (audit_count(caio), manager.get(url(project)).json)
    refused = manager.put(url(project, locale), json=body)
    assert refused.status_code == 422, refused.json
    location, name = field
    assert name in refused.json["errors"][location], refused.json
    assert f"{location}.{name}" in refused.json["message"] or location == "json"
    assert (audit_count(caio), manager.get(url(project)).json) == before


def test_the_language_of_a_path_is_checked_on_every_method(project, manager):
    for method in (manager.get, manager.delete):
        for locale in ("en", "fr"):
            refused = method(url(project, locale))
            assert refused.status_code == 422 and "locale" in refused.json["errors"]["path"]
    assert manager.get(url(project, "ko")).status_code == 404  # a supported language, not translated yet


def test_a_project_may_not_move_to_a_language_it_has_a_translation_into(project, manager):
    manager.put(url(project, "ko"), json=KOREAN)
    path = f"/api/v1/projects/{project['id']}"
    etag = manager.get(path).headers["ETag"]
    refused = manager.patch(path, json={"content_locale": "ko"}, headers={"If-Match": etag})
    assert refused.status_code == 422 and "content_locale" in refused.json["errors"]["json"]
    assert manager.get(path).json["content_locale"] == "en" and manager.get(path).headers["ETag"] == etag
    # without the translation it may: the text was Korean all along
    assert manager.delete(url(project, "ko")).status_code == 204
    moved = manager.patch(path, json={"content_locale": "ko"}, headers={"If-Match": etag})
    assert moved.status_code == 200 and moved.json["content_locale"] == "ko"
    assert manager.put(url(project, "ko"), json=KOREAN).status_code == 422


def test_only_the_owner_and_the_caio_office_write_translations_and_everyone_reads_them(
    project, manager, other_manager, viewer, caio, admin, client
):
    for outsider in (viewer, other_manager):
        assert outsider.put(url(project, "ko"), json=KOREAN).status_code == 403
    assert manager.get(url(project)).json == []
    for allowed in (manager, caio, admin):
        assert allowed.put(url(project, "ko"), json=KOREAN).status_code in (200, 201)
    for outsider in (viewer, other_manager):
        assert outsider.delete(url(project, "ko")).status_code == 403
        assert outsider.get(url(project, "ko")).json["title"] == KOREAN["title"]
    assert client.get(url(project)).status_code == 401
    assert admin.delete(url(project, "ko")).status_code == 204


def test_every_change_is_in_the_audit_trail(project, manager, caio):
    manager.put(url(project, "ko"), json=KOREAN)
    manager.put(url(project, "ko"), json={"title": "건축허가 도우미"})
    manager.put(url(project, "ko"), json={"title": "건축허가 도우미"})  # the same again: no change, no event
    caio.delete(url(project, "ko"))
    trail = caio.get(f"/api/v1/audit?project={project['id']}&entity=translation").json
    deleted, updated, created = trail
    assert (created["action"], created["actor_id"]) == ("create", manager.user.id)
    assert created["changes"]["locale"] == {"before": None, "after": "ko"}
    assert created["changes"]["title"] == {"before": None, "after": KOREAN["title"]}
    assert "originals" not in created["changes"]
    assert updated["action"] == "update" and updated["changes"] == {
        "title": {"before": KOREAN["title"], "after": "건축허가 도우미"},
        "problem": {"before": KOREAN["problem"], "after": None},
    }
    assert (deleted["action"], deleted["actor_id"]) == ("delete", caio.user.id)
    assert deleted["changes"]["title"] == {"before": "건축허가 도우미", "after": None}


def test_a_translation_changes_the_register_entry_not_the_project_or_its_etag(project, manager, caio, client):
    path = f"/api/v1/projects/{project['id']}"
    etag = manager.get(path).headers["ETag"]
    public = {"public": True, "purpose": "p", "data_sources": "d", "logic": "l", "risks": "r"}
    public |= {"human_oversight": "h", "contact_email": "ai@city.example"}
    published = manager.patch(path, json=public, headers={"If-Match": etag}).json
    entry = client.get(f"/api/v1/registry/{project['key']}").json
    etag = manager.get(path).headers["ETag"]

    manager.put(url(project, "ko"), json=KOREAN)
    written = client.get(f"/api/v1/registry/{project['key']}").json
    assert written["updated_at"] > entry["updated_at"]
    assert manager.get(path).headers["ETag"] == etag
    assert manager.get(path).json["updated_at"] == published["updated_at"]

    caio.delete(url(project, "ko"))
    assert client.get(f"/api/v1/registry/{project['key']}").json["updated_at"] > written["updated_at"]
    assert manager.get(path).headers["ETag"] == etag


def test_removing_a_translation_twice_is_a_404_the_second_time(project, manager):
    manager.put(url(project, "ko"), json=KOREAN)
    assert manager.delete(url(project, "ko")).status_code == 204
    assert manager.delete(url(project, "ko")).status_code == 404
    assert manager.get(url(project)).json == []


def test_a_project_that_does_not_exist_has_no_translations(manager):
    for response in (
        manager.get("/api/v1/projects/999/translations"),
        manager.get("/api/v1/projects/999/translations/ko"),
        manager.put("/api/v1/projects/999/translations/ko", json=KOREAN),
        manager.delete("/api/v1/projects/999/translations/ko"),
    ):
        assert response.status_code == 404 and response.json["message"] == "no project with id 999"


def test_deleting_a_project_deletes_its_translations(project, manager, admin):
    manager.put(url(project, "ko"), json=KOREAN)
    assert admin.delete(f"/api/v1/projects/{project['id']}").status_code == 204
    assert admin.get(url(project)).status_code == 404


PUBLIC = {
    "public": True,
    "purpose": "Answers applicants faster.",
    "data_sources": "Permit applications 2019-2025.",
    "logic": "A language model drafts a pre-check; a planner reviews it.",
    "risks": "A wrong pre-check could mislead an applicant.",
    "human_oversight": "A planner reads every draft.",
    "contact_email": "planning@city.example",
}


def test_translations_round_trip_through_the_api_the_registry_json_and_its_csv(manager, client):
    english = manager.post("/api/v1/projects", json={**NEW_PROJECT, **PUBLIC}).json
    korean = manager.post(
        "/api/v1/projects",
        json={**NEW_PROJECT, **PUBLIC, "key": "SEOUL-01", "title": "교통신호 최적화", "content_locale": "ko"},
    ).json
    into_korean = {**KOREAN, "purpose": "신청인에게 더 빨리 답합니다.", "risk_rationale": "위험 근거"}
    into_english = {"title": "Traffic signal timing", "human_oversight": "Engineers review every plan."}
    manager.put(url(english, "ko"), json={name: text for name, text in into_korean.items() if name != "risk_rationale"})
    manager.put(url(korean, "en"), json=into_english)

    entries = {entry["key"]: entry for entry in client.get("/api/v1/registry").json}
    assert entries[english["key"]]["content_locale"] == "en"
    assert entries[english["key"]]["translations"] == {
        "ko": {"title": KOREAN["title"], "problem": KOREAN["problem"], "purpose": "신청인에게 더 빨리 답합니다."}
    }
    assert entries["SEOUL-01"]["content_locale"] == "ko"
    assert entries["SEOUL-01"]["translations"] == {"en": into_english}
    assert client.get("/api/v1/registry/SEOUL-01").json["translations"] == {"en": into_english}

    body = client.get("/api/v1/registry.csv").get_data().decode("utf-8-sig")
    rows = {row["key"]: row for row in csv.DictReader(io.StringIO(body, newline=""))}
    assert rows[english["key"]]["content_locale"] == "en"
    assert rows[english["key"]]["title_ko"] == KOREAN["title"]
    assert rows[english["key"]]["purpose_ko"] == "신청인에게 더 빨리 답합니다."
    assert rows[english["key"]]["logic_ko"] == "" and rows[english["key"]]["title_en"] == ""
    assert (rows["SEOUL-01"]["title_en"], rows["SEOUL-01"]["human_oversight_en"]) == (
        into_english["title"],
        into_english["human_oversight"],
    )
    assert rows["SEOUL-01"]["title"] == "교통신호 최적화" and rows["SEOUL-01"]["title_ko"] == ""
