"""The floors: the same work written as directly as we know how, in hand-written SQL on the raw
DBAPI connection (no ORM, no SQLAlchemy result objects), one statement per figure group.

Each floor returns plain values so the bench can check it agrees with the application.
"""

import csv
import re
from collections.abc import Callable
from datetime import date, timedelta

from tracker.flags.rules import Thresholds
from tracker.vocab import BUDGET_STAGES, RISK_TIERS, RULES

DEFAULT_THRESHOLDS = Thresholds()  # the SPEC defaults

# ---- the stall scan: every active project's violations of the nine rules, violators only -------

# Per project, its practice rows in effect on :as_of (tracker/trust/rules.py); one never written
# has no row and never is. A high-impact rollout lacks a practice when fewer than eight are.
IN_EFFECT = """
in_effect AS (
    SELECT project_id, count(*) AS practices FROM practices
    WHERE status = 'not_applicable'
       OR (status = 'done' AND completed_on > :valid_after AND completed_on <= :as_of)
       OR (status = 'waived' AND waived_on > :valid_after AND waived_on <= :as_of)
    GROUP BY project_id
)"""

SCAN_SQL = f"""
WITH stage_at AS (
    SELECT project_id, to_stage AS stage, effective_date AS entered_on,
           row_number() OVER (PARTITION BY project_id ORDER BY effective_date DESC, id DESC) AS newest
    FROM stage_transitions
    WHERE effective_date <= :as_of
),
active AS (
    SELECT project_id, stage, entered_on FROM stage_at
    WHERE newest = 1 AND stage IN ('poc', 'pilot', 'rollout')
),
per_kpi AS (
    SELECT kpi_id, max(measured_on) AS last_on,
           count(*) FILTER (WHERE measured_on >= :window_start) AS in_window
    FROM measurements
    WHERE measured_on <= :as_of
    GROUP BY kpi_id
),
kpi_facts AS (
    SELECT k.project_id,
           count(*) FILTER (WHERE k.kind = 'outcome') AS outcome_kpis,
           max(m.last_on) AS last_on,
           coalesce(sum(m.in_window), 0) AS in_window,
           coalesce(sum(m.in_window) FILTER (WHERE k.kind = 'outcome'), 0) AS outcome_in_window
    FROM kpis k LEFT JOIN per_kpi m ON m.kpi_id = k.id
    GROUP BY k.project_id
),
rollout AS (SELECT DISTINCT project_id FROM budget_lines WHERE stage = 'rollout'),
{IN_EFFECT},
judged AS (
    SELECT a.project_id,
           a.stage = 'poc' AND a.entered_on < :poc_before AS poc_stalled,
           a.stage = 'pilot' AND a.entered_on < :pilot_before AS pilot_purgatory,
           a.stage = 'pilot' AND r.project_id IS NULL AS no_scale_budget,
           a.stage IN ('pilot', 'rollout') AND f.project_id IS NULL AS no_kpis,
           f.project_id IS NOT NULL
               AND (f.outcome_kpis = 0 OR (f.in_window > 0 AND f.outcome_in_window = 0)) AS input_metrics_only,
           a.stage IN ('pilot', 'rollout') AND f.project_id IS NOT NULL
               AND coalesce(f.last_on, a.entered_on) < :stale_before AS stale_reporting,
           a.stage IN ('pilot', 'rollout') AND p.risk_tier = 'unassessed' AS risk_unassessed,
           a.stage = 'rollout' AND p.risk_tier = 'high_impact' AND coalesce(e.practices, 0) < 8 AS practices_lapsed,
           p.risk_tier = 'prohibited' AS prohibited_in_use
    FROM active a
    JOIN projects p ON p.id = a.project_id
    LEFT JOIN kpi_facts f ON f.project_id = a.project_id
    LEFT JOIN rollout r ON r.project_id = a.project_id
    LEFT JOIN in_effect e ON e.project_id = a.project_id
)
SELECT project_id, poc_stalled, pilot_purgatory, no_scale_budget, no_kpis, input_metrics_only, stale_reporting,
       risk_unassessed, practices_lapsed, prohibited_in_use
FROM judged
WHERE poc_stalled OR pilot_purgatory OR no_scale_budget OR no_kpis OR input_metrics_only OR stale_reporting
   OR risk_unassessed OR practices_lapsed OR prohibited_in_use
"""


def _params(dialect: str, values: dict) -> dict:
    if dialect == "sqlite":
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    return values


def _sql(dialect: str, sql: str) -> str:
    """`:name` placeholders as the driver wants them (psycopg: %(name)s)."""
    if dialect == "sqlite":
        return sql
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


