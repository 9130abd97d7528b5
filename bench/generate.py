"""A reproducible national-scale portfolio, bulk-loaded through the project's own schema.

    python -m bench.generate --sizes 1000,10000,100000 --db sqlite,postgres [--force]

For each size N and database: the schema from the Alembic migrations, then N projects with
their stage histories, budget lines for every stage they reached (and some for the next),
about 4 KPIs each and about 5 measurements per KPI, and the flags a scan as of the day before
ANCHOR found (computed with the project's own pure rules), so the bench's first real scan is a
day's work, not a first-ever scan. One fixed seed: the same N gives the same rows every time.

Stall shapes on purpose: PoCs past 90 days, pilots past 180, pilots without a rollout budget
line, projects reporting inputs only, reporting that stopped, pilots and rollouts without KPIs.
Risk tiers as a city's register would have them (about 12% high-impact, as in the 2025 federal
inventory; a few prohibited uses), and the eight practices of the high-impact ones: most with
all eight done within the year, some lapsed, some missing or in progress, a few waived.

Rows go in with SQLite executemany / PostgreSQL COPY on the tables of tracker.models (the
stored forms: integer minor units, scaled KPI values), then ANALYZE. The result is the pristine
data set (SQLite bench/data/tracker_bench_N.db, PostgreSQL database tracker_bench_N); the bench
works on a copy of it.
"""

import argparse
import csv
import functools
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import sqlalchemy as sa
from alembic import command

from bench import common
from tracker import create_app
from tracker.cli import alembic_config
from tracker.config import DEFAULT_DOMAINS
from tracker.extensions import db
from tracker.flags.rules import ProjectFacts, Thresholds, evaluate
from tracker.models import Base
from tracker.projects.search import search_text
from tracker.trust.rules import MAY_BE_NOT_APPLICABLE, PracticeState
from tracker.vocab import ACTIVE_STAGES, AI_TYPES, BUDGET_CATEGORIES, PRACTICES

FEDERAL_INVENTORY = common.ROOT.parent / "tests" / "data" / "us-federal-ai-inventory-2025" / "use_cases.csv"
PROJECTS_PER_BATCH = 2000
YESTERDAY = common.ANCHOR - timedelta(days=1)
THRESHOLDS = Thresholds()  # the SPEC defaults
# bumped whenever the rows generated change: a data set of another version is generated again
GENERATOR_VERSION = 3  # 3: budget lines' planned_on and approved_on

# Columns written, in order, per table (stored forms). Checked against tracker.models at start.
COLUMNS = {
    table: tuple(columns.split())
    for table, columns in {
        "users": "id email name role active created_at",
        "api_tokens": "id user_id name token_hash prefix created_at",
        "projects": "id key title problem description domain ai_type department owner_id stage stage_entered_at "
        "public purpose data_sources logic risks human_oversight contact_email risk_tier risk_rationale "
        "risk_assessed_on created_at updated_at version search_text changed_at",
        "practices": "id project_id key status completed_on waived_on evidence_url note waiver_reason updated_at "
        "updated_by_id",
        "stage_transitions": "id project_id from_stage to_stage effective_date decided_by_id rationale gate "
        "override_reason recorded_at",
        "budget_lines": "id project_id stage fiscal_year category currency amount_minor spent_minor status source "
        "created_at updated_at planned_on approved_on",
        "kpis": "id project_id name kind unit direction baseline baseline_date target target_date cadence_days "
        "created_at updated_at",
        "measurements": "id kpi_id value measured_on note recorded_by_id created_at",
        "flags": "id project_id rule status opened_at last_seen_at resolved_at details acknowledged_at "
        "acknowledged_by_id snoozed_until snooze_reason last_alerted_on escalated_on resolution_alerted",
        "scan_runs": "id as_of dry_run trigger triggered_by_id started_at duration_ms projects_evaluated "
        "flags_opened flags_refreshed flags_resolved alerts_queued",
    }.items()
}

