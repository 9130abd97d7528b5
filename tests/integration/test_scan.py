"""The stall scan against the database: a portfolio of real federal use cases scanned as of
several dates, flags opened, refreshed, resolved and reopened, dry runs, and a query count that
does not grow with the portfolio."""

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.alerts.models import OutboxMessage
from tracker.audit.models import AuditEvent
from tracker.errors import Conflict, Invalid
from tracker.extensions import db
from tracker.flags import service
from tracker.flags.models import Flag, ScanRun
from tracker.flags.scan import load_titles, run_scan
from tracker.projects.models import Project, StageTransition
from tracker.trust.models import Practice

JAN_1 = date(2025, 1, 1)


@pytest.fixture
def scan(app, app_context):
    def scan(as_of: date, *, dry_run: bool = False, session=None):
        return run_scan(
            session or db.session, as_of=as_of, dry_run=dry_run, trigger="cli", actor=None, config=app.config
        )

    return scan


def move(project: Project, to_stage: str, on: date) -> None:
    """Record a stage decision the way the service does (history entry, then the project)."""
    db.session.add(
        StageTransition(
            project_id=project.id,
            from_stage=project.stage,
            to_stage=to_stage,
            effective_date=on,
            rationale="decided in a test",
            gate={"checks": [], "unmet": [], "overridden": False},
        )
    )
    project.stage, project.stage_entered_at = to_stage, on
    db.session.commit()


def unresolved() -> set[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(Project.key, Flag.rule).join(Project, Project.id == Flag.project_id).where(Flag.status != "resolved")
    )
    return {tuple(row) for row in rows}


def flags_of(project: Project) -> list[Flag]:
    stmt = sa.select(Flag).where(Flag.project_id == project.id).order_by(Flag.id)
    return list(db.session.scalars(stmt.execution_options(populate_existing=True)))


def shown_flags_of(project: Project) -> list[dict]:
    """The project's flags as the flags API shows them (last sighting and day counts derived)."""
    return service.with_project(db.session, flags_of(project))


def flags_table() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(sa.select(Flag.__table__).order_by(Flag.id))]


def row_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Flag, ScanRun, OutboxMessage, AuditEvent)
    }


@pytest.fixture
def portfolio(app_context):
    """Six projects whose flags come and go between January and June 2025."""
    poc = factories.ProjectFactory(stage="poc", stage_entered_at=JAN_1)

    pilot = factories.ProjectFactory(stage="poc", stage_entered_at=JAN_1)
    move(pilot, "pilot", date(2025, 2, 1))
    outcome = factories.OutcomeKpiFactory(project=pilot)
    factories.KpiFactory(project=pilot, kind="input")
    factories.MeasurementFactory(kpi=outcome, measured_on=date(2025, 2, 15))
    factories.BudgetLineFactory(project=pilot, stage="rollout", status="planned")

    bare_pilot = factories.ProjectFactory(stage="pilot", stage_entered_at=date(2025, 2, 1))
    late_pilot = factories.ProjectFactory(stage="pilot", stage_entered_at=date(2025, 6, 1))

    cancelled = factories.ProjectFactory(stage="poc", stage_entered_at=JAN_1)
    move(cancelled, "cancelled", date(2025, 2, 1))

    outputs = factories.ProjectFactory(stage="rollout", stage_entered_at=JAN_1)
    served = factories.KpiFactory(project=outputs, kind="output", name="Chatbot sessions served")
    for day in (date(2025, 1, 10), date(2025, 3, 20)):
        factories.MeasurementFactory(kpi=served, measured_on=day)

    return {
        "poc": poc.key,
        "pilot": pilot.key,
        "bare_pilot": bare_pilot.key,
        "late_pilot": late_pilot.key,
        "cancelled": cancelled.key,
        "outputs": outputs.key,
    }