def run(raw, dialect: str, sql: str, params: dict | None = None, *, end: bool = True) -> list[tuple]:
    cursor = raw.cursor()
    cursor.execute(_sql(dialect, sql), _params(dialect, params or {}))
    rows = cursor.fetchall()
    cursor.close()
    if end:
        raw.rollback()  # end the read transaction: nothing stays open between runs
    return rows


def scan(
    raw, dialect: str, as_of: date, thresholds: Thresholds = DEFAULT_THRESHOLDS, *, end: bool = True
) -> set[tuple[int, str]]:
    """{(project_id, rule)} of every violation on `as_of` (`end`: end the read transaction)."""
    params = {
        "as_of": as_of,
        "window_start": as_of - timedelta(days=thresholds.reporting_window_days),
        "poc_before": as_of - timedelta(days=thresholds.poc_max_days),
        "pilot_before": as_of - timedelta(days=thresholds.pilot_max_days),
        "stale_before": as_of - timedelta(days=thresholds.stale_days),
        "valid_after": as_of - timedelta(days=thresholds.practice_valid_days),
    }
    rows = run(raw, dialect, SCAN_SQL, params, end=end)
    return {(row[0], rule) for row in rows for rule, hit in zip(RULES, row[1:], strict=True) if hit}


# ---- a real scan: the finding SQL and the writes a daily scan cannot do without ------------------

FLAG_INSERT = """
INSERT INTO flags (project_id, rule, status, opened_at, last_seen_at, details, resolution_alerted)
VALUES (:project_id, :rule, 'open', :as_of, :as_of, '{}', false)
"""
FLAG_RESOLVE = """
UPDATE flags SET status = 'resolved', resolved_at = :as_of, last_seen_at = :last_seen WHERE id = :id
"""
# after the resolutions: the snoozes that have run out (of flags still true)
FLAG_REOPEN = "UPDATE flags SET status = 'open' WHERE status = 'snoozed' AND snoozed_until <= :as_of"
# the owners' notices: claim what is new, due for a reminder or newly resolved, one message per owner
ALERT_CLAIMS = (
    """UPDATE flags SET last_alerted_on = :as_of
       WHERE status = 'open' AND (last_alerted_on IS NULL OR last_alerted_on <= :remind_before)""",
    "UPDATE flags SET resolution_alerted = true WHERE status = 'resolved' AND NOT resolution_alerted",
)
TOLD_OWNERS = """
SELECT u.email, count(*) FROM flags f JOIN projects p ON p.id = f.project_id JOIN users u ON u.id = p.owner_id
WHERE (f.status = 'open' AND f.last_alerted_on = :as_of) OR (f.status = 'resolved' AND f.resolved_at = :as_of)
GROUP BY u.email
"""
OUTBOX_INSERT = """
INSERT INTO outbox_messages (channel, recipient, subject, body_text, body_html, payload, message_id, status,
                             attempts, next_attempt_at, created_at)
VALUES ('email', :recipient, :subject, '', '', {payload}, :message_id, 'pending', 0, :now, :now)
"""
SCAN_RUN_INSERT = """
INSERT INTO scan_runs (as_of, dry_run, trigger, started_at, duration_ms, projects_evaluated, flags_opened,
                       flags_refreshed, flags_resolved, alerts_queued)
VALUES (:as_of, false, 'cli', :started_at, 0, 0, :opened, :refreshed, :resolved, 0)
"""


