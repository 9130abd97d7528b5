"""What a scan tells people: one digest per active owner, one digest to the CAIO office.

The CAIO office's digest (to CAIO_EMAIL) holds the escalations, and the news (new, reminder,
resolved) of projects whose owner is inactive, each flag marked `no_active_owner`: nothing reaches
someone who has left, and nothing is lost (SPEC, User). That news is told once, to whoever can be
told at that scan: an owner made active again hears of their flags from their next reminder on.

Called by a real scan inside its transaction, after its flags are written. The bookkeeping on the
flags (last_alerted_on, resolution_alerted, escalated_on) is claimed with UPDATE ... RETURNING:
only the rows a statement actually changed are told, so a second call for the same scan, or a
concurrent scan waiting on the same rows, finds nothing left to say.

The scan stores each digest as data (the outbox row's payload: all that its email and webhook say)
with only its subject; the deliverer renders the rest when it sends (tracker/alerts/outbox.py), so
a scan telling thousands of owners renders no email inside its transaction.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql

from tracker.alerts import email
from tracker.alerts.models import OutboxMessage
from tracker.db import plain_text
from tracker.entry_translations.models import ProjectTranslation
from tracker.flags import rules
from tracker.flags.models import Flag, ScanRun, expire_loaded_flags
from tracker.projects.models import Project
from tracker.users.models import User

# the order a digest lists its sections in
KINDS = ("new", "reminder", "resolved")


def queue_alerts(session: so.Session, *, scan: ScanRun, as_of: date, config: Mapping) -> int:
    """Queue this scan's digests in the outbox (not committed here); returns how many messages."""
    caio_email = config.get("CAIO_EMAIL")
    owner_kinds = _claim_owner_news(
        session, as_of=as_of, remind_days=config["REMIND_DAYS"], for_inactive_owners=bool(caio_email)
    )
    escalated = set(_claim_escalations(session, as_of=as_of, config=config))
    notes = _load_notes(session, set(owner_kinds) | escalated)
    titles = _translated_titles(session, {note["project"]["id"] for note in notes})
    messages = []
    by_owner: dict[int, list[dict]] = {}
    no_owner = []  # news of projects whose owner has left: the CAIO office's (SPEC, User)
    for note in notes:
        if note["flag_id"] not in owner_kinds:
            continue
        item = {**note, "kind": owner_kinds[note["flag_id"]]}
        if note["owner_active"]:
            by_owner.setdefault(note["owner"]["id"], []).append(item)
        elif note["flag_id"] not in escalated:  # else listed once, as escalated
            no_owner.append(item)
    for items in by_owner.values():
        owner = items[0]["owner"]
        locale = items[0]["owner_locale"] or config["DEFAULT_LOCALE"]
        digest = _digest(
            scan, as_of, audience="owner", recipient=owner, locale=locale, items=items, titles=titles, config=config
        )
        messages += _messages(scan, digest, recipient_email=owner["email"], config=config)
    if escalated or no_owner:
        items = [{**note, "kind": "escalated"} for note in notes if note["flag_id"] in escalated] + no_owner
        recipient = {"id": None, "email": caio_email, "name": "CAIO office"}
        locale = config["DEFAULT_LOCALE"]  # the office's language is the deployment's (SPEC)
        digest = _digest(
            scan, as_of, audience="caio", recipient=recipient, locale=locale, items=items, titles=titles, config=config
        )
        messages += _messages(scan, digest, recipient_email=caio_email, config=config)
    if messages:
        # one executemany of the table's INSERT: ORM inserts with RETURNING would go row by row on SQLite
        session.connection().execute(sa.insert(OutboxMessage.__table__), messages)
    return len(messages)


def _claim_owner_news(
    session: so.Session, *, as_of: date, remind_days: int, for_inactive_owners: bool
) -> dict[int, str]:
    """Flag id -> what the owner is told about it, with the bookkeeping updated. What an inactive
    owner would be told goes to the CAIO office instead; without CAIO_EMAIL (`for_inactive_owners`
    false) it is not claimed, so it waits until someone can be told."""
    told = sa.true()
    if not for_inactive_owners:
        # NOT IN the few projects of inactive owners (hashed once), not IN every active one's
        inactive = sa.select(Project.id).join(User, User.id == Project.owner_id).where(User.active.is_(False))
        told = Flag.project_id.not_in(inactive)
    open_ = sa.and_(told, Flag.status == "open")  # acknowledged and snoozed flags get no reminders
    remind_cutoff = as_of - timedelta(days=remind_days)
    # reminders before new ones: the new ones' fresh last_alerted_on must not read as due
    reminded = _claim(
        session,
        sa.and_(open_, Flag.last_alerted_on.is_not(None), Flag.last_alerted_on <= remind_cutoff),
        last_alerted_on=as_of,
    )
    new = _claim(session, sa.and_(open_, Flag.last_alerted_on.is_(None)), last_alerted_on=as_of)
    resolved = _claim(
        session,
        sa.and_(told, Flag.status == "resolved", Flag.resolution_alerted.is_(False)),
        resolution_alerted=True,
    )
    kinds = dict.fromkeys(resolved, "resolved")
    kinds.update(dict.fromkeys(reminded, "reminder"))
    kinds.update(dict.fromkeys(new, "new"))
    return kinds


