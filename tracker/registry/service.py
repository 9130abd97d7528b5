"""The public registry's reads, and bulk import and export of the portfolio.

An import checks every row first and then writes everything in one transaction: projects and
their first history entries go in as multi-row INSERTs (thousands of rows in seconds, not one
ORM flush per row), with the audit events those inserts would have had, and one event for the
import itself.
"""

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TextIO

import marshmallow as ma
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from tracker.audit.models import AuditEvent
from tracker.audit.trail import UNRECORDED
from tracker.auth import Actor
from tracker.db import utcnow
from tracker.entry_translations.models import ProjectTranslation
from tracker.entry_translations.queries import with_translation
from tracker.entry_translations.rules import TRANSLATED_FIELDS, published
from tracker.errors import DomainError, NotFound
from tracker.http import storable
from tracker.i18n import SUPPORTED_LOCALES
from tracker.projects.models import Project, StageTransition
from tracker.registry import formats
from tracker.registry.schemas import (
    PUBLIC_PRACTICE_FIELDS,
    REGISTRY_PROJECT_FIELDS,
    TrackerRowSchema,
)
from tracker.trust.models import Practice
from tracker.trust.queries import PUBLIC_COLUMNS
from tracker.trust.rules import PracticeState
from tracker.users.models import User
from tracker.users.service import normalise_email
from tracker.vocab import OWNER_ROLES, PRACTICE_STATUSES, PRACTICES, RISK_TIERS, STAGES

IMPORT_ENTITY = "import"
_CHUNK = 1000  # keys per IN (...) lookup, well inside every database's parameter limit
_NO_GATE = {"checks": [], "unmet": [], "overridden": False}


class ImportRejected(DomainError):
    """Rows that cannot be imported, by line number; nothing was written (422)."""

    status = 422

    def __init__(self, line_errors: dict[int, dict]):
        lines = sorted(line_errors)
        shown = ", ".join(str(n) for n in lines[:20]) + (", ..." if len(lines) > 20 else "")
        rows = "1 row" if len(lines) == 1 else f"{len(lines)} rows"
        super().__init__(
            f"{rows} cannot be imported ({'line' if len(lines) == 1 else 'lines'} {shown}); nothing was imported",
            errors={f"line {n}": line_errors[n] for n in lines},
        )
        self.line_errors = {n: line_errors[n] for n in lines}


# --- the public registry ---------------------------------------------------------------------


def _public(domain: str | None, stage: str | None, department: str | None) -> list:
    conditions = [Project.public.is_(True)]
    for column, value in ((Project.domain, domain), (Project.stage, stage), (Project.department, department)):
        if value is not None:
            conditions.append(column == value)
    return conditions


def registry_query(*, domain: str | None = None, stage: str | None = None, department: str | None = None) -> sa.Select:
    """Public projects by key, as rows of the registry's project columns, `id`, `updated_at` and
    `content_locale` (a page's translations are read apart: sorting every entry by key with its
    translations' text beside it made the JSON page 1.5 times slower on SQLite)."""
    stmt = sa.select(
        Project.id,
        *(getattr(Project, name) for name in REGISTRY_PROJECT_FIELDS),
        # the latest of the project's, its practices' and its translations' changes, kept on the row
        Project.changed_at.label("updated_at"),
        Project.content_locale,
    )
    return stmt.where(*_public(domain, stage, department)).order_by(Project.key)


def registry_entries(session: so.Session, rows: list[sa.Row], *, today: date, valid_days: int) -> list[dict]:
    """The entries of rows of `registry_query`, their practices and translations read in one
    statement each."""
    ids = [row.id for row in rows]
    written = _public_practices(session, Practice.project_id.in_(ids))
    translated: dict[int, dict[str, dict]] = {}
    for translation in session.execute(
        sa.select(
            ProjectTranslation.project_id,
            ProjectTranslation.locale,
            *(getattr(ProjectTranslation, name) for name in TRANSLATED_FIELDS),
        ).where(ProjectTranslation.project_id.in_(ids))
    ):
        translated.setdefault(translation.project_id, {})[translation.locale] = translation._mapping
    return [_entry(row, written.get(row.id, {}), translated.get(row.id, {}), today, valid_days) for row in rows]


