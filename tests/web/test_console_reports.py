"""The console's reports through HTTP (SPEC "Reading": `/console/reports` and a frozen pack;
"Writing": freezing a council pack): the figures, charts and CSV are the API's for the same
choices, a choice that cannot be read is a 422 naming it, and only the CAIO office freezes."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.web.console import a_pilot_built_through_the_api, csrf_of, made, sign_in
from tests.web.pages import check_page, text_of
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.snapshots.models import Snapshot

TODAY = date.today()
SVG = "{http://www.w3.org/2000/svg}"
CHOICES = {"period": "month", "from": (TODAY - timedelta(days=100)).isoformat(), "domain": "mobility"}


def page(client, url, status=200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:600]
    return check_page(response.get_data(as_text=True))


def section(root, name: str):
    found = root.find(f".//main/section[@aria-labelledby='{name}']")
    assert found is not None, name
    return found


def table_after(root, heading: str):
    """The table of the section headed `heading` (each chart is followed by its table)."""
    for part in root.iter("section"):
        title = part.find("./h3")
        if title is not None and title.text == heading:
            return part.find(".//table")
    raise AssertionError(f"no section headed {heading}")


@pytest.fixture
def portfolio(manager, caio):
    """A manager's pilot built through the API, a stalled pilot in mobility, a PoC elsewhere, and a scan."""
    a_pilot_built_through_the_api(manager)
    factories.ProjectFactory(
        stage="pilot", domain="mobility", stage_entered_at=TODAY - timedelta(days=200), owner=manager.user
    )
    factories.ProjectFactory(stage="poc", domain="health", stage_entered_at=TODAY - timedelta(days=20))
    made(caio.post("/api/v1/scans", json={}))


def test_the_reports_show_the_apis_portfolio_report_and_trend_for_the_chosen_range(client, viewer, portfolio):
    sign_in(client, viewer.user)
    root = page(client, "/console/reports?lang=en")
    report = viewer.get("/api/v1/reports/portfolio").json
    trend = viewer.get("/api/v1/reports/trend").json
    stages = table_after(section(root, "portfolio-report"), "Projects by stage")
    counts = {row.find("td").text: row.findall("td")[1].text for row in stages.findall("./tbody/tr")}
    assert counts["Pilot"] == str(report["stages"]["pilot"]) == "2"
    assert counts["Proof of concept (PoC)"] == str(report["stages"]["poc"])
    over_time = section(root, "over-time")
    rows = table_after(over_time, "Projects by stage").findall("./tbody/tr")
    assert [row.find("th").text.split()[0] for row in rows] == [p["label"] for p in trend["periods"]]
    purgatory = table_after(over_time, "Pilot purgatory").findall("./tbody/tr")
    assert [row.findall("td")[-1].text for row in purgatory] == [
        str(p["purgatory"]["at_end"]) for p in trend["periods"]
    ]
    assert len(over_time.findall(f".//{SVG}svg")) == 4  # stages, moves out of pilot, purgatory, time to rollout
    assert len(section(root, "portfolio-report").findall(f".//{SVG}svg")) >= 3

    # the choices reach both reports as they reach the API
    chosen = page(client, "/console/reports", query_string={**CHOICES, "as_of": CHOICES["from"], "lang": "en"})
    monthly = viewer.get("/api/v1/reports/trend", query_string=CHOICES).json
    rows = table_after(section(chosen, "over-time"), "Projects by stage").findall("./tbody/tr")
    assert [row.find("th").text.split()[0] for row in rows] == [p["label"] for p in monthly["periods"]]
    assert len(rows) >= 4  # every month from 100 days ago, the last one partial
    then = viewer.get("/api/v1/reports/portfolio", query_string={"as_of": CHOICES["from"], "domain": "mobility"}).json
    stages = table_after(section(chosen, "portfolio-report"), "Projects by stage")
    counts = {row.find("td").text: row.findall("td")[1].text for row in stages.findall("./tbody/tr")}
    assert counts["Pilot"] == str(then["stages"]["pilot"]) == "1"  # the stalled one; the permits pilot was not yet