def _claim_escalations(session: so.Session, *, as_of: date, config: Mapping) -> list[int]:
    """Flags unresolved for longer than ESCALATE_DAYS and not yet escalated; none without CAIO_EMAIL."""
    if not config.get("CAIO_EMAIL"):
        return []
    cutoff = as_of - timedelta(days=config["ESCALATE_DAYS"])
    return _claim(
        session,
        sa.and_(Flag.status != "resolved", Flag.escalated_on.is_(None), Flag.opened_at < cutoff),
        escalated_on=as_of,
    )


def _claim(session: so.Session, condition, **values) -> list[int]:
    # Core, the ids fetched at once: the ORM's synchronisation read them row by row (0.1 s for the
    # ~9,000 claimed a day at 100,000 projects)
    statement = sa.update(Flag.__table__).where(condition).values(**values).returning(Flag.id)
    claimed = session.connection().execute(statement).scalars().all()
    expire_loaded_flags(session, list(values))
    return claimed


def _load_notes(session: so.Session, flag_ids: set[int]) -> list[dict]:
    """One row per flag to tell of, with its project and owner, in a stable order."""
    if not flag_ids:
        return []
    # Core rows and the enums as text: no ORM or enum processing per row (thousands a scan)
    rows = session.connection().execute(
        sa.select(
            Flag.id,
            plain_text(Flag.rule).label("rule"),
            plain_text(Flag.status).label("status"),
            Flag.details,
            Flag.last_seen_at,
            Flag.opened_at,
            Flag.resolved_at,
            Flag.snoozed_until,
            Project.id.label("project_id"),
            Project.key,
            Project.title,
            Project.content_locale,
            User.id.label("owner_id"),
            User.email,
            User.name,
            User.active,
            User.locale,
        )
        .join(Project, Project.id == Flag.project_id)
        .join(User, User.id == Project.owner_id)
        .where(_among(Flag.id, sorted(flag_ids), session))
        .order_by(Project.key, Flag.rule, Flag.id)
    )
    return [
        {
            "flag_id": row.id,
            "rule": row.rule,
            "status": row.status,
            "details": row.details or {},
            "last_seen_at": row.last_seen_at,
            "opened_at": row.opened_at.isoformat(),
            "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
            "project": {"id": row.project_id, "key": row.key, "title": row.title, "content_locale": row.content_locale},
            "owner": {"id": row.owner_id, "email": row.email, "name": row.name},
            "owner_active": row.active,
            "owner_locale": row.locale,
        }
        for row in rows
    ]


def _translated_titles(session: so.Session, project_ids: set[int]) -> dict[int, dict[str, str]]:
    """The projects' titles in the languages they are translated into: project id -> locale -> title."""
    if not project_ids:
        return {}
    rows = session.connection().execute(
        sa.select(ProjectTranslation.project_id, ProjectTranslation.locale, ProjectTranslation.title).where(
            _among(ProjectTranslation.project_id, sorted(project_ids), session), ProjectTranslation.title.is_not(None)
        )
    )
    titles: dict[int, dict[str, str]] = {}
    for project_id, locale, title in rows:
        titles.setdefault(project_id, {})[locale] = title
    return titles


