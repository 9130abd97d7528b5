"""Benchmarks of issue 6, each paired with its floor in the same run on the same database.

    python -m bench.run --sizes 1000,10000,100000 --db sqlite,postgres [--runs 5] [--requests 300]
                        [--load-seconds 60]

For every database and size: generate the data set when it is missing (bench/generate.py), work
on a fresh copy of it, and measure, alternating app and floor run by run (--runs of each at
100k, ten times as many at 10k: `runs_at`):

- the stall scan, dry run and real, against one hand-written SQL statement finding all nine
  rules' violators (and check both find the same (project, rule) pairs); the real scan's floor
  also makes the writes a daily scan cannot do without (the newly opened flags, the resolved
  ones and the snoozes run out, the owners' news claimed and one message per owner queued, the
  scan_runs row; checked: as many messages as the app queues), on a copy of the data set of its own;
- the portfolio report (GET through the app, and its queries alone) against hand-written
  aggregate SQL for the same figures (checked equal);
- the trend of 8 quarters (GET) against one hand-written SQL statement of the same figures
  (checked equal) and against one portfolio report in the same run, and its peak memory in a
  process of its own;
- projects.csv and the registry CSV streamed in a process of their own: time against a
  hand-written streaming export, and the process's peak memory;
- a filtered list page and a single project GET through gunicorn (loopback) against a bare Flask
  route making the same reads behind the same gunicorn configuration, p50 and p99;
- the staff console's reading pages through gunicorn (issue 18), signed in as the bench's CAIO by
  an emailed link read from the log: the dashboard against GET portfolio + GET trend, a filtered
  projects page against the API's list page, a project's page against the API's GETs of what it
  shows (summed), p50 and p99; the search (`q`, no API equivalent) shown, not judged;
- on PostgreSQL, EXPLAIN of every statement the hot requests send: a Seq Scan on a big table that
  returns few of its rows is an index missing;
- the growth from 10k to 100k projects when both sizes ran, judged against the floor's own
  growth on the same run (at most 1.1 times it; a flat 11x where a work has no floor; the
  report's queries alone, a breakdown, are shown but not judged);
- with --load-seconds, bench/load.py against the gunicorn serving the largest data set.

Prints Markdown tables with PASS/FAIL against the targets; the figures also go to
bench/results/run-<time>.json and .md.
"""

import argparse
import contextlib
import http.client
import http.cookies
import json
import os
import platform
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa

from bench import common, floors, generate, load

TARGETS = {
    "scan (dry run)": 2.0,
    "scan (real)": 1.8,  # issue 11 asks 2x; issue 10 a margin that survives a noisy machine
    "portfolio report (GET)": 1.5,
    "trend, 8 quarters (GET)": 2.0,
    "trend / one portfolio report (GET)": 2.5,
    "list page p50 (gunicorn)": 1.5,
    "single GET p50 (gunicorn)": 1.5,
    # issue 18: the staff console's reading pages against the API reads they show
    "console dashboard p50 (gunicorn)": 1.5,
    "console projects page p50 (gunicorn)": 2.0,
    "console project page p50 (gunicorn)": 2.0,
}
PEAK_MB_LIMIT = 200
# growth from 10k to 100k: at most 1.1 times the floor's growth on the same run; a work without a
# floor (a download's peak memory has none) keeps the flat limit, linear with a 10% margin
RELATIVE_GROWTH_LIMIT = 1.1
GROWTH_LIMIT = 11.0
PEAK_WORKS = ("projects.csv", "registry.csv", "trend")  # judged on memory and growth
# a ratio between two works of the app, not against a floor: its growth is not judged
GROWTH_UNJUDGED = ("trend / one portfolio report (GET)",)
GROUPS = ("scan", "portfolio", "trend", "explain", "streams", "http", "console")
TARGET_SIZE = 100_000  # the targets hold at this size; smaller sizes are printed for the trend
BIG_TABLES = ("projects", "stage_transitions", "budget_lines", "kpis", "measurements", "flags", "audit_events")
LIST_QUERY = "stage=pilot&domain=mobility&page={page}&page_size=50"
CONSOLE_LIST_QUERY = "stage=pilot&domain=mobility&page={page}"  # the console's pages are 50 projects
CONSOLE_SEARCH_QUERY = "q=detection&page={page}"  # every word in the key or the title
CONSOLE_ROLE = "caio"  # the project page shows the audit trail to the CAIO office


@dataclass
class Figure:
    work: str
    app: list[float]  # seconds (latencies for HTTP)
    floor: list[float]
    note: str = ""
    percentiles: bool = False  # HTTP: p50 and p99 over many requests

    @property
    def ratio(self) -> float:
        return statistics.median(self.app) / statistics.median(self.floor)

    def target(self, size: int) -> float | None:
        return TARGETS.get(self.work) if size >= TARGET_SIZE else None


@dataclass
class Peak:
    work: str
    seconds: float
    floor_seconds: float | None
    peak_mb: float
    rss_before_mb: float
    megabytes: float


@dataclass
class Dataset:
    dialect: str
    size: int
    manifest: dict
    figures: list[Figure] = field(default_factory=list)
    peaks: list[Peak] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # agreements and EXPLAIN findings
    failures: list[str] = field(default_factory=list)
    load: dict | None = None
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)  # the machine's, when this data set's work began


def paired(runs: int, floor: Callable, app: Callable) -> tuple[list[float], list[float]]:
    """Time floor and app `runs` times each, alternating which goes first."""
    app_times, floor_times = [], []
    for n in range(runs):
        order = ((floor, floor_times), (app, app_times))
        for func, times in order if n % 2 == 0 else order[::-1]:
            started = time.perf_counter()
            func()
            times.append(time.perf_counter() - started)
    return app_times, floor_times


