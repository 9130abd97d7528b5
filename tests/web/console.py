"""Helpers for the console's tests: a signed-in browser, the forms' CSRF tokens, and waiting for
what the sign-in's worker thread does after a page has answered."""

import re
import secrets
import time
from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.auth import hash_token
from tracker.db import utcnow
from tracker.extensions import db
from tracker.signin.models import StaffSession
from tracker.signin.sessions import SESSION_COOKIE

CONSOLE_PAGES = ("/console", "/console/projects", "/console/flags")


def sign_in(client, user, *, hours: int = 8) -> str:
    """`client` signed in as `user`, as a session started by a sign-in would be (the sign-in itself
    is tested through its pages in test_console_sign_in.py); the cookie's value."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        StaffSession(
            token_hash=hash_token(token),
            user_id=user.id,
            method="email-link",
            expires_at=utcnow() + timedelta(hours=hours),
            data={},
        )
    )
    db.session.commit()
    client.set_cookie(SESSION_COOKIE, token, path="/console")
    return token


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def form_token(client, page: str = "/console") -> str:
    """The CSRF token of the forms of `page` (GET), as a browser would read it."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    return csrf_of(response.get_data(as_text=True))


def wait_for(check, timeout: float = 15.0, what: str = "the sign-in's worker"):
    """Poll `check` until it returns something true (what the worker thread did after the answer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"waited {timeout}s for {what}")


def session_events(action: str | None = None) -> list[AuditEvent]:
    """The audit trail's session events (sign-ins, refusals, sign-outs), oldest first."""
    db.session.expire_all()
    stmt = sa.select(AuditEvent).where(AuditEvent.entity == "session").order_by(AuditEvent.id)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    events = list(db.session.scalars(stmt))
    db.session.rollback()
    return events


def link_in(message) -> str:
    """The sign-in link of an email (its path and query), from the plain-text part."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"http://tracker\.test(/console/sign-in/[A-Za-z0-9_-]+(?:\?\S+)?)", text)
    assert found, text
    return unescape(found.group(1))
