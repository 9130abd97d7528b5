"""The public AI registry: public projects only, their transparency fields only, no token needed."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

from tests import factories
from tracker.vocab import PRACTICES

ENTRY_FIELDS = {
    "key",
    "title",
    "problem",
    "purpose",
    "data_sources",
    "logic",
    "risks",
    "human_oversight",
    "department",
    "contact_email",
    "domain",
    "ai_type",
    "stage",
    "stage_entered_at",
    "risk_tier",
    "risk_rationale",
    "risk_assessed_on",
    "practices",
    "updated_at",
    "content_locale",
    "translations",
}
REGISTRY_TEXT = {
    "purpose": "Cut the wait for a first answer on a building permit.",
    "data_sources": "Permit applications 2019-2025, zoning plans.",
    "logic": "A language model drafts a pre-check; a planner reviews every draft.",
    "risks": "Wrong zoning advice; bias against unusual designs.",
    "human_oversight": "A planner signs every answer; applicants may ask for a full review.",
    "contact_email": "ai-registry@city.example",
}


def not_started(key: str) -> dict:
    return {
        "key": key,
        "status": "not_started",
        "completed_on": None,
        "expires_on": None,
        "in_effect": False,
        "evidence_url": "",
        "waiver_reason": "",
    }


def _public_project(**overrides):
    values = {
        "title": "Building-permit pre-check assistant",
        "problem": "Applicants wait 42 days for a first answer on a building permit.",
        "public": True,
        "stage": "pilot",
        "stage_entered_at": date(2025, 3, 1),
        "domain": "operations",
        "department": "Urban Planning",
        **REGISTRY_TEXT,
        **overrides,
    }
    return factories.ProjectFactory(**values)


def test_the_registry_shows_public_projects_only_with_exactly_their_transparency_fields(client, session):
    owner = factories.UserFactory(email="owner.secret@city.example", name="Owner Secretname")
    public = _public_project(owner=owner, key="CITY-PERMITS-01")
    private = factories.ProjectFactory(owner=owner, key="CITY-PRIVATE-01", public=False, **REGISTRY_TEXT)
    factories.BudgetLineFactory(project=public, amount=Decimal("987654.32"))
    factories.FlagFactory(project=public)

    response = client.get("/api/v1/registry")

    assert response.status_code == 200
    assert [entry["key"] for entry in response.json] == ["CITY-PERMITS-01"]
    entry = response.json[0]
    assert set(entry) == ENTRY_FIELDS
    assert entry == {
        "key": "CITY-PERMITS-01",
        "title": public.title,
        "problem": public.problem,
        "department": "Urban Planning",
        "domain": "operations",
        "ai_type": "traditional_ml",
        "stage": "pilot",
        "stage_entered_at": "2025-03-01",
        **REGISTRY_TEXT,
        "risk_tier": "minimal",
        "risk_rationale": public.risk_rationale,
        "risk_assessed_on": None,
        "practices": [not_started(key) for key in PRACTICES],
        "updated_at": entry["updated_at"],
        "content_locale": "en",
        "translations": {},
    }
    text = response.get_data(as_text=True)
    for secret in ("owner.secret@city.example", "Secretname", "987654", private.key, "budget", "owner", "flag"):
        assert secret not in text
    assert response.headers["X-Total-Count"] == "1"


def test_the_registry_needs_no_token_is_cacheable_and_is_documented_as_public(client, session):
    _public_project()
    response = client.get("/api/v1/registry")
    assert response.status_code == 200 and len(response.json) == 1
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Vary"] == "Accept"

    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert paths["/api/v1/registry"]["get"]["security"] == []
    assert paths["/api/v1/registry/{key}"]["get"]["security"] == []
    assert set(paths["/api/v1/registry"]["get"]["responses"]["200"]["content"]) == {"application/json", "text/csv"}


def test_a_bad_token_does_not_keep_anyone_from_the_public_registry(client, session):
    _public_project()
    response = client.get("/api/v1/registry", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 200 and len(response.json) == 1


def test_one_entry_is_read_by_its_key(client, session):
    project = _public_project(key="SEOUL-TRAFFIC-01", title="서울 교통 신호 최적화")
    response = client.get("/api/v1/registry/SEOUL-TRAFFIC-01")
    assert response.status_code == 200
    assert set(response.json) == ENTRY_FIELDS
    assert response.json["title"] == "서울 교통 신호 최적화"
    assert response.json["contact_email"] == project.contact_email
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_a_private_project_is_answered_exactly_like_one_that_does_not_exist(client, session):
    factories.ProjectFactory(key="CITY-PRIVATE-01", public=False, **REGISTRY_TEXT)
    private = client.get("/api/v1/registry/CITY-PRIVATE-01")
    unknown = client.get("/api/v1/registry/CITY-UNKNOWN-01")
    assert private.status_code == unknown.status_code == 404
    assert private.json["message"].replace("CITY-PRIVATE-01", "K") == unknown.json["message"].replace(
        "CITY-UNKNOWN-01", "K"
    )
    assert set(private.json) == set(unknown.json) == {"code", "status", "message"}
    assert client.get("/api/v1/registry/" + "X" * 65).status_code == 404


def test_the_registry_filters_by_domain_stage_and_department_in_pages(client, session):
    _public_project(key="A-1", domain="mobility", stage="pilot")
    _public_project(key="A-2", domain="mobility", stage="rollout")
    _public_project(key="A-3", domain="safety", stage="pilot", department="Police")
    factories.ProjectFactory(key="A-4", domain="mobility", stage="pilot", public=False)

    def keys(query):
        return [entry["key"] for entry in client.get(f"/api/v1/registry?{query}").json]

    assert keys("domain=mobility") == ["A-1", "A-2"]
    assert keys("stage=pilot") == ["A-1", "A-3"]
    assert keys("department=Police") == ["A-3"]
    page = client.get("/api/v1/registry?page=2&page_size=2")
    assert [entry["key"] for entry in page.json] == ["A-3"]
    assert page.headers["X-Total-Count"] == "3" and 'rel="prev"' in page.headers["Link"]
    refused = client.get("/api/v1/registry?stage=launched")
    assert refused.status_code == 422 and "stage" in refused.json["errors"]["query"]


def test_the_registry_as_csv_has_a_bom_every_entry_and_non_ascii_text_intact(client, session):
    owner = factories.UserFactory(email="owner.secret@city.example")
    _public_project(owner=owner, key="SEOUL-TRAFFIC-01", title="서울 교통 신호 최적화", department="Mobilité urbaine")
    for n in range(25):  # more than one JSON page: the CSV holds them all
        _public_project(key=f"CITY-{n:02d}")
    factories.ProjectFactory(key="CITY-PRIVATE-01", public=False)

    response = client.get("/api/v1/registry?page_size=1", headers={"Accept": "text/csv"})

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0][:14] == [
        "key",
        "title",
        "problem",
        "purpose",
        "data_sources",
        "logic",
        "risks",
        "human_oversight",
        "department",
        "contact_email",
        "domain",
        "ai_type",
        "stage",
        "stage_entered_at",
    ]
    assert rows[0][14:20] == [
        "risk_tier",
        "risk_rationale",
        "risk_assessed_on",
        "testing_status",
        "testing_completed_on",
        "testing_expires_on",
    ]
    # then the last change, the entry's language and each language's translated fields
    assert rows[0][17 + 8 * 6 :][:3] == ["updated_at", "content_locale", "title_en"]
    assert rows[0][-1] == "risk_rationale_ko" and len(rows[0]) == 17 + 8 * 6 + 2 + 2 * 8
    assert len(rows) == 1 + 26
    by_key = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_key["SEOUL-TRAFFIC-01"]["title"] == "서울 교통 신호 최적화"
    assert by_key["SEOUL-TRAFFIC-01"]["department"] == "Mobilité urbaine"
    assert by_key["SEOUL-TRAFFIC-01"]["stage_entered_at"] == "2025-03-01"
    assert "CITY-PRIVATE-01" not in by_key
    assert "owner.secret@city.example" not in body.decode("utf-8-sig")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "ai-registry.csv" in response.headers["Content-Disposition"]
    head = client.head("/api/v1/registry", headers={"Accept": "text/csv"})
    assert head.status_code == 200 and head.get_data() == b"" and head.mimetype == "text/csv"
    head.close()  # as a server does: the download's own session goes back at once


def test_json_is_the_answer_unless_csv_is_preferred(client, session):
    _public_project()
    for accept in ("*/*", "application/json", "application/json, text/csv", "text/html"):
        response = client.get("/api/v1/registry", headers={"Accept": accept})
        assert response.mimetype == "application/json" and len(response.json) == 1, accept
    preferred = client.get("/api/v1/registry", headers={"Accept": "text/csv, application/json;q=0.5"})
    assert preferred.mimetype == "text/csv"
    preferred.close()


def test_an_entry_shows_its_tier_and_practices_never_their_notes_or_who_changed_them(client, session):
    author = factories.UserFactory(email="practice.author@city.example", name="Practice Authorname")
    today = date.today()
    project = _public_project(
        key="CITY-BENEFITS-01",
        risk_tier="high_impact",
        risk_rationale="Decides who is offered a housing benefit review.",
        risk_assessed_on=date(2025, 2, 1),
    )
    done_on = today - timedelta(days=10)
    factories.PracticeFactory(
        project=project,
        key="impact_assessment",
        completed_on=done_on,
        evidence_url="https://city.example/aia.pdf",
        note="SECRET-NOTE: the vendor's draft was rejected",
        updated_by_id=author.id,
    )
    factories.PracticeFactory(
        project=project,
        key="public_consultation",
        status="waived",
        completed_on=None,
        waived_on=today - timedelta(days=400),
        waiver_reason="Consultation postponed by the council until the pilot ends.",
        note="SECRET-NOTE: internal",
        updated_by_id=author.id,
    )
    factories.PracticeFactory(project=project, key="appeal", status="not_applicable", completed_on=None)

    for response in (client.get("/api/v1/registry"), client.get("/api/v1/registry/CITY-BENEFITS-01")):
        assert response.status_code == 200
        entry = response.json[0] if isinstance(response.json, list) else response.json
        assert (entry["risk_tier"], entry["risk_assessed_on"]) == ("high_impact", "2025-02-01")
        assert entry["risk_rationale"] == "Decides who is offered a housing benefit review."
        practices = {p["key"]: p for p in entry["practices"]}
        assert [p["key"] for p in entry["practices"]] == list(PRACTICES)
        assert practices["impact_assessment"] == {
            "key": "impact_assessment",
            "status": "done",
            "completed_on": done_on.isoformat(),
            "expires_on": (done_on + timedelta(days=365)).isoformat(),
            "in_effect": True,
            "evidence_url": "https://city.example/aia.pdf",
            "waiver_reason": "",
        }
        # waived 400 days ago and not re-certified since: no longer in effect
        assert (practices["public_consultation"]["status"], practices["public_consultation"]["in_effect"]) == (
            "waived",
            False,
        )
        assert practices["public_consultation"]["waiver_reason"].startswith("Consultation postponed")
        assert (practices["appeal"]["in_effect"], practices["appeal"]["expires_on"]) == (True, None)
        assert practices["testing"] == not_started("testing")
        text = response.get_data(as_text=True)
        for secret in ("SECRET-NOTE", "note", "updated_by", "practice.author@city.example", "Authorname"):
            assert secret not in text
    csv_text = client.get("/api/v1/registry", headers={"Accept": "text/csv"}).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"), newline="")))
    assert rows[0]["impact_assessment_status"] == "done"
    assert rows[0]["impact_assessment_in_effect"] == "true"
    assert rows[0]["public_consultation_in_effect"] == "false"
    assert rows[0]["testing_completed_on"] == ""
    assert "SECRET-NOTE" not in csv_text and "note" not in csv_text.splitlines()[0]


def test_an_entrys_last_change_is_the_later_of_its_projects_and_its_practices(client, manager):
    project = _public_project(key="CITY-LAST-01", owner=manager.user)

    def entry_changed() -> datetime:
        return datetime.fromisoformat(client.get("/api/v1/registry/CITY-LAST-01").json["updated_at"])

    created = entry_changed()
    practice = manager.put(
        f"/api/v1/projects/{project.id}/practices/testing",
        json={"status": "done", "completed_on": "2025-03-01", "evidence_url": "https://city.example/test.pdf"},
    )
    assert practice.status_code == 200, practice.json
    # a practice written moves the entry, not its project's own updated_at
    assert entry_changed() == datetime.fromisoformat(practice.json["updated_at"]) > created
    url = f"/api/v1/projects/{project.id}"
    etag = manager.get(url).headers["ETag"]
    renamed = manager.patch(url, json={"title": "Renamed"}, headers={"If-Match": etag})
    assert renamed.status_code == 200, renamed.json
    assert (
        entry_changed()
        == datetime.fromisoformat(renamed.json["updated_at"])
        > datetime.fromisoformat(practice.json["updated_at"])
    )


def test_a_key_no_database_stores_is_a_missing_entry_not_an_error(client):
    response = client.get("/api/v1/registry/K%00EY")
    assert response.status_code == 404
    assert "no public registry entry" in response.json["message"]