# ---- in-process work: the scan and the portfolio report -------------------------------------


def bench_scans(data: Dataset, app, runs: int) -> None:
    from tracker.extensions import db
    from tracker.flags.scan import run_scan

    raw = db.engine.raw_connection()

    def scan(as_of, dry_run: bool):
        session = db.new_session()
        try:
            return run_scan(session, as_of=as_of, dry_run=dry_run, trigger="cli", actor=None, config=app.config)
        finally:
            session.close()

    found = floors.scan(raw, data.dialect, common.ANCHOR)  # also warms the caches
    report = scan(common.ANCHOR, True)
    agree = found == {(f.project_id, f.rule) for f in report.findings}
    data.checks.append(
        f"scan and floor agree on the {len(found):,} violations as of {common.ANCHOR}: {'yes' if agree else 'NO'}"
    )
    if not agree:
        data.failures.append("scan findings differ from the SQL floor's")
    app_t, floor_t = paired(
        runs, lambda: floors.scan(raw, data.dialect, common.ANCHOR), lambda: scan(common.ANCHOR, True)
    )
    data.figures.append(
        Figure(
            "scan (dry run)",
            app_t,
            floor_t,
            f"{report.projects_evaluated:,} active projects; floor: the finding SQL alone",
        )
    )

    # The real scan's floor commits its writes, so it works on a copy of its own, which goes
    # through the same days as the application's.
    floor_db = f"{common.pristine_name(data.size)}_floor"
    common.copy(data.dialect, common.pristine_name(data.size), floor_db)
    floor_engine = sa.create_engine(common.database_url(data.dialect, floor_db))
    floor_raw = floor_engine.raw_connection()
    try:
        # untimed: the generated flags (yesterday's scan, written in the details' shape of the data
        # set's day) settle into the current shape, as on the first scan after an upgrade
        scan(common.ANCHOR, False)
        floors.real_scan(floor_raw, data.dialect, common.ANCHOR, remind_days=app.config["REMIND_DAYS"])
        # real scans go forward one day each, as the daily schedule does
        app_t, floor_t, summaries, disagreements = [], [], [], 0
        for n in range(1, runs + 1):
            as_of = common.ANCHOR + timedelta(days=n)
            started = time.perf_counter()
            expected, messages = floors.real_scan(floor_raw, data.dialect, as_of, remind_days=app.config["REMIND_DAYS"])
            floor_t.append(time.perf_counter() - started)
            started = time.perf_counter()
            real = scan(as_of, False)
            app_t.append(time.perf_counter() - started)
            disagreements += expected != {(f.project_id, f.rule) for f in real.findings}
            disagreements += messages != real.alerts_queued
            summaries.append(
                f"{as_of}: {real.opened} opened, {real.refreshed} refreshed ({real.rewritten} with changed facts "
                f"rewritten), {real.resolved} resolved, "
                f"{real.alerts_queued} alerts (floor {messages})"
            )
    finally:
        floor_raw.close()
        floor_engine.dispose()
        common.drop(data.dialect, floor_db)
    data.checks.append(
        f"real scans agree with the floor on {runs - disagreements} of {runs} days; " + "; ".join(summaries)
    )
    if disagreements:
        data.failures.append("a real scan's findings or messages differ from the SQL floor's")
    data.figures.append(
        Figure(
            "scan (real)",
            app_t,
            floor_t,
            "one day per run after an untimed first; app: flags compared and changes written, alerts queued; "
            "floor: the finding SQL, INSERT opened, UPDATE resolved and snoozes run out, claim the owners' news and INSERT one "
            "message per owner, INSERT scan_runs, commit",
        )
    )
    raw.close()


def bench_portfolio(data: Dataset, app, runs: int) -> None:
    from tracker.extensions import db
    from tracker.reports import queries

    raw = db.engine.raw_connection()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {common.token_for('caio')}"}
    path = f"/api/v1/reports/portfolio?as_of={common.ANCHOR.isoformat()}"

    def through_http():
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return response.get_json()

    def queries_only():
        session = db.new_session()
        try:
            queries.portfolio(session, as_of=common.ANCHOR, domains=tuple(app.config["DOMAINS"]))
        finally:
            session.close()

    expected = floors.portfolio(raw, data.dialect, common.ANCHOR)
    differences = portfolio_differences(through_http(), expected)
    data.checks.append(
        "portfolio report and floor agree on stages, funnel, medians, budget, flags, KPI coverage and risk: "
        + ("yes" if not differences else "NO: " + "; ".join(differences))
    )
    if differences:
        data.failures.append("portfolio figures differ from the SQL floor's")
    floor = lambda: floors.portfolio(raw, data.dialect, common.ANCHOR)  # noqa: E731
    data.figures.append(Figure("portfolio report (GET)", *paired(runs, floor, through_http), "JSON, as_of given"))
    data.figures.append(Figure("portfolio report (queries)", *paired(runs, floor, queries_only), "no HTTP, no JSON"))
    raw.close()