STAGE_WEIGHTS = {"poc": 34, "pilot": 30, "rollout": 22, "cancelled": 8, "retired": 6}
DOMAIN_WEIGHTS = (24, 16, 18, 14, 16, 12)
CURRENCIES = (("USD", 88, 100), ("EUR", 8, 100), ("KRW", 4, 1))  # code, weight, minor units per unit
KPI_COUNT_WEIGHTS = {0: 4, 1: 5, 2: 10, 3: 20, 4: 25, 5: 18, 6: 10, 7: 8}  # mean about 4
KPI_NAMES = {
    "input": (("Budget spent", "USD"), ("Staff assigned", "FTE"), ("Models deployed", "count"), ("GPU hours", "h")),
    "output": (
        ("Documents processed", "count"),
        ("Chatbot sessions", "count"),
        ("Inspections scheduled", "count"),
        ("Alerts raised", "count"),
    ),
    "outcome": (
        ("Average permit wait time", "days"),
        ("Traffic accidents per 100k residents", "rate"),
        ("Water lost to leaks", "%"),
        ("Emergency response time", "min"),
        ("Resident satisfaction", "%"),
    ),
}
# reporting habits: how a project's measurements end (stall shapes for stale_reporting, input_metrics_only)
REPORTING = {"fresh": 65, "stale": 20, "never": 5, "outcome_silent": 10}
RISK_TIER_WEIGHTS = {"unassessed": 14, "minimal": 55, "limited": 18, "high_impact": 12, "prohibited": 1}
RISK_RATIONALES = {
    "unassessed": "",
    "minimal": "Back-office analytics; no decision about residents.",
    "limited": "Residents talk to it or see what it generates: they are told it is AI.",
    "high_impact": "It decides or shapes residents' access to a public service.",
    "prohibited": "Scores residents' social behaviour: a use the law forbids.",
}
# the practices of a high-impact project: all eight in effect, one or two lapsed, some missing or
# in progress, one waived (the rest in effect)
PRACTICE_PROFILES = {"complete": 58, "lapsed": 17, "missing": 20, "waived": 5}
LOCAL_DEPARTMENTS = (
    "서울특별시 교통정책과",
    "부산광역시 스마트도시과",
    "Ville de Montréal — Service de l'eau",
    "Ayuntamiento de Bogotá — Movilidad",
    "Stadt München — Referat für Klima- und Umweltschutz",
    "Città di Torino — Innovazione",
)


@dataclass
class Counters:
    """Next id per table (ids are written explicitly; PostgreSQL sequences are moved past them)."""

    next_id: dict = field(default_factory=lambda: dict.fromkeys(COLUMNS, 1))

    def take(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value


def _choice(rng: random.Random, weights: dict):
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


@functools.cache
def _at(day: date) -> datetime:
    return datetime.combine(day, clock_time(9, 0), tzinfo=UTC)


def federal_use_cases() -> list[dict]:
    with FEDERAL_INVENTORY.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["use_case_name"].strip() and row["problem_solved"].strip()]


def departments(cases: list[dict]) -> list[str]:
    named = sorted(
        {
            (f"{c['agency_name']} — {c['agency_bureau']}" if c["agency_bureau"] else c["agency_name"])[:200]
            for c in cases
        }
    )
    return [*named, *LOCAL_DEPARTMENTS]


# ---- one project ---------------------------------------------------------------------------

STAY_DAYS = {  # (short stay, long stay, share long) for the current stage; the long ones stall
    "poc": ((0, THRESHOLDS.poc_max_days), (THRESHOLDS.poc_max_days + 1, 600), 0.45),
    "pilot": ((0, THRESHOLDS.pilot_max_days), (THRESHOLDS.pilot_max_days + 1, 900), 0.45),
    "rollout": ((0, 400), (401, 1200), 0.5),
    "cancelled": ((0, 300), (301, 900), 0.5),
    "retired": ((0, 300), (301, 900), 0.5),
}
EARLIER_STAY_DAYS = {"poc": (30, 200), "pilot": (60, 400), "rollout": (100, 700)}


def stage_path(rng: random.Random, final: str) -> list[str]:
    """The stages a project passed through, its history's first entry first."""
    roll = rng.random()
    if final == "poc":
        return ["poc"]
    if final == "pilot":
        if roll < 0.10:
            return ["pilot"]  # imported in pilot
        if roll < 0.20:
            return ["poc", "pilot", "poc", "pilot"]  # sent back once
        return ["poc", "pilot"]
    if final == "rollout":
        return ["rollout"] if roll < 0.15 else ["poc", "pilot", "rollout"]
    if final == "cancelled":
        return ["poc", "cancelled"] if roll < 0.6 else ["poc", "pilot", "cancelled"]
    return ["poc", "pilot", "rollout", "retired"]


