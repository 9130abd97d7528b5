"""The console's sessions, recorded on the server, as Flask's own `session` of a console request.

A signed-in browser holds one cookie, `console_session`: 256 random bits, looked up by digest in
`staff_sessions` on every console request together with its user (one query). The session is live
until `expires_at` (SESSION_HOURS after sign-in), sign-out, or its user being made inactive, which
ends it at once (the lookup asks for an active user, and the deactivation ends the row too); a
cookie replayed after that is no session, and is cleared.

Before signing in, a browser holds only `console_pre`: a signed cookie (itsdangerous, a salt of its
own) with what the sign-in pages keep between requests (the CSRF secret of their forms, the
single sign-on's state). It is never promoted: each sign-in starts a session with a new secret and
empty data, and the pre-session cookie is deleted.

Flask-WTF (the forms' CSRF token) and Authlib (the single sign-on's state, nonce and PKCE
verifier) keep their values in Flask's `session`, so this module is Flask's session interface
for paths under /console; every other path has no session at all (the API never reads a cookie).
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as so
from flask import Flask, Request, Response, current_app
from flask import session as flask_session
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import CallbackDict

from tracker.audit.trail import SESSION_ENTITY, record
from tracker.auth import hash_token
from tracker.db import utcnow
from tracker.extensions import db
from tracker.http import CONSOLE, is_console_path
from tracker.signin.models import StaffSession
from tracker.users.models import User

log = logging.getLogger(__name__)

SESSION_COOKIE = "console_session"
PRE_SESSION_COOKIE = "console_pre"
PRE_SESSION_SALT = "tracker.console.pre-session"
# a sign-in page left open longer than this asks to be loaded again (its form's CSRF secret is gone)
PRE_SESSION_SECONDS = 24 * 3600
SOURCE = "console"  # the audit trail's source of what the console changes


@dataclass(frozen=True, slots=True)
class Staff:
    """The signed-in user of a console request (an Actor for the services), and their session."""

    id: int
    email: str
    name: str
    role: str
    active: bool
    locale: str | None
    session_id: int


class ConsoleSession(CallbackDict, SessionMixin):
    """Flask's `session` on a console page: the signed-in session's data, or the pre-session's."""

    def __init__(self, data: dict | None = None, *, token: str | None = None):
        def on_update(session):
            session.modified = True

        super().__init__(data or {}, on_update)
        self.modified = False
        self.token = token  # the session cookie the browser sent, until `resolve` reads it
        self.staff: Staff | None = None
        self.started_token: str | None = None  # a session started by this request: its cookie is set
        self.clear_cookie = False  # the browser's session cookie names no live session

    def replace(self, data: dict) -> None:
        """Other data, without counting as a change to save."""
        dict.clear(self)
        dict.update(self, data)
        self.modified = False


class ConsoleSessionInterface(SessionInterface):
    """Flask's session interface: server-side sessions under /console, none anywhere else."""

    def _serializer(self, app: Flask) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=PRE_SESSION_SALT)

    def open_session(self, app: Flask, request: Request) -> ConsoleSession | None:
        if not is_console_path(request.path):
            return None  # Flask's null session: nothing outside the console keeps state in a cookie
        data = {}
        pre = request.cookies.get(PRE_SESSION_COOKIE)
        if pre:
            try:
                data = self._serializer(app).loads(pre, max_age=PRE_SESSION_SECONDS)
            except BadSignature:
                data = {}
        # the session cookie is looked up by the console's rules (tracker/console/guard.py), where
        # a database error is answered like any other
        return ConsoleSession(data if isinstance(data, dict) else {}, token=request.cookies.get(SESSION_COOKIE))

    def save_session(self, app: Flask, session: ConsoleSession, response: Response) -> None:
        secure = _secure(app)
        if session.clear_cookie:
            response.delete_cookie(SESSION_COOKIE, path=CONSOLE, secure=secure, httponly=True, samesite="Lax")
        if session.started_token is not None:
            # no expiry on the cookie: it goes when the browser closes, the server ends it sooner or later
            response.set_cookie(
                SESSION_COOKIE, session.started_token, path=CONSOLE, secure=secure, httponly=True, samesite="Lax"
            )
            response.delete_cookie(PRE_SESSION_COOKIE, path=CONSOLE, secure=secure, httponly=True, samesite="Lax")
            response.vary.add("Cookie")
        if session.staff is not None:
            if session.modified:
                _save_data(session.staff.session_id, dict(session))
            return
        if session.modified:
            if session:
                value = self._serializer(app).dumps(dict(session))
                response.set_cookie(
                    PRE_SESSION_COOKIE,
                    value,
                    max_age=PRE_SESSION_SECONDS,
                    path=CONSOLE,
                    secure=secure,
                    httponly=True,
                    samesite="Lax",
                )
            else:
                response.delete_cookie(PRE_SESSION_COOKIE, path=CONSOLE, secure=secure, httponly=True, samesite="Lax")


