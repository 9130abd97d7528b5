"""Helpers for the console's tests: a signed-in browser, the forms' CSRF tokens, and waiting for
what the sign-in's worker thread does after a page has answered."""

import re
import secrets
import time
from datetime import date, timedelta
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
    found = re.search(r"https?://[^/\s]+(/console/sign-in/[A-Za-z0-9_-]+(?:\?\S+)?)", text)
    assert found, text
    return unescape(found.group(1))


def made(response, status=201):
    assert response.status_code == status, response.json
    return response.json


TODAY = date.today()


def a_pilot_built_through_the_api(manager) -> dict:
    """A pilot built through the API as a manager would: two KPIs (an outcome one measured three
    times), money in two currencies, a limited-risk tier, not in the register yet."""
    project = made(
        manager.post(
            "/api/v1/projects",
            json={
                "key": "CITY-PERMITS-01",
                "title": "민원 사전 검토 도우미",
                "problem": "Applicants wait weeks for a first answer.",
                "domain": "mobility",
                "ai_type": "generative",
                "department": "Planning",
                "risk_tier": "limited",
                "risk_rationale": "Applicants read the answers it generates.",
                "stage_entered_at": (TODAY - timedelta(days=120)).isoformat(),
            },
        )
    )
    pid = project["id"]
    outcome = made(
        manager.post(
            f"/api/v1/projects/{pid}/kpis",
            json={
                "name": "Days to a first answer",
                "kind": "outcome",
                "unit": "days",
                "direction": "decrease",
                "baseline": "42.5",
                "target": "25",
            },
        )
    )
    made(manager.post(f"/api/v1/projects/{pid}/kpis", json={"name": "Pre-checks run", "kind": "output"}))
    for days_ago, value in ((90, "40.25"), (60, "35"), (30, "31.125")):
        made(
            manager.post(
                f"/api/v1/kpis/{outcome['id']}/measurements",
                json={"value": value, "measured_on": (TODAY - timedelta(days=days_ago)).isoformat()},
            )
        )
    made(
        manager.post(
            f"/api/v1/projects/{pid}/transitions",
            json={
                "to_stage": "pilot",
                "rationale": "PoC answered 86% of questions right.",
                "effective_date": (TODAY - timedelta(days=80)).isoformat(),
            },
        )
    )
    lines = [
        {"stage": "pilot", "fiscal_year": 2026, "category": "services", "amount": "120000.50", "currency": "EUR"},
        {"stage": "rollout", "fiscal_year": 2027, "category": "compute", "amount": "50000000", "currency": "KRW"},
        {"stage": "rollout", "fiscal_year": 2027, "category": "personnel", "amount": "10.00", "currency": "EUR"},
    ]
    for line in lines:
        made(manager.post(f"/api/v1/projects/{pid}/budget-lines", json=line))
    return project