def history_dates(rng: random.Random, path: list[str]) -> list[date]:
    short, long, share_long = STAY_DAYS[path[-1]]
    low, high = long if rng.random() < share_long else short
    day = common.ANCHOR - timedelta(days=rng.randint(low, high))
    dates = [day]
    for stage in reversed(path[:-1]):
        day -= timedelta(days=rng.randint(*EARLIER_STAY_DAYS[stage]))
        dates.append(day)
    return dates[::-1]


def stages_reached(path: list[str]) -> set[str]:
    """Implied stages count (a history starting in rollout passed poc and pilot)."""
    reached = set(path)
    order = ("poc", "pilot", "rollout")
    for stage in path:
        if stage in order:
            reached.update(order[: order.index(stage) + 1])
    if "retired" in reached:
        reached.update(order)
    return reached


@dataclass
class KpiPlan:
    kind: str
    dates: list[date]


def measurement_dates(rng: random.Random, *, last: date, first_allowed: date, count: int) -> list[date]:
    dates = []
    day = last
    for _ in range(count):
        if day < first_allowed:
            break
        dates.append(day)
        day -= timedelta(days=30 + rng.randint(-5, 5))
    return dates


def facts_on(
    as_of: date,
    path: list[str],
    dates: list[date],
    kpis: list[KpiPlan],
    rollout_lines: int,
    risk_tier: str,
    practices: dict[str, PracticeState],
):
    """The project as the scan sees it on `as_of` (None when it is not active then), for the seed flags."""
    stage = entered = None
    for to_stage, day in zip(path, dates, strict=True):
        if day <= as_of:
            stage, entered = to_stage, day
    if stage not in ACTIVE_STAGES:
        return None
    window_start = as_of - timedelta(days=THRESHOLDS.reporting_window_days)
    seen = [(k, d) for k in kpis for d in k.dates if d <= as_of]
    return ProjectFacts(
        as_of=as_of,
        stage=stage,
        stage_entered_on=entered,
        input_kpis=sum(k.kind == "input" for k in kpis),
        output_kpis=sum(k.kind == "output" for k in kpis),
        outcome_kpis=sum(k.kind == "outcome" for k in kpis),
        measurements_in_window=sum(d >= window_start for _, d in seen),
        outcome_measurements_in_window=sum(d >= window_start and k.kind == "outcome" for k, d in seen),
        last_measured_on=max((d for _, d in seen), default=None),
        rollout_budget_lines=rollout_lines,
        risk_tier=risk_tier,
        practices=practices,
    )


