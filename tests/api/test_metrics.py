"""GET /metrics through the Flask client, read with prometheus_client's own parser: requests by
route template and status, latencies, and the gauges read from the database; no personal data."""

import re
from datetime import date, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests import factories
from tracker import create_app
from tracker.vocab import RULES

PROJECT_ROUTE = "/api/v1/projects/<id:project_id>"


def scrape(client) -> tuple[str, dict]:
    """The exposition's text, and each sample's value by (sample name, labels)."""
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = answer.get_data(as_text=True)
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return text, samples


def requests(samples: dict, route: str, method: str, status: int) -> float:
    return samples.get(
        ("tracker_http_requests_total", (("method", method), ("route", route), ("status", str(status)))), 0
    )


@pytest.fixture
def scanned(manager, caio):
    """A stalled PoC and a pilot with no money and no KPI, a real scan through the API (queues one email)."""
    factories.ProjectFactory(owner=manager.user, stage="poc", stage_entered_at=date(2025, 1, 1))
    factories.ProjectFactory(owner=manager.user, stage="pilot", stage_entered_at=date(2025, 2, 1))
    answer = caio.post("/api/v1/scans", json={"as_of": "2025-04-02"})
    assert answer.status_code == 201, answer.json
    return answer.json


def test_requests_are_counted_by_route_template_method_and_status_with_their_latency(client, manager):
    project = factories.ProjectFactory(owner=manager.user)
    for _ in range(3):
        assert manager.get(f"/api/v1/projects/{project.id}").status_code == 200
    assert manager.get("/api/v1/projects/999999").status_code == 404
    assert client.get(f"/api/v1/projects/{project.id}").status_code == 401  # no token
    assert manager.patch(f"/api/v1/projects/{project.id}", json={"title": "x"}).status_code == 428  # no If-Match
    assert client.get("/no/such/page/42").status_code == 404
    assert client.get("/no/such/page/43").status_code == 404
    assert client.open("/health", method="BREW").status_code == 405

    _, samples = scrape(client)

    assert requests(samples, PROJECT_ROUTE, "GET", 200) == 3
    assert requests(samples, PROJECT_ROUTE, "GET", 404) == 1
    assert requests(samples, PROJECT_ROUTE, "GET", 401) == 1
    assert requests(samples, PROJECT_ROUTE, "PATCH", 428) == 1
    assert requests(samples, "unmatched", "GET", 404) == 2  # one label for every path no route matched
    assert requests(samples, "unmatched", "other", 405) == 1
    latency = dict(method="GET", route=PROJECT_ROUTE)
    count = ("tracker_http_request_duration_seconds_count", tuple(sorted(latency.items())))
    assert samples[count] == 5
    total = ("tracker_http_request_duration_seconds_sum", tuple(sorted(latency.items())))
    assert 0 < samples[total] < 60
    infinite = ("tracker_http_request_duration_seconds_bucket", tuple(sorted({**latency, "le": "+Inf"}.items())))
    assert samples[infinite] == 5
    # the routes are templates: no label holds a path with an id in it
    routes = {dict(labels).get("route") for _, labels in samples} - {None}
    assert routes == {PROJECT_ROUTE, "unmatched"}


def test_openmetrics_is_answered_to_a_scraper_that_asks_for_it(client):
    answer = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert answer.headers["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert answer.get_data(as_text=True).endswith("# EOF\n")


def test_a_scrape_counts_itself_in_the_next_one(client):
    _, first = scrape(client)
    _, second = scrape(client)
    assert requests(first, "/metrics", "GET", 200) == 0
    assert requests(second, "/metrics", "GET", 200) == 1


def test_the_database_gauges_are_read_at_scrape_time(client, caio, scanned):
    _, samples = scrape(client)

    flags = caio.get("/api/v1/flags?page_size=100").json
    expected = dict.fromkeys(RULES, 0) | {"poc_stalled": 1, "no_scale_budget": 1, "no_kpis": 1}
    assert {f["rule"] for f in flags} == {"poc_stalled", "no_scale_budget", "no_kpis"}
    assert {rule: samples[("tracker_flags_unresolved", (("rule", rule),))] for rule in RULES} == expected
    outbox = {
        (labels[0][1], labels[1][1]): value
        for (name, labels), value in samples.items()
        if name == "tracker_outbox_messages"
    }
    assert outbox == {
        ("email", "pending"): 1,
        ("email", "sent"): 0,
        ("email", "failed"): 0,
        ("webhook", "pending"): 0,
        ("webhook", "sent"): 0,
        ("webhook", "failed"): 0,
    }
    run = caio.get(f"/api/v1/scans/{scanned['id']}").json
    finished = datetime.fromisoformat(run["started_at"]).timestamp() + run["duration_ms"] / 1000
    assert samples[("tracker_last_scan_timestamp_seconds", ())] == pytest.approx(finished, abs=0.001)
    assert samples[("tracker_database_up", ())] == 1


def test_before_the_first_scan_the_last_scan_time_has_no_sample(client):
    _, samples = scrape(client)
    assert not any(name == "tracker_last_scan_timestamp_seconds" for name, _ in samples)
    assert samples[("tracker_flags_unresolved", (("rule", "no_kpis"),))] == 0


def test_the_metrics_hold_no_personal_data(client, manager, caio, scanned):
    project = factories.ProjectFactory(owner=manager.user, title="Résident chatbot «311»")
    manager.get(f"/api/v1/projects/{project.id}")
    manager.get(f"/api/v1/flags?owner={manager.user.id}")

    text, _ = scrape(client)

    assert "@" not in text  # no email address
    for secret in (manager.token, caio.token, project.title, manager.user.name, project.key):
        assert secret not in text
    assert not re.search(rf"/{project.id}\b", text)


def test_the_request_counts_still_answer_while_the_database_is_down(tmp_path):
    app = create_app({"DATABASE_URL": "postgresql://tracker@127.0.0.1:1/unreachable", "TESTING": True})
    client = app.test_client()
    assert client.get("/health").status_code == 200

    _, samples = scrape(client)

    assert samples[("tracker_database_up", ())] == 0
    assert requests(samples, "/health", "GET", 200) == 1
    assert not any(name == "tracker_outbox_messages" for name, _ in samples)
