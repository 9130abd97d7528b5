"""`flask deliver`: send everything the alert outbox holds now."""

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.alerts.outbox import deliver_due
from tracker.cli import cli_session
from tracker.db import utcnow


@click.command("deliver")
@with_appcontext
def deliver_command() -> None:
    """Send every pending alert now, those waiting for a retry included (as `postqueue -f` does:
    run it once the mail server is back), and print the counts. The scheduler's minutely delivery
    keeps the retry back-off."""
    report = deliver_due(cli_session(), now=utcnow(), config=current_app.config, flush=True)
    click.echo(f"sent {report.sent}, failed and retrying later {report.retrying}, failed for good {report.failed}")
