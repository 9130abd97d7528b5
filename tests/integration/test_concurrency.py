"""Racing writers on one project: exactly one wins, the rest are told, nothing is lost.

Real threads, each with its own connection; on PostgreSQL the row lock and the version check in the
database decide, not Python memory.
"""

import threading
from collections import Counter

from tests import factories
from tests.api.test_projects import NEW_PROJECT

RACERS = 8


def race(app, calls):
    """Run each call in its own thread, all released at once; the status codes they got."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        client = app.test_client()
        barrier.wait()
        results[index] = call(client)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_racing_transitions_on_one_project_let_exactly_one_win(app, manager):
    classified = {**NEW_PROJECT, "risk_tier": "limited", "risk_rationale": "Applicants read what it generates."}
    project = manager.post("/api/v1/projects", json=classified).json
    factories.KpiFactory(project_id=project["id"])
    headers = {"Authorization": f"Bearer {manager.token}"}
    url = f"/api/v1/projects/{project['id']}/transitions"

    responses = race(
        app,
        [
            lambda client, n=n: client.post(url, json={"to_stage": "pilot", "rationale": f"racer {n}"}, headers=headers)
            for n in range(RACERS)
        ],
    )

    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 409: RACERS - 1}, [r.get_json() for r in responses]
    assert all(r.json["code"] == r.status_code for r in responses if r.status_code == 409)
    history = manager.get(url).json
    assert [(t["from_stage"], t["to_stage"]) for t in history] == [(None, "poc"), ("poc", "pilot")]


def test_racing_patches_with_the_same_etag_let_exactly_one_win_and_lose_no_update(app, manager):
    created = manager.post("/api/v1/projects", json=NEW_PROJECT)
    url, etag = created.headers["Location"], created.headers["ETag"]
    headers = {"Authorization": f"Bearer {manager.token}", "If-Match": etag}

    responses = race(
        app,
        [lambda client, n=n: client.patch(url, json={"title": f"Title {n}"}, headers=headers) for n in range(RACERS)],
    )

    codes = Counter(r.status_code for r in responses)
    assert codes == {200: 1, 412: RACERS - 1}, [r.get_json() for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    stored = manager.get(url)
    assert stored.json["title"] == winner.json["title"]
    assert stored.headers["ETag"] == winner.headers["ETag"]


def test_racing_first_writes_of_one_practice_all_land_one_after_another(app, manager, caio):
    """A practice's row is made by its first write: racing first writes queue on the project's
    lock instead of colliding on the unique (project, key), and the trail has each of them."""
    project = manager.post("/api/v1/projects", json=NEW_PROJECT).json
    headers = {"Authorization": f"Bearer {manager.token}"}
    url = f"/api/v1/projects/{project['id']}/practices/testing"

    responses = race(
        app,
        [
            lambda client, n=n: client.put(url, json={"status": "in_progress", "note": f"racer {n}"}, headers=headers)
            for n in range(RACERS)
        ],
    )

    assert Counter(r.status_code for r in responses) == {200: RACERS}, [r.get_json() for r in responses]
    stored = manager.get(url).json
    assert stored["note"] in {r.json["note"] for r in responses}
    trail = caio.get(f"/api/v1/audit?project={project['id']}&entity=practice&page_size=100").json
    assert Counter(e["action"] for e in trail) == {"create": 1, "update": RACERS - 1}