def test_the_csv_files_are_the_apis_for_the_same_choices(client, viewer, portfolio):
    sign_in(client, viewer.user)
    csv = {"Accept": "text/csv"}
    console = client.get("/console/reports/portfolio.csv", query_string={"domain": "mobility"})
    api = viewer.get("/api/v1/reports/portfolio", query_string={"domain": "mobility"}, headers=csv)
    assert console.status_code == 200 and console.mimetype == "text/csv"
    assert console.get_data(as_text=True) == api.get_data(as_text=True)
    assert "attachment" in console.headers["Content-Disposition"]
    console = client.get("/console/reports/trend.csv", query_string=CHOICES)
    api = viewer.get("/api/v1/reports/trend", query_string=CHOICES, headers=csv)
    assert console.get_data(as_text=True) == api.get_data(as_text=True)
    assert console.get_data(as_text=True).count("\n") == 1 + len(
        viewer.get("/api/v1/reports/trend", query_string=CHOICES).json["periods"]
    )
    # the page links to them with its choices
    root = page(client, "/console/reports", query_string=CHOICES)
    links = {a.get("href") for a in root.iter("a")}
    assert any(href.startswith("/console/reports/trend.csv?period=month&from=") for href in links)


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"to": (TODAY + timedelta(days=1)).isoformat()}, "to", "The date must be today or earlier"),
        (
            {"from": TODAY.isoformat(), "to": (TODAY - timedelta(days=1)).isoformat()},
            "from",
            "The start must not be after the end",
        ),
        ({"period": "fortnight"}, "period", "Choose a period from the list"),
        ({"period": "month", "from": "2000-01-01"}, "from", "at most 120"),
        ({"as_of": "2026-02-30"}, "as_of", "Enter a real date"),
        ({"as_of": (TODAY + timedelta(days=1)).isoformat()}, "as_of", "today or earlier"),
    ],
)
def test_a_choice_that_cannot_be_read_is_a_422_naming_it_in_the_readers_words(client, viewer, query, field, words):
    sign_in(client, viewer.user)
    root = page(client, "/console/reports", status=422, query_string={**query, "lang": "en"})
    summary = root.find(".//div[@class='error-summary']")
    assert [a.get("href") for a in summary.iter("a")] == [f"#{field}"]
    assert words.lower() in text_of(summary).lower()
    assert root.find(".//section[@aria-labelledby='over-time']") is None
    # in Korean too
    korean = page(client, "/console/reports", status=422, query_string={**query, "lang": "ko"})
    assert text_of(korean.find(".//div[@class='error-summary']")) != text_of(summary)
    assert client.get("/console/reports/trend.csv", query_string=query).status_code == 422 or field == "as_of"


def freeze(client, data: dict, page_url: str = "/console/reports"):
    token = csrf_of(client.get(page_url).get_data(as_text=True))
    return client.post("/console/reports/snapshots", data={"csrf_token": token, **data})


def test_the_caio_office_freezes_a_council_pack_that_later_changes_never_reach(client, caio, viewer, portfolio):
    sign_in(client, caio.user)
    root = page(client, "/console/reports", query_string=CHOICES)
    form = root.find(".//form[@action='/console/reports/snapshots']")
    hidden = {i.get("name"): i.get("value") for i in form.iter("input") if i.get("type") == "hidden"}
    # the range as resolved: the first month's first day
    start = date.fromisoformat(CHOICES["from"]).replace(day=1).isoformat()
    assert (hidden["period"], hidden["from"], hidden["to"], hidden["domain"]) == (
        "month",
        start,
        TODAY.isoformat(),
        "mobility",
    )
    response = client.post("/console/reports/snapshots", data={**hidden, "title": "Council, December review"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/console/reports?period=month&from=")
    after = page(client, response.headers["Location"] + "&lang=en")
    assert "Council pack frozen: Council, December review." in text_of(after.find(".//div[@role='status']"))
    packs = caio.get("/api/v1/reports/snapshots").json
    assert [(p["title"], p["created_by"], p["parameters"]["period"]) for p in packs] == [
        ("Council, December review", caio.user.id, "month")
    ]
    frozen = caio.get(f"/api/v1/reports/snapshots/{packs[0]['id']}").json
    assert frozen["trend"] == caio.get("/api/v1/reports/trend", query_string=CHOICES).json
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "snapshot")).one()
    assert (event.actor_id, event.source, event.action) == (caio.user.id, "console", "create")

    # a later change never reaches the frozen pack's page
    url = f"/console/reports/snapshots/{packs[0]['id']}"
    links = section(after, "packs").iter("a")
    assert [a.text for a in links if a.get("href") == url + "?lang=en"] == ["Council, December review"]
    before = text_of(page(client, url + "?lang=en").find(".//main"))
    factories.ProjectFactory(stage="pilot", domain="mobility", stage_entered_at=TODAY - timedelta(days=300))
    assert text_of(page(client, url + "?lang=en").find(".//main")) == before
    assert "made by" in before and "Council, December review" in before
    live = table_after(section(page(client, "/console/reports", query_string=CHOICES), "over-time"), "Pilot purgatory")
    assert live.findall("./tbody/tr")[-1].findall("td")[-1].text == "2"
    csv = client.get(url + ".csv")
    assert csv.get_data(as_text=True) == caio.get(
        f"/api/v1/reports/snapshots/{packs[0]['id']}", headers={"Accept": "text/csv"}
    ).get_data(as_text=True)
    assert client.get("/console/reports/snapshots/999999").status_code == 404


