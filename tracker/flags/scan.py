"""The stall scan: every active project as it stood on `as_of`, judged by the pure rules, the
flags brought up to date in bulk, the run recorded and its alerts queued, in one transaction.

Set-based on purpose (issue 6: 100,000 projects): one aggregate query gathers every project's
facts, one query reads the unresolved flags, and the changes go back as a handful of
executemany statements. Nothing here loads ORM objects per project or lazy-loads a relationship.
Flag rows are written with bulk statements, so they bypass the per-object audit trail; the
ScanRun row (with its counts) is the record of what a scan changed.

A scan writes only what changed. A flag's details are facts that hold from day to day (see
tracker/flags/rules.py; the day counts are derived when read), so a still-true flag whose facts
are the same is not written at all, and its `last_seen_at` is not either: for an unresolved flag
it is derived as the as_of of the latest real scan (`rules.last_seen_on`). The stored column is
written when a flag opens (as_of), when its facts change (as_of), and when it resolves (the
previous real scan's as_of: the last day it was seen; `resolved_at` is the resolving scan's as_of).
"""

import json
import json.encoder
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.alerts.digest import queue_alerts
from tracker.auth import Actor
from tracker.budgets.models import BudgetLine
from tracker.db import plain_text, utcnow
from tracker.errors import Conflict, Invalid
from tracker.flags import rules
from tracker.flags.models import Flag, ScanRun, expire_loaded_flags
from tracker.kpis.models import Kpi, Measurement
from tracker.pauses import without_gc_pauses
from tracker.projects.models import Project, StageTransition
from tracker.trust.models import Practice
from tracker.trust.rules import PracticeState
from tracker.vocab import ACTIVE_STAGES

TRIGGERS = ("api", "cli", "scheduler")
# pg_advisory_xact_lock key that lets one real scan at a time run (any fixed number will do)
SCAN_LOCK_KEY = 7_303_001


def _stored_text_encoder() -> Callable[[dict], str]:
    """The JSON text json.dumps gives, which is what the details column stores, from one C encoder
    made once: json.dumps makes a new one on every call, half its time on the small dicts of a
    flag's details (a real scan compares ~88,000 at 100,000 projects)."""
    make_encoder = json.encoder.c_make_encoder
    if make_encoder is None:  # no C accelerator: json.dumps itself
        return json.dumps
    # json.dumps' defaults; no circular-reference check: details are plain data
    encode = make_encoder(
        None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None, ": ", ", ", False, False, True
    )
    return lambda details: "".join(encode(details, 0))


stored_text = _stored_text_encoder()


@dataclass(slots=True)
class Finding:
    project_id: int
    project_key: str
    owner_id: int
    rule: str
    details: dict  # the stored facts; `shown_details` adds the day counts to the scan's as_of
    as_of: date
    project_title: str | None = None  # read only where shown (`load_titles`)

    @property
    def shown_details(self) -> dict:
        return rules.shown(self.rule, self.details, self.as_of)

    @property
    def explanation(self) -> str:
        return rules.explain(self.rule, self.details, on=self.as_of)


@dataclass
class ScanReport:
    """What a scan found and changed. `run` is the recorded ScanRun, None for a dry run."""

    run: ScanRun | None
    as_of: date
    dry_run: bool
    trigger: str
    triggered_by_id: int | None
    started_at: datetime
    findings: list[Finding] = field(default_factory=list)
    projects_evaluated: int = 0
    opened: int = 0
    refreshed: int = 0  # unresolved flags found again
    rewritten: int = 0  # of those, the ones whose facts changed (the only ones written)
    resolved: int = 0
    alerts_queued: int = 0
    duration_ms: int = 0

    @property
    def id(self) -> int | None:
        return self.run.id if self.run is not None else None


@dataclass
class _FlagChanges:
    """Rows for the bulk statements in `_write_flag_changes` (flag ids under `flag_id`)."""

    as_of: date
    last_scan: date | None  # the previous real scan's as_of: the last day a resolving flag was seen
    inserts: list[dict] = field(default_factory=list)
    refreshes: list[dict] = field(default_factory=list)  # flag_id, details: its facts changed
    resolutions: list[dict] = field(default_factory=list)  # flag_id


