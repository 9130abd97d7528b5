"""Alembic environment: the engine comes from the app (`flask db ...`) or DATABASE_URL."""

from alembic import context

from tracker.db import ScaledDecimal, UTCDateTime, create_engine
from tracker.models import Base

config = context.config


def _engine():
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    from tracker.config import database_url

    return create_engine(database_url("instance"))


def render_item(type_, obj, autogen_context):
    """Write the project's column types as the plain types they store, so migrations stand alone."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, ScaledDecimal):
        return "sa.BigInteger()"
    return False


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,  # SQLite alters tables by copying them
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