def real_scan(
    raw, dialect: str, as_of: date, thresholds: Thresholds = DEFAULT_THRESHOLDS, *, remind_days: int = 7
) -> tuple[set[tuple[int, str]], int]:
    """A real scan's least work, in one transaction: the finding SQL, the unresolved flags' keys,
    INSERT the newly opened flags, UPDATE the resolved ones and the snoozes run out, claim the
    owners' news and INSERT one message per owner (an empty payload), INSERT the scan_runs row,
    commit; returns the violations and the messages queued. Not done here (the application does
    them): comparing the still-true flags' facts, the digests' contents. Run it on a copy of its
    own: it commits."""
    from datetime import UTC, datetime

    found = scan(raw, dialect, as_of, thresholds, end=False)
    cursor = raw.cursor()
    cursor.execute("SELECT max(as_of) FROM scan_runs WHERE NOT dry_run")
    (last_seen,) = cursor.fetchone()
    cursor.execute("SELECT id, project_id, rule FROM flags WHERE status <> 'resolved'")
    unresolved = {(project_id, rule): flag_id for flag_id, project_id, rule in cursor.fetchall()}
    opened = [{"project_id": p, "rule": r, "as_of": as_of} for p, r in found - unresolved.keys()]
    resolved = [{"id": i, "as_of": as_of, "last_seen": last_seen} for key, i in unresolved.items() if key not in found]
    for sql, rows in ((FLAG_INSERT, opened), (FLAG_RESOLVE, resolved)):
        if rows:
            cursor.executemany(_sql(dialect, sql), [_params(dialect, row) for row in rows])
    cursor.execute(_sql(dialect, FLAG_REOPEN), _params(dialect, {"as_of": as_of}))

    now = datetime.now(UTC).isoformat() if dialect == "sqlite" else datetime.now(UTC)
    claim = {"as_of": as_of, "remind_before": as_of - timedelta(days=remind_days)}
    for sql in ALERT_CLAIMS:
        cursor.execute(_sql(dialect, sql), _params(dialect, claim))
    cursor.execute(_sql(dialect, TOLD_OWNERS), _params(dialect, {"as_of": as_of}))
    messages = [
        {"recipient": email, "subject": f"{told} stall notices", "message_id": f"<floor-{as_of}-{email}>", "now": now}
        for email, told in cursor.fetchall()
    ]
    payload = "'{}'::json" if dialect == "postgres" else "'{}'"
    if messages:
        cursor.executemany(
            _sql(dialect, OUTBOX_INSERT.format(payload=payload)), [_params(dialect, m) for m in messages]
        )

    counts = {"opened": len(opened), "refreshed": len(unresolved) - len(resolved), "resolved": len(resolved)}
    cursor.execute(_sql(dialect, SCAN_RUN_INSERT), _params(dialect, {"as_of": as_of, "started_at": now, **counts}))
    cursor.close()
    raw.commit()
    return found, len(messages)


# ---- the portfolio report's figures ------------------------------------------------------------

STAYS = """
stays AS (
    SELECT t.project_id, t.to_stage AS stage, t.effective_date AS entered_on,
           lead(t.effective_date) OVER (PARTITION BY t.project_id ORDER BY t.effective_date, t.id) AS left_on,
           max(CASE WHEN t.to_stage = 'pilot' OR (t.from_stage IS NULL AND t.to_stage IN ('rollout', 'retired'))
                    THEN 1 ELSE 0 END) OVER (PARTITION BY t.project_id) AS reached_pilot,
           max(CASE WHEN t.to_stage = 'rollout' OR (t.from_stage IS NULL AND t.to_stage = 'retired')
                    THEN 1 ELSE 0 END) OVER (PARTITION BY t.project_id) AS reached_rollout
    FROM stage_transitions t
    WHERE t.effective_date <= :as_of
)"""

# The risk figures of a group of current stays: projects by tier (the group's stage is active or
# not), high-impact rollouts, and those lacking a practice in effect.
RISK_COUNTS = ", ".join(
    [
        *(f"count(*) FILTER (WHERE p.risk_tier = '{tier}')" for tier in RISK_TIERS),
        "count(*) FILTER (WHERE s.stage = 'rollout' AND p.risk_tier = 'high_impact')",
        "count(*) FILTER (WHERE s.stage = 'rollout' AND p.risk_tier = 'high_impact' AND coalesce(e.practices, 0) < 8)",
    ]
)
RISK_NULLS = ", ".join(["NULL"] * 7)

# Stage counts per (stage, domain, department) with the funnel sums and the risk figures, and the
# median stay per stage, in one statement over the stays. Every history implies poc, so poc's
# count is the projects'.
HISTORY_SQL = {
    "postgres": f"""
WITH {STAYS},{IN_EFFECT}
SELECT 'current', s.stage, p.domain, p.department, count(*), sum(s.reached_pilot),
       sum(s.reached_pilot * s.reached_rollout), {RISK_COUNTS}
FROM stays s JOIN projects p ON p.id = s.project_id LEFT JOIN in_effect e ON e.project_id = s.project_id
WHERE s.left_on IS NULL
GROUP BY s.stage, p.domain, p.department
UNION ALL
SELECT 'median', stage, NULL, NULL,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY coalesce(left_on, :as_of) - entered_on), NULL, NULL,
       {RISK_NULLS}
FROM stays
WHERE stage IN ('poc', 'pilot', 'rollout')
GROUP BY stage
""",
    "sqlite": f"""
WITH {STAYS},{IN_EFFECT},
ranked AS (
    SELECT stage, days, row_number() OVER (PARTITION BY stage ORDER BY days) AS position,
           count(*) OVER (PARTITION BY stage) AS stays
    FROM (SELECT stage, CAST(julianday(coalesce(left_on, :as_of)) - julianday(entered_on) AS INTEGER) AS days
          FROM stays WHERE stage IN ('poc', 'pilot', 'rollout'))
)
SELECT 'current', s.stage, p.domain, p.department, count(*), sum(s.reached_pilot),
       sum(s.reached_pilot * s.reached_rollout), {RISK_COUNTS}
FROM stays s JOIN projects p ON p.id = s.project_id LEFT JOIN in_effect e ON e.project_id = s.project_id
WHERE s.left_on IS NULL
GROUP BY s.stage, p.domain, p.department
UNION ALL
SELECT 'median', stage, NULL, NULL, avg(days), NULL, NULL, {RISK_NULLS}
FROM ranked
WHERE position IN ((stays + 1) / 2, (stays + 2) / 2)
GROUP BY stage
""",
}

