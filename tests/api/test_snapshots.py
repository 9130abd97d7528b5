"""Frozen council packs: what a council was shown reads the same a year later."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.api.test_trend import RANGE, URL, hand_worked_portfolio
from tracker.snapshots.models import Snapshot

SNAPSHOTS = "/api/v1/reports/snapshots"
PACK = {"title": "Council, 2025-Q3 review", **RANGE}


@pytest.fixture
def portfolio(app, session):
    return hand_worked_portfolio(app)


def freeze(caller, **body):
    response = caller.post(SNAPSHOTS, json={**PACK, **body})
    assert response.status_code == 201, response.json
    return response


def test_a_frozen_pack_stores_the_trend_and_the_portfolio_report_as_they_read(caio, viewer, portfolio):
    response = freeze(caio)
    body = response.json
    assert response.headers["Location"] == f"{SNAPSHOTS}/{body['id']}"
    assert (body["title"], body["created_by"], body["created_by_name"]) == (PACK["title"], caio.user.id, caio.user.name)
    assert body["parameters"] == {
        "period": "quarter", "from": "2025-01-01", "to": "2025-08-15", "domain": None, "department": None,
    }  # fmt: skip
    assert body["trend"] == viewer.get(URL, query_string=RANGE).json
    assert body["portfolio"] == viewer.get("/api/v1/reports/portfolio", query_string={"as_of": "2025-08-15"}).json
    assert viewer.get(response.headers["Location"]).json == body


def test_later_edits_never_change_a_frozen_pack(caio, viewer, portfolio):
    frozen = freeze(caio).json
    # the past is edited: a budget line re-dated, a decision recorded late, a line deleted
    factories.BudgetLineFactory(
        project=portfolio["E"],
        stage="rollout",
        status="approved",
        planned_on=date(2025, 1, 2),
        approved_on=date(2025, 1, 3),
    )
    factories.ProjectFactory(stage="pilot", stage_entered_at=date(2025, 1, 5))
    live = viewer.get(URL, query_string=RANGE).json
    assert live["periods"][0]["stages"] != frozen["trend"]["periods"][0]["stages"]
    assert live["periods"][-1]["funding"] != frozen["trend"]["periods"][-1]["funding"]
    again = viewer.get(f"{SNAPSHOTS}/{frozen['id']}").json
    assert again == frozen


def test_the_list_is_newest_first_paginated_and_without_figures(caio, admin, viewer, portfolio):
    first = freeze(caio, title="first").json
    second = freeze(admin, title="second", period="month").json
    listed = viewer.get(SNAPSHOTS)
    assert listed.headers["X-Total-Count"] == "2"
    assert [item["id"] for item in listed.json] == [second["id"], first["id"]]
    assert set(listed.json[0]) == {"id", "title", "created_at", "created_by", "created_by_name", "parameters"}
    assert listed.json[0]["parameters"]["period"] == "month"
    page = viewer.get(SNAPSHOTS, query_string={"page": 2, "page_size": 1}).json
    assert [item["title"] for item in page] == ["first"]


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_only_the_caio_office_freezes_a_pack(make_caller, session, role, portfolio):
    refused = make_caller(role).post(SNAPSHOTS, json=PACK)
    assert refused.status_code == 403
    assert session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == 0


def test_only_an_admin_deletes_a_pack_and_the_audit_trail_records_it(caio, admin, viewer, portfolio):
    frozen = freeze(caio).json
    url = f"{SNAPSHOTS}/{frozen['id']}"
    assert caio.delete(url).status_code == 403 and viewer.delete(url).status_code == 403
    assert viewer.get(url).status_code == 200
    assert admin.delete(url).status_code == 204
    assert viewer.get(url).status_code == 404
    trail = admin.get("/api/v1/audit", query_string={"entity": "snapshot"}).json
    assert [(event["action"], event["entity_id"], event["actor_id"]) for event in trail] == [
        ("delete", frozen["id"], admin.user.id),
        ("create", frozen["id"], caio.user.id),
    ]
    assert trail[0]["changes"]["title"] == {"before": PACK["title"], "after": None}
    assert "trend" not in trail[0]["changes"]  # the figures are not copied into the trail


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": None}, "title"),
        ({"to": (date.today() + timedelta(days=1)).isoformat()}, "to"),
        ({"from": "2025-09-01"}, "from"),
        ({"period": "week"}, "period"),
        ({"period": "month", "from": "2001-01-01"}, "from"),
        ({"to": "2025-13-01"}, "to"),
    ],
)
def test_bad_parameters_are_a_422_naming_the_field_and_nothing_is_stored(caio, session, body, field):
    refused = caio.post(SNAPSHOTS, json={**PACK, **body})
    assert refused.status_code == 422, refused.json
    assert set(refused.json["errors"]["json"]) == {field}
    assert session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == 0


def test_a_pack_without_a_title_is_refused(caio):
    refused = caio.post(SNAPSHOTS, json=RANGE)
    assert refused.status_code == 422 and set(refused.json["errors"]["json"]) == {"title"}


def test_the_frozen_pack_prints_from_its_stored_figures_and_its_csv_is_the_stored_trend(caio, viewer, portfolio):
    frozen = freeze(caio).json
    url = f"{SNAPSHOTS}/{frozen['id']}"
    factories.ProjectFactory(stage="pilot", stage_entered_at=date(2025, 1, 5))  # after freezing
    page = viewer.get(url, query_string={"lang": "en"}, headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert f"<h1>{PACK['title']}</h1>" in html
    assert f"Frozen council pack, made by {caio.user.name} on" in html
    frozen_csv = viewer.get(url, headers={"Accept": "text/csv"}).get_data(as_text=True)
    live_csv = viewer.get(URL, query_string=RANGE, headers={"Accept": "text/csv"}).get_data(as_text=True)
    assert frozen_csv.splitlines()[0] == live_csv.splitlines()[0]  # the same columns
    assert frozen_csv != live_csv  # the live one has the new pilot
    assert frozen_csv.splitlines()[1].startswith("2025-Q1,2025-01-01,2025-03-31,false,2,2,")
    korean = viewer.get(url, query_string={"lang": "ko"}, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "고정된 의회 보고 자료입니다" in korean


def test_an_unknown_pack_is_a_404(viewer):
    assert viewer.get(f"{SNAPSHOTS}/999").status_code == 404


def test_nobody_reads_packs_without_a_token_and_nothing_rewrites_a_frozen_one(client, caio, admin, portfolio):
    frozen = freeze(caio).json
    url = f"{SNAPSHOTS}/{frozen['id']}"
    for path in (SNAPSHOTS, url, URL):
        assert client.get(path).status_code == 401
    assert client.post(SNAPSHOTS, json=PACK).status_code == 401
    for method in ("patch", "put"):
        assert getattr(admin, method)(url, json={"title": "rewritten"}).status_code == 405
    assert admin.get(url).json == frozen


def test_a_title_is_shown_as_text_never_run_as_markup(caio, viewer, portfolio):
    title = '<script>alert("pack")</script><img src=x onerror=alert(1)>'
    frozen = freeze(caio, title=title).json
    html = viewer.get(f"{SNAPSHOTS}/{frozen['id']}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;pack&#34;)&lt;/script&gt;" in html
