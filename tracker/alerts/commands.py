"""`flask deliver`: send what the alert outbox holds now."""

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.alerts.outbox import deliver_due
from tracker.cli import cli_session
from tracker.db import utcnow


@click.command("deliver")
@with_appcontext
def deliver_command() -> None:
    """Send the alerts due now (what the scheduler does every minute) and print the counts."""
    report = deliver_due(cli_session(), now=utcnow(), config=current_app.config)
    click.echo(f"sent {report.sent}, failed and retrying later {report.retrying}, failed for good {report.failed}")