BUDGET_SUMS = """sum(CASE WHEN status = 'planned' THEN amount_minor ELSE 0 END),
       sum(CASE WHEN status = 'approved' THEN amount_minor ELSE 0 END), sum(spent_minor)"""
BUDGET_SQL = {
    "postgres": f"""
SELECT currency, stage, fiscal_year, {BUDGET_SUMS}
FROM budget_lines
GROUP BY GROUPING SETS ((currency, stage), (currency, fiscal_year))
""",
    "sqlite": f"""
SELECT currency, stage, NULL, {BUDGET_SUMS} FROM budget_lines GROUP BY currency, stage
UNION ALL
SELECT currency, NULL, fiscal_year, {BUDGET_SUMS} FROM budget_lines GROUP BY currency, fiscal_year
""",
}

FLAGS_SQL = """
SELECT rule, count(*), count(DISTINCT project_id)
FROM flags
WHERE opened_at <= :as_of AND (resolved_at IS NULL OR resolved_at > :as_of)
GROUP BY rule
"""

OUTCOME_COVERAGE_SQL = """
SELECT count(DISTINCT project_id) FROM kpis
WHERE kind = 'outcome' AND baseline IS NOT NULL AND target IS NOT NULL
"""


def portfolio(raw, dialect: str, as_of: date, practice_valid_days: int = 365) -> dict:
    """The report's figures, unfiltered, as plain values (money in minor units)."""
    params = {"as_of": as_of, "valid_after": as_of - timedelta(days=practice_valid_days)}
    history = run(raw, dialect, HISTORY_SQL[dialect], params)
    stages: dict[str, int] = {}
    reached = {"poc": 0, "pilot": 0, "rollout": 0}
    medians = {}
    tiers = dict.fromkeys(RISK_TIERS, 0)
    high_impact_in_rollout = lapsed = 0
    for figure, stage, _domain, _department, value, pilot, rollout, *risk in history:
        if figure == "median":
            medians[stage] = float(value)
            continue
        stages[stage] = stages.get(stage, 0) + int(value)
        reached["poc"] += int(value)
        reached["pilot"] += int(pilot)
        reached["rollout"] += int(rollout)
        if stage in ("poc", "pilot", "rollout"):
            for tier, count in zip(RISK_TIERS, risk, strict=False):
                tiers[tier] += int(count)
        high_impact_in_rollout += int(risk[5])
        lapsed += int(risk[6])
    budget = {
        (currency, stage or fiscal_year): (int(planned), int(approved), int(spent))
        for currency, stage, fiscal_year, planned, approved, spent in run(raw, dialect, BUDGET_SQL[dialect])
    }
    flag_rows = run(raw, dialect, FLAGS_SQL, {"as_of": as_of})
    return {
        "stages": stages,
        "reached": reached,
        "medians": medians,
        "budget": budget,
        "flags": {rule: count for rule, count, _ in flag_rows},
        "input_metrics_only": sum(projects for rule, _, projects in flag_rows if rule == "input_metrics_only"),
        "projects_with_outcome_kpi": run(raw, dialect, OUTCOME_COVERAGE_SQL)[0][0],
        "risk": {
            "tiers": tiers,
            "high_impact_in_rollout": high_impact_in_rollout,
            "high_impact_practices_lapsed": lapsed,
        },
    }


# ---- projects.csv: one row per project, streamed --------------------------------------------------

