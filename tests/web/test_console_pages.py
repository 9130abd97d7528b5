"""The console's reading pages and the front door through HTTP (SPEC "Reading"): what staff read
is what the API answers, and each page makes a fixed number of statements whatever the size."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests import factories
from tests.web.console import a_pilot_built_through_the_api, made, sign_in
from tests.web.pages import check_page, text_of
from tracker.extensions import db

TODAY = date.today()
SVG = "{http://www.w3.org/2000/svg}"  # html5lib puts inline SVG in its namespace


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:600]
    return check_page(response.get_data(as_text=True))


@pytest.fixture
def permits(manager):
    return a_pilot_built_through_the_api(manager)


def test_the_front_door_leads_residents_staff_and_developers_in_the_readers_language(client):
    for lang, heading in (("en", "The staff console"), ("ko", "직원 콘솔")):
        response = client.get(f"/?lang={lang}")
        assert response.status_code == 200 and response.headers["Cache-Control"].startswith("public")
        root = check_page(response.get_data(as_text=True))
        assert root.get("lang") == lang
        links = {a.text: a.get("href") for a in root.findall(".//ul[@class='doors']//a")}
        assert links[heading] == f"/console?lang={lang}"
        assert f"/registry?lang={lang}" in links.values() and "/api/v1/docs" in links.values()


def test_the_project_page_shows_every_part_with_money_and_kpis_formatted_for_the_reader(client, caio, permits):
    sign_in(client, caio.user)
    root = page(client, f"/console/projects/{permits['id']}?lang=en")
    text = text_of(root)
    assert text_of(root.find(".//h1")) == "CITY-PERMITS-01 민원 사전 검토 도우미"
    for part in ("Applicants wait weeks", "Pilot: since", "Planning", "Limited risk", "Applicants read the answers"):
        assert part in text, part
    # the timeline: drawn, then in words, oldest first
    assert root.find(f".//{SVG}svg[@class='timeline-chart']") is not None
    decisions = [text_of(li) for li in root.findall(".//ol[@class='timeline']/li")]
    assert "recorded in Proof of concept (PoC)" in decisions[0]
    assert "from Proof of concept (PoC) to Pilot" in decisions[1] and "86% of questions" in decisions[1]
    # money: every line, and totals per currency by Babel
    assert "€120,000.50" in text and "₩50,000,000" in text
    totals = {
        row.find("th").text: [text_of(td) for td in row.findall("td")]
        for row in root.findall(".//table")[1].iter("tr")
        if row.find("th") is not None and row.find("td") is not None
    }
    assert totals == {"EUR": ["€120,010.50", "€0.00", "€0.00"], "KRW": ["₩50,000,000", "₩0", "₩0"]}
    # the outcome KPI: progress, a chart with its baseline and target, then its measurements newest first
    kpi = root.find(".//article[@aria-labelledby]")
    assert "Days to a first answer" in text_of(kpi)
    assert "65.0%" in text_of(kpi)  # (31.125 - 42.5) / (25 - 42.5): the API's progress, 0.6500
    chart = kpi.find(f".//{SVG}svg[@class='kpi-chart']")
    assert chart.find(f".//{SVG}line[@class='baseline']") is not None
    assert chart.find(f".//{SVG}line[@class='target']") is not None
    assert len(chart.findall(f".//{SVG}circle")) == 3
    values = [text_of(row.findall("td")[1]) for row in kpi.findall(".//tbody/tr")]
    assert values == ["31.125", "35", "40.25"]
    # practices: all eight; audit for the CAIO office
    assert len(root.findall(".//section[@aria-labelledby='practices']//tbody/tr")) == 8
    assert root.find(".//section[@aria-labelledby='audit']") is not None


def test_the_next_step_is_judged_by_the_gate_the_api_uses(client, manager, caio, permits):
    sign_in(client, manager.user)
    root = page(client, f"/console/projects/{permits['id']}")
    steps = {h3.text.strip(): h3 for h3 in root.findall(".//section[@aria-labelledby='next-step']/h3")}
    assert [name.split(":")[0] for name in steps] == ["To Proof of concept (PoC)", "To Full rollout", "To Cancelled"]
    criteria = {
        li.get("data-criterion"): li.get("class")
        for li in root.findall(".//section[@aria-labelledby='next-step']//ul[@class='checks']/li")
    }
    unmet = sorted(code for code, state in criteria.items() if state == "unmet")
    # the API's gate, asked the same question, refuses with exactly those
    refused = manager.post(
        f"/api/v1/projects/{permits['id']}/transitions", json={"to_stage": "rollout", "rationale": "try"}
    )
    assert refused.status_code == 409
    assert unmet == sorted(refused.json["unmet"]) == ["registry_entry_required", "rollout_budget_approved_required"]
    assert criteria["outcome_measurement_required"] == "met"
    # once the money is approved, the page and the gate agree again
    line = manager.get(f"/api/v1/projects/{permits['id']}/budget-lines").json[-1]
    made(manager.patch(f"/api/v1/budget-lines/{line['id']}", json={"status": "approved"}), status=200)
    root = page(client, f"/console/projects/{permits['id']}")
    assert root.find(".//li[@data-criterion='rollout_budget_approved_required']").get("class") == "met"


def test_the_audit_trail_is_only_for_the_caio_office(client, app, manager, viewer, permits):
    for user in (manager.user, viewer.user):
        browser = app.test_client()
        sign_in(browser, user)
        root = page(browser, f"/console/projects/{permits['id']}")
        assert root.find(".//section[@aria-labelledby='audit']") is None
        assert "KPIs" in text_of(root)  # everyone reads the rest


def test_the_flags_of_a_project_come_unresolved_first_with_the_rules_explanation(client, caio, session):
    stalled = factories.ProjectFactory(stage="pilot", stage_entered_at=TODAY - timedelta(days=200))
    made(caio.post("/api/v1/scans", json={}))
    factories.FlagFactory(
        project=stalled,
        rule="risk_unassessed",
        status="resolved",
        opened_at=TODAY - timedelta(days=300),
        last_seen_at=TODAY - timedelta(days=250),
        resolved_at=TODAY - timedelta(days=249),
    )
    sign_in(client, caio.user)
    root = page(client, f"/console/projects/{stalled.id}?lang=ko")
    items = root.findall(".//section[@aria-labelledby='flags']//ul[@class='flag-list']/li")
    titles = [text_of(item.find("h3")) for item in items]
    assert titles[-1] == "위험 등급 미평가" and "시범사업 장기 정체" in titles[:-1]
    assert "200일" in text_of(items[titles.index("시범사업 장기 정체")])


def test_the_projects_list_filters_searches_counts_and_pages_50_at_a_time(client, viewer, permits, session):
    for n in range(55):
        factories.ProjectFactory(key=f"BULK-{n:03d}", title=f"Bulk project {n}", stage="poc", domain="safety")
    sign_in(client, viewer.user)
    root = page(client, "/console/projects?domain=safety")
    assert "55 projects" in text_of(root.find(".//p[@role='status']"))
    assert len(root.findall(".//tbody/tr")) == 50
    second = page(client, root.find(".//a[@rel='next']").get("href"))
    assert len(second.findall(".//tbody/tr")) == 5
    # the search: every word, inside words, in the key or the title, Korean too; never in other fields
    for q, keys in (("사전 검토", ["CITY-PERMITS-01"]), ("permits-0", ["CITY-PERMITS-01"]), ("applicants", [])):
        found = page(client, f"/console/projects?q={q}")
        assert [a.text for a in found.findall(".//tbody/tr/th/a")] == keys, q
    row = page(client, "/console/projects?q=CITY-PERMITS").find(".//tbody/tr")
    cells = [text_of(cell) for cell in row]
    assert cells[2:4] == ["Pilot", "80"] and cells[6] == "Limited risk (transparency duty)"
    # each row links to its project's page, keeping a language chosen by the address
    row = page(client, "/console/projects?q=CITY-PERMITS&lang=ko").find(".//tbody/tr")
    assert row.find("th/a").get("href") == f"/console/projects/{permits['id']}?lang=ko"
    assert [text_of(cell) for cell in row][2:4] == ["시범사업(파일럿)", "80"]


def test_the_owner_filter_lists_a_few_owners_and_takes_an_email_address_when_they_are_many(
    client, viewer, manager, session
):
    mine = factories.ProjectFactory(key="MINE-01", owner=manager.user)
    factories.ProjectFactory(key="THEIRS-01")
    sign_in(client, viewer.user)
    # few owners: a list, naming them; an email address in the query chooses one of them too
    root = page(client, f"/console/projects?owner={manager.user.email.upper()}")
    chosen = root.find(".//select[@id='owner']/option[@selected]")
    assert chosen.get("value") == str(manager.user.id) and chosen.text == manager.user.name
    assert [a.text for a in root.findall(".//tbody/tr/th/a")] == ["MINE-01"]
    # more owners than anyone could read in a list: a box for an email address, never 100 options
    factories.UserFactory.create_batch(100, role="manager")
    root = page(client, "/console/projects")
    assert root.find(".//select[@id='owner']") is None
    box = root.find(".//input[@id='owner']")
    assert box.get("type") == "email" and box.get("value") == ""
    root = page(client, f"/console/projects?owner={manager.user.email}")
    assert [a.text for a in root.findall(".//tbody/tr/th/a")] == ["MINE-01"]
    # a link naming the owner by id (as the API's filter does) shows their address in the box
    root = page(client, f"/console/projects?owner={mine.owner_id}&lang=ko")
    assert root.find(".//input[@id='owner']").get("value") == manager.user.email
    assert [a.text for a in root.findall(".//tbody/tr/th/a")] == ["MINE-01"]
    # an address nobody has: a 422 beside the box, what was typed kept, and the CSV refuses it too
    response = client.get("/console/projects?owner=nobody@city.example&lang=ko")
    assert response.status_code == 422
    root = check_page(response.get_data(as_text=True))
    assert {a.get("href") for a in root.find(".//div[@class='error-summary']").iter("a")} == {"#owner"}
    assert root.find(".//input[@id='owner']").get("value") == "nobody@city.example"
    assert "이 이메일 주소를 가진 사업 담당자가 없습니다" in text_of(root.find(".//div[@class='error-summary']"))
    assert client.get("/console/projects.csv?owner=nobody@city.example").status_code == 422
    # the box tells no one whether a user who owns nothing and may not (a viewer) has an address, or what it is
    reader = factories.UserFactory(role="viewer", email="reader@city.example", name="Reader")
    assert client.get(f"/console/projects?owner={reader.email}").status_code == 422
    root = page(client, f"/console/projects?owner={reader.id}")
    assert root.find(".//input[@id='owner']").get("value") == str(reader.id)
    assert reader.email not in text_of(root) and "No project matches" in text_of(root)


def test_the_filters_lists_show_a_new_department_and_a_new_owner_at_once(client, viewer, manager, admin):
    sign_in(client, viewer.user)

    def listed(root, name):
        return [option.text for option in root.findall(f".//select[@id='{name}']/option")]

    before = page(client, "/console/projects")  # read once, and kept while nothing changes
    assert "Harbour Office" not in listed(before, "department") and "김지우" not in listed(before, "owner")
    made(admin.post("/api/v1/users", json={"email": "jiwoo@city.example", "name": "김지우", "role": "manager"}))
    made(
        manager.post(
            "/api/v1/projects",
            json={
                "key": "HARBOUR-01",
                "title": "Berths",
                "domain": "mobility",
                "ai_type": "optimization",
                "department": "Harbour Office",
            },
        )
    )
    after = page(client, "/console/projects")
    assert "Harbour Office" in listed(after, "department") and "김지우" in listed(after, "owner")


def test_a_filter_that_cannot_be_read_is_a_422_naming_it_in_the_readers_words(client, viewer):
    sign_in(client, viewer.user)
    response = client.get("/console/projects?stage=somewhere&owner=abc&lang=ko")
    assert response.status_code == 422
    root = check_page(response.get_data(as_text=True))
    summary = root.find(".//div[@class='error-summary']")
    assert {a.get("href") for a in summary.iter("a")} == {"#stage", "#owner"}
    assert "목록에서 단계를 선택하십시오" in text_of(summary)
    assert root.find(".//select[@id='stage']").get("aria-invalid") == "true"


def test_the_csv_has_the_rows_of_the_apis_projects_csv_for_the_same_filters(client, viewer, permits, session):
    factories.ProjectFactory(key="OTHER-01", stage="poc")
    sign_in(client, viewer.user)
    for query in ("", "stage=pilot", "risk_tier=limited&flagged=false"):
        console = client.get(f"/console/projects.csv?{query}")
        api = viewer.get(f"/api/v1/reports/projects.csv?{query}")
        assert console.status_code == api.status_code == 200 and console.mimetype == "text/csv"
        assert console.get_data() == api.get_data(), query
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/console/projects.csv?q=permits").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    assert [row["key"] for row in rows] == ["CITY-PERMITS-01"]


def dashboard_figures(root) -> dict[str, str]:
    """The headline figures of the dashboard (the charts' tables are not <dl>s)."""
    portfolio = root.find(".//section[@aria-labelledby='portfolio']")
    return {dt.text: dd.text for dt, dd in zip(portfolio.iter("dt"), portfolio.iter("dd"), strict=True)}


def test_the_dashboard_shows_an_owners_flags_first_and_the_figures_of_the_report_and_trend(
    client, app, caio, manager, permits
):
    stalled = factories.ProjectFactory(stage="pilot", stage_entered_at=TODAY - timedelta(days=200), owner=manager.user)
    made(caio.post("/api/v1/scans", json={}))
    sign_in(client, manager.user)
    root = page(client, "/console?lang=en")
    sections = [section.get("aria-labelledby") for section in root.findall(".//main/section")]
    assert sections == ["own-flags", "portfolio", "quarters"]
    own = root.find(".//section[@aria-labelledby='own-flags']")
    assert {a.text for a in own.findall(".//h3/a")} == {stalled.key}
    report = manager.get("/api/v1/reports/portfolio").json
    trend = manager.get("/api/v1/reports/trend").json
    now = trend["periods"][-1]
    figures = dashboard_figures(root)
    assert figures["Pilot"] == str(report["stages"]["pilot"]) == "2"
    assert figures["Pilots in purgatory now (more than 180 days in pilot)"] == str(now["purgatory"]["at_end"]) == "1"
    assert figures["Pilot → Full rollout this quarter"] == str(now["moves"]["pilot_to_rollout"])
    assert figures["Median time from pilot to rollout"] == "not reached"
    assert figures["Share of pilots reaching rollout within 365 days"] == "n/a"
    assert figures["Pilots with an approved rollout budget line"] == "0 of 2"
    # eight quarters, each with its stage counts and purgatory as the trend has them
    quarters = root.find(".//section[@aria-labelledby='quarters']")
    assert len(quarters.findall(f".//{SVG}svg")) == 2
    tables = quarters.findall(".//table")
    rows = tables[0].findall("./tbody/tr")
    assert [row.find("th").text.split()[0] for row in rows] == [p["label"] for p in trend["periods"]]
    assert len(rows) == 8
    assert rows[-1].findall("td")[1].text.split()[0] == str(now["stages"]["pilot"])
    assert tables[1].findall("./tbody/tr")[-1].findall("td")[-1].text == "1"
    # the filters apply to every figure, as to the report's and the trend's
    filtered = page(client, "/console?domain=mobility&lang=en")
    assert dashboard_figures(filtered)["Pilot"] == "1"
    mobility = manager.get("/api/v1/reports/trend?domain=mobility").json["periods"][-1]
    assert dashboard_figures(filtered)["Pilots in purgatory now (more than 180 days in pilot)"] == str(
        mobility["purgatory"]["at_end"]
    )
    # a viewer owns nothing: no own-flags section
    browser = app.test_client()
    sign_in(browser, factories.UserFactory(role="viewer"))
    assert page(browser, "/console").find(".//section[@aria-labelledby='own-flags']") is None


def test_the_flags_page_shows_unresolved_flags_of_the_owners_projects_by_default(client, caio, manager, session):
    mine = factories.ProjectFactory(stage="pilot", stage_entered_at=TODAY - timedelta(days=200), owner=manager.user)
    factories.ProjectFactory(stage="poc", stage_entered_at=TODAY - timedelta(days=100))
    made(caio.post("/api/v1/scans", json={}))
    sign_in(client, manager.user)
    root = page(client, "/console/flags")
    assert {a.text for a in root.findall(".//ul[@class='flag-list']//h3/a")} == {mine.key}
    everyone = page(client, "/console/flags?mine=false&rule=poc_stalled")
    assert len(everyone.findall(".//ul[@class='flag-list']/li")) == 1
    assert "longer than the 90 days allowed" in text_of(everyone)
    assert page(client, "/console/flags?status=resolved").find(".//ul[@class='flag-list']") is None


def statements(app, url, client) -> int:
    """The statements a page makes at most: the filters' lists read again, as after any change."""
    app.extensions.pop("tracker.console.filter_lists", None)
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    sa.event.listen(db.engine, "before_cursor_execute", counted)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counted)
    return count


