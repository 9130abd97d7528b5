"""/metrics under real gunicorn (gunicorn.conf.py) with two workers, each counting the requests it
served: any worker's answer adds up all of them (prometheus_client's multiprocess mode), a worker
that dies keeps its counts in, and counts left by an earlier run are cleared at start."""

import http.client
import os
import re
import signal
import sys
import threading
from pathlib import Path

from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import FlagFactory, ProjectFactory, UserFactory
from tests.integration import mail
from tests.integration.test_deployment import Processes, Web, wait_for
from tracker.auth import issue_token

PROJECT_ROUTE = "/api/v1/projects/<id:project_id>"
ACCESS = re.compile(r'"GET (\S+) HTTP/1.1" (\d+) .* pid=<(\d+)>')


def get(port: int, path: str, token: str | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body


def scrape(port: int) -> tuple[str, dict]:
    status, text = get(port, "/metrics")
    assert status == 200, text
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return text, samples


def requests(samples: dict, route: str, status: int) -> float:
    return samples.get(
        ("tracker_http_requests_total", (("method", "GET"), ("route", route), ("status", str(status)))), 0
    )


def served_by(access_log: Path, path_prefix: str) -> set[int]:
    """The worker pids that answered requests for paths starting with `path_prefix`."""
    return {int(m.group(3)) for m in ACCESS.finditer(access_log.read_text()) if m.group(1).startswith(path_prefix)}


def a_stale_counter_file(folder: Path) -> None:
    """What an earlier run's worker leaves: 1000 project reads, which this run must not count."""
    stale = MmapedDict(str(folder / "counter_999999.db"))
    labels = ["route", "method", "status"]
    help_text = "HTTP requests answered, by route template, method and status"
    key = mmap_key(
        "tracker_http_requests", "tracker_http_requests_total", labels, [PROJECT_ROUTE, "GET", "200"], help_text
    )
    stale.write_value(key, 1000.0, 0.0)
    stale.close()


def test_metrics_add_up_the_requests_of_two_gunicorn_workers(app, session, tmp_path):
    admin = UserFactory(email="admin@city.example", role="admin")
    token = issue_token(session, admin)[1]
    project = ProjectFactory(owner=admin, title="Résident chatbot «311»")
    FlagFactory(project=project, rule="no_kpis")
    session.commit()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    a_stale_counter_file(metrics_dir)
    port, access_log = mail.free_port(), tmp_path / "access.log"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("SCHEDULER_ENABLED", "GUNICORN_APP")},
        "DATABASE_URL": app.config["DATABASE_URL"],
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": str(access_log),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "PYTHONUNBUFFERED": "1",
    }
    sent = {"ok": 0, "missing": 0, "unmatched": 0}
    lock = threading.Lock()

    def client(rounds: int) -> None:
        for _ in range(rounds):
            assert get(port, f"/api/v1/projects/{project.id}", token)[0] == 200
            assert get(port, "/api/v1/projects/999999", token)[0] == 404
            assert get(port, f"/no/such/page/{project.id}")[0] == 404
            with lock:
                sent["ok"] += 1
                sent["missing"] += 1
                sent["unmatched"] += 1

    with Processes() as processes:
        log = tmp_path / "web.log"
        web = Web(processes.start([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], env, log), port, log)
        web.wait_ready()

        # several clients at once, until both workers have served project reads
        while len(served_by(access_log, "/api/v1/projects/")) < 2 and sent["ok"] < 400:
            threads = [threading.Thread(target=client, args=(5,)) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        workers = served_by(access_log, "/api/v1/projects/")
        assert len(workers) == 2, log.read_text()
        assert len(list(metrics_dir.glob("counter_*.db"))) >= 2  # each worker wrote its own counts

        # whichever worker answers, it counts every worker's requests (and none of the earlier run's)
        answers = []
        while len(served_by(access_log, "/metrics")) < 2 and len(answers) < 50:
            answers.append(scrape(port))
        assert len(served_by(access_log, "/metrics")) == 2
        for _, samples in answers:
            assert requests(samples, PROJECT_ROUTE, 200) == sent["ok"]
            assert requests(samples, PROJECT_ROUTE, 404) == sent["missing"]
            assert requests(samples, "unmatched", 404) == sent["unmatched"]
            latency = (("method", "GET"), ("route", PROJECT_ROUTE))
            assert samples[("tracker_http_request_duration_seconds_count", latency)] == sent["ok"] + sent["missing"]
            assert samples[("tracker_flags_unresolved", (("rule", "no_kpis"),))] == 1
            assert samples[("tracker_outbox_messages", (("channel", "email"), ("status", "pending")))] == 0
        text, _ = answers[-1]
        assert "@" not in text and token not in text and project.title not in text
        assert f"/{project.id}" not in text and "/999999" not in text

        # a worker that dies is replaced, and its counts stay in
        os.kill(min(workers), signal.SIGKILL)

        def replaced() -> set[int]:
            get(port, "/health")
            return served_by(access_log, "/") - workers

        wait_for(replaced, 30, "a replacement worker")
        for _ in range(10):
            _, after = scrape(port)
            assert requests(after, PROJECT_ROUTE, 200) == sent["ok"]
            assert requests(after, "unmatched", 404) == sent["unmatched"]