PROJECTS_CSV_SQL = {
    "postgres": """
WITH money AS (
    SELECT project_id, currency, stage,
           sum(amount_minor) FILTER (WHERE status = 'planned') AS planned,
           sum(amount_minor) FILTER (WHERE status = 'approved') AS approved,
           sum(spent_minor) AS spent
    FROM budget_lines GROUP BY project_id, currency, stage
),
money_per_project AS (
    SELECT project_id, string_agg(currency || ':' || stage || ':' || coalesce(planned::text, '') || ':'
                                  || coalesce(approved::text, '') || ':' || spent, ';') AS cells
    FROM money GROUP BY project_id
),
kpi_counts AS (
    SELECT project_id, count(*) FILTER (WHERE kind = 'input') AS inputs,
           count(*) FILTER (WHERE kind = 'output') AS outputs, count(*) FILTER (WHERE kind = 'outcome') AS outcomes
    FROM kpis GROUP BY project_id
),
latest_outcome AS (
    SELECT DISTINCT ON (k.project_id) k.project_id, k.baseline, k.target, m.value
    FROM kpis k JOIN measurements m ON m.kpi_id = k.id
    WHERE k.kind = 'outcome' AND k.baseline IS NOT NULL AND k.target IS NOT NULL
    ORDER BY k.project_id, m.measured_on DESC, m.id DESC
),
open_flags AS (
    SELECT project_id, string_agg(rule, ';' ORDER BY rule) AS rules FROM flags
    WHERE status != 'resolved' GROUP BY project_id
)
SELECT p.key, p.title, p.domain, p.department, u.email, p.stage, p.stage_entered_at,
       :today - p.stage_entered_at, mp.cells, c.inputs, c.outputs, c.outcomes,
       lo.baseline, lo.target, lo.value, f.rules
FROM projects p JOIN users u ON u.id = p.owner_id
LEFT JOIN money_per_project mp ON mp.project_id = p.id
LEFT JOIN kpi_counts c ON c.project_id = p.id
LEFT JOIN latest_outcome lo ON lo.project_id = p.id
LEFT JOIN open_flags f ON f.project_id = p.id
ORDER BY p.id
""",
    "sqlite": """
WITH money AS (
    SELECT project_id, currency, stage,
           sum(amount_minor) FILTER (WHERE status = 'planned') AS planned,
           sum(amount_minor) FILTER (WHERE status = 'approved') AS approved,
           sum(spent_minor) AS spent
    FROM budget_lines GROUP BY project_id, currency, stage
),
money_per_project AS (
    SELECT project_id, group_concat(currency || ':' || stage || ':' || coalesce(planned, '') || ':'
                                    || coalesce(approved, '') || ':' || spent, ';') AS cells
    FROM money GROUP BY project_id
),
kpi_counts AS (
    SELECT project_id, count(*) FILTER (WHERE kind = 'input') AS inputs,
           count(*) FILTER (WHERE kind = 'output') AS outputs, count(*) FILTER (WHERE kind = 'outcome') AS outcomes
    FROM kpis GROUP BY project_id
),
latest_outcome AS (
    SELECT project_id, baseline, target, value FROM (
        SELECT k.project_id, k.baseline, k.target, m.value,
               row_number() OVER (PARTITION BY k.project_id ORDER BY m.measured_on DESC, m.id DESC) AS newest
        FROM kpis k JOIN measurements m ON m.kpi_id = k.id
        WHERE k.kind = 'outcome' AND k.baseline IS NOT NULL AND k.target IS NOT NULL
    ) WHERE newest = 1
),
open_flags AS (
    SELECT project_id, group_concat(rule, ';') AS rules FROM flags
    WHERE status != 'resolved' GROUP BY project_id
)
SELECT p.key, p.title, p.domain, p.department, u.email, p.stage, p.stage_entered_at,
       CAST(julianday(:today) - julianday(p.stage_entered_at) AS INTEGER), mp.cells, c.inputs, c.outputs,
       c.outcomes, lo.baseline, lo.target, lo.value, f.rules
FROM projects p JOIN users u ON u.id = p.owner_id
LEFT JOIN money_per_project mp ON mp.project_id = p.id
LEFT JOIN kpi_counts c ON c.project_id = p.id
LEFT JOIN latest_outcome lo ON lo.project_id = p.id
LEFT JOIN open_flags f ON f.project_id = p.id
ORDER BY p.id
""",
}


