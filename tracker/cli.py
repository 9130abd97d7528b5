"""Flask commands (`flask --app tracker ...`)."""

import getpass
from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from tracker.extensions import db
from tracker.i18n import SUPPORTED_LOCALES

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

db_cli = AppGroup("db", help="Create or migrate the database (Alembic, migrations/).")


def alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = db.engine
    # what a migration filling in existing rows with a setting reads (0009: projects' content_locale)
    config.attributes["default_locale"] = current_app.config["DEFAULT_LOCALE"]
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create or migrate the database to REVISION (default: the latest)."""
    command.upgrade(alembic_config(), revision)
    click.echo(f"database at {revision}: {_safe_url()}")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION."""
    command.downgrade(alembic_config(), revision)


@db_cli.command("current")
def db_current() -> None:
    """Show the database's revision."""
    command.current(alembic_config(), verbose=True)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(), message=message, autogenerate=True)


def _safe_url() -> str:
    return db.engine.url.render_as_string(hide_password=True)


def cli_session():
    """A session whose writes the audit trail attributes to the command line."""
    session = db.session
    session.info["source"] = "cli"
    session.info["actor_email"] = f"cli:{getpass.getuser()}"
    return session


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True, help="The person's name")
@click.option("--role", required=True, type=click.Choice(["admin", "caio", "manager", "viewer"]))
@click.option(
    "--locale",
    type=click.Choice(SUPPORTED_LOCALES),
    help="The language of their alerts (default: they follow DEFAULT_LOCALE)",
)
def create_user(email: str, name: str, role: str, locale: str | None) -> None:
    """Create a user and print their new token once (alone on the last line)."""
    from tracker.errors import DomainError
    from tracker.users import service

    session = cli_session()
    try:
        user = service.create_user(session, email=email, name=name, role=role, locale=locale)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    _, token = service.create_token(
        session, user=user, name="created by create-user", default_ttl_days=current_app.config["TOKEN_TTL_DAYS"]
    )
    click.echo(f"created {role} {user.email} (id {user.id}); their token, shown only this once:")
    click.echo(token)


def register(app: Flask) -> None:
    from tracker.alerts.commands import deliver_command
    from tracker.demo import seed_demo_command
    from tracker.flags.commands import scan_command
    from tracker.registry.commands import export_command, import_command
    from tracker.scheduler import scheduler_command

    app.cli.add_command(db_cli)
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(scan_command)
    app.cli.add_command(deliver_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