def test_a_portfolio_scanned_as_of_several_dates_has_exactly_these_open_flags(portfolio, scan):
    p = portfolio
    expected = {
        # the late pilot does not exist yet; the PoCs are young; only the outputs-only rollout is flagged
        date(2025, 1, 15): {(p["outputs"], "input_metrics_only")},
        # the PoC is exactly 90 days old: not stalled yet; the bare pilot has no money and no KPI
        date(2025, 4, 1): {
            (p["outputs"], "input_metrics_only"),
            (p["bare_pilot"], "no_scale_budget"),
            (p["bare_pilot"], "no_kpis"),
        },
        date(2025, 4, 2): {
            (p["poc"], "poc_stalled"),
            (p["outputs"], "input_metrics_only"),
            (p["bare_pilot"], "no_scale_budget"),
            (p["bare_pilot"], "no_kpis"),
        },
        # the pilot's last measurement (15 February) is 61 days old
        date(2025, 4, 17): {
            (p["poc"], "poc_stalled"),
            (p["pilot"], "stale_reporting"),
            (p["outputs"], "input_metrics_only"),
            (p["bare_pilot"], "no_scale_budget"),
            (p["bare_pilot"], "no_kpis"),
        },
        # the late pilot exists from today; the rollout has not reported since 20 March
        date(2025, 6, 1): {
            (p["poc"], "poc_stalled"),
            (p["pilot"], "stale_reporting"),
            (p["outputs"], "input_metrics_only"),
            (p["outputs"], "stale_reporting"),
            (p["bare_pilot"], "no_scale_budget"),
            (p["bare_pilot"], "no_kpis"),
            (p["late_pilot"], "no_scale_budget"),
            (p["late_pilot"], "no_kpis"),
        },
    }
    for as_of, flags in expected.items():
        report = scan(as_of)
        assert unresolved() == flags, as_of
        assert {(f.project_key, f.rule) for f in report.findings} == flags, as_of
    # the cancelled project is never evaluated after its decision; five are active on 1 June
    assert report.projects_evaluated == 5
    assert (report.opened, report.refreshed, report.resolved) == (3, 5, 0)


def test_a_finding_carries_its_project_owner_and_numbers(portfolio, scan):
    report = scan(date(2025, 4, 17))
    pilot = db.session.scalar(sa.select(Project).where(Project.key == portfolio["pilot"]))
    (stale,) = [f for f in report.findings if f.rule == "stale_reporting"]
    load_titles(db.session, report.findings)  # read only for a report that shows them (the API's)
    assert (stale.project_id, stale.project_title, stale.owner_id) == (pilot.id, pilot.title, pilot.owner_id)
    # stored: the facts, which hold from day to day; shown: with the day counts to the scan's as_of
    assert stale.details == {
        "stage": "pilot",
        "stage_entered_on": "2025-02-01",
        "kpis": {"input": 1, "output": 0, "outcome": 1},
        "last_measured_on": "2025-02-15",
        "counted_from": "last_measurement",
        "max_days": 60,
    }
    assert stale.shown_details == {**stale.details, "days_in_stage": 75, "days_without_measurement": 61}
    assert stale.explanation == (
        "No measurement for 61 days (the last on 2025-02-15), longer than the 60 days allowed."
    )
    (flag,) = flags_of(pilot)
    assert (flag.status, flag.opened_at, flag.last_seen_at, flag.details) == (
        "open",
        date(2025, 4, 17),
        date(2025, 4, 17),
        stale.details,
    )
    (shown,) = shown_flags_of(pilot)
    assert (shown["details"], shown["explanation"]) == (stale.shown_details, stale.explanation)


def test_the_stage_on_a_date_is_the_latest_decision_effective_by_then(scan, app_context):
    sent_back = factories.ProjectFactory(stage="poc", stage_entered_at=JAN_1)
    move(sent_back, "pilot", date(2025, 3, 1))
    move(sent_back, "poc", date(2025, 3, 1))  # sent back the same day: recorded later, so it counts

    report = scan(date(2025, 3, 2), dry_run=True)
    assert report.projects_evaluated == 1 and report.findings == []  # a one-day-old PoC again
    assert [f.rule for f in scan(date(2025, 6, 1), dry_run=True).findings] == ["poc_stalled"]
    assert scan(date(2025, 6, 1), dry_run=True).findings[0].details["stage_entered_on"] == "2025-03-01"