def portfolio_differences(body: dict, floor: dict) -> list[str]:
    from tracker.money import from_minor

    out = []
    stages = {stage: count for stage, count in body["stages"].items() if count}
    if stages != floor["stages"]:
        out.append(f"stages {stages} != {floor['stages']}")
    reached = floor["reached"]
    funnel = {
        "poc_to_pilot": round(reached["pilot"] / reached["poc"], 4) if reached["poc"] else None,
        "pilot_to_rollout": round(reached["rollout"] / reached["pilot"], 4) if reached["pilot"] else None,
    }
    if {k: body["funnel"][k] for k in funnel} != funnel:
        out.append(f"funnel {body['funnel']} != {funnel}")
    medians = {stage: float(days) for stage, days in body["median_days_in_stage"].items() if days is not None}
    if medians != floor["medians"]:
        out.append(f"medians {medians} != {floor['medians']}")
    flags = {rule: count for rule, count in body["flags"].items() if count}
    if flags != floor["flags"]:
        out.append(f"flags {flags} != {floor['flags']}")
    kpis = body["kpis"]
    if (kpis["projects_with_outcome_kpi"], kpis["input_metrics_only"]) != (
        floor["projects_with_outcome_kpi"],
        floor["input_metrics_only"],
    ):
        out.append(f"kpis {kpis} != floor")
    if body["risk"] != floor["risk"]:
        out.append(f"risk {body['risk']} != {floor['risk']}")
    rows = [*body["budget"]["by_stage"], *body["budget"]["by_fiscal_year"]]
    budget = {
        (row["currency"], row.get("stage") or row.get("fiscal_year")): tuple(
            str(row[name]) for name in ("planned", "approved", "spent")
        )
        for row in rows
    }
    want = {key: tuple(str(from_minor(value, key[0])) for value in values) for key, values in floor["budget"].items()}
    if budget != want:
        out.append(f"budget: {len(set(budget.items()) ^ set(want.items()))} rows differ")
    return out


# ---- the trend: 8 quarters up to the data set's day ---------------------------------------------


def bench_trend(data: Dataset, app, runs: int, url: str) -> None:
    from tracker.extensions import db
    from tracker.trend.periods import default_from, periods

    raw = db.engine.raw_connection()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {common.token_for('caio')}"}
    quarters = periods("quarter", default_from("quarter", common.ANCHOR, 1), common.ANCHOR, 1)
    spans = [(p.start, p.end, p.full_end) for p in quarters]
    trend_path = f"/api/v1/reports/trend?to={common.ANCHOR.isoformat()}"
    report_path = f"/api/v1/reports/portfolio?as_of={common.ANCHOR.isoformat()}"

    def get(path: str) -> dict:
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return response.get_json()

    def floor():
        return floors.trend(raw, data.dialect, spans, app.config["PILOT_MAX_DAYS"])

    body = get(trend_path)
    differences = trend_differences(body, floor())
    data.checks.append(
        f"trend and floor agree on every figure of {len(quarters)} quarters to {common.ANCHOR} "
        f"({body['time_to_rollout']['pilots']:,} pilots timed to rollout): "
        + ("yes" if not differences else "NO: " + "; ".join(differences[:5]))
    )
    if differences:
        data.failures.append("trend figures differ from the SQL floor's")
    app_t, floor_t = paired(runs, floor, lambda: get(trend_path))
    data.figures.append(Figure("trend, 8 quarters (GET)", app_t, floor_t, "JSON; floor: one SQL statement"))
    trend_t, report_t = paired(runs, lambda: get(report_path), lambda: get(trend_path))
    data.figures.append(
        Figure("trend / one portfolio report (GET)", trend_t, report_t, "the 'floor' column is the portfolio report")
    )
    raw.close()
    if data.size >= TARGET_SIZE or data.size == 10_000:
        results = [stream("trend", url) for _ in range(max(1, min(runs, 3)))]
        data.peaks.append(
            Peak(
                work="trend",
                seconds=statistics.median(r["seconds"] for r in results),
                floor_seconds=None,
                peak_mb=max(r["peak_mb"] for r in results),
                rss_before_mb=min(r["rss_before_mb"] for r in results),
                megabytes=results[0]["bytes"] / 1e6,
            )
        )


def trend_differences(body: dict, floor: dict) -> list[str]:
    """Where the app's trend and the floor's figures disagree (empty: they agree)."""
    from tracker.trend.figures import COHORT_HORIZONS, MOVES

    figures, out = floor["figures"], []

    def at(figure: str, key: str, k: int) -> int:
        return figures.get(figure, {}).get(key, [0] * len(body["periods"]))[k]

    for k, period in enumerate(body["periods"]):
        label = period["label"]
        want = {
            "stages": {stage: at("stages", stage, k) for stage in period["stages"]},
            "entered": {stage: at("entered", stage, k) for stage in period["entered"]},
            "moves": {name: at("moves", name, k) for name in MOVES.values()},
            "purgatory": {
                "at_start": at("at_start", "", k),
                "entered": at("entered_purgatory", "", k),
                "rolled_out": at("left_purgatory", "rollout", k),
                "cancelled": at("left_purgatory", "cancelled", k),
                "sent_back": at("left_purgatory", "poc", k),
                "at_end": at("at_end", "", k),
            },
            "funding": {
                "pilots": at("stages", "pilot", k),
                "with_rollout_budget": at("funding", "planned", k) + at("funding", "approved", k),
                "with_approved_rollout_budget": at("funding", "approved", k),
            },
            "outcomes": {
                "rollouts": at("stages", "rollout", k),
                "measured": at("outcomes", "on", k) + at("outcomes", "off", k),
                "on_target": at("outcomes", "on", k),
            },
        }
        out += [f"{label} {name}: {period[name]} != {value}" for name, value in want.items() if period[name] != value]
        to = floor["to"]
        cohort = {
            "size": at("cohort", "size", k),
            "rolled_out_within": {
                str(h): None if floor["full_ends"][k] + timedelta(days=h) > to else at("cohort", str(h), k)
                for h in COHORT_HORIZONS
            },
        }
        mine = body["cohorts"][k]
        if {"size": mine["size"], "rolled_out_within": mine["rolled_out_within"]} != cohort:
            out.append(f"cohort {label}: {mine} != {cohort}")
    ttr = body["time_to_rollout"]
    counts = {
        kind: sum(c for key, _, c in floor["durations"] if key == kind) for kind in ("rolled_out", "cancelled", "open")
    }
    if (ttr["rolled_out"], ttr["cancelled"], ttr["open"]) != tuple(counts.values()):
        out.append(f"time to rollout counts {ttr} != {counts}")
    estimate = floors.aalen_johansen(floor["durations"])
    for name in ("cumulative_incidence", "curve", "median_days"):
        if ttr[name] != estimate[name]:
            out.append(f"time to rollout {name} differs")
    return out


