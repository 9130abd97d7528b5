"""The declarative base, column types that stay exact on SQLite and PostgreSQL, and the session."""

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, has_request_context, request

from tracker.config import DEFAULT_DB_MAX_OVERFLOW, DEFAULT_DB_POOL_SIZE

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(so.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which stores no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: time zones must be explicit")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ScaledDecimal(sa.TypeDecorator):
    """An exact decimal stored as a scaled integer.

    SQLite has no decimal type (Numeric becomes a float there and sums drift), so values are
    kept as integers of 10**-scale units on both databases and turned back into Decimal here.
    """

    impl = sa.BigInteger
    cache_ok = True

    def __init__(self, scale: int):
        super().__init__()
        self.scale = scale

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        scaled = Decimal(value).scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).scaleb(-self.scale).normalize()


def plain_text(column):
    """An enum column read as the plain text it is stored as: no per-row enum processing (a few
    microseconds a value, which counts where a scan reads tens of thousands)."""
    return sa.type_coerce(column, sa.String())


def enum_column(enum_name: str, values: tuple[str, ...]) -> sa.Enum:
    """A text column limited to `values` by a CHECK constraint, the same on both databases."""
    return sa.Enum(*values, name=enum_name, native_enum=False, create_constraint=True, length=32)


# Requests that only read (handlers of these methods never write)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Database:
    """Engine and request-scoped session, bound to the app in init_app.

    On PostgreSQL a reading request's session runs in autocommit: each statement is its own
    snapshot, exactly as under READ COMMITTED in a transaction, without the BEGIN and ROLLBACK
    round trips (a third of a single project GET's trips to the database). Downloads that
    stream through a server-side cursor read through a session of their own (`new_session`).
    """

    def __init__(self):
        self.engine: sa.Engine | None = None
        self._read_engine: sa.Engine | None = None
        self.sessionmaker = so.sessionmaker(expire_on_commit=False)
        self.session = so.scoped_session(self._request_session)

    def init_app(self, app: Flask) -> None:
        url = app.config["DATABASE_URL"]
        self.engine = create_engine(
            url, pool_size=app.config["DB_POOL_SIZE"], max_overflow=app.config["DB_MAX_OVERFLOW"]
        )
        self.sessionmaker.configure(bind=self.engine)
        postgresql = self.engine.dialect.name == "postgresql"
        self._read_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT") if postgresql else None
        app.teardown_appcontext(lambda exc: self.session.remove())

    def new_session(self) -> so.Session:
        """A session of its own, for work outside a request (scheduler jobs, racing threads)."""
        return self.sessionmaker()

    def _request_session(self) -> so.Session:
        if self._read_engine is not None and has_request_context() and request.method in READ_METHODS:
            return self.sessionmaker(bind=self._read_engine)
        return self.sessionmaker()


def create_engine(
    url: str, *, pool_size: int = DEFAULT_DB_POOL_SIZE, max_overflow: int = DEFAULT_DB_MAX_OVERFLOW
) -> sa.Engine:
    """The engine for `url`; on PostgreSQL a pool of `pool_size` connections plus `max_overflow`
    (the DB_POOL_SIZE and DB_MAX_OVERFLOW settings, per process)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pre-ping: after a database outage the pool drops dead connections by itself
    return sa.create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def get_or_404(session: so.Session, model: type, entity_id: int, *, name: str, for_update: bool = False):
    """The row of `model` with this id, or NotFound naming it; `for_update` locks it (PostgreSQL)."""
    from tracker.errors import NotFound

    # Session.get loads by primary key with a statement SQLAlchemy builds once per model
    row = session.get(model, entity_id, with_for_update={"of": model} if for_update else None)
    if row is None:
        raise NotFound(f"no {name} with id {entity_id}")
    return row
