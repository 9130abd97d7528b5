"""Bulk import over the API: admins only, CSV bodies larger than the usual limit, a summary back."""

import csv
import io

import sqlalchemy as sa

from tests import factories
from tracker.projects.models import Project

HEADER = "key,title,problem,domain,ai_type,department,stage,stage_entered_at\n"
TWO_ROWS = HEADER + (
    "CITY-PERMITS-01,Building-permit pre-check,Applicants wait 42 days,operations,generative,Urban Planning,pilot,"
    "2025-03-01\n"
    "CITY-LEAKS-01,Détection des fuites d'eau,Water lost to leaks,environment,traditional_ml,Eaux,poc,\n"
)
CSV = {"Content-Type": "text/csv"}


def _project_count(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Project))


def test_an_admin_imports_a_tracker_csv_and_gets_the_summary_and_its_location(admin, session):
    response = admin.post("/api/v1/imports?format=tracker", data=TWO_ROWS.encode(), headers=CSV)

    assert response.status_code == 201
    summary = response.json
    assert summary["format"] == "tracker" and summary["source"] == "request body"
    assert (summary["rows"], summary["created"]) == (2, 2)
    assert summary["stages"] == {"poc": 1, "pilot": 1, "rollout": 0, "cancelled": 0, "retired": 0}
    assert summary["default_owner_rows"] == 2
    assert response.headers["Location"] == f"/api/v1/imports/{summary['id']}"
    assert admin.get(response.headers["Location"]).json == summary

    projects = admin.get("/api/v1/projects").json
    assert {p["key"]: (p["stage"], p["owner_id"]) for p in projects} == {
        "CITY-PERMITS-01": ("pilot", admin.user.id),
        "CITY-LEAKS-01": ("poc", admin.user.id),
    }
    assert {p["title"] for p in projects} >= {"Détection des fuites d'eau"}


def test_the_format_defaults_to_tracker_and_a_bom_is_allowed(admin, session):
    response = admin.post("/api/v1/imports", data="\ufeff".encode() + TWO_ROWS.encode(), headers=CSV)
    assert response.status_code == 201 and response.json["format"] == "tracker"
    assert response.json["created"] == 2


def test_only_admins_may_import(caio, manager, viewer, client, session):
    for caller in (caio, manager, viewer):
        response = caller.post("/api/v1/imports?format=tracker", data=TWO_ROWS.encode(), headers=CSV)
        assert response.status_code == 403, caller.user.role
        assert response.json["code"] == 403
    anonymous = client.post("/api/v1/imports?format=tracker", data=TWO_ROWS.encode(), headers=CSV)
    assert anonymous.status_code == 401
    assert _project_count(session) == 0


def test_bad_rows_are_refused_by_line_and_field_and_nothing_is_written(admin, session):
    body = TWO_ROWS + "CITY-BAD-01,,No title,moon,quantum,,launched,2999-01-01\n"
    response = admin.post("/api/v1/imports?format=tracker", data=body.encode(), headers=CSV)

    assert response.status_code == 422
    assert "nothing was imported" in response.json["message"]
    errors = response.json["errors"]["line 4"]
    assert set(errors) == {"title", "domain", "ai_type", "stage", "stage_entered_at"}
    assert list(response.json["errors"]) == ["line 4"]
    assert _project_count(session) == 0


def test_an_import_body_may_be_larger_than_the_usual_limit_but_not_than_max_import_bytes(app, admin, session):
    filler = "x" * 2000
    rows = "".join(f"CITY-BIG-{n:04d},Big {n},{filler},operations,other,,poc,\n" for n in range(600))
    body = (HEADER + rows).encode()
    assert len(body) > app.config["MAX_CONTENT_LENGTH"]

    accepted = admin.post("/api/v1/imports?format=tracker", data=body, headers=CSV)
    assert accepted.status_code == 201 and accepted.json["created"] == 600

    app.config["MAX_IMPORT_BYTES"] = 10_000
    refused = admin.post("/api/v1/imports?format=tracker", data=HEADER.encode() + b"y" * 20_000, headers=CSV)
    assert refused.status_code == 413
    assert refused.json["code"] == 413
    assert _project_count(session) == 600


def test_an_import_must_be_sent_as_utf8_csv(admin, session):
    wrong_type = admin.post("/api/v1/imports", json={"key": "X"})
    assert wrong_type.status_code == 415 and "text/csv" in wrong_type.json["message"]
    latin1 = admin.post("/api/v1/imports", data=TWO_ROWS.encode("latin-1"), headers=CSV)
    assert latin1.status_code == 422 and latin1.json["errors"] == {"body": ["Not UTF-8 text."]}
    nul = admin.post("/api/v1/imports", data=TWO_ROWS.replace("Eaux", "Ea\x00ux").encode(), headers=CSV)
    assert nul.status_code == 422 and nul.json["errors"] == {"line 3": {"row": ["contains a NUL character"]}}
    empty = admin.post("/api/v1/imports", data=b"", headers=CSV)
    assert empty.status_code == 422 and "line 1" in empty.json["errors"]
    unknown = admin.post("/api/v1/imports?format=xlsx", data=TWO_ROWS.encode(), headers=CSV)
    assert unknown.status_code == 422 and "format" in unknown.json["errors"]["query"]
    assert _project_count(session) == 0