def test_a_flag_is_refreshed_while_true_resolved_when_not_and_a_new_one_opens_when_it_returns(scan, app_context):
    project = factories.ProjectFactory(stage="pilot", stage_entered_at=JAN_1)
    factories.BudgetLineFactory(project=project, stage="rollout")
    outcome = factories.OutcomeKpiFactory(project=project)
    factories.MeasurementFactory(kpi=outcome, measured_on=date(2025, 1, 5))

    assert scan(date(2025, 3, 10)).opened == 1
    (opened,) = shown_flags_of(project)
    assert (opened["rule"], opened["details"]["days_without_measurement"]) == ("stale_reporting", 64)

    refresh = scan(date(2025, 3, 20))
    assert (refresh.opened, refresh.refreshed, refresh.resolved) == (0, 1, 0)
    (refreshed,) = shown_flags_of(project)
    assert (refreshed["id"], refreshed["opened_at"], refreshed["last_seen_at"]) == (
        opened["id"],
        date(2025, 3, 10),
        date(2025, 3, 20),
    )
    assert refreshed["details"]["days_without_measurement"] == 74

    factories.MeasurementFactory(kpi=outcome, measured_on=date(2025, 3, 25))
    assert scan(date(2025, 3, 26)).resolved == 1
    (resolved,) = flags_of(project)
    assert (resolved.status, resolved.resolved_at, resolved.last_seen_at) == (
        "resolved",
        date(2025, 3, 26),
        date(2025, 3, 20),
    )

    assert scan(date(2025, 5, 30)).opened == 1  # 66 days after 25 March
    old, new = flags_of(project)
    assert (old.id, old.status) == (opened["id"], "resolved")
    assert (new.status, new.opened_at) == ("open", date(2025, 5, 30))
    shown_old, shown_new = shown_flags_of(project)
    assert shown_new["details"]["days_without_measurement"] == 66
    # the resolved flag keeps the numbers of the last day it was seen
    assert (shown_old["last_seen_at"], shown_old["details"]["days_without_measurement"]) == (date(2025, 3, 20), 74)


def test_flags_of_a_project_that_leaves_the_active_stages_are_resolved(scan, app_context):
    project = factories.ProjectFactory(stage="pilot", stage_entered_at=JAN_1)
    assert scan(date(2025, 2, 1)).opened == 2  # no rollout budget, no KPI
    move(project, "cancelled", date(2025, 2, 10))

    report = scan(date(2025, 2, 10))
    assert (report.projects_evaluated, report.resolved, report.findings) == (0, 2, [])
    assert [(f.rule, f.status, f.resolved_at) for f in flags_of(project)] == [
        ("no_scale_budget", "resolved", date(2025, 2, 10)),
        ("no_kpis", "resolved", date(2025, 2, 10)),
    ]


def test_a_snoozed_flag_opens_again_on_its_date_and_an_acknowledged_one_stays_acknowledged(scan, app_context):
    project = factories.ProjectFactory(stage="pilot", stage_entered_at=JAN_1)
    scan(date(2025, 5, 1))
    budget, kpis = flags_of(project)
    budget.status, budget.snoozed_until, budget.snooze_reason = "snoozed", date(2025, 5, 10), "council vote on 9 May"
    kpis.status = "acknowledged"
    db.session.commit()

    scan(date(2025, 5, 9))
    # stored as the scan of 9 May left them (read today, long after 10 May, the snooze reads open)
    assert [f.status for f in flags_of(project)] == ["snoozed", "acknowledged"]
    assert [(f["status"], f["last_seen_at"]) for f in shown_flags_of(project)] == [
        ("open", date(2025, 5, 9)),
        ("acknowledged", date(2025, 5, 9)),
    ]
    scan(date(2025, 5, 10))
    budget, kpis = flags_of(project)
    assert (budget.status, budget.snoozed_until, budget.snooze_reason) == (
        "open",
        date(2025, 5, 10),
        "council vote on 9 May",
    )
    assert kpis.status == "acknowledged"


