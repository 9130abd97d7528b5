"""A bounded load: mixed reads and writes against a running tracker, loopback only.

    python -m bench.load --url http://127.0.0.1:8000 --token TOKEN [--seconds 60] [--clients 4]

Each client thread keeps one connection and loops: list a page (30%), read a project (30%),
create a project with a KPI (10%), add a measurement (20%), record a stage decision (10%) on a
project this run created (poc -> pilot, then sent back pilot -> poc). It stops by itself after
--seconds and prints the throughput, p50/p99 latency per operation and the errors (any answer
other than the expected status), which must be zero: the exit status is 1 otherwise.
The token must be of a manager, caio or admin (it creates projects).
"""

import argparse
import http.client
import ipaddress
import json
import random
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

OPERATIONS = {"list": 30, "get": 30, "create": 10, "measure": 20, "transition": 10}
STAGES = ("poc", "pilot", "rollout")


def loopback_only(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise SystemExit(f"--url must be http://HOST:PORT, got {url!r}")
    for *_, address in socket.getaddrinfo(parts.hostname, parts.port or 80):
        if not ipaddress.ip_address(address[0]).is_loopback:
            raise SystemExit(f"{parts.hostname} is not a loopback address: this script only loads a local server")
    return parts.hostname, parts.port or 80


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPERATIONS})
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, op: str, seconds: float) -> None:
        with self.lock:
            self.latencies[op].append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Client:
    """One connection, re-opened if the server closes it."""

    def __init__(self, host: str, port: int, token: str):
        self.host, self.port = host, port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.connection = http.client.HTTPConnection(host, port, timeout=60)

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, bytes]:
        payload = None if body is None else json.dumps(body)
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=payload, headers=self.headers)
                response = self.connection.getresponse()
                return response.status, dict(response.getheaders()), response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


class Worker(threading.Thread):
    def __init__(self, n: int, run_id: str, host: str, port: int, token: str, sample: dict, tally: Tally, until: float):
        super().__init__(daemon=True)
        self.n, self.run_id, self.tally, self.until = n, run_id, tally, until
        self.client = Client(host, port, token)
        self.sample = sample
        self.rng = random.Random(n)
        self.mine: list[dict] = []  # projects this worker created: id, kpi_id, stage
        self.created = 0

    def run(self) -> None:
        while time.monotonic() < self.until:
            op = self.rng.choices(tuple(OPERATIONS), weights=tuple(OPERATIONS.values()))[0]
            if op in ("measure", "transition") and not self.mine:
                op = "create"
            started = time.perf_counter()
            try:
                ok = getattr(self, op)()
            except Exception as exc:  # a refused connection, a timeout: an error like any other
                ok = f"{type(exc).__name__}: {exc}"
            if ok is True:
                self.tally.record(op, time.perf_counter() - started)
            else:
                self.tally.error(f"{op}: {ok}")

    def _expect(self, status: int, wanted: int, body: bytes) -> bool | str:
        return True if status == wanted else f"{status} {body[:200]!r}"

    def list(self):
        query = urlencode({"stage": self.rng.choice(STAGES), "page": self.rng.randint(1, 5), "page_size": 50})
        status, _, body = self.client.call("GET", f"/api/v1/projects?{query}")
        return self._expect(status, 200, body)

    def get(self):
        status, _, body = self.client.call("GET", f"/api/v1/projects/{self.rng.choice(self.sample['ids'])}")
        return self._expect(status, 200, body)

    def create(self):
        self.created += 1
        project = {
            "key": f"LOAD-{self.run_id}-{self.n}-{self.created}",
            "title": "Load test: chatbot for permit questions",
            "domain": self.rng.choice(self.sample["domains"]),
            "ai_type": "nlp",
            "problem": "Residents wait for answers to simple permit questions.",
        }
        status, _, body = self.client.call("POST", "/api/v1/projects", project)
        if status != 201:
            return f"{status} {body[:200]!r}"
        project_id = json.loads(body)["id"]
        kpi = {"name": "Average permit wait time", "kind": "outcome", "unit": "days", "direction": "decrease",
               "baseline": "42.5", "target": "25"}  # fmt: skip
        status, _, body = self.client.call("POST", f"/api/v1/projects/{project_id}/kpis", kpi)
        if status != 201:
            return f"kpi {status} {body[:200]!r}"
        self.mine.append({"id": project_id, "kpi_id": json.loads(body)["id"], "stage": "poc"})
        return True

    def measure(self):
        kpi_id = self.rng.choice(self.mine)["kpi_id"]
        value = f"{self.rng.randint(20, 45)}.{self.rng.randint(0, 9)}"
        measurement = {"value": value, "measured_on": datetime.now(UTC).date().isoformat()}
        status, _, body = self.client.call("POST", f"/api/v1/kpis/{kpi_id}/measurements", measurement)
        return self._expect(status, 201, body)

    def transition(self):
        project = self.rng.choice(self.mine)
        to_stage = "pilot" if project["stage"] == "poc" else "poc"
        decision = {"to_stage": to_stage, "rationale": "load test decision"}
        status, _, body = self.client.call("POST", f"/api/v1/projects/{project['id']}/transitions", decision)
        if status == 201:
            project["stage"] = to_stage
        return self._expect(status, 201, body)


def sample_projects(client: Client) -> dict:
    """Ids and domains to read, from the first pages of the list."""
    ids, domains = [], set()
    for page in range(1, 6):
        status, _, body = client.call("GET", f"/api/v1/projects?page={page}&page_size=100")
        if status != 200:
            raise SystemExit(f"cannot list projects: {status} {body[:300]!r}")
        for project in json.loads(body):
            ids.append(project["id"])
            domains.add(project["domain"])
    if not ids:
        raise SystemExit("the server has no project to read: load some data first (python -m bench.generate)")
    return {"ids": ids, "domains": sorted(domains)}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_load(url: str, token: str, seconds: float, clients: int) -> dict:
    host, port = loopback_only(url)
    sample = sample_projects(Client(host, port, token))
    tally = Tally()
    run_id = f"{int(time.time()) % 1_000_000:06d}"
    started = time.monotonic()
    workers = [Worker(n, run_id, host, port, token, sample, tally, started + seconds) for n in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + 120)
    elapsed = time.monotonic() - started
    every = [value for values in tally.latencies.values() for value in values]
    result = {
        "seconds": round(elapsed, 1),
        "clients": clients,
        "requests": len(every),
        "throughput_per_s": round(len(every) / elapsed, 1),
        "p50_ms": round(statistics.median(every) * 1000, 1) if every else None,
        "p99_ms": round(percentile(every, 0.99) * 1000, 1) if every else None,
        "errors": len(tally.errors),
        "first_errors": tally.errors[:5],
        "operations": {
            op: {
                "count": len(values),
                "p50_ms": round(statistics.median(values) * 1000, 1),
                "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            }
            for op, values in tally.latencies.items()
            if values
        },
    }
    return result


def report(result: dict) -> str:
    lines = [
        f"{result['requests']} operations in {result['seconds']} s with {result['clients']} clients: "
        f"{result['throughput_per_s']}/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
        f"errors {result['errors']}",
        "| operation | count | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {op} | {s['count']} | {s['p50_ms']} | {s['p99_ms']} |" for op, s in result["operations"].items()]
    lines += [f"error: {message}" for message in result["first_errors"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="a manager, caio or admin token")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 3600:
        raise SystemExit("--seconds must be between 0 and 3600")
    result = run_load(args.url, args.token, args.seconds, args.clients)
    print(report(result))
    raise SystemExit(1 if result["errors"] else 0)


if __name__ == "__main__":
    main()
