"""`flask --app tracker scan`: run the stall scan from the command line and print what it found."""

from datetime import date, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.errors import DomainError
from tracker.flags.rules import key_numbers
from tracker.flags.scan import ScanReport, run_scan

EARLIEST = date(1900, 1, 1)


@click.command("scan")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD; default today (UTC)")
@click.option("--dry-run", is_flag=True, help="Compute and print the findings; write nothing")
@with_appcontext
def scan_command(as_of: datetime | None, dry_run: bool) -> None:
    """Run the stall scan now and print what it found."""
    from tracker.cli import cli_session

    day = as_of.date() if as_of is not None else None
    if day is not None and day < EARLIEST:
        raise click.BadParameter(f"must not be before {EARLIEST}", param_hint="'--as-of'")
    try:
        report = run_scan(
            cli_session(), as_of=day, dry_run=dry_run, trigger="cli", actor=None, config=current_app.config
        )
    except DomainError as exc:
        message = exc.message
        if exc.status == 422:
            message = "--as-of must not be in the future"
        raise click.ClickException(message) from None
    click.echo(format_report(report))


def format_report(report: ScanReport) -> str:
    """The findings as a table (project key, rule, the numbers), then one summary line."""
    rows = [(f.project_key, f.rule, key_numbers(f.rule, f.details, on=f.as_of)) for f in report.findings]
    header = ("PROJECT", "RULE", "NUMBERS")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(2)]
    lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}".rstrip() for a, b, c in [header, *rows]] if rows else []
    lines.append(summary(report))
    return "\n".join(lines)


def summary(report: ScanReport) -> str:
    found = f"{report.projects_evaluated} projects evaluated, {len(report.findings)} findings"
    if report.dry_run:
        return (
            f"Dry run as of {report.as_of}: {found}; would open {report.opened}, refresh {report.refreshed}, "
            f"resolve {report.resolved} flags; nothing written ({report.duration_ms} ms)."
        )
    return (
        f"Scan {report.id} as of {report.as_of}: {found}; flags {report.opened} opened, {report.refreshed} "
        f"refreshed, {report.resolved} resolved; {report.alerts_queued} alerts queued ({report.duration_ms} ms)."
    )
