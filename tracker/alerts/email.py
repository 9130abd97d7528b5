"""Digest emails: rendered from the digest when delivered (text and HTML) in the digest's language,
sent as proper MIME over SMTP.

The wording is gettext's (tracker/translations), dates and numbers Babel's, under Flask-Babel's
`force_locale`: the deliverer runs in an app context whether a request, `flask deliver` or the
scheduler runs it, and reads the same catalogues in each.
"""

import smtplib
import ssl
import unicodedata
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from functools import lru_cache

from babel import numbers
from flask import current_app
from flask_babel import force_locale, format_decimal, get_translations
from flask_babel import lazy_gettext as _l
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tracker.entry_translations.rules import Shown
from tracker.flags import rules
from tracker.i18n import PEOPLE, lang_of, long_date, organisation_name, translations_for

SMTP_TIMEOUT_SECONDS = 30
SUBJECT_MAX = 500  # the outbox column's size

HEADINGS = {
    "new": _l("Newly flagged"),
    "reminder": _l("Still open (reminder)"),
    "resolved": _l("Resolved since the last digest"),
    "escalated": _l("Escalated: unresolved too long"),
}
NO_ACTIVE_OWNER_HEADINGS = {
    "no_active_owner_new": _l("No active owner - newly flagged"),
    "no_active_owner_reminder": _l("No active owner - still open (reminder)"),
    "no_active_owner_resolved": _l("No active owner - resolved since the last digest"),
}

_templates = Environment(
    loader=PackageLoader("tracker.alerts", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
# the catalogue of the locale in force when rendering (as Flask-Babel installs it in the app's env)
_templates.install_gettext_callables(
    gettext=lambda message: get_translations().ugettext(message),
    ngettext=lambda singular, plural, n: get_translations().ungettext(singular, plural, n),
    newstyle=True,
)
_templates.filters["day"] = long_date
_templates.filters["lang_of"] = lang_of
_templates.filters["number"] = format_decimal


def _underline(heading: str) -> str:
    """A plain-text heading's underline, as wide as the heading shows (Hangul takes two columns)."""
    return "=" * sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in heading)


_templates.filters["underline"] = _underline


def language(digest: Mapping) -> str:
    """The language a digest is written in: the recipient's, fixed when it was queued."""
    # read first, so that rendering outside an app context fails loudly rather than in English
    default = current_app.config["DEFAULT_LOCALE"]
    return digest.get("locale") or default


def render(digest: Mapping) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a digest (the payload a scan stored), in its language."""
    with force_locale(language(digest)):
        subject = subject_of(digest)
        flags = [
            {
                **flag,
                "explanation": rules.explain(flag["rule"], flag["details"], words=PEOPLE),
                "rule_title": rules.title(flag["rule"], PEOPLE),
                "project_title": project_title(flag["project"], language(digest)),
            }
            for flag in digest["flags"]
        ]
        sections = [
            {"heading": str(heading), "flags": [f for f in flags if _heading_key(f) == key]}
            for key, heading in (*HEADINGS.items(), *NO_ACTIVE_OWNER_HEADINGS.items())
        ]
        context = {
            "digest": digest,
            "locale": language(digest),
            "organisation": organisation_name(current_app.config, language(digest)),
            "subject": subject,
            "sections": [s for s in sections if s["flags"]],
        }
        text = _templates.get_template("digest.txt").render(context)
        html = _templates.get_template("digest.html").render(context)
    return subject, text, html


def project_title(project: Mapping, locale: str) -> Shown:
    """A project's title as the recipient reads it: translated into the digest's language when the
    digest carries that, else as written (in its content_locale; a digest queued before projects
    had one has none, and is marked as nothing)."""
    if project.get("translated_title"):
        return Shown(project["translated_title"], locale)
    return Shown(project["title"], project.get("content_locale") or locale)


def _heading_key(flag: Mapping) -> str:
    """The CAIO office's digest lists the news of projects with no active owner under headings of its own."""
    key = f"no_active_owner_{flag['kind']}"
    return key if flag.get("no_active_owner") and key in NO_ACTIVE_OWNER_HEADINGS else flag["kind"]


@lru_cache(maxsize=4096)
def _count(number: int, locale: str) -> str:
    """A count as Babel writes it in a language (as the `number` filter does): a scan writes a
    subject for each of thousands of owners (at 100k projects, 0.53 s of the real scan before this)."""
    return numbers.format_decimal(number, locale=locale)


def subject_of(digest: Mapping) -> str:
    """The subject in the digest's language (the scan stores it; the alerts list shows it). Read from
    the language's catalogue itself, as Flask-Babel would: a scan writes one for each of thousands of
    owners, and switching Flask-Babel's locale for each cost 0.1 s a real scan at 100,000 projects."""
    locale = language(digest)
    words = translations_for(locale)
    counts = {kind: _count(count, locale) for kind, count in digest["counts"].items() if count}
    parts = [
        words.gettext("%(num)s new") % {"num": counts["new"]} if "new" in counts else "",
        words.gettext("%(num)s still open") % {"num": counts["reminder"]} if "reminder" in counts else "",
        words.gettext("%(num)s resolved") % {"num": counts["resolved"]} if "resolved" in counts else "",
        words.gettext("%(num)s escalated") % {"num": counts["escalated"]} if "escalated" in counts else "",
        words.gettext("%(num)s with no active owner") % {"num": counts["no_active_owner"]}
        if "no_active_owner" in counts
        else "",
    ]
    projects = list(
        dict.fromkeys(f"{f['project']['key']} {project_title(f['project'], locale)}" for f in digest["flags"])
    )
    about = (
        projects[0]
        if len(projects) == 1
        else words.ngettext("%(count)s project", "%(count)s projects", len(projects))
        % {"count": _count(len(projects), locale)}
    )
    subject = words.gettext("AI portfolio stall flags: %(news)s - %(about)s") % {
        "news": ", ".join(p for p in parts if p),
        "about": about,
    }
    subject = one_line(subject)
    return subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…"


def one_line(text: str) -> str:
    """Text for a header: every run of whitespace (line breaks included: a title imported from the
    federal inventory may hold one, and no header may) read as one space."""
    return " ".join(text.split())


def build_message(
    *,
    recipient: str,
    recipient_name: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    locale: str,
    config: Mapping,
) -> EmailMessage:
    """A multipart/alternative message in `locale`; EmailMessage encodes non-ASCII headers (RFC 2047)
    and UTF-8 bodies."""
    message = EmailMessage()
    # whose alerts these are, named in the message's language
    message["From"] = _address(config["MAIL_FROM"], organisation_name(config, locale))
    message["To"] = _address(recipient, recipient_name)
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(text)
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


def _address(addr_spec: str, name: str) -> Address:
    return Address(display_name=one_line(name or ""), addr_spec=addr_spec)


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