def grow(project, n: int) -> None:
    """More of everything a project page lists."""
    for k in range(n):
        kpi = factories.OutcomeKpiFactory(project=project, name=f"Outcome {k}")
        for d in range(3):
            factories.MeasurementFactory(kpi=kpi, value=Decimal(k + d), measured_on=TODAY - timedelta(days=d))
        factories.BudgetLineFactory(project=project, fiscal_year=2026 + k)
        factories.FlagFactory(
            project=project,
            rule="no_kpis" if k % 2 else "stale_reporting",
            status="resolved",
            opened_at=TODAY - timedelta(days=k + 2),
            resolved_at=TODAY - timedelta(days=k + 1),
        )


def test_every_console_page_makes_the_same_number_of_statements_whatever_the_size(app, client, caio, session):
    small = factories.ProjectFactory(stage="pilot", owner=caio.user)
    large = factories.ProjectFactory(stage="pilot", owner=caio.user)
    grow(small, 1)
    grow(large, 12)
    sign_in(client, caio.user)
    client.get("/console")  # the session's first page keeps its CSRF secret: one write, once
    assert statements(app, f"/console/projects/{small.id}", client) == statements(
        app, f"/console/projects/{large.id}", client
    )
    before = {
        url: statements(app, url, client)
        for url in ("/console", "/console/projects", "/console/flags?mine=false&status=all", "/console/reports")
    }
    for _ in range(40):
        grow(factories.ProjectFactory(stage="pilot"), 1)
    after = {url: statements(app, url, client) for url in before}
    assert before == after
