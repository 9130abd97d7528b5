"""The OWASP API Security Top 10 (2023) items that apply here; SECURITY.md maps each to its tests."""

from decimal import Decimal

import pytest

from tests import factories


@pytest.fixture
def their_project(other_manager):
    """Another manager's project with something of every kind under it."""
    project = factories.ProjectFactory(owner=other_manager.user, stage="pilot")
    kpi = factories.OutcomeKpiFactory(project=project)
    measurement = factories.MeasurementFactory(kpi=kpi)
    line = factories.BudgetLineFactory(project=project, stage="rollout", amount=Decimal("5000.00"))
    flag = factories.FlagFactory(project=project, rule="no_scale_budget")
    return {"project": project.id, "kpi": kpi.id, "measurement": measurement.id, "line": line.id, "flag": flag.id}


# API1 Broken object level authorization: every write that names another owner's object by its id
BOLA_WRITES = [
    ("patch", "/api/v1/kpis/{kpi}", {"name": "hijacked"}),
    ("delete", "/api/v1/kpis/{kpi}", None),
    ("post", "/api/v1/kpis/{kpi}/measurements", {"value": "1", "measured_on": "2026-01-05"}),
    ("patch", "/api/v1/budget-lines/{line}", {"status": "approved"}),
    ("delete", "/api/v1/budget-lines/{line}", None),
    (
        "post",
        "/api/v1/projects/{project}/budget-lines",
        {"stage": "rollout", "fiscal_year": 2027, "category": "compute", "amount": "1.00", "status": "approved"},
    ),
    ("post", "/api/v1/projects/{project}/kpis", {"name": "x", "kind": "outcome", "direction": "increase"}),
    ("post", "/api/v1/projects/{project}/transitions", {"to_stage": "cancelled", "rationale": "hostile kill"}),
    ("post", "/api/v1/flags/{flag}/acknowledge", None),
    ("post", "/api/v1/flags/{flag}/snooze", {"until": "2199-01-01", "reason": "hide it"}),
]


@pytest.mark.parametrize("method,template,body", BOLA_WRITES, ids=[f"{m} {t}" for m, t, _ in BOLA_WRITES])
def test_a_manager_cannot_change_another_owners_objects_by_id(
    manager, other_manager, their_project, method, template, body
):
    path = template.format(**their_project)
    before = {
        name: other_manager.get(url).get_json()
        for name, url in {
            "kpi": f"/api/v1/kpis/{their_project['kpi']}",
            "line": f"/api/v1/budget-lines/{their_project['line']}",
            "flag": f"/api/v1/flags/{their_project['flag']}",
            "history": f"/api/v1/projects/{their_project['project']}/transitions",
            "measurements": f"/api/v1/kpis/{their_project['kpi']}/measurements",
        }.items()
    }
    response = getattr(manager, method)(path, **({"json": body} if body is not None else {}))
    assert response.status_code == 403 and response.json["code"] == 403
    after = {
        "kpi": other_manager.get(f"/api/v1/kpis/{their_project['kpi']}").get_json(),
        "line": other_manager.get(f"/api/v1/budget-lines/{their_project['line']}").get_json(),
        "flag": other_manager.get(f"/api/v1/flags/{their_project['flag']}").get_json(),
        "history": other_manager.get(f"/api/v1/projects/{their_project['project']}/transitions").get_json(),
        "measurements": other_manager.get(f"/api/v1/kpis/{their_project['kpi']}/measurements").get_json(),
    }
    assert after == before


@pytest.mark.parametrize("method,template,body", BOLA_WRITES, ids=[f"{m} {t}" for m, t, _ in BOLA_WRITES])
def test_the_owner_can_make_the_same_writes(other_manager, their_project, method, template, body):
    response = getattr(other_manager, method)(
        template.format(**their_project), **({"json": body} if body is not None else {})
    )
    assert response.status_code in (200, 201, 204), response.get_json()