def projects_csv(raw, dialect: str, today: date, write: Callable[[str], object]) -> int:
    """Stream every project's row as CSV into `write` through a server-side cursor; returns the rows.

    The money cells come out of the database pre-joined ("currency:stage:planned:approved:spent;...")
    and are spread over the per-currency columns here: as little Python as the format allows.
    """
    currencies = sorted({row[0] for row in run(raw, dialect, "SELECT DISTINCT currency FROM budget_lines")} | {"USD"})
    columns = {(c, stage): n * 3 for n, (c, stage) in enumerate((c, s) for c in currencies for s in BUDGET_STAGES)}
    cursor = raw.cursor(name="projects_csv") if dialect == "postgres" else raw.cursor()
    if dialect == "postgres":
        cursor.itersize = 1000
    cursor.execute(_sql(dialect, PROJECTS_CSV_SQL[dialect]), _params(dialect, {"today": today}))
    writer = csv.writer(_Sink(write))
    writer.writerow(["key", "title", "domain", "department", "owner_email", "stage", "stage_entered_at",
                     "days_in_stage", *(f"{s}_{m}_{c}" for c, s in columns for m in ("planned", "approved", "spent")),
                     "kpis_input", "kpis_output", "kpis_outcome", "outcome_progress", "open_flags"])  # fmt: skip
    count = 0
    for (
        key,
        title,
        domain,
        department,
        email,
        stage,
        entered,
        days,
        cells,
        *counts,
        baseline,
        target,
        value,
        rules,
    ) in cursor:
        money = [""] * len(columns) * 3
        for cell in (cells or "").split(";"):
            if cell:
                currency, budget_stage, *sums = cell.split(":")
                at = columns[(currency, budget_stage)]
                money[at : at + 3] = (_decimal(v, MINOR_DIGITS.get(currency, 2)) for v in sums)
        progress = "" if value is None or baseline == target else round((value - baseline) / (target - baseline), 4)
        writer.writerow([key, title, domain, department, email, stage, entered, days, *money,
                         *(n or 0 for n in counts), progress, rules or ""])  # fmt: skip
        count += 1
    cursor.close()
    raw.rollback()
    return count


MINOR_DIGITS = {"KRW": 0, "JPY": 0}


def _decimal(minor: str, digits: int) -> str:
    if not minor or digits == 0:
        return minor
    value = int(minor)
    return f"{value // 10**digits}.{value % 10**digits:0{digits}d}"


class _Sink:
    def __init__(self, write: Callable[[str], object]):
        self.write = write


# ---- the trend: the portfolio over time, one statement over the history -----------------------

TREND_DIALECT = {
    "postgres": {
        "date": "DATE '{}'",
        "plus_days": "{} + {}",
        "days": "({} - {})",
    },
    "sqlite": {
        "date": "'{}'",
        "plus_days": "date({}, '+{} days')",
        "days": "CAST(julianday({}) - julianday({}) AS INTEGER)",
    },
}

