"""Emailed one-time sign-in links: `PUBLIC_BASE_URL/console/sign-in/<token>`.

Asking for a link (`POST /console/sign-in`) answers at once and the same way for every address:
the work, whether there is an active user of that address, the hourly limit, the link and the
email, happens after the answer, in a worker thread of this process (`send_later`). So neither the
page nor the time it takes tells who has an account, and the email still goes out within seconds,
not at the alerts' next scheduled delivery. A link that could not be sent (the mail server down) is
lost with nothing else: the person asks again.

The token is 256 random bits; only its SHA-256 is stored. It works for SIGN_IN_LINK_MINUTES and
for one sign-in: spending it is one conditional UPDATE, so of two requests racing with the same
link exactly one signs in. At most LINKS_PER_HOUR links go to one address in an hour.
"""

import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlencode

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.alerts.email import build_message, send
from tracker.audit.trail import SESSION_ENTITY, record
from tracker.auth import hash_token
from tracker.db import utcnow
from tracker.extensions import db
from tracker.http import CONSOLE
from tracker.signin.models import SignInLink
from tracker.signin.sessions import SOURCE
from tracker.users.models import User

log = logging.getLogger(__name__)

PATH = CONSOLE + "/sign-in/"
LINKS_PER_HOUR = 5
EMAIL_MAX = 254  # an address longer than this is no address (RFC 5321)

_pool: ThreadPoolExecutor | None = None


class LinkProblem(Exception):
    """Why a link signs nobody in: `unknown` (tampered, mistyped, never issued, or its user is no
    longer active), `spent` or `expired`."""

    def __init__(self, kind: str, user: User | None = None):
        super().__init__(kind)
        self.kind = kind
        self.user = user


@dataclass(frozen=True)
class Issued:
    user: User
    token: str


def warn_if_logged(app: Flask) -> None:
    """Say at start that links go to the log: whoever reads the log can sign in as their users."""
    if app.config["SIGN_IN_LINKS_IN_LOG"]:
        log.warning(
            "SIGN_IN_LINKS_IN_LOG is on: every sign-in link is also written to this log, and whoever reads it "
            "can sign in as the link's user. Development only."
        )


def url_of(token: str, next_path: str | None, config) -> str:
    query = f"?{urlencode({'next': next_path})}" if next_path else ""
    return f"{config['PUBLIC_BASE_URL'].rstrip('/')}{PATH}{token}{query}"


def active_user(store: so.Session, email: str) -> User | None:
    """The active user of an address, compared case-insensitively (never creates one)."""
    return store.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower(), User.active))


def send_later(app: Flask, *, email: str, next_path: str | None) -> None:
    """Issue and send a link for `email` after this request has answered (see the module's docstring)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sign-in-link")
    _pool.submit(_issue_and_send, app, email, next_path)


def _issue_and_send(app: Flask, email: str, next_path: str | None) -> None:
    with app.app_context():
        store = db.new_session()
        store.info["source"] = SOURCE
        try:
            issued = issue(store, email=email, minutes=app.config["SIGN_IN_LINK_MINUTES"])
        except Exception:
            log.exception("could not issue a sign-in link")
            return
        finally:
            store.close()
        if issued is None:
            return
        url = url_of(issued.token, next_path, app.config)
        if app.config["SIGN_IN_LINKS_IN_LOG"]:
            log.warning(
                "sign-in link for %s (SIGN_IN_LINKS_IN_LOG is on: development only): %s", issued.user.email, url
            )
        try:
            send(message_for(issued.user, url, app.config), app.config)
        except Exception as error:  # the mail server down or refusing: the person asks again
            log.warning("could not send the sign-in link of user %s: %s", issued.user.id, error)


def issue(store: so.Session, *, email: str, minutes: int) -> Issued | None:
    """A new link for the active user of `email`, within the hourly limit; else None. Every answer
    is in the audit trail (entity `session`): the link sent, or the request refused and why."""
    user = active_user(store, email)
    if user is None:
        return _refuse(store, email, reason="no-active-user")
    # one request at a time per user (PostgreSQL; SQLite takes its write lock at the INSERT below,
    # before the count, which then sees every link committed before it)
    store.get(User, user.id, with_for_update=True, populate_existing=True)
    now = utcnow()
    token = secrets.token_urlsafe(32)
    link = SignInLink(
        token_hash=hash_token(token), user_id=user.id, created_at=now, expires_at=now + timedelta(minutes=minutes)
    )
    store.add(link)
    store.flush()
    hour_ago = now - timedelta(hours=1)
    sent = store.scalar(
        sa.select(sa.func.count()).where(SignInLink.user_id == user.id, SignInLink.created_at > hour_ago)
    )
    if sent > LINKS_PER_HOUR:
        store.rollback()
        return _refuse(store, email, reason="too-many-links", user=user)
    # links older than the hour that can no longer be used count for nothing
    store.execute(
        sa.delete(SignInLink).where(
            SignInLink.user_id == user.id,
            SignInLink.created_at <= hour_ago,
            sa.or_(SignInLink.used_at.is_not(None), SignInLink.expires_at <= now),
        )
    )
    record(
        store,
        entity=SESSION_ENTITY,
        action="link-sent",
        entity_id=link.id,
        actor=user,
        facts={"expires_at": link.expires_at},
    )
    store.commit()
    return Issued(user, token)


def _refuse(store: so.Session, email: str, *, reason: str, user: User | None = None) -> None:
    record(
        store,
        entity=SESSION_ENTITY,
        action="link-refused",
        actor=user,
        actor_email=email,
        facts={"reason": reason},
    )
    store.commit()


def message_for(user: User, url: str, config):
    """The email with the link, in the user's language."""
    locale = user.locale or config["DEFAULT_LOCALE"]
    with force_locale(locale):
        context = {"user": user, "url": url, "minutes": config["SIGN_IN_LINK_MINUTES"]}
        subject = _("Your link to sign in to the staff console")
        text = render_template("signin/email.txt", subject=subject, **context)
        html = render_template("signin/email.html", subject=subject, **context)
    domain = config["MAIL_FROM"].rpartition("@")[2] or "localhost"
    return build_message(
        recipient=user.email,
        recipient_name=user.name,
        subject=subject,
        text=text,
        html=html,
        message_id=make_msgid(domain=domain),
        locale=locale,
        config=config,
    )


def read(store: so.Session, token: str) -> tuple[SignInLink, User]:
    """The link a token names and its user, if it can still sign in; else LinkProblem."""
    found = store.execute(
        sa.select(SignInLink, User)
        .join(User, User.id == SignInLink.user_id)
        .where(SignInLink.token_hash == hash_token(token))
    ).first()
    if found is None or not found.User.active:
        raise LinkProblem("unknown", found.User if found is not None else None)
    link, user = found
    if link.used_at is not None:
        raise LinkProblem("spent", user)
    if link.expires_at <= utcnow():
        raise LinkProblem("expired", user)
    return link, user


def spend(store: so.Session, token: str) -> User:
    """Use the link up for a sign-in (in the caller's transaction); LinkProblem when it cannot be."""
    link, user = read(store, token)
    spent = store.execute(
        sa.update(SignInLink).where(SignInLink.id == link.id, SignInLink.used_at.is_(None)).values(used_at=utcnow())
    )
    if spent.rowcount != 1:  # another request spent it a moment ago
        raise LinkProblem("spent", user)
    return user
