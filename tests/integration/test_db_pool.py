"""DB_POOL_SIZE and DB_MAX_OVERFLOW: each process's PostgreSQL pool, from the environment."""

from contextlib import ExitStack

import pytest

from tracker import create_app
from tracker.extensions import db

# Building the engine opens no connection: no server needs to answer at this address.
NOWHERE = "postgresql+psycopg://tracker@127.0.0.1:9/tracker"


def _pool_of(monkeypatch, url: str, **environment):
    for name in ("DB_POOL_SIZE", "DB_MAX_OVERFLOW"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    create_app({"DATABASE_URL": url, "TESTING": True})
    return db.engine.pool


def test_the_pool_takes_its_size_and_overflow_from_the_settings(monkeypatch):
    pool = _pool_of(monkeypatch, NOWHERE, DB_POOL_SIZE="3", DB_MAX_OVERFLOW="2")
    assert (pool.size(), pool._max_overflow) == (3, 2)
    assert pool._pre_ping  # a connection left dead by an outage is replaced, not handed out


def test_the_pool_is_ten_plus_ten_by_default(monkeypatch):
    pool = _pool_of(monkeypatch, NOWHERE)
    assert (pool.size(), pool._max_overflow) == (10, 10)


@pytest.mark.postgres_only
def test_a_process_opens_up_to_pool_size_plus_overflow_connections(monkeypatch, database_url):
    pool = _pool_of(monkeypatch, database_url, DB_POOL_SIZE="2", DB_MAX_OVERFLOW="1")
    try:
        with ExitStack() as held:
            connections = [held.enter_context(db.engine.connect()) for _ in range(3)]
            assert all(c.exec_driver_sql("SELECT 1").scalar() == 1 for c in connections)
            assert (pool.checkedout(), pool.overflow()) == (3, 1)
        assert pool.checkedin() == 2  # the overflow connection is closed when returned
    finally:
        db.engine.dispose()