# Every figure of the trend as (figure, period index, key, count) rows: the stays and their period
# ends joined to a small VALUES table of the periods (k, start, end, the day before the start, the
# previous end); the cohorts and the durations to rollout from each project's first pilot, rollout
# and cancellation days. Only the Aalen-Johansen product over the grouped durations is left to Python.
TREND_SQL = """
WITH periods(k, start_day, end_day, before_start, prev_end) AS (VALUES {periods}),
stays AS (
    SELECT project_id, from_stage, to_stage, effective_date AS entered,
           lead(effective_date) OVER w AS left_on, lead(to_stage) OVER w AS next_stage
    FROM stage_transitions WHERE effective_date <= :to
    WINDOW w AS (PARTITION BY project_id ORDER BY effective_date, id)
),
purgatory AS (
    SELECT project_id, {purgatory_day} AS purgatory_day, left_on, next_stage
    FROM stays WHERE to_stage = 'pilot'
),
stuck AS (SELECT * FROM purgatory WHERE left_on IS NULL OR purgatory_day < left_on),
money AS (
    SELECT project_id, min(planned_on) AS planned, min(approved_on) AS approved FROM budget_lines
    WHERE stage = 'rollout' AND planned_on <= :to GROUP BY project_id
),
latest AS (
    SELECT k.project_id, m.kpi_id, p.k AS bucket,
           CASE WHEN k.direction = 'increase' AND m.value >= k.target THEN 1
                WHEN k.direction = 'decrease' AND m.value <= k.target THEN 1 ELSE 0 END AS on_target,
           row_number() OVER (PARTITION BY m.kpi_id, p.k ORDER BY m.measured_on DESC, m.id DESC) AS newest
    FROM measurements m JOIN kpis k ON k.id = m.kpi_id
    JOIN periods p ON m.measured_on > p.prev_end AND m.measured_on <= p.end_day
    WHERE k.kind = 'outcome' AND k.baseline IS NOT NULL AND k.target IS NOT NULL
      AND k.project_id IN (SELECT project_id FROM stage_transitions WHERE to_stage = 'rollout' AND effective_date <= :to)
),
spans AS (
    SELECT project_id, bucket, on_target, lead(bucket) OVER (PARTITION BY kpi_id ORDER BY bucket) AS next_bucket
    FROM latest WHERE newest = 1
),
outcome_state AS (
    SELECT s.project_id, q.k, min(s.on_target) AS all_on
    FROM spans s JOIN periods q ON q.k >= s.bucket AND (s.next_bucket IS NULL OR q.k < s.next_bucket)
    GROUP BY s.project_id, q.k
),
-- the rollouts at each end beside their outcome state, grouped rather than joined (a join of two
-- aggregates made PostgreSQL misjudge one side as a single row and loop over the other)
rollout_outcomes AS (
    SELECT project_id, k, max(in_rollout) AS in_rollout, max(all_on) AS all_on FROM (
        SELECT s.project_id, p.k, 1 AS in_rollout, NULL AS all_on FROM stays s
          JOIN periods p ON s.entered <= p.end_day AND (s.left_on IS NULL OR s.left_on > p.end_day)
          WHERE s.to_stage = 'rollout'
        UNION ALL SELECT project_id, k, 0, all_on FROM outcome_state
    ) both_sides GROUP BY project_id, k
),
firsts AS (
    SELECT project_id,
           min(CASE WHEN to_stage = 'pilot' THEN effective_date END) AS pilot_day,
           min(CASE WHEN to_stage = 'rollout' THEN effective_date END) AS rollout_day,
           min(CASE WHEN to_stage = 'cancelled' THEN effective_date END) AS cancel_day
    FROM stage_transitions WHERE effective_date <= :to GROUP BY project_id
),
pilots AS (SELECT *, {to_rollout} AS to_rollout FROM firsts WHERE pilot_day IS NOT NULL)
SELECT 'stages', p.k, s.to_stage, count(*) FROM stays s
  JOIN periods p ON s.entered <= p.end_day AND (s.left_on IS NULL OR s.left_on > p.end_day) GROUP BY p.k, s.to_stage
UNION ALL SELECT 'entered', p.k, s.to_stage, count(*) FROM stays s
  JOIN periods p ON s.entered BETWEEN p.start_day AND p.end_day GROUP BY p.k, s.to_stage
UNION ALL SELECT 'moves', p.k, s.from_stage || '_to_' || s.to_stage, count(*) FROM stays s
  JOIN periods p ON s.entered BETWEEN p.start_day AND p.end_day WHERE s.from_stage IS NOT NULL
  GROUP BY p.k, s.from_stage, s.to_stage
UNION ALL SELECT 'at_end', p.k, '', count(*) FROM stuck g
  JOIN periods p ON g.purgatory_day <= p.end_day AND (g.left_on IS NULL OR g.left_on > p.end_day) GROUP BY p.k
UNION ALL SELECT 'at_start', p.k, '', count(*) FROM stuck g
  JOIN periods p ON g.purgatory_day <= p.before_start AND (g.left_on IS NULL OR g.left_on > p.before_start) GROUP BY p.k
UNION ALL SELECT 'entered_purgatory', p.k, '', count(*) FROM stuck g
  JOIN periods p ON g.purgatory_day BETWEEN p.start_day AND p.end_day GROUP BY p.k
UNION ALL SELECT 'left_purgatory', p.k, g.next_stage, count(*) FROM stuck g
  JOIN periods p ON g.left_on BETWEEN p.start_day AND p.end_day GROUP BY p.k, g.next_stage
UNION ALL SELECT 'funding', p.k, CASE WHEN mo.approved <= p.end_day THEN 'approved' ELSE 'planned' END, count(*)
  FROM stays s JOIN periods p ON s.entered <= p.end_day AND (s.left_on IS NULL OR s.left_on > p.end_day)
  JOIN money mo ON mo.project_id = s.project_id AND mo.planned <= p.end_day
  WHERE s.to_stage = 'pilot' GROUP BY p.k, CASE WHEN mo.approved <= p.end_day THEN 'approved' ELSE 'planned' END
UNION ALL SELECT 'outcomes', k, CASE WHEN all_on = 1 THEN 'on' ELSE 'off' END, count(*)
  FROM rollout_outcomes WHERE in_rollout = 1 AND all_on IS NOT NULL
  GROUP BY k, CASE WHEN all_on = 1 THEN 'on' ELSE 'off' END
UNION ALL SELECT 'cohort', p.k, 'size', count(*) FROM pilots f
  JOIN periods p ON f.pilot_day BETWEEN p.start_day AND p.end_day GROUP BY p.k
UNION ALL SELECT 'cohort', p.k, '90', sum(CASE WHEN f.to_rollout <= 90 THEN 1 ELSE 0 END) FROM pilots f
  JOIN periods p ON f.pilot_day BETWEEN p.start_day AND p.end_day GROUP BY p.k
UNION ALL SELECT 'cohort', p.k, '180', sum(CASE WHEN f.to_rollout <= 180 THEN 1 ELSE 0 END) FROM pilots f
  JOIN periods p ON f.pilot_day BETWEEN p.start_day AND p.end_day GROUP BY p.k
UNION ALL SELECT 'cohort', p.k, '365', sum(CASE WHEN f.to_rollout <= 365 THEN 1 ELSE 0 END) FROM pilots f
  JOIN periods p ON f.pilot_day BETWEEN p.start_day AND p.end_day GROUP BY p.k
UNION ALL SELECT 'duration', {duration}, CASE WHEN rollout_day IS NOT NULL THEN 'rolled_out'
                                            WHEN cancel_day IS NOT NULL THEN 'cancelled' ELSE 'open' END, count(*)
  FROM pilots WHERE pilot_day >= :first
  GROUP BY {duration}, CASE WHEN rollout_day IS NOT NULL THEN 'rolled_out' WHEN cancel_day IS NOT NULL THEN 'cancelled' ELSE 'open' END
"""