# API5 Broken function level authorization: admin and CAIO-office functions
ADMIN_ONLY = [
    ("get", "/api/v1/users", None),
    ("post", "/api/v1/users", {"email": "new@city.example", "name": "New", "role": "admin"}),
    ("patch", "/api/v1/users/{me}", {"role": "admin"}),
    ("post", "/api/v1/users/{me}/tokens", {}),
    ("get", "/api/v1/users/{me}/tokens", None),
    ("delete", "/api/v1/projects/{project}", None),
    ("post", "/api/v1/imports?format=tracker", None),
]
CAIO_OFFICE_ONLY = [
    ("get", "/api/v1/audit", None),
    ("post", "/api/v1/scans", {"dry_run": True}),
    ("get", "/api/v1/alerts", None),
]


@pytest.mark.parametrize("role", ["viewer", "manager", "caio"])
@pytest.mark.parametrize("method,template,body", ADMIN_ONLY, ids=[f"{m} {t}" for m, t, _ in ADMIN_ONLY])
def test_admin_functions_refuse_everyone_else(make_caller, their_project, role, method, template, body):
    caller = make_caller(role)
    path = template.format(me=caller.user.id, **their_project)
    response = getattr(caller, method)(path, **({"json": body} if body is not None else {}))
    assert response.status_code == 403 and response.json["code"] == 403


@pytest.mark.parametrize("role", ["viewer", "manager"])
@pytest.mark.parametrize("method,template,body", CAIO_OFFICE_ONLY, ids=[f"{m} {t}" for m, t, _ in CAIO_OFFICE_ONLY])
def test_caio_office_functions_refuse_managers_and_viewers(make_caller, role, method, template, body):
    caller = make_caller(role)
    response = getattr(caller, method)(template, **({"json": body} if body is not None else {}))
    assert response.status_code == 403 and response.json["code"] == 403


@pytest.mark.parametrize("role", ["caio", "admin"])
@pytest.mark.parametrize("method,template,body", CAIO_OFFICE_ONLY, ids=[f"{m} {t}" for m, t, _ in CAIO_OFFICE_ONLY])
def test_caio_office_functions_serve_the_caio_office(make_caller, role, method, template, body):
    caller = make_caller(role)
    response = getattr(caller, method)(template, **({"json": body} if body is not None else {}))
    assert response.status_code in (200, 201)


# API3 Broken object property level authorization: no property a client should not set
@pytest.mark.parametrize(
    "path,field,value",
    [
        ("/api/v1/kpis/{kpi}", "project_id", 1),
        ("/api/v1/kpis/{kpi}", "id", 99),
        ("/api/v1/budget-lines/{line}", "project_id", 1),
        ("/api/v1/budget-lines/{line}", "created_at", "2020-01-01T00:00:00Z"),
    ],
)
def test_nested_objects_refuse_ids_and_timestamps_in_a_patch(other_manager, their_project, path, field, value):
    url = path.format(**their_project)
    before = other_manager.get(url).json
    response = other_manager.patch(url, json={field: value})
    assert response.status_code == 422 and field in response.json["errors"]["json"]
    assert other_manager.get(url).json == before


def test_no_response_carries_a_token_hash_or_a_secret(admin, manager):
    for path in ("/api/v1/users", f"/api/v1/users/{manager.user.id}/tokens", "/api/v1/me"):
        text = admin.get(path).get_data(as_text=True)
        assert "token_hash" not in text and manager.token not in text


# API4 Unrestricted resource consumption: bounds on every numeric query parameter
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects?page_size=101",
        "/api/v1/flags?page=0",
        "/api/v1/flags?project=99999999999999999999",
        "/api/v1/audit?page_size=100000",
        "/api/v1/projects/{project}/kpis?page=-3",
        "/api/v1/scans?page_size=0",
        "/api/v1/reports/portfolio?as_of=99999-01-01",
    ],
)
def test_numeric_query_parameters_are_bounded(caio, their_project, path):
    response = caio.get(path.format(**their_project))
    assert response.status_code == 422 and response.json["code"] == 422


# API8 Security misconfiguration
def test_answers_carry_security_headers_and_no_server_banner_details(client, manager):
    for response in (client.get("/api/v1/registry"), manager.get("/api/v1/projects"), client.get("/api/v1/nowhere")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Access-Control-Allow-Origin" not in response.headers