def test_the_same_scan_twice_changes_nothing_the_second_time(portfolio, scan):
    first = scan(date(2025, 6, 1))
    before = flags_table()
    second = scan(date(2025, 6, 1))
    assert flags_table() == before
    assert (second.opened, second.refreshed, second.resolved) == (0, first.opened, 0)
    assert second.findings == first.findings


def test_a_dry_run_reports_what_a_real_scan_would_do_and_writes_nothing(portfolio, scan):
    scan(date(2025, 4, 2))
    before, counts = flags_table(), row_counts()

    later = scan(date(2025, 6, 1), dry_run=True)
    earlier = scan(date(2025, 1, 15), dry_run=True)  # before the last real scan: fine for a dry run

    assert (later.run, later.id, later.dry_run) == (None, None, True)
    assert (later.opened, later.refreshed, later.resolved, later.alerts_queued) == (4, 4, 0, 0)
    assert [(f.project_key, f.rule) for f in earlier.findings] == [(portfolio["outputs"], "input_metrics_only")]
    assert flags_table() == before and row_counts() == counts


def test_a_real_scan_before_the_last_one_is_refused_and_writes_nothing(portfolio, scan):
    scan(date(2025, 4, 2))
    before, counts = flags_table(), row_counts()
    with pytest.raises(Conflict, match="2025-04-02"):
        scan(date(2025, 4, 1))
    assert flags_table() == before and row_counts() == counts


def test_as_of_in_the_future_is_invalid(scan):
    with pytest.raises(Invalid) as refused:
        scan(date.today() + timedelta(days=2))
    assert refused.value.extra["errors"] == {"json": {"as_of": ["Must not be in the future."]}}


def test_a_real_scan_is_recorded_with_its_counts(portfolio, scan, app):
    report = run_scan(
        db.session, as_of=date(2025, 4, 2), dry_run=False, trigger="scheduler", actor=None, config=app.config
    )
    run = db.session.get(ScanRun, report.id)
    assert (run.as_of, run.dry_run, run.trigger, run.triggered_by_id) == (date(2025, 4, 2), False, "scheduler", None)
    assert (run.projects_evaluated, run.flags_opened, run.flags_refreshed, run.flags_resolved) == (4, 4, 0, 0)
    assert (
        run.alerts_queued
        == report.alerts_queued
        == db.session.scalar(
            sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.scan_id == run.id)
        )
    )
    assert run.duration_ms == report.duration_ms >= 0


def build_portfolio(size: int, owners: list) -> None:
    """`size` projects cycling through five shapes, so every kind of flag change happens at any size."""
    for n in range(size):
        owner = owners[n % len(owners)]
        shape = n % 5
        if shape == 0:  # a PoC that stalls between the two scans
            factories.ProjectFactory(owner=owner, stage="poc", stage_entered_at=date(2025, 1, 1))
        elif shape == 1:  # a pilot with nothing, cancelled between the scans
            project = factories.ProjectFactory(owner=owner, stage="pilot", stage_entered_at=date(2025, 2, 1))
            move(project, "cancelled", date(2025, 3, 15))
        elif shape == 2:  # a pilot reporting inputs only, with a rollout line
            project = factories.ProjectFactory(owner=owner, stage="pilot", stage_entered_at=date(2025, 2, 1))
            kpi = factories.KpiFactory(project=project, kind="input")
            factories.MeasurementFactory(kpi=kpi, measured_on=date(2025, 3, 1))
            factories.BudgetLineFactory(project=project, stage="rollout")
        elif shape == 3:  # a healthy rollout
            project = factories.ProjectFactory(owner=owner, stage="rollout", stage_entered_at=date(2025, 1, 1))
            kpi = factories.OutcomeKpiFactory(project=project)
            factories.MeasurementFactory(kpi=kpi, measured_on=date(2025, 3, 10))
        else:  # a pilot that moved on from a PoC, without KPIs
            project = factories.ProjectFactory(owner=owner, stage="poc", stage_entered_at=date(2024, 12, 1))
            move(project, "pilot", date(2025, 2, 15))