def registry_entry(session: so.Session, key: str, *, today: date, valid_days: int) -> dict:
    """A public project's entry by key. A private one is answered exactly like one that does not exist."""
    # no stored key holds a NUL (PostgreSQL cannot even compare with one)
    row = session.execute(registry_query().where(Project.key == key)).first() if storable(key) else None
    if row is None:
        raise NotFound(f"no public registry entry with the key {key}")
    return registry_entries(session, [row], today=today, valid_days=valid_days)[0]


def registry_rows(
    session: so.Session,
    *,
    today: date,
    valid_days: int,
    domain: str | None = None,
    stage: str | None = None,
    department: str | None = None,
) -> Iterator[list]:
    """Every matching entry as a row of REGISTRY_CSV_COLUMNS, streamed from the database (the
    public projects' practices read first, in one statement)."""
    written = _public_practices(session, Practice.project_id.in_(sa.select(Project.id).where(Project.public)))
    stmt = registry_query(domain=domain, stage=stage, department=department)
    for locale in SUPPORTED_LOCALES:  # streamed with the rows: one outer join per language
        stmt = with_translation(stmt, locale, label=f"{{name}}_{locale}")
    rows = session.execute(stmt.execution_options(yield_per=1000))

    def flat() -> Iterator[list]:
        for row in rows:
            translated = {
                locale: {name: getattr(row, f"{name}_{locale}") for name in TRANSLATED_FIELDS}
                for locale in SUPPORTED_LOCALES
            }
            entry = _entry(row, written.get(row.id, {}), translated, today, valid_days)
            cells = [entry[name] for name in REGISTRY_PROJECT_FIELDS]
            for practice in entry["practices"]:
                cells.extend(practice[name] for name in PUBLIC_PRACTICE_FIELDS)
            cells += [entry["updated_at"], entry["content_locale"]]
            for locale in SUPPORTED_LOCALES:
                translated = entry["translations"].get(locale, {})
                cells.extend(translated.get(name) for name in TRANSLATED_FIELDS)
            yield [_cell(value) for value in cells]

    return flat()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):  # dates, and timestamps in ISO 8601 with their offset
        return value.isoformat()
    return value


def _public_practices(session: so.Session, which: sa.ColumnElement[bool]) -> dict[int, dict[str, sa.Row]]:
    """The written practices' public columns (never the note or who changed it), by project and key."""
    stmt = sa.select(Practice.project_id, *PUBLIC_COLUMNS).where(which)
    written: dict[int, dict[str, sa.Row]] = {}
    for row in session.execute(stmt):
        written.setdefault(row.project_id, {})[row.key] = row
    return written


def _entry(
    row: sa.Row, written: dict[str, sa.Row], translated: Mapping[str, Mapping], today: date, valid_days: int
) -> dict:
    """An entry from its project's row, its written practices and its translations by language."""
    entry = {name: getattr(row, name) for name in REGISTRY_PROJECT_FIELDS}
    entry["practices"] = [_public_practice(key, written.get(key), today, valid_days) for key in PRACTICES]
    entry["updated_at"] = row.updated_at
    entry["content_locale"] = row.content_locale
    # what the public is shown of each translation (`{}` in a language it has none in)
    shown = {locale: published(entry, fields) for locale, fields in translated.items()}
    entry["translations"] = {locale: fields for locale, fields in shown.items() if fields}
    return entry


def _public_practice(key: str, row: sa.Row | None, today: date, valid_days: int) -> dict:
    """One practice as the registry shows it; one never written reads as not started."""
    if row is None:
        state, evidence_url, waiver_reason = PracticeState(key), "", ""
    else:
        state = PracticeState(key, row.status, row.completed_on, row.waived_on)
        evidence_url, waiver_reason = row.evidence_url, row.waiver_reason
    return {
        "key": key,
        "status": state.status,
        "completed_on": state.completed_on,
        "expires_on": state.expires_on(valid_days),
        "in_effect": state.in_effect(today, valid_days),
        "evidence_url": evidence_url,
        "waiver_reason": waiver_reason,
    }