# ---- streamed downloads, each in a process of its own ----------------------------------------


def stream(what: str, url: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.stream", what, url, common.token_for("viewer")],
        cwd=common.ROOT.parent,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench.stream {what} failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_streams(data: Dataset, url: str, runs: int) -> None:
    runs = max(1, min(runs, 3))
    floor_runs = [stream("floor-projects.csv", url) for _ in range(runs)]
    floor_seconds = statistics.median(r["seconds"] for r in floor_runs)
    for what in PEAK_WORKS:
        results = [stream(what, url) for _ in range(runs)]
        if what == "projects.csv" and results[0]["lines"] != floor_runs[0]["lines"]:
            data.failures.append(f"projects.csv has {results[0]['lines']} lines, the floor {floor_runs[0]['lines']}")
        data.peaks.append(
            Peak(
                work=what,
                seconds=statistics.median(r["seconds"] for r in results),
                floor_seconds=floor_seconds if what == "projects.csv" else None,
                peak_mb=max(r["peak_mb"] for r in results),
                rss_before_mb=min(r["rss_before_mb"] for r in results),
                megabytes=results[0]["bytes"] / 1e6,
            )
        )
    data.peaks.append(
        Peak(
            "projects.csv floor (hand-written SQL)",
            floor_seconds,
            None,
            max(r["peak_mb"] for r in floor_runs),
            min(r["rss_before_mb"] for r in floor_runs),
            floor_runs[0]["bytes"] / 1e6,
        )
    )


# ---- HTTP through gunicorn ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py` on a loopback port, stopped (SIGTERM, then kill) on exit."""

    def __init__(
        self, wsgi_app: str, url: str, log: Path, workers: int = 2, health: str = "/health", env: dict | None = None
    ):
        self.port = free_port()
        self.health = health
        env = {
            **os.environ,
            "GUNICORN_APP": wsgi_app,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_ACCESS_LOG": "",
            "WEB_CONCURRENCY": str(workers),
            "DATABASE_URL": url,
            "SCHEDULER_ENABLED": "false",
            **(env or {}),
        }
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=common.ROOT.parent,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def __enter__(self) -> "Gunicorn":
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log.name}")
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", self.health)
                if connection.getresponse().status == 200:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 60 s: see {self.log.name}")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Keepalive:
    """Sequential requests on one kept-alive connection, timed from send to the last byte."""

    def __init__(self, port: int, headers: dict | None = None):
        self.port, self.headers = port, headers or {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str) -> float:
        return self.fetch(path)[0]

    def fetch(self, path: str) -> tuple[float, bytes]:
        """(seconds from send to the last byte, body) of a GET that must answer 200."""
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.connection.request("GET", path, headers=self.headers)
                response = self.connection.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
            return elapsed, body
        raise AssertionError("unreachable")


def bench_http(data: Dataset, url: str, requests: int, load_seconds: float) -> None:
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"{data.dialect}-{data.size}"
    rng = random.Random(common.SEED)
    ids = [rng.randint(1, data.size) for _ in range(requests)]
    with (
        Gunicorn("tracker:create_app()", url, common.RESULTS / f"gunicorn-tracker-{name}.log") as tracker,
        Gunicorn("bench.bare:create_app()", url, common.RESULTS / f"gunicorn-bare-{name}.log", health="/projects/1") as bare,
    ):  # fmt: skip
        app_client = Keepalive(tracker.port, {"Authorization": f"Bearer {common.token_for('viewer')}"})
        bare_client = Keepalive(bare.port)
        for work, app_path, bare_path in (
            ("single GET p50 (gunicorn)", "/api/v1/projects/{id}", "/projects/{id}"),
            ("list page p50 (gunicorn)", "/api/v1/projects?" + LIST_QUERY, "/projects?" + LIST_QUERY),
        ):
            app_times, bare_times = [], []
            for n in range(requests + 30):  # the first 30 of each warm up
                values = {"id": ids[n % len(ids)], "page": 1 + n % 5}
                pair = ((app_client, app_path, app_times), (bare_client, bare_path, bare_times))
                for client, path, times in pair if n % 2 == 0 else pair[::-1]:
                    elapsed = client.get(path.format(**values))
                    if n >= 30:
                        times.append(elapsed)
            data.figures.append(
                Figure(work, app_times, bare_times, f"{requests} requests each, keep-alive", percentiles=True)
            )
        if load_seconds:
            data.load = load.run_load(f"http://127.0.0.1:{tracker.port}", common.token_for("admin"), load_seconds, 4)


# ---- the staff console's reading pages through gunicorn (issue 18) -----------------------------


