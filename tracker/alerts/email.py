"""Digest emails: rendered from the digest when delivered (text and HTML), sent as proper MIME over SMTP."""

import smtplib
import ssl
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

SMTP_TIMEOUT_SECONDS = 30
SUBJECT_MAX = 500  # the outbox column's size

HEADINGS = {
    "new": "Newly flagged",
    "reminder": "Still open (reminder)",
    "resolved": "Resolved since the last digest",
    "escalated": "Escalated: unresolved too long",
}

_templates = Environment(
    loader=PackageLoader("tracker.alerts", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _plain(value) -> str:
    """A detail's value for people: {"input": 2, "outcome": 0} reads "input 2, outcome 0"."""
    if value is None or (isinstance(value, Mapping | list | tuple) and not value):
        return "none"
    if isinstance(value, Mapping):
        return ", ".join(f"{key} {_plain(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_plain(item) for item in value)
    if isinstance(value, str):
        return value.replace("_", " ")  # codes such as "stage_entry"
    return str(value)


_templates.filters["plain"] = _plain
_templates.filters["label"] = lambda name: name.replace("_", " ")


def render(digest: Mapping) -> tuple[str, str, str]:
    """Subject, plain text and HTML of an explained digest (tracker.alerts.digest.explained)."""
    subject = subject_of(digest)
    sections: dict[str, list] = {}
    for kind in HEADINGS:
        for flag in digest["flags"]:
            if flag["kind"] == kind:
                sections.setdefault(_heading(flag), []).append(flag)
    context = {
        "digest": digest,
        "subject": subject,
        "sections": [{"heading": heading, "flags": flags} for heading, flags in sections.items()],
    }
    text = _templates.get_template("digest.txt").render(context)
    html = _templates.get_template("digest.html").render(context)
    return subject, text, html


def _heading(flag: Mapping) -> str:
    """The CAIO office's digest lists the news of projects with no active owner under headings of its own."""
    heading = HEADINGS[flag["kind"]]
    if flag.get("no_active_owner") and flag["kind"] != "escalated":
        return f"No active owner - {heading[0].lower()}{heading[1:]}"
    return heading


def subject_of(digest: Mapping) -> str:
    counts = digest["counts"]
    parts = [
        f"{counts['new']} new" if counts["new"] else "",
        f"{counts['reminder']} still open" if counts["reminder"] else "",
        f"{counts['resolved']} resolved" if counts["resolved"] else "",
        f"{counts['escalated']} escalated" if counts["escalated"] else "",
        f"{counts['no_active_owner']} with no active owner" if counts.get("no_active_owner") else "",
    ]
    projects = list(dict.fromkeys(f"{f['project']['key']} {f['project']['title']}" for f in digest["flags"]))
    about = projects[0] if len(projects) == 1 else f"{len(projects)} projects"
    subject = f"AI portfolio stall flags: {', '.join(p for p in parts if p)} - {about}"
    return subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…"


def build_message(
    *, recipient: str, recipient_name: str, subject: str, text: str, html: str, message_id: str, config: Mapping
) -> EmailMessage:
    """A multipart/alternative message; EmailMessage encodes non-ASCII headers (RFC 2047) and UTF-8 bodies."""
    message = EmailMessage()
    message["From"] = _address(config["MAIL_FROM"], "AI Portfolio Tracker")
    message["To"] = _address(recipient, recipient_name)
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(text)
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


def _address(addr_spec: str, name: str) -> Address:
    return Address(display_name=name or "", addr_spec=addr_spec)


def send(message: EmailMessage, config: Mapping) -> None:
    """Hand one message to the SMTP server; raises on any refusal, so the outbox retries."""
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD", ""))
        refused = smtp.send_message(message)
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)