def _secure(app: Flask) -> bool:
    """Cookies only over TLS when the service is published over it."""
    return app.config["PUBLIC_BASE_URL"].lower().startswith("https://")


def _save_data(session_id: int, data: dict) -> None:
    """A signed-in session's data, written on a connection of its own after the view is done (its
    own transaction, which a view's rollback cannot take with it)."""
    try:
        with db.engine.begin() as connection:
            connection.execute(sa.update(StaffSession).where(StaffSession.id == session_id).values(data=data))
    except sa_exc.SQLAlchemyError:
        log.exception("could not save the data of console session %s", session_id)


# Built once: the one query of every console request
_LIVE_SESSION = (
    sa.select(
        User.id,
        User.email,
        User.name,
        User.role,
        User.active,
        User.locale,
        StaffSession.id,
        StaffSession.data,
    )
    .join(User, User.id == StaffSession.user_id)
    .where(
        StaffSession.token_hash == sa.bindparam("token_hash"),
        StaffSession.ended_at.is_(None),
        StaffSession.expires_at > sa.bindparam("now"),
        User.active.is_(True),
    )
)


def resolve(session: ConsoleSession) -> Staff | None:
    """The signed-in staff member of this request, or None; a cookie naming no live session
    (ended, expired, its user inactive, or never issued) is to be cleared."""
    if session.token is None or session.staff is not None:
        return session.staff
    row = db.session.connection().execute(_LIVE_SESSION, {"token_hash": hash_token(session.token), "now": utcnow()})
    found = row.first()
    if found is None:
        session.token = None
        session.clear_cookie = True
        return None
    *user, session_id, data = found
    session.staff = Staff(*user, session_id=session_id)
    session.replace(data or {})
    return session.staff


def start(session: ConsoleSession, user: User, *, method: str) -> None:
    """Sign `user` in: a new session with a new secret and empty data, replacing whatever this
    browser held (a pre-session is never promoted; a live session of another sign-in is ended)."""
    now = utcnow()
    store = db.session
    store.info["source"] = SOURCE
    if session.staff is not None:
        _end(store, session.staff, reason="replaced", now=now)
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=current_app.config["SESSION_HOURS"])
    row = StaffSession(
        token_hash=hash_token(token), user_id=user.id, method=method, started_at=now, expires_at=expires_at, data={}
    )
    store.add(row)
    # the user's sessions that are over keep nothing the audit trail has not recorded
    store.execute(
        sa.delete(StaffSession).where(
            StaffSession.user_id == user.id, sa.or_(StaffSession.ended_at.is_not(None), StaffSession.expires_at <= now)
        )
    )
    store.flush()
    record(
        store,
        entity=SESSION_ENTITY,
        action="sign-in",
        entity_id=row.id,
        actor=user,
        facts={"method": method, "expires_at": expires_at},
    )
    store.commit()
    session.replace({})
    session.token = None
    session.staff = Staff(user.id, user.email, user.name, user.role, user.active, user.locale, session_id=row.id)
    session.started_token = token


def sign_out(session: ConsoleSession) -> None:
    """End this browser's session (the cookie goes with it) and record it."""
    if session.staff is None:
        return
    _end(db.session, session.staff, reason="signed-out", now=utcnow())
    db.session.commit()
    session.replace({})
    session.staff = None
    session.clear_cookie = True


def _end(store: so.Session, staff: Staff, *, reason: str, now: datetime) -> None:
    store.info["source"] = SOURCE
    store.execute(
        sa.update(StaffSession)
        .where(StaffSession.id == staff.session_id, StaffSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    action = "sign-out" if reason == "signed-out" else "session-ended"
    record(
        store, entity=SESSION_ENTITY, action=action, entity_id=staff.session_id, actor=staff, facts={"reason": reason}
    )


def end_sessions_of(store: so.Session, user: User) -> None:
    """A user made inactive: their live sessions end now, each recorded (in the caller's transaction)."""
    now = utcnow()
    ended = store.execute(
        sa.update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None), StaffSession.expires_at > now)
        .values(ended_at=now, end_reason="user-inactive")
        .returning(StaffSession.id)
    ).scalars()
    for session_id in list(ended):
        # by whoever made the user inactive (the session's actor), about the user
        record(
            store,
            entity=SESSION_ENTITY,
            action="session-ended",
            entity_id=session_id,
            actor=store.info.get("actor"),
            facts={"reason": "user-inactive", "user_id": user.id, "user_email": user.email},
        )


def current() -> ConsoleSession | None:
    """This request's console session (None outside the console)."""
    return flask_session if isinstance(flask_session, ConsoleSession) else None


def install(app: Flask) -> None:
    app.session_interface = ConsoleSessionInterface()