class Browser:
    """One person's browser on the console: a kept-alive connection and the cookies it was given."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.msg.get_all("Set-Cookie") or ():
            for name, morsel in http.cookies.SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:  # deleted
                    self.cookies.pop(name, None)
        return response.status, text


def csrf_token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if found is None:
        raise RuntimeError(f"no CSRF token in the form: {page[:300]!r}")
    return found.group(1)


def console_sign_in(port: int, log: Path, email: str) -> str:
    """The console's session cookie of `email`, signed in as a person does: the sign-in page, the
    address posted with the form's CSRF token (and the pre-session cookie), the emailed link read
    from gunicorn's log (SIGN_IN_LINKS_IN_LOG: no mail server here), its page, its button."""
    browser = Browser(port)
    status, page = browser.send("GET", "/console/sign-in")
    if status != 200:
        raise RuntimeError(f"GET /console/sign-in: {status}")
    status, page = browser.send("POST", "/console/sign-in", {"email": email, "csrf_token": csrf_token_of(page)})
    if status != 200:
        raise RuntimeError(f"POST /console/sign-in: {status} {page[:300]!r}")
    pattern = re.compile(rf"sign-in link for {re.escape(email)} .*: (https?://\S+)")
    deadline = time.monotonic() + 30
    while not (found := pattern.search(log.read_text())):  # the link is issued after the answer
        if time.monotonic() > deadline:
            raise RuntimeError(f"no sign-in link for {email} in {log} within 30 s")
        time.sleep(0.1)
    link = urlsplit(found.group(1))
    path = link.path + (f"?{link.query}" if link.query else "")
    status, page = browser.send("GET", path)
    if status != 200:
        raise RuntimeError(f"GET the sign-in link: {status}")
    status, page = browser.send("POST", path, {"csrf_token": csrf_token_of(page)})
    if status != 303 or "console_session" not in browser.cookies:
        raise RuntimeError(f"POST the sign-in link: {status}, cookies {sorted(browser.cookies)}")
    browser.connection.close()
    return browser.cookies["console_session"]


def project_reads(project: int, kpis: list[int]) -> list[str]:
    """The API's GETs of what a console project page shows (the gate's reading aside: the API has
    no GET of it, only the refusal of a move)."""
    return [
        f"/api/v1/projects/{project}",
        f"/api/v1/projects/{project}/transitions?page_size=100",
        f"/api/v1/projects/{project}/budget-lines?page_size=100",
        f"/api/v1/projects/{project}/kpis?page_size=100",
        *(f"/api/v1/kpis/{kpi}/measurements?page_size=100" for kpi in kpis),
        f"/api/v1/projects/{project}/practices",
        f"/api/v1/flags?project={project}&page_size=100",
        f"/api/v1/audit?project={project}&page_size=50",
    ]


def bench_console(data: Dataset, url: str, requests: int, dashboard_requests: int) -> None:
    """The console's reading pages, signed in as the bench's CAIO by an emailed link, against the
    API's JSON of the same reads (a bearer token of the same user) on the same gunicorn, alternating
    page and reference request by request; a reference of several GETs is timed as their sum."""
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"{data.dialect}-{data.size}"
    rng = random.Random(common.SEED + 18)
    ids = [rng.randint(1, data.size) for _ in range(requests)]
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            chosen = {"ids": sorted(set(ids))}
            by_id = sa.bindparam("ids", expanding=True)
            keys = dict(
                connection.execute(
                    sa.text("SELECT id, key FROM projects WHERE id IN :ids").bindparams(by_id), chosen
                ).all()
            )
            kpis: dict[int, list[int]] = {project: [] for project in ids}
            for project, kpi in connection.execute(
                sa.text("SELECT project_id, id FROM kpis WHERE project_id IN :ids ORDER BY id").bindparams(by_id),
                chosen,
            ):
                kpis[project].append(kpi)
            email = connection.scalar(
                sa.text("SELECT email FROM users WHERE role = :role AND active ORDER BY id LIMIT 1"),
                {"role": CONSOLE_ROLE},
            )
    finally:
        engine.dispose()
    log = common.RESULTS / f"gunicorn-console-{name}.log"
    with Gunicorn("tracker:create_app()", url, log, env={"SIGN_IN_LINKS_IN_LOG": "true"}) as tracker:
        cookie = console_sign_in(tracker.port, log, email)
        page_client = Keepalive(tracker.port, {"Cookie": f"console_session={cookie}"})
        api_client = Keepalive(tracker.port, {"Authorization": f"Bearer {common.token_for(CONSOLE_ROLE)}"})

        def page(path: str, *must: str) -> float:
            elapsed, body = page_client.fetch(path)
            text = body.decode()
            if missing := [m for m in must if m not in text]:  # a sign-in page is no console page
                raise RuntimeError(f"GET {path}: 200 without {missing}: {text[:300]!r}")
            return elapsed

        def reference(paths: list[str]) -> float:
            return sum(api_client.get(path) for path in paths)

        def measure(
            work: str, count: int, warm: int, app: Callable[[int], float], floor: Callable[[int], float], note: str
        ):
            app_times, floor_times = [], []
            for n in range(count + warm):
                pair = ((app, app_times), (floor, floor_times))
                for func, times in pair if n % 2 == 0 else pair[::-1]:
                    elapsed = func(n)
                    if n >= warm:
                        times.append(elapsed)
            data.figures.append(Figure(work, app_times, floor_times, note, percentiles=True))

        # the list page: the console's rows are the API's page of the same filters
        work, label = "console projects page p50 (gunicorn)", "stage=pilot&domain=mobility, pages 1-5"
        api_query = CONSOLE_LIST_QUERY + "&page_size=50"
        differing = []
        for number in range(1, 6):
            _, body = api_client.fetch("/api/v1/projects?" + api_query.format(page=number))
            shown = page_client.fetch("/console/projects?" + CONSOLE_LIST_QUERY.format(page=number))[1].decode()
            wanted = [project["key"] for project in json.loads(body)]
            if not wanted or any(key not in shown for key in wanted):
                differing.append(number)
        if differing:
            data.failures.append(f"{work}: pages {differing} do not show the projects of the API's pages")
        data.checks.append(
            f"{work}: the console's pages 1-5 show the projects of the API's pages ({label}): "
            + ("NO, pages " + ", ".join(map(str, differing)) if differing else "yes")
        )
        measure(
            work,
            requests,
            30,
            lambda n: page("/console/projects?" + CONSOLE_LIST_QUERY.format(page=1 + n % 5), "BENCH-"),
            lambda n: api_client.get("/api/v1/projects?" + api_query.format(page=1 + n % 5)),
            f"{label}; reference GET /api/v1/projects?<same>&page_size=50; {requests} requests each",
        )
        # the search (`q`, the console's own: the API's list has none): shown against the API's
        # unfiltered page of 50, not judged
        measure(
            "console projects search (q)",
            requests // 3,
            10,
            lambda n: page("/console/projects?" + CONSOLE_SEARCH_QUERY.format(page=1 + n % 5), "BENCH-"),
            lambda n: api_client.get(f"/api/v1/projects?page={1 + n % 5}&page_size=50"),
            f"q=detection, pages 1-5; no API equivalent: reference the API's unfiltered page of 50; "
            f"{requests // 3} requests each",
        )

        # one project: its page against every GET of what it shows, summed
        reads = sum(len(project_reads(p, kpis[p])) for p in ids) / len(ids)
        measure(
            "console project page p50 (gunicorn)",
            requests,
            30,
            lambda n: page(f"/console/projects/{ids[n % len(ids)]}", keys[ids[n % len(ids)]]),
            lambda n: reference(project_reads(ids[n % len(ids)], kpis[ids[n % len(ids)]])),
            f"{requests} random ids; reference the sum of {reads:.1f} GETs on average (project, transitions, "
            "budget lines, KPIs, each KPI's measurements, practices, flags, audit)",
        )

        # the dashboard: the portfolio report and the trend (8 quarters), defaults, as of today
        dashboard = ["/api/v1/reports/portfolio", "/api/v1/reports/trend"]
        report = json.loads(api_client.fetch(dashboard[0])[1])
        shown = page_client.fetch("/console")[1].decode()
        counts = [f"{count:,}" for count in report["stages"].values()]
        agree = all(count in shown for count in counts)
        if not agree:
            data.failures.append(f"console dashboard does not show the report's stage counts {counts}")
        data.checks.append(
            f"console dashboard shows the portfolio report's stage counts ({', '.join(counts)}): {'yes' if agree else 'NO'}"
        )
        measure(
            "console dashboard p50 (gunicorn)",
            dashboard_requests,
            2,
            lambda n: page("/console", "Projects by stage"),
            lambda n: reference(dashboard),
            f"reference GET portfolio + GET trend (8 quarters), summed; {dashboard_requests} requests each",
        )