@without_gc_pauses()
def run_scan(
    session: so.Session,
    *,
    as_of: date | None,
    dry_run: bool,
    trigger: str,
    actor: Actor | None,
    config: Mapping,
) -> ScanReport:
    """Scan the portfolio as of `as_of` (default today, UTC); a dry run writes nothing.

    Raises Invalid (as_of in the future) and Conflict (a real scan before the last real scan's as_of).
    """
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger must be one of {TRIGGERS}")
    started_at, clock = utcnow(), time.perf_counter()
    today = started_at.date()
    as_of = as_of or today
    if as_of > today:
        raise Invalid({"as_of": "Must not be in the future."})
    report = ScanReport(
        run=None,
        as_of=as_of,
        dry_run=dry_run,
        trigger=trigger,
        triggered_by_id=actor.id if actor is not None else None,
        started_at=started_at,
    )
    try:
        if not dry_run:
            _one_real_scan_at_a_time(session)
        last_scan = last_real_scan(session)
        if not dry_run and last_scan is not None and as_of < last_scan:
            raise Conflict(
                f"a real scan as of {as_of} would go back in time: the last real scan was as of {last_scan} "
                "(use a dry run to look at an earlier date)"
            )
        thresholds = rules.Thresholds.from_settings(config)
        _plan_for_one_pass(session)
        report.projects_evaluated, report.findings = _evaluate_portfolio(session, as_of, thresholds)
        changes = _flag_changes(session, report, as_of, last_scan)
        if dry_run:
            report.duration_ms = _elapsed_ms(clock)
            return report
        _write_flag_changes(session, changes)
        report.run = ScanRun(
            as_of=as_of,
            dry_run=False,
            trigger=trigger,
            triggered_by_id=report.triggered_by_id,
            started_at=started_at,
            projects_evaluated=report.projects_evaluated,
            flags_opened=report.opened,
            flags_refreshed=report.refreshed,
            flags_resolved=report.resolved,
        )
        session.add(report.run)
        session.flush()
        report.alerts_queued = report.run.alerts_queued = queue_alerts(
            session, scan=report.run, as_of=as_of, config=config
        )
        report.duration_ms = report.run.duration_ms = _elapsed_ms(clock)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return report


def _elapsed_ms(clock: float) -> int:
    return round((time.perf_counter() - clock) * 1000)


def _one_real_scan_at_a_time(session: so.Session) -> None:
    """Serialise real scans (API, CLI and scheduler may start one at the same moment).

    PostgreSQL: a transaction-scoped advisory lock. SQLite: a write that changes nothing takes the
    database's write lock now, so every read below sees the last committed scan and no other
    writer can slip in before this one commits.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(SCAN_LOCK_KEY)))
    else:
        runs = ScanRun.__table__
        session.execute(sa.update(runs).where(sa.false()).values(as_of=runs.c.as_of))


def _plan_for_one_pass(session: so.Session) -> None:
    """PostgreSQL, this transaction only: no parallel workers and no JIT for the scan's aggregates.

    With workers the planner lets each one build its own hash of every KPI's measurement counts,
    the same work three times; and the facts query's row estimates (a union of two ways to find
    the stage) are high enough to trigger JIT compilation that costs more than it saves. At
    100,000 projects on 2 cores: 1.1 s with workers, 0.95 s without; 0.43 s of JIT, none without.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))
        session.execute(sa.text("SET LOCAL jit = off"))


def last_real_scan(session: so.Session) -> date | None:
    """The as_of of the latest real scan: the day every unresolved flag was last seen."""
    return session.scalar(sa.select(sa.func.max(ScanRun.as_of)).where(ScanRun.dry_run.is_(False)))


def load_titles(session: so.Session, findings: list[Finding]) -> None:
    """Fill in the findings' project titles (only a report that shows them needs them)."""
    ids = {f.project_id for f in findings}
    stmt = sa.select(Project.id, Project.title)
    if len(ids) <= 1000:  # beyond that, reading every title beats a huge IN list
        stmt = stmt.where(Project.id.in_(ids))
    titles = {project_id: title for project_id, title in session.execute(stmt)}
    for finding in findings:
        finding.project_title = titles[finding.project_id]


