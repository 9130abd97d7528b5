"""Settings from the environment, with working defaults (SPEC "Settings")."""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from tracker.i18n import SUPPORTED_LOCALES

DEFAULT_DOMAINS = "operations,safety,infrastructure,living,mobility,environment"
# Connections each process keeps in its pool, and how many more it may open under load (PostgreSQL)
DEFAULT_DB_POOL_SIZE = 10
DEFAULT_DB_MAX_OVERFLOW = 10


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _month(name: str, default: int) -> int:
    month = _int(name, default)
    if not 1 <= month <= 12:
        raise ValueError(f"{name} must be a month, 1 to 12; it is {month}")
    return month


def _bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def database_url(instance_path: str) -> str:
    """DATABASE_URL, normalised to the psycopg 3 driver; a SQLite file by default."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(instance_path) / 'tracker.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: str) -> str:
    """SECRET_KEY, else a random key made once in the instance folder (mode 0600) and read from
    there ever after, so action links signed before a restart still open after it. A deployment
    of several instances or a separate scheduler sets SECRET_KEY: each would make its own file."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    # written whole under another name (mkstemp: mode 0600), then linked into place: of two
    # processes starting at once, one links its key and the other reads that one
    descriptor, written = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(written, path)
    finally:
        os.unlink(written)
    return path.read_text().strip()


def load_settings(instance_path: str) -> dict:
    """Every setting the service reads, as Flask config keys."""
    return {
        "DATABASE_URL": database_url(instance_path),
        "DB_POOL_SIZE": _int("DB_POOL_SIZE", DEFAULT_DB_POOL_SIZE),
        "DB_MAX_OVERFLOW": _int("DB_MAX_OVERFLOW", DEFAULT_DB_MAX_OVERFLOW),
        "DOMAINS": [d.strip() for d in os.environ.get("DOMAINS", DEFAULT_DOMAINS).split(",") if d.strip()],
        "DEFAULT_CURRENCY": os.environ.get("DEFAULT_CURRENCY", "USD").upper(),
        "SCHEDULER_ENABLED": _bool("SCHEDULER_ENABLED", False),
        "SCAN_CRON": os.environ.get("SCAN_CRON", "0 6 * * *"),
        "POC_MAX_DAYS": _int("POC_MAX_DAYS", 90),
        "PILOT_MAX_DAYS": _int("PILOT_MAX_DAYS", 180),
        "REPORTING_WINDOW_DAYS": _int("REPORTING_WINDOW_DAYS", 90),
        "STALE_DAYS": _int("STALE_DAYS", 60),
        "REMIND_DAYS": _int("REMIND_DAYS", 7),
        "ESCALATE_DAYS": _int("ESCALATE_DAYS", 30),
        # how long a done practice, or a waiver, stays in effect before it must be renewed
        "PRACTICE_VALID_DAYS": _int("PRACTICE_VALID_DAYS", 365),
        "SMTP_HOST": os.environ.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": _int("SMTP_PORT", 25),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool("SMTP_STARTTLS", False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "ai-portfolio@localhost"),
        "CAIO_EMAIL": os.environ.get("CAIO_EMAIL", ""),
        "ALERT_WEBHOOK_URL": os.environ.get("ALERT_WEBHOOK_URL", ""),
        "ALERT_WEBHOOK_SECRET": os.environ.get("ALERT_WEBHOOK_SECRET", ""),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://localhost:5000"),
        # A request body above this answers 413; imports have their own, larger limit.
        "MAX_CONTENT_LENGTH": _int("MAX_BODY_BYTES", 1_000_000),
        "MAX_IMPORT_BYTES": _int("MAX_IMPORT_BYTES", 50_000_000),
        "TOKEN_TTL_DAYS": _int("TOKEN_TTL_DAYS", 0),  # 0: tokens do not expire unless asked
        # the language of a page no one asked a language of, and of the CAIO office's digest
        "DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "en").strip().lower(),
        # whose register, report and emails these are: ORGANISATION_NAME_<LANGUAGE> in that language,
        # else ORGANISATION_NAME, else the language's own default (tracker.i18n.organisation_name)
        "ORGANISATION_NAME": os.environ.get("ORGANISATION_NAME", "").strip(),
        **{
            f"ORGANISATION_NAME_{locale.upper()}": os.environ.get(f"ORGANISATION_NAME_{locale.upper()}", "").strip()
            for locale in SUPPORTED_LOCALES
        },
        # signs the action links of alert emails (tracker/actions)
        "SECRET_KEY": secret_key(instance_path),
        "ACTION_LINK_DAYS": _int("ACTION_LINK_DAYS", 30),
        # the month (1-12) on whose first day the fiscal year begins: the trend's years and quarters
        "FISCAL_YEAR_START_MONTH": _month("FISCAL_YEAR_START_MONTH", 1),
        # the staff console (tracker/signin): how long a sign-in link and a session last
        "SIGN_IN_LINK_MINUTES": _int("SIGN_IN_LINK_MINUTES", 15),
        "SESSION_HOURS": _int("SESSION_HOURS", 8),
        # single sign-on by OpenID Connect: off while any of the three is unset
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", "").strip(),
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", "").strip(),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", "").strip(),
        "OIDC_NAME": os.environ.get("OIDC_NAME", "").strip() or "single sign-on",
        # development only: also write each sign-in link to the log (for a machine with no mail server)
        "SIGN_IN_LINKS_IN_LOG": _bool("SIGN_IN_LINKS_IN_LOG", False),
    }