class Portfolio:
    """Builds the rows of one project after another from one seeded random stream."""

    def __init__(self, size: int):
        self.size = size
        self.rng = random.Random(common.SEED)
        self.ids = Counters()
        self.cases = federal_use_cases()
        self.departments = departments(self.cases)
        self.domains = DEFAULT_DOMAINS.split(",")
        self.owner_count = max(20, size // 40)
        self.first_owner_id = len(common.BENCH_ROLES) + 1

    def users(self) -> dict[str, list[tuple]]:
        created = _at(common.ANCHOR - timedelta(days=2000))
        users, tokens = [], []
        for role in common.BENCH_ROLES:
            user_id = self.ids.take("users")
            users.append((user_id, f"bench-{role}@city.example", f"Bench {role.title()}", role, True, created))
            token = common.token_for(role)
            tokens.append(
                (self.ids.take("api_tokens"), user_id, "bench", common.token_hash(token), token[:12], created)
            )
        for n in range(self.owner_count):
            name = f"김민준 {n}" if n % 10 == 0 else f"Owner {n}"
            users.append((self.ids.take("users"), f"owner{n}@city.example", name, "manager", True, created))
        return {"users": users, "api_tokens": tokens}

    def scan_runs(self) -> dict[str, list[tuple]]:
        row = (self.ids.take("scan_runs"), YESTERDAY, False, "scheduler", None, _at(YESTERDAY), 0, 0, 0, 0, 0, 0)
        return {"scan_runs": [row]}

    def batches(self) -> Iterable[dict[str, list[tuple]]]:
        for start in range(0, self.size, PROJECTS_PER_BATCH):
            rows = {table: [] for table in COLUMNS}
            for n in range(start, min(start + PROJECTS_PER_BATCH, self.size)):
                self.project(n, rows)
            yield rows

    def project(self, n: int, rows: dict[str, list[tuple]]) -> None:
        rng = self.rng
        case = self.cases[n % len(self.cases)]
        project_id = self.ids.take("projects")
        owner_id = self.first_owner_id + rng.randrange(self.owner_count)
        final = _choice(rng, STAGE_WEIGHTS)
        path = stage_path(rng, final)
        dates = history_dates(rng, path)
        created = _at(dates[0])
        tier = _choice(rng, RISK_TIER_WEIGHTS)
        assessed = None if tier == "unassessed" else dates[0] + timedelta(days=rng.randint(0, 30))
        public = rng.random() < 0.25
        registry = (
            (
                f"Helps {case['agency_name']} with: {case['use_case_name']}",
                "Operational records of the department; no personal data leaves it.",
                case["problem_solved"][:400],
                "Errors in the model's output could delay service to residents.",
                "A civil servant reviews every decision before it takes effect.",
                f"ai-{project_id}@city.example",
            )
            if public
            else ("",) * 6
        )
        key, title, problem = f"BENCH-{project_id:06d}", case["use_case_name"][:300], case["problem_solved"][:2000]
        department = rng.choice(self.departments)
        searched = {"key": key, "title": title, "problem": problem, "purpose": registry[0], "department": department}
        rows["projects"].append(
            (
                project_id,
                key,
                title,
                problem,
                f"{case['use_case_name']} ({case['agency']}); benchmark project {project_id}.",
                rng.choices(self.domains, weights=DOMAIN_WEIGHTS)[0],
                rng.choice(AI_TYPES),
                department,
                owner_id,
                path[-1],
                dates[-1],
                public,
                *registry,
                tier,
                RISK_RATIONALES[tier],
                min(assessed, common.ANCHOR) if assessed else None,
                created,
                _at(dates[-1]),
                1,
                search_text(searched),
                _at(dates[-1]),
            )
        )
        previous = None
        for to_stage, day in zip(path, dates, strict=True):
            first = previous is None
            rows["stage_transitions"].append(
                (
                    self.ids.take("stage_transitions"),
                    project_id,
                    previous,
                    to_stage,
                    day,
                    owner_id,
                    "project created" if first else f"decided to move to {to_stage}",
                    {"checks": [], "unmet": [], "overridden": False},
                    None,
                    _at(day),
                )
            )
            previous = to_stage
        rollout_lines = self.budget_lines(project_id, path, dates, rows)
        kpis = self.kpis(project_id, owner_id, path, dates, rows)
        practices = self.practices(project_id, owner_id, rows) if tier == "high_impact" else {}
        facts = facts_on(YESTERDAY, path, dates, kpis, rollout_lines, tier, practices)
        if facts is not None:
            self.flags(project_id, owner_id, facts, rows)
        if rng.random() < 0.10:
            self.resolved_flag(project_id, dates[0], rows)

    def budget_lines(self, project_id: int, path: list[str], dates: list[date], rows) -> int:
        """Lines for every stage reached; pilots get a rollout line 60% of the time. Rollout lines written."""
        rng = self.rng
        currency, _, minor = rng.choices(CURRENCIES, weights=[c[1] for c in CURRENCIES])[0]
        reached = stages_reached(path)
        entered = dict(zip(path, dates, strict=True))
        rollout_lines = 0
        wanted = [(stage, "approved") for stage in ("poc", "pilot", "rollout") if stage in reached]
        if path[-1] == "pilot" and rng.random() < 0.6:
            wanted.append(("rollout", "approved" if rng.random() < 0.2 else "planned"))
        if path[-1] == "poc" and rng.random() < 0.3:
            wanted.append(("pilot", "planned"))
        for stage, status in wanted:
            day = entered.get(stage, dates[-1])
            for _ in range(rng.choice((1, 1, 2))):
                rollout_lines += stage == "rollout"
                amount = rng.randint(10_000, 5_000_000) * minor * (10 if currency == "KRW" else 1)
                spent = rng.randint(0, amount) if status == "approved" else 0
                if stage in entered:  # money for a stage reached: planned up to a quarter before it
                    planned = max(dates[0], day - timedelta(days=rng.randint(0, 90)))
                else:  # money for the next stage, planned some time in the current one
                    planned = day + timedelta(days=rng.randint(0, max(0, (common.ANCHOR - day).days)))
                approved = (
                    min(common.ANCHOR, planned + timedelta(days=rng.randint(0, 120))) if status == "approved" else None
                )
                rows["budget_lines"].append(
                    (
                        self.ids.take("budget_lines"),
                        project_id,
                        stage,
                        day.year,
                        rng.choice(BUDGET_CATEGORIES),
                        currency,
                        amount,
                        spent,
                        status,
                        f"mid-term fiscal plan {day.year}-{day.year + 4}",
                        _at(planned),
                        _at(approved or planned),
                        planned,
                        approved,
                    )
                )
        return rollout_lines

    def practices(self, project_id: int, owner_id: int, rows) -> dict[str, PracticeState]:
        """The written practices of a high-impact project, by key (see PRACTICE_PROFILES)."""
        rng = self.rng
        profile = _choice(rng, PRACTICE_PROFILES)
        lapsed = set(rng.sample(PRACTICES, rng.randint(1, 2))) if profile == "lapsed" else set()
        waived = rng.choice(PRACTICES) if profile == "waived" else None
        written = {}
        for key in PRACTICES:
            completed = waived_on = None
            if profile == "missing" and rng.random() < 0.4:
                status = rng.choice(("not_written", "not_started", "in_progress"))
                if status == "not_written":
                    continue
            elif key == waived:
                status, waived_on = "waived", common.ANCHOR - timedelta(days=rng.randint(1, 300))
            elif key in MAY_BE_NOT_APPLICABLE and rng.random() < 0.15:
                status = "not_applicable"
            else:
                status = "done"
                age = rng.randint(366, 700) if key in lapsed else rng.randint(1, 330)
                completed = common.ANCHOR - timedelta(days=age)
            changed = completed or waived_on or common.ANCHOR - timedelta(days=rng.randint(1, 200))
            rows["practices"].append(
                (
                    self.ids.take("practices"),
                    project_id,
                    key,
                    status,
                    completed,
                    waived_on,
                    f"https://evidence.city.example/{project_id}/{key}.pdf" if status == "done" else "",
                    "",
                    "Deferred by the CAIO until the vendor's audit ends." if status == "waived" else "",
                    _at(changed),
                    owner_id,
                )
            )
            written[key] = PracticeState(key, status, completed, waived_on)
        return written

    def kpis(self, project_id: int, owner_id: int, path: list[str], dates: list[date], rows) -> list[KpiPlan]:
        rng = self.rng
        count = _choice(rng, KPI_COUNT_WEIGHTS)
        input_only = rng.random() < 0.2
        habit = _choice(rng, REPORTING)
        # reporting stops when the project does
        end = dates[-1] if path[-1] in ("cancelled", "retired") else common.ANCHOR
        plans = []
        for k in range(count):
            if input_only:
                kind = rng.choice(("input", "output"))
            else:
                kind = "outcome" if k == 0 else rng.choices(("input", "output", "outcome"), weights=(35, 30, 35))[0]
            name, unit = rng.choice(KPI_NAMES[kind])
            with_targets = kind == "outcome" and rng.random() < 0.9
            baseline = rng.randint(1, 500) * 10**6 if with_targets else None
            target = baseline // 2 if with_targets else None
            kpi_id = self.ids.take("kpis")
            rows["kpis"].append(
                (
                    kpi_id,
                    project_id,
                    name,
                    kind,
                    unit,
                    "decrease" if kind == "outcome" else "increase",
                    baseline,
                    dates[0] if with_targets else None,
                    target,
                    dates[0] + timedelta(days=730) if with_targets else None,
                    30,
                    _at(dates[0]),
                    _at(dates[0]),
                )
            )
            if habit == "never":
                last = None
            elif habit == "stale" or (habit == "outcome_silent" and kind == "outcome"):
                last = end - timedelta(days=rng.randint(THRESHOLDS.stale_days + 1, 400))
            else:
                last = end - timedelta(days=rng.randint(0, 45))
            taken = (
                []
                if last is None
                else measurement_dates(rng, last=last, first_allowed=dates[0], count=rng.randint(3, 12))
            )
            for day in taken:
                rows["measurements"].append(
                    (self.ids.take("measurements"), kpi_id, rng.randint(0, 1000 * 10**6), day, "", owner_id, _at(day))
                )
            plans.append(KpiPlan(kind=kind, dates=taken))
        return plans

    def flags(self, project_id: int, owner_id: int, facts: ProjectFacts, rows) -> None:
        """The unresolved flags yesterday's scan left: open, acknowledged or snoozed, reminded weekly."""
        rng = self.rng
        for rule, details in evaluate(facts, THRESHOLDS).items():
            opened = max(facts.stage_entered_on, YESTERDAY - timedelta(days=rng.randint(0, 150)))
            age = (YESTERDAY - opened).days
            status = rng.choices(("open", "acknowledged", "snoozed"), weights=(78, 12, 10))[0]
            rows["flags"].append(
                (
                    self.ids.take("flags"),
                    project_id,
                    rule,
                    status,
                    opened,
                    YESTERDAY,
                    None,
                    details,
                    _at(opened + timedelta(days=1)) if status == "acknowledged" else None,
                    owner_id if status == "acknowledged" else None,
                    common.ANCHOR + timedelta(days=rng.randint(1, 40)) if status == "snoozed" else None,
                    "waiting for the council's budget vote" if status == "snoozed" else None,
                    opened + timedelta(days=age // 7 * 7),
                    opened + timedelta(days=30) if age > 30 else None,
                    False,
                )
            )

    def resolved_flag(self, project_id: int, first_day: date, rows) -> None:
        rng = self.rng
        opened = max(first_day, common.ANCHOR - timedelta(days=rng.randint(200, 700)))
        resolved = opened + timedelta(days=rng.randint(1, 150))
        if resolved >= YESTERDAY:
            return
        rule = rng.choice(("poc_stalled", "stale_reporting", "no_scale_budget"))
        rows["flags"].append(
            (self.ids.take("flags"), project_id, rule, "resolved", opened, resolved, resolved, {}, None, None, None, None,
             resolved, None, True)
        )  # fmt: skip


# ---- writing ---------------------------------------------------------------------------------


@functools.cache
def _sqlite_datetime(value: datetime) -> str:
    # how SQLAlchemy's SQLite DateTime stores a UTC timestamp
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@functools.cache
def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _converters(table: sa.Table, columns: tuple[str, ...], dialect: str) -> list[Callable | None]:
    """Per column: how a stored-form Python value goes to the driver (None: as it is)."""
    out: list[Callable | None] = []
    for name in columns:
        column_type = table.c[name].type
        impl = getattr(column_type, "impl", column_type)
        if isinstance(impl, sa.JSON):
            out.append(lambda v: None if v is None else json.dumps(v))
        elif dialect == "sqlite" and isinstance(impl, sa.DateTime):
            out.append(lambda v: None if v is None else _sqlite_datetime(v))
        elif dialect == "sqlite" and isinstance(impl, sa.Date):
            out.append(_sqlite_date)
        elif dialect == "sqlite" and isinstance(impl, sa.Boolean):
            out.append(lambda v: None if v is None else int(v))
        else:
            out.append(None)
    return out


def check_columns() -> None:
    """Every NOT NULL column without a default is written: a model change fails here, not later."""
    for name, columns in COLUMNS.items():
        table = Base.metadata.tables[name]
        unknown = set(columns) - set(table.c.keys())
        missing = {c.name for c in table.c if not c.nullable and c.default is None and c.server_default is None}
        missing -= set(columns)
        if unknown or missing:
            raise SystemExit(f"bench/generate.py is out of date for {name}: unknown {unknown}, missing {missing}")


class Loader:
    """Bulk writes on one raw DBAPI connection: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine: sa.Engine):
        self.dialect = "sqlite" if engine.dialect.name == "sqlite" else "postgres"
        self.raw = engine.raw_connection()
        self.converters = {
            name: _converters(Base.metadata.tables[name], columns, self.dialect) for name, columns in COLUMNS.items()
        }
        self.counts = dict.fromkeys(COLUMNS, 0)
        if self.dialect == "sqlite":
            cursor = self.raw.cursor()
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.close()

    def write(self, batch: dict[str, list[tuple]]) -> None:
        cursor = self.raw.cursor()
        for table, rows in batch.items():
            if not rows:
                continue
            converted = self._convert(table, rows)
            columns = ", ".join(COLUMNS[table])
            if self.dialect == "sqlite":
                marks = ", ".join("?" * len(COLUMNS[table]))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", converted)
            else:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in converted:
                        copy.write_row(row)
            self.counts[table] += len(rows)
        cursor.close()
        self.raw.commit()

    def _convert(self, table: str, rows: list[tuple]) -> Iterable[tuple]:
        active = [(i, f) for i, f in enumerate(self.converters[table]) if f is not None]
        if not active:
            return rows
        out = []
        for row in rows:
            values = list(row)
            for i, convert in active:
                values[i] = convert(values[i])
            out.append(values)
        return out

    def finish(self) -> None:
        cursor = self.raw.cursor()
        if self.dialect == "postgres":
            for table in COLUMNS:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
            self.raw.commit()
            self.raw.driver_connection.autocommit = True
            cursor.execute("VACUUM ANALYZE")
        else:
            self.raw.commit()
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
        self.raw.close()


def generate(dialect: str, size: int) -> dict:
    """Create the pristine data set of `size` projects; returns its manifest (counts, seconds)."""
    name = common.pristine_name(size)
    url = common.database_url(dialect, name)
    started = time.perf_counter()
    common.create_empty(dialect, name)
    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        command.upgrade(alembic_config(), "head")
        portfolio = Portfolio(size)
        loader = Loader(db.engine)
        loader.write(portfolio.users())
        loader.write(portfolio.scan_runs())
        for batch in portfolio.batches():
            loader.write(batch)
        loaded = time.perf_counter()
        loader.finish()
        verify(size)
        db.session.remove()
        db.engine.dispose()
    manifest = {
        "dialect": dialect,
        "size": size,
        "seed": common.SEED,
        "generator": GENERATOR_VERSION,
        "anchor": common.ANCHOR.isoformat(),
        "rows": loader.counts,
        "load_seconds": round(loaded - started, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "bytes": database_bytes(dialect, name),
    }
    (common.DATA / f"{name}-{dialect}.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def verify(size: int) -> None:
    """Read a few rows back through the ORM: the stored forms are what the models expect."""
    from decimal import Decimal

    from tracker.flags.models import Flag
    from tracker.kpis.models import Measurement
    from tracker.projects.models import Project

    session = db.session
    project = session.get(Project, size)
    measurement = session.scalar(sa.select(Measurement).limit(1))
    flag = session.scalar(sa.select(Flag).where(Flag.status != "resolved").limit(1))
    assert project is not None and project.created_at.tzinfo is not None, "projects read back"
    assert isinstance(measurement.value, Decimal) and isinstance(measurement.measured_on, date), "measurements"
    assert flag is None or isinstance(flag.details, dict), "flags"


def database_bytes(dialect: str, name: str) -> int:
    if dialect == "sqlite":
        return common.sqlite_path(name).stat().st_size
    engine = sa.create_engine(common.database_url(dialect, name))
    try:
        with engine.connect() as connection:
            return int(connection.scalar(sa.text("SELECT pg_database_size(current_database())")))
    finally:
        engine.dispose()


def ensure(dialect: str, size: int, *, force: bool = False) -> dict:
    """The manifest of the data set, generating it first when it is missing, of an older
    generator, or when forced."""
    manifest = common.DATA / f"{common.pristine_name(size)}-{dialect}.json"
    if not force and manifest.exists() and common.exists(dialect, common.pristine_name(size)):
        known = json.loads(manifest.read_text())
        if known.get("generator") == GENERATOR_VERSION:
            return known
    return generate(dialect, size)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated project counts")
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--force", action="store_true", help="generate again even when the data set exists")
    args = parser.parse_args(argv)
    check_columns()
    for dialect in args.db.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            manifest = ensure(dialect, size, force=args.force)
            rows = ", ".join(f"{table} {count:,}" for table, count in manifest["rows"].items())
            print(
                f"{dialect} {size:,} projects: {manifest['total_seconds']} s "
                f"({manifest['bytes'] / 1e6:,.0f} MB): {rows}",
                flush=True,
            )


if __name__ == "__main__":
    main()