def count_statements(work) -> int:
    """SQL statements `work` sends, audit-trail inserts left out (their number is the trail's business)."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("INSERT INTO audit_events"):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def scan_statement_counts(scan, size: int) -> list[int]:
    for table in (OutboxMessage, Flag, ScanRun, AuditEvent):
        db.session.execute(sa.delete(table))
    db.session.execute(sa.delete(Project))
    db.session.commit()
    # the rows are gone but their objects may linger in the identity map until the garbage
    # collector runs, and SQLite hands the same ids out again
    db.session.expunge_all()
    owners = [factories.UserFactory(), factories.UserFactory()]
    build_portfolio(size, owners)
    counts = [
        count_statements(lambda: scan(date(2025, 3, 1))),  # opens
        count_statements(lambda: scan(date(2025, 4, 1))),  # opens, refreshes, resolves
        count_statements(lambda: scan(date(2025, 4, 1))),  # nothing left to change
        count_statements(lambda: scan(date(2025, 5, 1), dry_run=True)),
    ]
    report = scan(date(2025, 4, 2), dry_run=True)
    assert report.projects_evaluated == size - size // 5  # the cancelled ones are not evaluated
    return counts


def test_a_scan_takes_the_same_number_of_queries_for_5_and_50_projects(scan):
    small = scan_statement_counts(scan, 5)
    large = scan_statement_counts(scan, 50)
    assert small == large
    assert max(small) <= 20  # a handful of reads and bulk writes, the run, and the alerts. own few


def test_two_real_scans_started_at_once_run_one_after_the_other(portfolio, scan, app):
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def run():
        with app.app_context():
            session = db.new_session()
            try:
                barrier.wait()
                reports.append(scan(date(2025, 4, 17), session=session))
            except Exception as exc:
                errors.append(exc)
            finally:
                session.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(r.opened for r in reports) == [0, 5]  # the second saw the first's flags
    assert len(unresolved()) == 5


def flag_writes(statements: list[str]) -> list[str]:
    """The statements that rewrote flags' findings (not the alerts' bookkeeping)."""
    return [s for s in statements if s.startswith("UPDATE flags SET") and ("details" in s or "last_seen_at" in s)]


@pytest.fixture
def statements(app_context):
    """Every SQL statement sent while the test runs (executemany counts once)."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    yield sent
    sa.event.remove(db.engine, "before_cursor_execute", record)


def test_a_daily_scan_does_not_rewrite_a_still_true_flag_whose_facts_did_not_change(scan, statements):
    project = factories.ProjectFactory(stage="poc", stage_entered_at=JAN_1)
    assert scan(date(2025, 4, 10)).opened == 1
    (first,) = flags_of(project)
    stored = (first.id, first.last_seen_at, first.details)

    report = scan(date(2025, 4, 11))
    assert (report.opened, report.refreshed, report.resolved) == (0, 1, 0)
    assert flag_writes(statements) == []
    (again,) = flags_of(project)
    assert (again.id, again.last_seen_at, again.details) == stored == (first.id, date(2025, 4, 10), first.details)
    # shown as seen by the latest scan, the days counted to it
    (shown,) = shown_flags_of(project)
    assert (shown["last_seen_at"], shown["details"]["days_in_stage"]) == (date(2025, 4, 11), 100)
    assert shown["explanation"].startswith("In proof of concept for 100 days (since 2025-01-01)")


