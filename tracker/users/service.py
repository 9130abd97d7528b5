from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.auth import issue_token
from tracker.db import get_or_404, utcnow
from tracker.errors import Conflict, NotFound
from tracker.signin.sessions import end_sessions_of
from tracker.users.models import ApiToken, User


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user(session: so.Session, user_id: int) -> User:
    return get_or_404(session, User, user_id, name="user")


def create_user(session: so.Session, *, email: str, name: str, role: str, locale: str | None = None) -> User:
    """A new active user; without a locale they follow DEFAULT_LOCALE (null), whatever it becomes."""
    email = normalise_email(email)
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with the email {email} exists already")
    user = User(email=email, name=name.strip(), role=role, active=True, locale=locale)
    session.add(user)
    session.commit()
    return user


def update_user(session: so.Session, *, user: User, changes: dict) -> User:
    demoted = changes.get("role", "admin") != "admin" or changes.get("active") is False
    if user.role == "admin" and user.active and demoted and _active_admins(session) <= 1:
        raise Conflict("this is the last active admin; make another admin first")
    if user.active and changes.get("active") is False:
        end_sessions_of(session, user)  # signed in to the console: out at once
    for name, value in changes.items():
        setattr(user, name, value)
    session.commit()
    return user


def _active_admins(session: so.Session) -> int:
    return session.scalar(sa.select(sa.func.count()).where(User.role == "admin", User.active.is_(True)))


def create_token(
    session: so.Session, *, user: User, name: str = "", expires_in_days: int | None = None, default_ttl_days: int = 0
) -> tuple[ApiToken, str]:
    days = expires_in_days or default_ttl_days or None
    expires_at = utcnow() + timedelta(days=days) if days else None
    record, token = issue_token(session, user, name=name, expires_at=expires_at)
    session.commit()
    return record, token


def get_token(session: so.Session, user_id: int, token_id: int) -> ApiToken:
    record = session.scalar(sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
    if record is None:
        raise NotFound(f"user {user_id} has no token with id {token_id}")
    return record


def revoke_token(session: so.Session, record: ApiToken) -> None:
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        session.commit()
