"""projects.csv: one row per project, UTF-8 with a BOM, streamed, with money per stage and currency."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.db import utcnow
from tracker.extensions import db

URL = "/api/v1/reports/projects.csv"
MEASURES = ("planned", "approved", "spent")


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.fixture
def portfolio(manager, session):
    kim = factories.UserFactory(name="김민지", email="minji.kim@seoul.example")
    seoul = factories.ProjectFactory(
        owner=kim, stage="pilot", stage_entered_at=date(2025, 1, 1), domain="mobility", department="교통정책과"
    )
    lyon = factories.ProjectFactory(
        owner=manager.user, stage="poc", domain="environment", department="Direction de l'Économie numérique"
    )
    bare = factories.ProjectFactory(owner=manager.user, stage="rollout", domain="mobility", department="Transport")

    # seoul: EUR and KRW lines (a multi-currency project)
    # pilot EUR planned 3 x 0.10 = 0.30; approved 100.00 with 12.34 spent; rollout KRW approved 5000000
    for _ in range(3):
        factories.BudgetLineFactory(project=seoul, stage="pilot", currency="EUR", amount=Decimal("0.10"))
    factories.BudgetLineFactory(
        project=seoul, stage="pilot", currency="EUR", amount=Decimal(100), status="approved", spent=Decimal("12.34")
    )
    factories.BudgetLineFactory(
        project=seoul, stage="rollout", currency="KRW", amount=Decimal(5_000_000), status="approved"
    )
    # lyon: USD poc planned 19.99
    factories.BudgetLineFactory(project=lyon, stage="poc", amount=Decimal("19.99"))

    # seoul KPIs: 1 input, 2 output, 2 outcome. The latest outcome measurement is 30 on 2025-05-01
    # on the KPI with baseline 42.5 and target 25: (30 - 42.5) / (25 - 42.5) = 12.5 / 17.5 = 0.714285... -> 0.7143
    factories.KpiFactory(project=seoul, kind="input")
    factories.KpiFactory(project=seoul, kind="output")
    factories.KpiFactory(project=seoul, kind="output")
    wait_time = factories.OutcomeKpiFactory(project=seoul)
    accidents = factories.OutcomeKpiFactory(project=seoul, name="Accidents", baseline=Decimal(100), target=Decimal(50))
    factories.MeasurementFactory(kpi=wait_time, value=Decimal(40), measured_on=date(2025, 3, 1))
    factories.MeasurementFactory(kpi=wait_time, value=Decimal(30), measured_on=date(2025, 5, 1))
    factories.MeasurementFactory(kpi=accidents, value=Decimal(90), measured_on=date(2025, 4, 1))
    # lyon: an input KPI only
    factories.KpiFactory(project=lyon, kind="input")

    # seoul: two unresolved flags (one acknowledged) and a resolved one, which is not listed
    today = utcnow().date()
    factories.FlagFactory(project=seoul, rule="pilot_purgatory", opened_at=today, last_seen_at=today)
    factories.FlagFactory(
        project=seoul, rule="no_scale_budget", status="acknowledged", opened_at=today, last_seen_at=today
    )
    factories.FlagFactory(
        project=seoul,
        rule="stale_reporting",
        status="resolved",
        opened_at=today,
        last_seen_at=today,
        resolved_at=today,
    )
    return {"seoul": seoul, "lyon": lyon, "bare": bare, "kim": kim}


def by_key(rows: list[dict]) -> dict[str, dict]:
    return {row["key"]: row for row in rows}


def test_one_row_per_project_streamed_with_a_bom_and_non_ascii_text_intact(viewer, portfolio):
    response = viewer.get(URL)
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == 'attachment; filename="projects.csv"'
    rows = by_key(read_csv(response))
    assert set(rows) == {portfolio[name].key for name in ("seoul", "lyon", "bare")}
    seoul, lyon = rows[portfolio["seoul"].key], rows[portfolio["lyon"].key]
    assert seoul["title"] == portfolio["seoul"].title  # a real federal title, as written
    assert seoul["department"] == "교통정책과"
    assert lyon["department"] == "Direction de l'Économie numérique"
    assert seoul["owner_email"] == "minji.kim@seoul.example"
    assert (seoul["domain"], seoul["stage"], seoul["stage_entered_at"]) == ("mobility", "pilot", "2025-01-01")
    assert seoul["days_in_stage"] == str((utcnow().date() - date(2025, 1, 1)).days)
    assert lyon["days_in_stage"] == "0"  # entered today


def test_a_download_cut_short_gives_its_database_connection_back(viewer, portfolio):
    in_use = db.engine.pool.checkedout()
    response = viewer.get(URL)
    first_chunk = next(iter(response.response))
    assert first_chunk.startswith(b"\xef\xbb\xbfkey,title,")
    assert db.engine.pool.checkedout() == in_use + 1  # the rows' own connection, still reading
    response.close()  # what the WSGI server does when the client hangs up
    assert db.engine.pool.checkedout() == in_use


def test_money_comes_in_one_column_group_per_currency_exact_to_the_minor_unit(viewer, portfolio):
    rows = read_csv(viewer.get(URL))
    # EUR and KRW are present, USD is present and the default currency: a group of nine each
    money_columns = [c for c in rows[0] if c.split("_")[-1] in {"EUR", "KRW", "USD"}]
    assert money_columns == [
        f"{stage}_{measure}_{currency}"
        for currency in ("EUR", "KRW", "USD")
        for stage in ("poc", "pilot", "rollout")
        for measure in MEASURES
    ]
    seoul = by_key(rows)[portfolio["seoul"].key]
    # pilot EUR: planned 0.10 x 3 = 0.30, approved 100.00, spent 12.34 (0 + 0 + 0 + 12.34)
    assert (seoul["pilot_planned_EUR"], seoul["pilot_approved_EUR"], seoul["pilot_spent_EUR"]) == (
        "0.30",
        "100.00",
        "12.34",
    )
    # rollout KRW: one approved line, no planned line (empty), nothing spent
    assert (seoul["rollout_planned_KRW"], seoul["rollout_approved_KRW"], seoul["rollout_spent_KRW"]) == (
        "",
        "5000000",
        "0",
    )
    # no line at all in a stage and currency: empty cells
    assert seoul["poc_planned_EUR"] == seoul["pilot_planned_USD"] == ""
    lyon = by_key(rows)[portfolio["lyon"].key]
    assert (lyon["poc_planned_USD"], lyon["poc_approved_USD"], lyon["poc_spent_USD"]) == ("19.99", "", "0.00")
    bare = by_key(rows)[portfolio["bare"].key]
    assert all(bare[column] == "" for column in money_columns)


def test_a_portfolio_without_budget_lines_still_has_the_default_currency_columns(viewer):
    factories.ProjectFactory()
    header = list(read_csv(viewer.get(URL))[0])
    assert [c for c in header if c.endswith("_USD")] == [
        f"{stage}_{measure}_USD" for stage in ("poc", "pilot", "rollout") for measure in MEASURES
    ]


def test_kpi_counts_latest_outcome_progress_and_open_flags(viewer, portfolio):
    rows = by_key(read_csv(viewer.get(URL)))
    seoul = rows[portfolio["seoul"].key]
    assert (seoul["kpis_input"], seoul["kpis_output"], seoul["kpis_outcome"]) == ("1", "2", "2")
    assert seoul["outcome_progress"] == "0.7143"
    # unresolved flags in rule order; the resolved stale_reporting is not listed
    assert seoul["open_flags"] == "pilot_purgatory;no_scale_budget"
    lyon = rows[portfolio["lyon"].key]
    assert (lyon["kpis_input"], lyon["kpis_output"], lyon["kpis_outcome"]) == ("1", "0", "0")
    assert lyon["outcome_progress"] == lyon["open_flags"] == ""


def test_filters_work_like_the_projects_list(viewer, portfolio):
    def keys(**query) -> set[str]:
        return set(by_key(read_csv(viewer.get(URL, query_string=query))))

    seoul, lyon, bare = (portfolio[name].key for name in ("seoul", "lyon", "bare"))
    assert keys(stage="pilot") == {seoul}
    assert keys(domain="mobility") == {seoul, bare}
    assert keys(department="Direction de l'Économie numérique") == {lyon}
    assert keys(owner=portfolio["kim"].id) == {seoul}
    assert keys(flagged="true") == {seoul}
    assert keys(domain="mobility", stage="poc") == set()
    # the money groups follow the selection: only the default currency when lyon alone is chosen
    header = list(read_csv(viewer.get(URL, query_string={"department": "Direction de l'Économie numérique"}))[0])
    assert not any(c.endswith(("_EUR", "_KRW")) for c in header)


@pytest.mark.parametrize("query", [{"stage": "purgatory"}, {"owner": "me"}, {"owner": "0"}, {"domain": "x" * 65}])
def test_a_bad_filter_is_refused_with_422_json(viewer, query):
    refused = viewer.get(URL, query_string=query)
    assert refused.status_code == 422 and refused.mimetype == "application/json"
    assert set(refused.json["errors"]["query"]) == set(query)


def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted(viewer, manager):
    project = factories.ProjectFactory(owner=manager.user, title='=HYPERLINK("x") permits', department="-Finance")
    row = by_key(read_csv(viewer.get(URL)))[project.key]
    assert row["title"] == '\'=HYPERLINK("x") permits'
    assert row["department"] == "'-Finance"


def test_the_export_needs_a_token(client):
    refused = client.get(URL)
    assert refused.status_code == 401 and refused.json["code"] == 401


def test_the_openapi_document_describes_a_csv_response(client):
    operation = client.get("/api/v1/openapi.json").json["paths"][URL]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"text/csv"}
    assert {p["name"] for p in operation["parameters"]} == {
        "stage",
        "domain",
        "department",
        "owner",
        "flagged",
        "risk_tier",
    }


def count_statements(caller) -> int:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        rows = read_csv(caller.get(URL))  # the rows are read while the body streams
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements), len(rows)


def add_projects(n: int) -> None:
    for i in range(n):
        project = factories.ProjectFactory(stage_entered_at=utcnow().date() - timedelta(days=i))
        kpi = factories.OutcomeKpiFactory.build(project=project)
        db.session.add_all(
            [
                kpi,
                factories.BudgetLineFactory.build(
                    project=project, currency="EUR" if i % 2 else "KRW", amount=Decimal(i)
                ),
                factories.FlagFactory.build(project=project),
            ]
        )
        db.session.flush()
        db.session.add(factories.MeasurementFactory.build(kpi=kpi, value=Decimal(i)))
    db.session.commit()


def test_the_export_takes_the_same_number_of_queries_for_5_and_for_50_projects(viewer):
    add_projects(5)
    few, rows = count_statements(viewer)
    assert rows == 5
    add_projects(45)
    many, rows = count_statements(viewer)
    assert rows == 50
    # the token, the currencies present, the rows
    assert few == many == 3