# ---- EXPLAIN the statements the hot requests send (PostgreSQL) ---------------------------------


def hot_requests(connection) -> list[tuple[str, str, str, dict | None]]:
    """(label, method, path, json) of the requests a busy day is made of, on real ids of the data set."""

    def one(sql: str):
        return connection.execute(sa.text(sql)).scalar()

    project = one("SELECT p.id FROM projects p JOIN kpis k ON k.project_id = p.id WHERE p.stage = 'pilot' LIMIT 1")
    kpi = one(f"SELECT id FROM kpis WHERE project_id = {project} LIMIT 1")
    owner = one(f"SELECT owner_id FROM projects WHERE id = {project}")
    key = one("SELECT key FROM projects WHERE public LIMIT 1")
    return [
        ("single project", "GET", f"/api/v1/projects/{project}", None),
        ("filtered list page", "GET", "/api/v1/projects?" + LIST_QUERY.format(page=3), None),
        ("owner's projects", "GET", f"/api/v1/projects?owner={owner}", None),
        ("flagged projects", "GET", "/api/v1/projects?flagged=true&page=2", None),
        ("stage history", "GET", f"/api/v1/projects/{project}/transitions", None),
        ("project's KPIs", "GET", f"/api/v1/projects/{project}/kpis", None),
        ("KPI's measurements", "GET", f"/api/v1/kpis/{kpi}/measurements", None),
        ("project's budget lines", "GET", f"/api/v1/projects/{project}/budget-lines", None),
        ("project's flags", "GET", f"/api/v1/flags?project={project}", None),
        ("open flags of a rule", "GET", "/api/v1/flags?status=open&rule=pilot_purgatory", None),
        ("owner's flags", "GET", f"/api/v1/flags?owner={owner}", None),
        ("registry page", "GET", "/api/v1/registry?page=2", None),
        ("registry entry", "GET", f"/api/v1/registry/{key}", None),
        ("project's audit trail", "GET", f"/api/v1/audit?project={project}", None),
        ("gate check (refused)", "POST", f"/api/v1/projects/{project}/transitions", {"to_stage": "rollout", "rationale": "bench"}),
    ]  # fmt: skip


