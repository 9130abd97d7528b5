"""`flask import` and `flask export`: the portfolio in and out of CSV files."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click
import sqlalchemy.exc as sa_exc

from tracker.cli import cli_session
from tracker.errors import DomainError
from tracker.registry import service
from tracker.registry.formats import FORMATS


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="tracker", show_default=True)
@click.option("--owner", "owner_email", help="Owner of rows that name none (default: the first active admin)")
def import_command(file: Path, fmt: str, owner_email: str | None) -> None:
    """Bulk-import projects from FILE (CSV, UTF-8): all rows or none.

    tracker: the tracker's own columns, every bad row reported by line. omb-2025: the US federal
    AI use case inventory; prints what it could not map.
    """
    session = cli_session()
    try:
        owner = service.default_owner(session, owner_email)
        with file.open(encoding="utf-8-sig", newline="") as handle:
            summary = service.import_projects(
                session,
                fmt=fmt,
                lines=handle,
                actor=None,
                default_owner=owner,
                source=file.name,
                progress=lambda rows: click.progressbar(rows, label="Checking rows"),
            )
    except service.ImportRejected as exc:
        for line, fields in exc.line_errors.items():
            for name, messages in fields.items():
                click.echo(f"line {line}: {name}: {' '.join(_flat(messages))}", err=True)
        raise click.ClickException(exc.message) from None
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text; nothing was imported") from None
    except sa_exc.IntegrityError:
        raise click.ClickException("a key was taken meanwhile (another import?); nothing was imported") from None
    for line in describe(summary):
        click.echo(line)


def _flat(messages) -> list[str]:
    """marshmallow messages: a list, or a dict of lists (nested fields)."""
    if isinstance(messages, dict):
        return [f"{name}: {' '.join(_flat(inner))}" for name, inner in messages.items()]
    return [str(message) for message in messages]


def describe(summary: dict) -> list[str]:
    """The summary in lines a person reads."""
    stages = ", ".join(f"{stage} {n}" for stage, n in summary["stages"].items() if n)
    lines = [
        f"imported {summary['created']} of {summary['rows']} rows from {summary['source']} "
        f"({summary['format']}; import {summary['id']} in the audit trail)",
        f"  stages: {stages or 'none'}",
    ]
    if summary["format"] == "omb-2025":
        dates = summary["dates"]
        lines += [
            f"  blank stages (imported as poc): {summary['blank_stages']}",
            f"  keys: {summary['generated_keys']} generated for rows without an id, "
            f"{summary['suffixed_keys']} repeated ids suffixed, {len(summary['skipped_existing'])} present already "
            "(rows skipped)",
            f"  operational_date: {dates['parsed']} parsed; today for {dates['blank']} blank, "
            f"{dates['unparsed']} not parsed, {dates['future']} in the future",
            f"  owners: {summary['users_created']} managers created for contact emails; "
            f"{summary['default_owner_rows']} projects owned by the default owner",
            f"  untitled rows (given a title from their key): {summary['untitled']}",
            "  risk tiers: " + (", ".join(f"{tier} {n}" for tier, n in summary["risk_tiers"].items() if n) or "none"),
            "  practices written: "
            + (", ".join(f"{status} {n}" for status, n in summary["practices"].items() if n) or "none"),
        ]
        for column, values in summary["unmapped"].items():
            lines.append(f"  could not map {column}:")
            for value, n in sorted(values.items(), key=lambda item: (-item[1], item[0])):
                lines.append(f"    {value!r}: {n}")
    elif summary["default_owner_rows"]:
        lines.append(f"  owned by the default owner: {summary['default_owner_rows']}")
    return lines


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
def export_command(file: Path, fmt: str) -> None:
    """Write every project to FILE (CSV, UTF-8 with a BOM): omb-2025 (the US federal inventory's
    columns) or tracker (the import format)."""
    session = cli_session()
    with _replaced_whole(file) as handle:
        count = service.export_portfolio(session, handle, fmt=fmt)
    click.echo(f"wrote {count} projects to {file} ({fmt})")


@contextmanager
def _replaced_whole(target: Path) -> Iterator[TextIO]:
    """A temporary file beside `target`, renamed over it once complete (os.replace: atomic on one
    filesystem). An error leaves `target` as it was and removes the temporary file; a crash leaves
    `target` whole too (at worst a hidden .NAME.*.tmp beside it)."""
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with open(descriptor, "w", encoding="utf-8-sig", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(descriptor)  # the data on disk before the name points at it
        os.chmod(temporary, mode)  # mkstemp makes it 0600; the file gets the mode a plain open would give
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