def test_an_admin_imports_federal_inventory_rows_owned_by_their_contacts_or_the_caller(
    admin, session, federal_inventory
):
    with federal_inventory.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        rows = [next(reader) for _ in range(41)]  # the header and 40 use cases
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    contacts = {row[5].strip().lower() for row in rows[1:] if "@" in row[5] and " " not in row[5].strip()}

    response = admin.post("/api/v1/imports?format=omb-2025", data=buffer.getvalue().encode(), headers=CSV)

    assert response.status_code == 201
    summary = response.json
    assert summary["created"] == 40 and sum(summary["stages"].values()) == 40
    assert summary["users_created"] == len(contacts)
    blank_contacts = sum(1 for row in rows[1:] if not row[5].strip())
    assert summary["default_owner_rows"] >= blank_contacts
    owned_by_admin = admin.get(f"/api/v1/projects?owner={admin.user.id}&page_size=100").headers["X-Total-Count"]
    assert int(owned_by_admin) == summary["default_owner_rows"]


def test_an_import_is_recorded_in_the_audit_trail_with_its_counts(admin, session):
    imported = admin.post("/api/v1/imports?format=tracker", data=TWO_ROWS.encode(), headers=CSV).json
    events = admin.get("/api/v1/audit?entity=import").json
    assert len(events) == 1
    event = events[0]
    assert (event["id"], event["actor_id"], event["source"]) == (imported["id"], admin.user.id, "api")
    assert event["changes"]["created"] == {"before": None, "after": 2}
    project = admin.get("/api/v1/projects?page_size=1").json[0]
    trail = admin.get(f"/api/v1/audit?project={project['id']}").json
    assert {(e["entity"], e["action"]) for e in trail} == {("project", "create"), ("stage_transition", "create")}


def test_an_unknown_import_is_not_found(admin, session):
    factories.ProjectFactory()  # its audit events are not imports
    response = admin.get("/api/v1/imports/1")
    assert response.status_code == 404 and response.json["code"] == 404


def _form(content: bytes, field: str = "file", filename: str = "inventory.csv") -> dict:
    """A multipart/form-data body with one file field, as `curl -F file=@inventory.csv` sends it."""
    return {"data": {field: (io.BytesIO(content), filename, "text/csv")}, "content_type": "multipart/form-data"}


def test_an_admin_uploads_the_csv_as_the_form_field_file(admin, session):
    response = admin.post("/api/v1/imports?format=tracker", **_form(TWO_ROWS.encode()))

    assert response.status_code == 201
    summary = response.json
    assert (summary["rows"], summary["created"], summary["source"]) == (2, 2, "uploaded file inventory.csv")
    assert response.headers["Location"] == f"/api/v1/imports/{summary['id']}"
    project = admin.get("/api/v1/projects?stage=pilot").json[0]
    history = admin.get(f"/api/v1/projects/{project['id']}/transitions").json
    assert history[0]["rationale"] == "imported from uploaded file inventory.csv, line 2 (tracker)"


def test_an_uploaded_federal_inventory_imports_like_a_text_csv_body(admin, session):
    body = factories.federal_inventory_rows(25).encode()
    as_form = admin.post("/api/v1/imports?format=omb-2025", **_form(body, filename="use_cases.csv"))
    assert as_form.status_code == 201 and as_form.json["created"] == 25
    again = admin.post("/api/v1/imports?format=omb-2025", data=body, headers=CSV)
    assert again.status_code == 201 and (again.json["created"], len(again.json["skipped_existing"])) == (0, 25)


def test_a_form_without_the_file_field_is_refused_naming_it_and_nothing_is_written(admin, session):
    response = admin.post("/api/v1/imports", **_form(TWO_ROWS.encode(), field="csv"))

    assert response.status_code == 422
    assert response.json["errors"] == {"files": {"file": ["Missing data for required field."]}}
    assert response.json["message"].startswith("invalid input: files.file: send the CSV as the form's file field")
    assert _project_count(session) == 0


def test_an_uploaded_file_keeps_the_import_rules_utf8_and_max_import_bytes(app, admin, session):
    latin1 = admin.post("/api/v1/imports", **_form(TWO_ROWS.encode("latin-1")))
    assert latin1.status_code == 422 and latin1.json["errors"] == {"body": ["Not UTF-8 text."]}
    app.config["MAX_IMPORT_BYTES"] = 10_000
    too_big = admin.post("/api/v1/imports", **_form(HEADER.encode() + b"y" * 20_000))
    assert too_big.status_code == 413 and too_big.json["code"] == 413
    assert _project_count(session) == 0


def test_an_uploaded_files_name_is_kept_as_its_source_without_control_characters(admin, session):
    response = admin.post("/api/v1/imports", **_form(TWO_ROWS.encode(), filename="city\x00 plan\t2026.csv"))
    assert response.status_code == 201 and response.json["source"] == "uploaded file city plan2026.csv"