# --- import --------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    format: str
    source: str
    id: int | None = None
    rows: int = 0
    created: int = 0
    stages: dict = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    blank_stages: int = 0
    generated_keys: int = 0
    suffixed_keys: int = 0
    skipped_existing: list = field(default_factory=list)
    untitled: int = 0
    dates: dict = field(default_factory=lambda: {"parsed": 0, "blank": 0, "unparsed": 0, "future": 0})
    users_created: int = 0
    default_owner_rows: int = 0
    risk_tiers: dict = field(default_factory=lambda: dict.fromkeys(RISK_TIERS, 0))
    practices: dict = field(default_factory=lambda: dict.fromkeys(PRACTICE_STATUSES, 0))
    unmapped: dict = field(default_factory=dict)

    def not_mapped(self, column: str, value: str) -> None:
        values = self.unmapped.setdefault(column, {})
        values[value] = values.get(value, 0) + 1

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Planned:
    line: int
    values: dict  # the projects table's columns
    practices: list[dict] = field(default_factory=list)  # the practices table's columns, but project_id


def default_owner(session: so.Session, email: str | None) -> User | None:
    """The user who owns rows without an owner of their own: `email`'s, else the first active admin."""
    if email:
        user = session.scalar(sa.select(User).where(User.email == normalise_email(email)))
        if user is None or not user.active or user.role not in OWNER_ROLES:
            raise DomainError(f"the owner {email} must be an active user with the role manager, caio or admin")
        return user
    return session.scalar(sa.select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id).limit(1))


