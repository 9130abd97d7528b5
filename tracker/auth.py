"""Bearer tokens, roles and the ownership check."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from flask import g, request

from tracker.db import utcnow
from tracker.errors import DomainError, Forbidden
from tracker.extensions import db
from tracker.users.models import ApiToken, User
from tracker.vocab import CAIO_OFFICE, OWNER_ROLES

# a label that makes leaked tokens easy to recognise, not a secret
TOKEN_PREFIX = "trk_"  # noqa: S105  # nosec B105


class Unauthorized(DomainError):
    status = 401

    def __init__(self, message: str):
        super().__init__(message)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; looking up by hash means the
    # secret itself is never compared byte by byte.
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session, user: User, name: str = "", expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    token = new_token()
    record = ApiToken(user=user, name=name, token_hash=hash_token(token), prefix=token[:12], expires_at=expires_at)
    session.add(record)
    return record, token


class Actor(Protocol):
    """Who acts: a User, or the SignedIn user of a request. Services read only these."""

    id: int
    email: str
    role: str
    active: bool


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The user of this request, as read with the token check (no ORM object: a plain row is
    all a request needs of its user, and signing in is the one query every request makes)."""

    id: int
    email: str
    name: str
    role: str
    active: bool
    created_at: datetime


# Built once: every request signs in, and building a statement costs more than running this one
_TOKEN_HOLDER = (
    sa.select(User.id, User.email, User.name, User.role, User.active, User.created_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == sa.bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > sa.bindparam("now")),
        User.active.is_(True),
    )
)


def user_for_token(session, token: str) -> SignedIn | None:
    """The active user holding this unrevoked, unexpired token, or None."""
    row = session.connection().execute(_TOKEN_HOLDER, {"token_hash": hash_token(token), "now": utcnow()}).first()
    return SignedIn(*row) if row is not None else None


def authenticate() -> SignedIn:
    """The signed-in user of this request; 401 without a valid bearer token."""
    if "user" in g:
        return g.user
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <token>'")
    user = user_for_token(db.session, token.strip())
    if user is None:
        raise Unauthorized("the token is unknown, revoked or expired, or its user is inactive")
    g.user = user
    db.session.info["actor"] = user
    return user


def require_role(*roles: str) -> SignedIn:
    user = authenticate()
    if user.role not in roles:
        raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")
    return user


def can_edit_project(user: Actor, owner_id: int) -> bool:
    """Managers change only what they own; the CAIO office changes everything."""
    if user.role in CAIO_OFFICE:
        return True
    return user.role == "manager" and user.id == owner_id


def require_project_editor(owner_id: int) -> SignedIn:
    user = authenticate()
    if not can_edit_project(user, owner_id):
        raise Forbidden("only the project's owner or the CAIO office may change this project")
    return user


def require_creator() -> SignedIn:
    return require_role(*OWNER_ROLES)


def require_sign_in() -> None:
    """A blueprint's before_request: every route behind it needs a valid token."""
    authenticate()