def test_a_pack_without_a_title_comes_back_with_the_error_and_nothing_is_frozen(client, caio):
    sign_in(client, caio.user)
    response = freeze(client, {"title": "   ", "period": "year"})
    assert response.status_code == 422
    root = check_page(response.get_data(as_text=True))
    # the page it came from, with the range the form carried
    assert root.find(".//select[@id='period']/option[@selected]").get("value") == "year"
    rows = table_after(section(root, "over-time"), "Projects by stage").findall("./tbody/tr")
    yearly = caio.get("/api/v1/reports/trend?period=year").json["periods"]
    assert [row.find("th").text.split()[0] for row in rows] == [p["label"] for p in yearly]
    assert [a.get("href") for a in root.find(".//div[@class='error-summary']").iter("a")] == ["#title"]
    assert "Enter the title of the pack" in text_of(root.find(".//span[@id='title-error']"))
    assert root.find(".//details[@open]//input[@id='title']") is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == 0
    # a range the API refuses is told by its field, and nothing is frozen either
    response = freeze(client, {"title": "Next year", "to": (TODAY + timedelta(days=30)).isoformat()})
    assert response.status_code == 422
    summary = check_page(response.get_data(as_text=True)).find(".//div[@class='error-summary']")
    assert [a.get("href") for a in summary.iter("a")] == ["#to"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == 0


@pytest.mark.parametrize("role", ["viewer", "manager"])
def test_only_the_caio_office_sees_and_may_use_the_freeze_form(client, make_caller, role):
    user = make_caller(role).user
    sign_in(client, user)
    root = page(client, "/console/reports")
    assert root.find(".//form[@action='/console/reports/snapshots']") is None
    response = freeze(client, {"title": "Mine", "period": "quarter"})
    assert response.status_code == 403
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == 0


def test_freezing_needs_the_forms_token_and_a_session(client, app, caio):
    sign_in(client, caio.user)
    response = client.post("/console/reports/snapshots", data={"title": "No token"})
    assert response.status_code == 400
    stranger = app.test_client()
    response = stranger.post("/console/reports/snapshots", data={"title": "No session"})
    assert response.status_code == 303 and "/console/sign-in" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == 0


def test_the_console_draws_charts_in_the_printable_reports_own_style(client, viewer):
    style = client.get("/assets/charts.css")
    assert style.status_code == 200 and style.mimetype == "text/css"
    assert "svg.chart .series-pilot" in style.get_data(as_text=True)
    printable = viewer.get("/api/v1/reports/trend", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert style.get_data(as_text=True).strip() in printable
    sign_in(client, viewer.user)
    root = page(client, "/console/reports")
    assert "/assets/charts.css" in {link.get("href") for link in root.iter("link")}
    # the reports' CSV is one person's download, as the pages are
    assert client.get("/console/reports/trend.csv").headers["Cache-Control"] == "no-store"