def bench_explain(data: Dataset, app) -> None:
    from tracker.extensions import db

    client = app.test_client()
    headers = {"Authorization": f"Bearer {common.token_for('admin')}"}
    with db.engine.connect() as connection:
        requests = hot_requests(connection)
        sizes = dict(
            connection.execute(
                sa.text("SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(:names)"),
                {"names": list(BIG_TABLES)},
            ).all()
        )
    captured: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    findings = []
    try:
        for label, method, path, body in requests:
            captured.clear()
            response = client.open(path, method=method, headers=headers, json=body)
            if response.status_code >= 500 or response.status_code in (401, 403, 404):
                findings.append(f"{label}: {method} {path} answered {response.status_code}")
                continue
            statements = list(captured)
            with db.engine.connect() as connection:
                for statement, parameters in statements:
                    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
                    for table, rows in seq_scans(plan[0]["Plan"]):
                        total = sizes.get(table, 0)
                        if table in BIG_TABLES and total and rows < 0.01 * total:
                            findings.append(
                                f"{label} ({method} {path}): Seq Scan on {table} keeping ~{rows:,} of {total:,} "
                                f"rows: an index should serve `{' '.join(statement.split())[:160]}`"
                            )
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)
    if findings:
        data.failures += findings
        data.checks += [f"EXPLAIN: {finding}" for finding in findings]
    else:
        data.checks.append(
            f"EXPLAIN: no Seq Scan on a big table where an index should serve ({len(requests)} hot requests)"
        )


def seq_scans(node: dict):
    """(table, estimated rows kept) of every Seq Scan in a plan tree."""
    if node.get("Node Type") == "Seq Scan":
        yield node["Relation Name"], int(node["Plan Rows"])
    for child in node.get("Plans", ()):
        yield from seq_scans(child)


# ---- one data set, growth, the report --------------------------------------------------------


def bench_dataset(dialect: str, size: int, args) -> Dataset:
    from tracker import create_app
    from tracker.extensions import db

    print(f"\n## {dialect}, {size:,} projects", flush=True)
    manifest = generate.ensure(dialect, size)
    data = Dataset(dialect, size, manifest, load_average=os.getloadavg())
    working = common.working_name(size)
    common.copy(dialect, common.pristine_name(size), working)
    url = common.database_url(dialect, working)
    try:
        app = create_app({"DATABASE_URL": url})
        with app.app_context():
            if "scan" in args.only:
                bench_scans(data, app, runs_at(size, args.runs))
            if "portfolio" in args.only:
                bench_portfolio(data, app, runs_at(size, args.runs))
            if "trend" in args.only:
                bench_trend(data, app, runs_at(size, args.runs), url)
            if dialect == "postgres" and "explain" in args.only:
                bench_explain(data, app)
            db.session.remove()
            db.engine.dispose()
        if "streams" in args.only:
            bench_streams(data, url, args.runs)
        if "http" in args.only:
            load_here = args.load_seconds if size == max(args.sizes) else 0
            bench_http(data, url, args.requests, load_here)
        if "console" in args.only:
            bench_console(data, url, args.requests, runs_at(size, 2 * args.runs))
    finally:
        common.drop(dialect, working)
    print(dataset_markdown(data), flush=True)
    return data