def _among(column, ids: list[int], session: so.Session):
    """`column IN ids` as one bound parameter, however many ids (expanded IN lists hit the
    databases' parameter limits at national scale: 32,766 on SQLite, 65,535 on PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.literal(ids, type_=postgresql.ARRAY(sa.BigInteger)))
    values = sa.func.json_each(sa.literal(json.dumps(ids))).table_valued("value")
    return column.in_(sa.select(values.c.value))


def _digest(
    scan: ScanRun,
    as_of: date,
    *,
    audience: str,
    recipient: dict,
    locale: str,
    items: list[dict],
    titles: Mapping[int, Mapping[str, str]],
    config: Mapping,
) -> dict:
    """The digest as data, all that rendering it needs (see `explained` for what is derived), with
    the language its email is written in, fixed now so that every attempt says the same; each
    project's title also in that language where it has a translation (`titles`)."""
    base_url = config["PUBLIC_BASE_URL"].rstrip("/")
    flags = [
        {
            "id": item["flag_id"],
            "kind": item["kind"],
            "rule": item["rule"],
            # the day counts counted to the day the flag was last seen (this scan, unless it resolved)
            "details": rules.shown(
                item["rule"], item["details"], rules.last_seen_on(item["status"], item["last_seen_at"], as_of)
            ),
            "status": item["status"],
            "opened_at": item["opened_at"],
            "resolved_at": item["resolved_at"],
            "url": f"{base_url}/api/v1/flags/{item['flag_id']}",
            "project": {
                **item["project"],
                "url": f"{base_url}/api/v1/projects/{item['project']['id']}",
                **_translated_title(item["project"], titles, locale),
            },
            "owner": item["owner"],
            # the CAIO office's digest marks the flags whose owner has left (their news comes here)
            **({"no_active_owner": not item["owner_active"]} if audience == "caio" else {}),
        }
        for item in sorted(items, key=lambda i: (_kind_order(i["kind"]), i["project"]["key"], i["rule"]))
    ]
    told = Counter(f["kind"] for f in flags)
    digest = {
        "event": "stall_escalation" if audience == "caio" else "stall_digest",
        "scan": {"id": scan.id, "as_of": as_of.isoformat()},
        "audience": audience,
        "recipient": recipient,
        "locale": locale,
        "counts": {kind: told.get(kind, 0) for kind in (*KINDS, "escalated")},
        "flags": flags,
    }
    if audience == "caio":
        digest["counts"]["no_active_owner"] = sum(f["no_active_owner"] for f in flags)
        digest["escalate_days"] = config["ESCALATE_DAYS"]  # the threshold as it was, for the wording
    return digest


def _translated_title(project: Mapping, titles: Mapping[int, Mapping[str, str]], locale: str) -> dict:
    """`translated_title`: the project's title in the digest's language, when it has one there."""
    title = titles.get(project["id"], {}).get(locale) if locale != project["content_locale"] else None
    return {"translated_title": title} if title else {}


def explained(digest: Mapping) -> dict:
    """The digest as its webhook posts it: each flag with its rule in plain words, in English (the
    email explains in its own language). The payload's details already hold the day counts (counted
    when queued, to the day the flag was last seen), so explain needs no `on=` and every attempt
    says the same."""
    return {
        **digest,
        "flags": [
            # explanation after rule: the order webhook receivers have always had
            {"id": f["id"], "kind": f["kind"], "rule": f["rule"], "explanation": rules.explain(f["rule"], f["details"])}
            | f
            for f in digest["flags"]
        ],
    }


def _kind_order(kind: str) -> int:
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def _messages(scan: ScanRun, digest: dict, *, recipient_email: str, config: Mapping) -> list[dict]:
    """The digest's email, and its webhook when ALERT_WEBHOOK_URL is set, as outbox rows: the digest
    and its subject (cheap, and what the alerts list shows); the bodies are rendered at delivery."""
    subject = email.subject_of(digest)
    messages = [
        {
            "channel": "email",
            "recipient": recipient_email,
            "subject": subject,
            "body_text": "",
            "body_html": "",
            "payload": digest,
            "message_id": message_id(scan.id, digest["audience"], recipient_email, "email", config),
            "scan_id": scan.id,
        }
    ]
    if config.get("ALERT_WEBHOOK_URL"):
        messages.append(
            {
                "channel": "webhook",
                "recipient": config["ALERT_WEBHOOK_URL"],
                "subject": subject,
                "body_text": "",
                "body_html": "",
                "payload": digest,
                "message_id": message_id(scan.id, digest["audience"], recipient_email, "webhook", config),
                "scan_id": scan.id,
            }
        )
    return messages


def message_id(scan_id: int, audience: str, recipient_email: str, channel: str, config: Mapping) -> str:
    """A Message-ID fixed when the row is queued, so a retry carries the same one."""
    owner_hash = hashlib.sha256(recipient_email.strip().lower().encode()).hexdigest()[:16]
    domain = config.get("MAIL_FROM", "").rpartition("@")[2] or "tracker"
    return f"<outbox-{scan_id}-{audience}-{channel}-{owner_hash}@{domain}>"