def trend(raw, dialect: str, periods: list[tuple[date, date, date]], pilot_max_days: int = 180) -> dict:
    """The trend's per-period figures, cohorts and time to rollout (unfiltered) as plain values;
    `periods`: (start, end, full end) of each, the last ending on `to`."""
    words = TREND_DIALECT[dialect]
    day = words["date"].format
    rows, previous = [], date(1, 1, 1)
    for k, (start, end, _) in enumerate(periods):
        rows.append(f"({k}, {day(start)}, {day(end)}, {day(start - timedelta(days=1))}, {day(previous)})")
        previous = end
    to, first = periods[-1][1], periods[0][0]
    days = words["days"].format
    sql = TREND_SQL.format(
        periods=", ".join(rows),
        purgatory_day=words["plus_days"].format("entered", pilot_max_days + 1),
        to_rollout=days("rollout_day", "pilot_day"),
        duration=(
            f"CASE WHEN rollout_day IS NOT NULL THEN {days('rollout_day', 'pilot_day')} "
            f"WHEN cancel_day IS NOT NULL THEN {days('cancel_day', 'pilot_day')} ELSE {days(day(to), 'pilot_day')} END"
        ),
    )
    n = len(periods)
    figures: dict = {}
    durations: list[tuple[str, int, int]] = []
    for figure, k, key, count in run(raw, dialect, sql, {"to": to, "first": first}):
        if figure == "duration":
            durations.append((key, int(k), int(count)))
        else:
            figures.setdefault(figure, {}).setdefault(key, [0] * n)[k] = int(count)
    return {"figures": figures, "durations": durations, "full_ends": [full for _, _, full in periods], "to": to}


def aalen_johansen(durations: list[tuple[str, int, int]], horizons=(90, 180, 365, 730)) -> dict:
    """The cumulative incidence of rollout from grouped (kind, days, count), in floats."""
    by_day: dict[int, dict[str, int]] = {}
    for kind, days, count in durations:
        by_day.setdefault(days, {}).setdefault(kind, 0)
        by_day[days][kind] += count
    at_risk = sum(count for _, _, count in durations)
    survival, incidence, steps = 1.0, 0.0, []
    for days in sorted(by_day):
        rolled, cancelled = by_day[days].get("rolled_out", 0), by_day[days].get("cancelled", 0)
        if rolled or cancelled:
            incidence += survival * rolled / at_risk
            survival *= 1 - (rolled + cancelled) / at_risk
            steps.append((days, incidence, rolled))
        at_risk -= sum(by_day[days].values())
    longest = max(by_day, default=None)

    def at(horizon: int) -> float:
        return next((value for days, value, _ in reversed(steps) if days <= horizon), 0.0)

    return {
        "cumulative_incidence": {
            str(h): None if longest is None or h > longest else round(at(h) + 1e-12, 4) for h in horizons
        },
        "curve": [[days, round(value + 1e-12, 4)] for days, value, rolled in steps if rolled],
        "median_days": next((days for days, value, _ in steps if value >= 0.5 - 1e-12), None),
    }