def import_projects(
    session: so.Session,
    *,
    fmt: str,
    lines: Iterable[str],
    actor: Actor | None,
    default_owner: Actor | None,
    source: str,
    progress: Callable[[list], AbstractContextManager[Iterable]] = nullcontext,
) -> dict:
    """Import every row of the CSV `lines` or none; return the summary (also in the audit trail).

    `default_owner` owns the rows that name no owner of their own; `actor` is recorded as the
    decider of each first stage. `progress` wraps the rows while they are checked (a progress bar).
    """
    summary = ImportSummary(format=fmt, source=source)
    plan = _plan_tracker if fmt == "tracker" else _plan_omb
    try:
        try:
            header, records = formats.read_rows(lines)
            _check_header(header, **_COLUMNS[fmt])
            rows = _rows(header, records)
        except formats.MalformedCsv as exc:
            raise ImportRejected({exc.line: {"row": [exc.message]}}) from None
        summary.rows = len(rows)
        planned = plan(session, rows=rows, summary=summary, default_owner=default_owner, progress=progress)
        _write(session, planned, summary, actor=actor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return summary.as_dict()


_COLUMNS = {
    "tracker": {
        "known": formats.TRACKER_COLUMNS,
        "required": formats.TRACKER_REQUIRED_COLUMNS,
        "allow_unknown": False,
    },
    # agencies add columns of their own; those are ignored
    "omb-2025": {
        "known": formats.OMB_2025_COLUMNS,
        "required": formats.OMB_2025_REQUIRED_COLUMNS,
        "allow_unknown": True,
    },
}


def _rows(header: list[str], records: Iterable[tuple[int, list[str]]]) -> list[tuple[int, dict]]:
    """(line, {column: cell}) per record. A record longer than the header is refused; columns
    with a blank name (a spreadsheet's trailing commas) are dropped."""
    rows, errors = [], {}
    for line, record in records:
        if len(record) > len(header):
            errors[line] = {"row": [f"Has {len(record)} fields; the header has {len(header)}."]}
            continue
        rows.append((line, {name: cell for name, cell in zip(header, record, strict=False) if name}))
    if errors:
        raise ImportRejected(errors)
    return rows


def _check_header(header: list[str], *, known: tuple, required: tuple, allow_unknown: bool) -> None:
    if not any(header):
        raise ImportRejected({1: {"header": ["The file is empty: its first line must name the columns."]}})
    problems = []
    repeated = sorted(name for name, n in Counter(filter(None, header)).items() if n > 1)
    if repeated:
        problems.append(f"Repeated column(s): {', '.join(repeated)}.")
    missing = [name for name in required if name not in header]
    if missing:
        problems.append(f"Missing required column(s): {', '.join(missing)}.")
    unknown = [name for name in header if name and name not in known]
    if unknown and not allow_unknown:
        problems.append(f"Unknown column(s): {', '.join(unknown)}. The columns are: {', '.join(known)}.")
    if problems:
        raise ImportRejected({1: {"header": problems}})


def _existing_keys(session: so.Session, keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found = set()
    for start in range(0, len(keys), _CHUNK):
        found.update(session.scalars(sa.select(Project.key).where(Project.key.in_(keys[start : start + _CHUNK]))))
    return found


def _users_by_email(session: so.Session, emails: Iterable[str]) -> dict[str, User]:
    emails = sorted(set(emails))
    users = {}
    for start in range(0, len(emails), _CHUNK):
        for user in session.scalars(sa.select(User).where(User.email.in_(emails[start : start + _CHUNK]))):
            users[user.email] = user
    return users


def _may_own(user: Actor | None) -> bool:
    return user is not None and user.active and user.role in OWNER_ROLES


def _project_defaults(today: date) -> dict:
    """Every column of a new project, so each row of a multi-row INSERT names the same ones."""
    return {
        "content_locale": current_app.config["DEFAULT_LOCALE"],
        "problem": "",
        "description": "",
        "department": "",
        "stage": "poc",
        "stage_entered_at": today,
        "public": False,
        **dict.fromkeys(("purpose", "data_sources", "logic", "risks", "human_oversight", "contact_email"), ""),
        "risk_tier": "unassessed",
        "risk_rationale": "",
        "risk_assessed_on": None,
    }


def _plan_tracker(
    session: so.Session, *, rows: list[tuple[int, dict]], summary: ImportSummary, default_owner: Actor | None, progress
) -> list[_Planned]:
    """Validate every row of the tracker format; refuse them all if any is wrong."""
    schema = TrackerRowSchema()
    checked = []  # (line, the values that are valid, field errors so far)
    with progress(rows) as checking:
        for line, row in checking:
            try:
                checked.append((line, schema.load(row), {}))
            except ma.ValidationError as exc:
                checked.append((line, exc.valid_data or {}, dict(exc.messages)))
    first_line: dict[str, int] = {}
    for line, data, _ in checked:
        if "key" in data:
            first_line.setdefault(data["key"], line)
    existing = _existing_keys(session, first_line)
    owners = _users_by_email(
        session, (normalise_email(data["owner_email"]) for _, data, _ in checked if "owner_email" in data)
    )
    today = _today()
    planned, errors = [], {}
    for line, data, problems in checked:
        key = data.get("key")
        if key is not None and first_line[key] != line:
            problems["key"] = [f"Repeats the key of line {first_line[key]}."]
        elif key in existing:
            problems["key"] = ["A project with this key exists already; an import only creates projects."]
        email = data.pop("owner_email", None)
        owner = owners.get(normalise_email(email)) if email else default_owner
        if email and not _may_own(owner):
            problems["owner_email"] = ["Must be the email of an active user with the role manager, caio or admin."]
        elif owner is None and "owner_email" not in problems:
            problems["owner_email"] = ["Required: there is no default owner (give --owner, or create an admin)."]
        if problems:
            errors[line] = problems
            continue
        if not email:
            summary.default_owner_rows += 1
        planned.append(_Planned(line, {**_project_defaults(today), **data, "owner_id": owner.id}))
    if errors:
        raise ImportRejected(errors)
    return planned


def _plan_omb(
    session: so.Session, *, rows: list[tuple[int, dict]], summary: ImportSummary, default_owner: Actor | None, progress
) -> list[_Planned]:
    """Map the federal inventory's rows onto projects, counting every value that needed a fallback."""
    keys = _assign_keys(rows, summary)
    existing = _existing_keys(session, keys)
    fresh = []
    for (line, row), key in zip(rows, keys, strict=True):
        if key in existing:
            summary.skipped_existing.append(key)
        else:
            fresh.append((line, row, key))
    contacts = {line: formats.first_email(row.get("contact_email") or "") for line, row, _ in fresh}
    owners = _contact_owners(session, contacts.values(), summary)
    mapper = _OmbMapper(summary, domains=current_app.config["DOMAINS"], today=_today())
    planned, errors = [], {}
    with progress(fresh) as mapping:
        for line, row, key in mapping:
            contact = contacts[line]
            owner = owners.get(normalise_email(contact)) if contact else None
            if not _may_own(owner):
                raw = (row.get("contact_email") or "").strip()
                if raw:  # no address in it, or its user may not own projects
                    summary.not_mapped("contact_email", contact or raw)
                owner = default_owner
                summary.default_owner_rows += 1
                if owner is None:
                    errors[line] = {"contact_email": ["No usable contact, and no default owner (give --owner)."]}
                    continue
            values = mapper.project(row, key=key, owner_id=owner.id, contact=contact)
            planned.append(_Planned(line, values, mapper.practices(row)))
    if errors:
        raise ImportRejected(errors)
    return planned


def _assign_keys(rows: list[tuple[int, dict]], summary: ImportSummary) -> list[str]:
    """A key per row, the same for the same file: its id normalised; a repeated id suffixed -2, -3...;
    no id: AGENCY-IMPORT-0001, ... (never a key another row of the file names)."""
    normalised = [formats.normalise_key(row.get("id") or "") for _, row in rows]
    named = set(filter(None, normalised))
    used: set[str] = set()
    generated: Counter = Counter()
    keys = []
    for (_, row), key in zip(rows, normalised, strict=True):
        if key and key in used:
            n = 2
            while formats.with_suffix(key, n) in named or formats.with_suffix(key, n) in used:
                n += 1
            key = formats.with_suffix(key, n)
            summary.suffixed_keys += 1
        elif not key:
            agency = formats.normalise_key(row.get("agency") or "")[:50].rstrip("-._") or "OMB"
            while not key or key in named or key in used:
                generated[agency] += 1
                key = f"{agency}-IMPORT-{generated[agency]:04d}"
            summary.generated_keys += 1
        used.add(key)
        keys.append(key)
    return keys


def _contact_owners(session: so.Session, contacts: Iterable[str], summary: ImportSummary) -> dict[str, User]:
    """Users by email for the contacts; a manager is created for each address not yet a user."""
    emails = {normalise_email(contact) for contact in contacts if contact}
    users = _users_by_email(session, emails)
    new = [User(email=email, name=email[:200], role="manager", active=True) for email in sorted(emails - users.keys())]
    session.add_all(new)
    session.flush()  # the audit trail's hook records them
    summary.users_created = len(new)
    users.update((user.email, user) for user in new)
    return users


class _OmbMapper:
    """One federal inventory row -> the columns of a project; fallbacks are counted in the summary."""

    def __init__(self, summary: ImportSummary, *, domains: list[str], today: date):
        self.summary = summary
        self.domains = domains
        self.fallback_domain = formats.FALLBACK_DOMAIN if formats.FALLBACK_DOMAIN in domains else domains[0]
        self.today = today

    def project(self, row: dict, *, key: str, owner_id: int, contact: str) -> dict:
        def cell(name: str) -> str:
            return (row.get(name) or "").strip()

        title = cell("use_case_name")[:300]
        if not title:
            title = f"Untitled use case {key}"
            self.summary.untitled += 1
        return {
            **_project_defaults(self.today),
            "content_locale": formats.OMB_2025_LOCALE,
            "key": key,
            "title": title,
            "problem": cell("problem_solved"),
            "description": cell("system_outputs"),
            "domain": self.domain(cell("topic_area")),
            "ai_type": self.ai_type(cell("classification")),
            "department": (cell("agency_name") or cell("agency"))[:200],
            "owner_id": owner_id,
            "stage": self.stage(cell("development_stage")),
            "stage_entered_at": self.stage_entered_at(cell("operational_date")),
            "purpose": cell("benefits"),
            "data_sources": cell("data_description"),
            "risks": cell("hi_potential_impacts"),
            "contact_email": contact,
            **self.risk(cell("is_high_impact"), cell("HI_justification")),
        }

    def risk(self, determination: str, justification: str) -> dict:
        """The tier the determination means, its justification as the rationale (or, without one,
        a rationale naming the source); an unreadable determination leaves it unassessed."""
        tier = formats.omb_tier(determination)
        if tier is None:
            self.summary.not_mapped("is_high_impact", determination)
            tier = "unassessed"
        if tier != "unassessed" and not justification:
            justification = formats.SOURCE_RATIONALE.format(determination)
        assessed = self.today if tier != "unassessed" else None
        return {"risk_tier": tier, "risk_rationale": justification, "risk_assessed_on": assessed}

    def practices(self, row: dict) -> list[dict]:
        """A practice for each hi_* cell with something in it; what cannot be read is not started,
        its text kept in the note (and counted as unmapped)."""
        written = []
        for column, key in formats.OMB_PRACTICE_COLUMNS.items():
            text = (row.get(column) or "").strip()
            imported = formats.omb_practice(column, text)
            if imported is None:
                continue
            practice = {
                "key": key,
                "status": imported.status,
                "completed_on": None,
                "waived_on": None,
                "evidence_url": "",
                "note": "",
                "waiver_reason": "",
            }
            if not imported.mapped:
                self.summary.not_mapped(column, text)
                practice["note"] = text
            elif imported.status == "done":
                practice["completed_on"] = self.today
                practice["note"] = (
                    f'Recorded as done ("{text}") in the federal inventory imported on {self.today}; '
                    "completed_on is the import's date, not the day it was done."
                )
            elif imported.status == "waived":
                practice["waived_on"] = self.today
                practice["waiver_reason"] = formats.WAIVER_REASON
            written.append(practice)
        return written

    def stage(self, value: str) -> str:
        choice = formats.canonical_choice(value)
        if not choice:
            self.summary.blank_stages += 1
            return "poc"
        if choice not in formats.OMB_STAGES:
            self.summary.not_mapped("development_stage", value)
            return "poc"
        return formats.OMB_STAGES[choice]

    def ai_type(self, value: str) -> str:
        choice = formats.canonical_choice(value)
        if choice not in formats.OMB_AI_TYPES:
            self.summary.not_mapped("classification", value)
            return "other"
        return formats.OMB_AI_TYPES[choice]

    def domain(self, value: str) -> str:
        domain = formats.OMB_TOPICS.get(formats.canonical_choice(value))
        if domain not in self.domains:
            self.summary.not_mapped("topic_area", value)
            return self.fallback_domain
        return domain

    def stage_entered_at(self, value: str) -> date:
        dates = self.summary.dates
        if not value:
            dates["blank"] += 1
            return self.today
        parsed = formats.parse_operational_date(value)
        if parsed is None:
            dates["unparsed"] += 1
            self.summary.not_mapped("operational_date", value)
            return self.today
        if parsed > self.today:
            dates["future"] += 1
            return self.today
        dates["parsed"] += 1
        return parsed


def _write(session: so.Session, planned: list[_Planned], summary: ImportSummary, *, actor: Actor | None) -> None:
    """Insert the projects and their first history entries in bulk, with their audit events."""
    now = utcnow()
    who = _who(session, now)
    events = []
    if planned:
        projects = [{**item.values, "created_at": now, "updated_at": now, "version": 1} for item in planned]
        session.execute(sa.insert(Project.__table__), projects)
        # keys are unique: they give the new ids back (RETURNING with executemany is row by row on SQLite)
        project_ids = _ids_by(session, Project.key, Project.id, [project["key"] for project in projects])
        transitions = [
            {
                "project_id": project_ids[project["key"]],
                "from_stage": None,
                "to_stage": project["stage"],
                "effective_date": project["stage_entered_at"],
                "decided_by_id": actor.id if actor is not None else None,
                "rationale": f"imported from {summary.source}, line {item.line} ({summary.format})",
                "gate": _NO_GATE,
                "override_reason": None,
                "recorded_at": now,
            }
            for item, project in zip(planned, projects, strict=True)
        ]
        session.execute(sa.insert(StageTransition.__table__), transitions)
        # a new project has one history entry, its first
        transition_ids = _ids_by(
            session, StageTransition.project_id, StageTransition.id, [t["project_id"] for t in transitions]
        )
        # what the audit trail's after_flush hook would have written, had these been ORM inserts
        for project, transition in zip(projects, transitions, strict=True):
            project_id = transition["project_id"]
            transition_id = transition_ids[project_id]
            events.append(_audit_event(who, "project", project_id, project_id, {"id": project_id, **project}))
            events.append(
                _audit_event(who, "stage_transition", transition_id, project_id, {"id": transition_id, **transition})
            )
        events.extend(_write_practices(session, planned, project_ids, who, actor=actor, at=now))
        session.execute(sa.insert(AuditEvent.__table__), events)
    for item in planned:
        summary.stages[item.values["stage"]] += 1
        summary.risk_tiers[item.values["risk_tier"]] += 1
        for practice in item.practices:
            summary.practices[practice["status"]] += 1
    summary.created = len(planned)
    counts = {name: value for name, value in summary.as_dict().items() if name != "id"}
    event = _audit_event(who, IMPORT_ENTITY, None, None, counts)
    summary.id = session.execute(sa.insert(AuditEvent).returning(AuditEvent.id), event).scalar_one()


def _write_practices(
    session: so.Session, planned: list[_Planned], project_ids: dict, who: dict, *, actor: Actor | None, at
) -> list[dict]:
    """Insert the planned practices in bulk; their audit events."""
    practices = [
        {
            **practice,
            "project_id": project_ids[item.values["key"]],
            "updated_at": at,
            "updated_by_id": actor.id if actor is not None else None,
        }
        for item in planned
        for practice in item.practices
    ]
    if not practices:
        return []
    session.execute(sa.insert(Practice.__table__), practices)
    ids = {}
    project_id_list = sorted({practice["project_id"] for practice in practices})
    for start in range(0, len(project_id_list), _CHUNK):
        chunk = project_id_list[start : start + _CHUNK]
        stmt = sa.select(Practice.project_id, Practice.key, Practice.id).where(Practice.project_id.in_(chunk))
        ids.update(((project_id, key), practice_id) for project_id, key, practice_id in session.execute(stmt))
    return [
        _audit_event(who, "practice", ids[practice["project_id"], practice["key"]], practice["project_id"], practice)
        for practice in practices
    ]


def _ids_by(session: so.Session, column, id_column, values: list) -> dict:
    """{value: id} for rows whose `column` is one of `values` (unique among them)."""
    found = {}
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        found.update(session.execute(sa.select(column, id_column).where(column.in_(chunk))).all())
    return found


def _who(session: so.Session, at) -> dict:
    """Who acts and when, as the audit trail's hook records it (session.info: actor, source)."""
    actor = session.info.get("actor")
    return {
        "at": at,
        "actor_id": actor.id if actor is not None else None,
        "actor_email": actor.email if actor is not None else session.info.get("actor_email", ""),
        "source": session.info.get("source", "api"),
        "action": "create",
    }


def _audit_event(who: dict, entity: str, entity_id: int | None, project_id: int | None, values: dict) -> dict:
    return {
        **who,
        "entity": entity,
        "entity_id": entity_id,
        "project_id": project_id,
        "changes": {
            name: {"before": None, "after": value.isoformat() if isinstance(value, date) else value}
            for name, value in values.items()
            if value is not None and name not in UNRECORDED
        },
    }


def get_import(session: so.Session, import_id: int) -> dict:
    """An import's summary, as its audit event recorded it."""
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.id == import_id, AuditEvent.entity == IMPORT_ENTITY))
    if event is None:
        raise NotFound(f"no import with id {import_id}")
    return {"id": event.id, **{name: change["after"] for name, change in event.changes.items()}}