def runs_at(size: int, runs: int) -> int:
    """More runs of the in-process figures below TARGET_SIZE (10 times as many at 10k): they take a
    few hundred milliseconds, so one run slowed by the machine moves their median, and with it the
    growth to 100k that is judged against the floor's."""
    return runs * min(10, max(1, TARGET_SIZE // size))


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:,.2f}" if value < 10 else f"{value:,.0f}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def verdict(value: float, limit: float | None) -> str:
    if limit is None:
        return ""
    return "PASS" if value <= limit else "FAIL"


def dataset_markdown(data: Dataset) -> str:
    rows = data.manifest["rows"]
    lines = [
        f"### {data.dialect}, {data.size:,} projects",
        f"{rows['kpis']:,} KPIs, {rows['measurements']:,} measurements, {rows['budget_lines']:,} budget lines, "
        f"{rows['stage_transitions']:,} stage decisions, {rows['flags']:,} flags; "
        f"generated in {data.manifest['total_seconds']} s, {data.manifest['bytes'] / 1e6:,.0f} MB; "
        f"load average when its work began: {', '.join(f'{x:.2f}' for x in data.load_average)}",
        "",
        "| work | app median (p99) ms | floor median (p99) ms | ratio | target | result | note |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for f in data.figures:
        target = f.target(data.size)
        app = ms(statistics.median(f.app)) + (f" ({ms(percentile(f.app, 0.99))})" if f.percentiles else "")
        floor = ms(statistics.median(f.floor)) + (f" ({ms(percentile(f.floor, 0.99))})" if f.percentiles else "")
        lines.append(
            f"| {f.work} | {app} | {floor} | {f.ratio:.2f}x | {f'<= {target}x' if target else ''} "
            f"| {verdict(f.ratio, target)} | {f.note} |"
        )
    if data.peaks:  # the streams group ran
        lines += [
            "",
            "| download | time s | floor s | ratio | size MB | RSS before MB | peak RSS MB | result |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
    for p in data.peaks:
        limit = PEAK_MB_LIMIT if data.size >= TARGET_SIZE and "floor" not in p.work else None
        floor = f"{p.floor_seconds:.2f}" if p.floor_seconds else ""
        ratio = f"{p.seconds / p.floor_seconds:.2f}x" if p.floor_seconds else ""
        result = f"{verdict(p.peak_mb, limit)} (< {limit} MB)" if limit else ""
        lines.append(
            f"| {p.work} | {p.seconds:.2f} | {floor} | {ratio} | {p.megabytes:.1f} | {p.rss_before_mb:.0f} "
            f"| {p.peak_mb:.0f} | {result} |"
        )
    lines += ["", *(f"- {check}" for check in data.checks)]
    if data.load:
        lines += ["", f"Load ({data.load['clients']} clients, mixed reads and writes):", "", load.report(data.load)]
    return "\n".join(lines)


def growth_markdown(datasets: list[Dataset]) -> tuple[str, list[str]]:
    """Growth from 10k to 100k, judged against the floor's growth on the same run: the floor's own
    growth (the database's, the machine's) is what hand-written SQL cannot avoid, so only the rest
    is the app's. A work without a floor keeps the flat limit."""
    lines, failures = [], []
    by_key = {(d.dialect, d.size): d for d in datasets}
    for dialect in common.DIALECTS:
        small, big = by_key.get((dialect, 10_000)), by_key.get((dialect, 100_000))
        if small is None or big is None:
            continue
        lines += [
            f"### Growth 10k -> 100k projects, {dialect}",
            "",
            f"Target: app growth / floor growth <= {RELATIVE_GROWTH_LIMIT:g}; a work without a floor: "
            f"growth <= {GROWTH_LIMIT:g}x (linear, 10% margin).",
            "",
            "| work | app 10k ms | app 100k ms | app growth | floor growth | app / floor growth | target | result |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        rows = [
            (f.work, statistics.median(before.app), statistics.median(f.app), floor_growth(before, f))
            for f in big.figures
            if (before := next((b for b in small.figures if b.work == f.work), None))
        ]
        rows += [
            (p.work, before.seconds, p.seconds, p.floor_seconds / before.floor_seconds if p.floor_seconds else None)
            for p in big.peaks
            if "floor" not in p.work and (before := next((b for b in small.peaks if b.work == p.work), None))
        ]
        for work, small_seconds, big_seconds, floor_grew in rows:
            growth = big_seconds / small_seconds
            # a breakdown (the report's queries alone) is shown only
            judged = (work in TARGETS or work in PEAK_WORKS) and work not in GROWTH_UNJUDGED
            if floor_grew:
                relative = growth / floor_grew
                result = verdict(relative, RELATIVE_GROWTH_LIMIT if judged else None)
                target = f"<= {RELATIVE_GROWTH_LIMIT:g} (relative)" if judged else "(breakdown)"
                columns = f"{floor_grew:.1f}x | {relative:.2f} | {target}"
                failure = f"grows {growth:.1f}x from 10k to 100k, {relative:.2f} times its floor's {floor_grew:.1f}x"
            else:
                result = verdict(growth, GROWTH_LIMIT if judged else None)
                columns = f"no floor | | {f'<= {GROWTH_LIMIT:g}x (flat)' if judged else '(breakdown)'}"
                failure = f"grows {growth:.1f}x from 10k to 100k (no floor)"
            if result == "FAIL":
                failures.append(f"{dialect}: {work} {failure}")
            lines.append(f"| {work} | {ms(small_seconds)} | {ms(big_seconds)} | {growth:.1f}x | {columns} | {result} |")
        lines.append("")
    return "\n".join(lines), failures


def floor_growth(small: Figure, big: Figure) -> float:
    return statistics.median(big.floor) / statistics.median(small.floor)


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    engine = common.server_engine()
    try:
        with engine.connect() as connection:
            postgres = connection.scalar(sa.text("SHOW server_version"))
    except sa.exc.OperationalError:
        postgres = "unreachable"
    finally:
        engine.dispose()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated project counts")
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each in-process figure")
    parser.add_argument("--requests", type=int, default=300, help="timed HTTP requests per route")
    parser.add_argument("--load-seconds", type=float, default=0, help="run bench/load.py this long on the largest size")
    parser.add_argument(
        "--only", default=",".join(GROUPS), help=f"comma-separated groups to run, of {','.join(GROUPS)} (default all)"
    )
    args = parser.parse_args(argv)
    args.only = [g for g in args.only.split(",") if g]
    if unknown := set(args.only) - set(GROUPS):
        raise SystemExit(f"--only: unknown {unknown}")
    args.sizes = [int(s) for s in args.sizes.split(",")]
    dialects = [d for d in args.db.split(",") if d]
    if unknown := set(dialects) - set(common.DIALECTS):
        raise SystemExit(f"--db: unknown {unknown}")
    generate.check_columns()
    started = datetime.now(UTC)
    info = machine()
    print(f"# Benchmarks {started:%Y-%m-%d %H:%M} UTC\n\n{info}", flush=True)
    datasets = [bench_dataset(dialect, size, args) for dialect in dialects for size in args.sizes]
    growth, growth_failures = growth_markdown(datasets)
    failures = [f"{d.dialect} {d.size:,}: {f}" for d in datasets for f in d.failures] + growth_failures
    for d in datasets:
        for f in d.figures:
            target = f.target(d.size)
            if target and f.ratio > target:
                failures.append(f"{d.dialect} {d.size:,}: {f.work} is {f.ratio:.2f}x its floor (target {target}x)")
        for p in d.peaks:
            if d.size >= TARGET_SIZE and "floor" not in p.work and p.peak_mb >= PEAK_MB_LIMIT:
                failures.append(f"{d.dialect} {d.size:,}: {p.work} peaks at {p.peak_mb:.0f} MB")
    summary = "\n".join(
        ["## Summary", "", *(f"- FAIL {f}" for f in failures)] if failures else ["## Summary", "", "all PASS"]
    )
    print("\n" + growth + "\n" + summary, flush=True)
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    markdown = "\n\n".join(
        [f"# Benchmarks {started:%Y-%m-%d %H:%M} UTC", str(info), *map(dataset_markdown, datasets), growth, summary]
    )
    (common.RESULTS / f"run-{stamp}.md").write_text(markdown)
    (common.RESULTS / f"run-{stamp}.json").write_text(
        json.dumps({"machine": info, "args": vars(args), "datasets": [asdict(d) for d in datasets], "failures": failures}, indent=1, default=str)
    )  # fmt: skip
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