def test_a_change_in_a_flags_facts_rewrites_its_details_and_last_seen(scan, statements):
    project = factories.ProjectFactory(stage="pilot", stage_entered_at=JAN_1)
    factories.BudgetLineFactory(project=project, stage="rollout")
    factories.KpiFactory(project=project, kind="input")
    scan(date(2025, 2, 1))
    (before,) = flags_of(project)
    assert (before.rule, before.details["kpis"]) == ("input_metrics_only", {"input": 1, "output": 0, "outcome": 0})

    factories.KpiFactory(project=project, kind="output")
    report = scan(date(2025, 2, 5))
    assert (report.opened, report.refreshed, report.resolved) == (0, 1, 0)
    assert len(flag_writes(statements)) == 1
    (after,) = flags_of(project)
    assert (after.id, after.last_seen_at) == (before.id, date(2025, 2, 5))
    assert after.details == {**before.details, "kpis": {"input": 1, "output": 1, "outcome": 0}}


def test_every_projects_current_stage_is_its_newest_decision_which_the_scan_reads_for_later_dates(admin, caio, session):
    # facts_query takes the stage of a project entered on or before as_of from the project row,
    # not the history: that holds only while the row mirrors the newest decision, whoever wrote it
    imported = admin.post(
        "/api/v1/imports?format=omb-2025",
        data=factories.federal_inventory_rows(120).encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert imported.status_code == 201
    moved = 0
    for project in admin.get("/api/v1/projects?stage=poc&page_size=20").json:
        path = f"/api/v1/projects/{project['id']}/transitions"
        decided = caio.post(
            path, json={"to_stage": "pilot", "rationale": "Pilot approved.", "override_reason": "Test."}
        )
        assert decided.status_code == 201, decided.json
        moved += 1
    assert moved == 20

    st = StageTransition
    newest = sa.select(
        st.project_id,
        st.to_stage,
        st.effective_date,
        sa.func.row_number()
        .over(partition_by=st.project_id, order_by=(st.effective_date.desc(), st.id.desc()))
        .label("n"),
    ).subquery()
    history = {
        (project_id, stage, entered)
        for project_id, stage, entered, n in session.execute(sa.select(newest)).all()
        if n == 1
    }
    current = {tuple(row) for row in session.execute(sa.select(Project.id, Project.stage, Project.stage_entered_at))}
    assert len(current) == 120 and current == history

    # as of today every stage was entered on or before as_of: the scan reads them all from the rows
    active = sum(1 for _, stage, _ in current if stage in ("poc", "pilot", "rollout"))
    assert caio.post("/api/v1/scans", json={"dry_run": True}).json["projects_evaluated"] == active


# ---- the trust rules ----

TRUST_RULES = ("risk_unassessed", "practices_lapsed", "prohibited_in_use")


@pytest.fixture
def trust_portfolio(app_context):
    """A high-impact rollout whose eight practices were done on 2025-01-01, its appeal process only
    on 2025-03-01; a pilot nobody classified; a prohibited PoC; a limited rollout (no practices asked)."""
    hi = factories.ProjectFactory(stage="rollout", stage_entered_at=JAN_1, risk_tier="high_impact")
    for key in ("testing", "impact_assessment", "independent_review", "monitoring", "training"):
        factories.PracticeFactory(project=hi, key=key, completed_on=JAN_1)
    factories.PracticeFactory(project=hi, key="human_oversight", status="not_applicable", completed_on=None)
    factories.PracticeFactory(project=hi, key="appeal", completed_on=date(2025, 3, 1))
    factories.PracticeFactory(
        project=hi, key="public_consultation", status="waived", completed_on=None, waived_on=JAN_1
    )
    return {
        "hi": hi,
        "unassessed": factories.ProjectFactory(stage="pilot", stage_entered_at=JAN_1, risk_tier="unassessed"),
        "prohibited": factories.ProjectFactory(stage="poc", stage_entered_at=JAN_1, risk_tier="prohibited"),
        "limited": factories.ProjectFactory(stage="rollout", stage_entered_at=JAN_1, risk_tier="limited"),
    }


def trust_findings(report) -> dict[tuple[str, str], dict]:
    return {(f.project_key, f.rule): f for f in report.findings if f.rule in TRUST_RULES}


def test_the_trust_rules_judge_the_practices_dates_against_as_of(trust_portfolio, scan):
    p = trust_portfolio
    always = {(p["unassessed"].key, "risk_unassessed"), (p["prohibited"].key, "prohibited_in_use")}
    # a dry run as of a day before the appeal process was done: only it is missing
    early = trust_findings(scan(date(2025, 2, 1), dry_run=True))
    assert set(early) == always | {(p["hi"].key, "practices_lapsed")}
    lapsed = early[(p["hi"].key, "practices_lapsed")]
    assert lapsed.details == {
        "stage": "rollout",
        "stage_entered_on": "2025-01-01",
        "risk_tier": "high_impact",
        "not_in_effect": ["appeal"],
        "expired_on": {},
        "valid_days": 365,
    }
    assert lapsed.explanation.startswith(
        "A high-impact system in full rollout with 1 of its 8 risk-management practices"
    )
    # all eight in effect through the year; on its anniversary six run out (oversight is not applicable)
    assert set(trust_findings(scan(date(2025, 12, 31), dry_run=True))) == always
    anniversary = trust_findings(scan(date(2026, 1, 1), dry_run=True))[(p["hi"].key, "practices_lapsed")]
    assert anniversary.details["not_in_effect"] == [
        "testing",
        "impact_assessment",
        "independent_review",
        "monitoring",
        "training",
        "public_consultation",
    ]
    assert set(anniversary.details["expired_on"].values()) == {"2026-01-01"}
    assert "public consultation (expired on 2026-01-01)" in anniversary.explanation
    # a PoC that is not prohibited, and a limited rollout, are left alone
    assert all(key not in {p["limited"].key} for key, _ in trust_findings(scan(date(2026, 1, 1), dry_run=True)))


def test_daily_scans_rewrite_a_trust_flag_only_when_another_practice_lapses(trust_portfolio, scan):
    p = trust_portfolio
    scan(date(2025, 12, 30))
    assert {(key, rule) for key, rule in unresolved() if rule in TRUST_RULES} == {
        (p["unassessed"].key, "risk_unassessed"),
        (p["prohibited"].key, "prohibited_in_use"),
    }
    assert scan(date(2025, 12, 31)).rewritten == 0
    opened = scan(date(2026, 1, 1))
    assert (opened.opened, opened.rewritten) == (1, 0)
    assert scan(date(2026, 1, 2)).rewritten == 0
    # the appeal process lapses too on 2026-03-01: the flag's facts change, and it is rewritten once
    changed = scan(date(2026, 3, 1))
    assert changed.rewritten == 1
    (flag,) = [f for f in flags_of(p["hi"]) if f.rule == "practices_lapsed"]
    assert "appeal" in flag.details["not_in_effect"]
    # renewing every practice resolves it at the next scan
    for practice in db.session.scalars(sa.select(Practice).where(Practice.project_id == p["hi"].id)):
        if practice.status == "done":
            practice.completed_on = date(2026, 3, 1)
        elif practice.status == "waived":
            practice.waived_on = date(2026, 3, 1)
    db.session.commit()
    assert scan(date(2026, 3, 2)).resolved == 1
    assert [f.status for f in flags_of(p["hi"]) if f.rule == "practices_lapsed"] == ["resolved"]


def test_the_practices_add_no_query_per_project(app_context, scan):
    def high_impact_rollouts(count: int) -> int:
        db.session.execute(sa.delete(Project))
        db.session.commit()
        for _ in range(count):
            project = factories.ProjectFactory(stage="rollout", stage_entered_at=JAN_1, risk_tier="high_impact")
            factories.PracticeFactory(project=project, completed_on=JAN_1)
        return count_statements(lambda: scan(date(2025, 6, 1), dry_run=True))

    assert high_impact_rollouts(2) == high_impact_rollouts(20)