def facts_query(as_of: date, window_days: int) -> sa.Select:
    """One row per project active on `as_of`: its stay in the stage and the counts the rules need.

    Stage from the stage history: the latest decision effective on or before `as_of` (projects
    whose history starts later do not exist yet). A decision may not predate the one before it,
    so a project's newest decision is its current stage: one entered on or before `as_of` was the
    stage on `as_of` (every daily scan: no look through the history), and only projects that
    entered their stage after `as_of` are looked up in it. Measurements up to `as_of`; KPIs and
    budget lines as they are now, and the risk tier (it has no history).
    """
    current = sa.select(
        Project.id.label("project_id"),
        Project.key,
        Project.owner_id,
        plain_text(Project.stage).label("stage"),
        Project.stage_entered_at.label("entered_on"),
        plain_text(Project.risk_tier).label("risk_tier"),
    ).where(Project.stage_entered_at <= as_of)
    st = StageTransition
    ranked = (
        sa.select(
            st.project_id,
            plain_text(st.to_stage).label("stage"),
            st.effective_date.label("entered_on"),
            sa.func.row_number()
            .over(partition_by=st.project_id, order_by=(st.effective_date.desc(), st.id.desc()))
            .label("newest_first"),
        )
        .where(
            st.effective_date <= as_of,
            st.project_id.in_(sa.select(Project.id).where(Project.stage_entered_at > as_of)),
        )
        .subquery("ranked")
    )
    from_history = (
        sa.select(
            ranked.c.project_id,
            Project.key,
            Project.owner_id,
            ranked.c.stage,
            ranked.c.entered_on,
            plain_text(Project.risk_tier),
        )
        .join(Project, Project.id == ranked.c.project_id)
        .where(ranked.c.newest_first == 1)
    )
    stage_at = sa.union_all(current, from_history).subquery("stage_at")
    window_start = as_of - timedelta(days=window_days)
    per_kpi = (
        sa.select(
            Measurement.kpi_id,
            sa.func.max(Measurement.measured_on).label("last_on"),
            sa.func.count(sa.case((Measurement.measured_on >= window_start, 1))).label("in_window"),
        )
        .where(Measurement.measured_on <= as_of)
        .group_by(Measurement.kpi_id)
        .subquery("per_kpi")
    )

    def kpis_of_kind(kind: str):
        return sa.func.count(sa.case((Kpi.kind == kind, 1)))

    per_project = (
        sa.select(
            Kpi.project_id,
            kpis_of_kind("input").label("input_kpis"),
            kpis_of_kind("output").label("output_kpis"),
            kpis_of_kind("outcome").label("outcome_kpis"),
            sa.func.max(per_kpi.c.last_on).label("last_measured_on"),
            sa.func.sum(per_kpi.c.in_window).label("in_window"),
            sa.func.sum(sa.case((Kpi.kind == "outcome", per_kpi.c.in_window))).label("outcome_in_window"),
        )
        .outerjoin(per_kpi, per_kpi.c.kpi_id == Kpi.id)
        .group_by(Kpi.project_id)
        .subquery("kpi_facts")
    )
    rollout_lines = (
        sa.select(BudgetLine.project_id, sa.func.count().label("lines"))
        .where(BudgetLine.stage == "rollout")
        .group_by(BudgetLine.project_id)
        .subquery("rollout_lines")
    )

    def count(column, name: str):
        # 0 where the outer join found nothing; an integer on PostgreSQL too (its sums are numeric)
        return sa.cast(sa.func.coalesce(column, 0), sa.Integer).label(name)

    return (
        sa.select(
            stage_at.c.project_id,
            stage_at.c.key,
            stage_at.c.owner_id,
            # then rules.ProjectFacts' fields after as_of, in order and by name
            stage_at.c.stage,
            stage_at.c.entered_on.label("stage_entered_on"),
            count(per_project.c.input_kpis, "input_kpis"),
            count(per_project.c.output_kpis, "output_kpis"),
            count(per_project.c.outcome_kpis, "outcome_kpis"),
            count(per_project.c.in_window, "measurements_in_window"),
            count(per_project.c.outcome_in_window, "outcome_measurements_in_window"),
            per_project.c.last_measured_on,
            count(rollout_lines.c.lines, "rollout_budget_lines"),
            stage_at.c.risk_tier,
        )
        .outerjoin(per_project, per_project.c.project_id == stage_at.c.project_id)
        .outerjoin(rollout_lines, rollout_lines.c.project_id == stage_at.c.project_id)
        .where(stage_at.c.stage.in_(ACTIVE_STAGES))
    )  # unordered: sorting every active project (to disk at 100k) costs more than sorting the findings