# --- export --------------------------------------------------------------------------------

# format -> (columns, row for a project and its written practices' statuses, whether it needs them)
_EXPORTERS = {
    "omb-2025": (formats.OMB_2025_COLUMNS, formats.omb_row_for, True),
    "tracker": (formats.TRACKER_COLUMNS, lambda project, _practices: formats.tracker_row_for(project), False),
}


def _practice_statuses(session: so.Session) -> dict[int, dict[str, str]]:
    """The written practices' statuses of the projects whose practices the inventory carries, by project and key."""
    stmt = (
        sa.select(Practice.project_id, Practice.key, Practice.status)
        .join(Project, Project.id == Practice.project_id)
        .where(Project.risk_tier.in_(formats.OMB_PRACTICE_TIERS))
    )
    statuses: dict[int, dict[str, str]] = {}
    for project_id, key, status in session.execute(stmt):
        statuses.setdefault(project_id, {})[key] = status
    return statuses


def _translated(project: Mapping) -> dict:
    """The fields of a row's translation (`translated_<field>`) the public is shown."""
    return published(project, {name: project[f"translated_{name}"] for name in TRANSLATED_FIELDS})


def export_portfolio(session: so.Session, handle: TextIO, *, fmt: str) -> int:
    """Write every project to `handle` as CSV in `fmt`, streamed from the database; the count written."""
    columns, row_for, with_practices = _EXPORTERS[fmt]
    practices = _practice_statuses(session) if with_practices else {}
    stmt = sa.select(
        *(column for column in Project.__table__.c if column.name not in ("owner_id", "version")),
        User.email.label("owner_email"),
    ).join(User, User.id == Project.owner_id)
    in_language = formats.OMB_2025_LOCALE if fmt == "omb-2025" else None
    if in_language:
        # the federal inventory is written in English: a project's English translation, where it has one
        stmt = with_translation(stmt, in_language)
    stmt = stmt.order_by(Project.id).execution_options(yield_per=1000)
    # the federal file ends its lines with \n; the handle's encoding gives the BOM (utf-8-sig)
    writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    count = 0
    for project in session.execute(stmt).mappings():
        if in_language:
            project = {**project, **_translated(project)}
        writer.writerow(row_for(project, practices.get(project["id"])))
        count += 1
    return count


def _today() -> date:
    return utcnow().date()
