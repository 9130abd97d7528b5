"""What the bench scripts share: where the data lives, the fixed date the data is anchored to, tokens."""

import hashlib
import os
import shutil
from datetime import date
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
RESULTS = ROOT / "results"
# The generated portfolio is as of this day: runs on any later day see the same data and the
# same stalls. Real scans in the bench go forward from here, one day per run.
ANCHOR = date(2026, 10, 1)
SEED = 20_260_601
# the server every PostgreSQL bench database lives on (its own databases, created and dropped here)
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DIALECTS = ("sqlite", "postgres")
BENCH_ROLES = ("admin", "caio", "manager", "viewer")


def token_for(role: str) -> str:
    """The bench users' bearer tokens: fixed, so every script can sign in (bench data only)."""
    return f"trk_bench_{role}_{SEED}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def psycopg_url(url: str, database: str | None = None) -> str:
    parsed = sa.engine.make_url(url).set(drivername="postgresql+psycopg")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def pristine_name(size: int) -> str:
    """The generated data set, never written to by a benchmark (PostgreSQL database / SQLite file)."""
    return f"tracker_bench_{size}"


def working_name(size: int) -> str:
    """The copy a bench run works on (real scans write flags and alerts)."""
    return f"tracker_bench_{size}_run"


def sqlite_path(name: str) -> Path:
    return DATA / f"{name}.db"


def database_url(dialect: str, name: str) -> str:
    if dialect == "sqlite":
        return f"sqlite:///{sqlite_path(name)}"
    return psycopg_url(POSTGRES_SERVER, name)


def server_engine() -> sa.Engine:
    return sa.create_engine(psycopg_url(POSTGRES_SERVER), isolation_level="AUTOCOMMIT")


def exists(dialect: str, name: str) -> bool:
    if dialect == "sqlite":
        return sqlite_path(name).exists()
    engine = server_engine()
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}))
    finally:
        engine.dispose()


def drop(dialect: str, name: str) -> None:
    if dialect == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path(name)}{suffix}").unlink(missing_ok=True)
        return
    engine = server_engine()
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def create_empty(dialect: str, name: str) -> None:
    drop(dialect, name)
    if dialect == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        return
    engine = server_engine()
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def copy(dialect: str, source: str, target: str) -> None:
    """A fresh working copy of a generated data set (a file copy; a PostgreSQL template copy)."""
    drop(dialect, target)
    if dialect == "sqlite":
        shutil.copyfile(sqlite_path(source), sqlite_path(target))
        return
    engine = server_engine()
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    finally:
        engine.dispose()