def _evaluate_portfolio(session: so.Session, as_of: date, thresholds: rules.Thresholds) -> tuple[int, list[Finding]]:
    """(projects evaluated, findings ordered by project key, then rule in SPEC order)."""
    evaluated, findings = 0, []
    # Core, not the ORM, fetched at once (not row by row), and tuples unpacked: per-row overhead
    # is what counts at 100,000 projects
    rows = session.connection().execute(facts_query(as_of, thresholds.reporting_window_days)).all()
    practices = _high_impact_practices(session, as_of)
    for project_id, key, owner_id, *project_facts in rows:
        evaluated += 1
        # the query's other columns are ProjectFacts' fields, in order (positional: 86,000 times)
        facts = rules.ProjectFacts(as_of, *project_facts)
        if facts.risk_tier == "high_impact":
            facts.practices = practices.get(project_id)
        for rule, details in rules.evaluate(facts, thresholds).items():
            findings.append(Finding(project_id, key, owner_id, rule, details, as_of))
    # stable: the rules of one project stay in SPEC order
    findings.sort(key=lambda f: f.project_key)
    return evaluated, findings


def _high_impact_practices(session: so.Session, as_of: date) -> dict[int, dict[str, PracticeState]]:
    """The written practices of every project `practices_lapsed` may judge, in one statement:
    high-impact ones in rollout now, or whose stage on `as_of` is looked up in the history."""
    stmt = (
        sa.select(
            Practice.project_id,
            plain_text(Practice.key),
            plain_text(Practice.status),
            Practice.completed_on,
            Practice.waived_on,
        )
        .join(Project, Project.id == Practice.project_id)
        .where(
            Project.risk_tier == "high_impact",
            sa.or_(Project.stage == "rollout", Project.stage_entered_at > as_of),
        )
    )
    by_project: dict[int, dict[str, PracticeState]] = {}
    for project_id, key, status, completed_on, waived_on in session.connection().execute(stmt):
        by_project.setdefault(project_id, {})[key] = PracticeState(key, status, completed_on, waived_on)
    return by_project


def _flag_changes(session: so.Session, report: ScanReport, as_of: date, last_scan: date | None) -> _FlagChanges:
    """Compare the findings with the unresolved flags; count into `report`, return the writes."""
    found = {(f.project_id, f.rule): f for f in report.findings}
    changes = _FlagChanges(as_of, last_scan)
    # Details compared as the JSON text they are stored as (`stored_text` gives json.dumps' text):
    # no parsing of every unresolved flag's details. Details of another shape (older rows) differ
    # and are rewritten once. A dry run writes nothing, so it reads no details.
    details = sa.null() if report.dry_run else sa.cast(Flag.details, sa.Text)
    unresolved = (
        session.connection()
        .execute(sa.select(Flag.id, Flag.project_id, plain_text(Flag.rule), details).where(Flag.status != "resolved"))
        .all()
    )
    for flag_id, project_id, rule, stored_details in unresolved:
        finding = found.pop((project_id, rule), None)
        if finding is None:
            # no longer true, or the project left the active stages
            changes.resolutions.append({"flag_id": flag_id})
            continue
        report.refreshed += 1
        if not report.dry_run and stored_details != stored_text(finding.details):
            changes.refreshes.append({"flag_id": flag_id, "details": finding.details})
    changes.inserts = [
        {
            "project_id": f.project_id,
            "rule": f.rule,
            "status": "open",
            "opened_at": as_of,
            "last_seen_at": as_of,
            "details": f.details,
        }
        for f in found.values()
    ]
    report.opened, report.resolved = len(changes.inserts), len(changes.resolutions)
    report.rewritten = len(changes.refreshes)
    return changes


def _write_flag_changes(session: so.Session, changes: _FlagChanges) -> None:
    """One executemany per kind of change (Core: no ORM object per flag). Each statement sets only
    its own columns, so an acknowledgement or snooze committed meanwhile is not overwritten, and
    the alert bookkeeping (last_alerted_on, escalated_on, resolution_alerted) never is."""
    flags = Flag.__table__
    by_id = flags.c.id == sa.bindparam("flag_id")
    resolved = {"status": "resolved", "resolved_at": changes.as_of}
    if changes.last_scan is not None:  # else (no real scan yet) the stored date is the last sighting
        resolved["last_seen_at"] = changes.last_scan
    statements = (
        (sa.update(flags).where(by_id).values(**resolved), changes.resolutions),
        (
            sa.update(flags)
            .where(by_id)
            .values(last_seen_at=changes.as_of, details=sa.bindparam("details", type_=flags.c.details.type)),
            changes.refreshes,
        ),
        (sa.insert(flags), changes.inserts),
    )
    for statement, rows in statements:
        if rows:
            session.execute(statement, rows)
    # after the resolutions, so only flags still true: snoozes that have run out open again
    session.execute(sa.update(flags).where(Flag.snooze_ran_out(changes.as_of)).values(status="open"))
    expire_loaded_flags(session)
