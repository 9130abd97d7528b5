"""Fixtures: a fresh database per test (SQLite by default, PostgreSQL when DATABASE_URL says so),
the app, and signed-in clients for each role."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import factories
from tracker import create_app
from tracker.auth import issue_token
from tracker.db import create_engine
from tracker.extensions import db
from tracker.models import Base
from tracker.users.models import User

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgres")


def pytest_collection_modifyitems(config, items):
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="runs on PostgreSQL (set DATABASE_URL); .ci/run does")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


def _psycopg(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """On PostgreSQL, a database of this test run's own (so parallel runs never meet), dropped after."""
    if not ON_POSTGRES:
        yield None
        return
    server = create_engine(_psycopg(POSTGRES_URL)).execution_options(isolation_level="AUTOCOMMIT")
    name = f"tracker_test_{os.getpid()}"
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(_psycopg(POSTGRES_URL)).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture
def app(database_url, tmp_path):
    url = database_url or f"sqlite:///{tmp_path / 'tracker.db'}"
    app = create_app({"DATABASE_URL": url, "TESTING": True, "PUBLIC_BASE_URL": "http://tracker.test"})
    with app.app_context():
        if ON_POSTGRES:
            _truncate_all()
        else:
            Base.metadata.create_all(db.engine)
    # No app context stays pushed: each test request gets its own, as in production, so
    # nothing (g, the session) leaks from one request into the next.
    yield app
    db.session.remove()
    db.engine.dispose()


def _truncate_all() -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        # A response a test left unread (a streamed CSV, a HEAD) keeps its connection until the
        # garbage collector finds it, a transaction open on the tables: a real server always closes
        # its responses, a test client does not. End any such connection of this run's database
        # first, or TRUNCATE waits for it.
        connection.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def session(app):
    """The thread's session, for factories and direct service calls."""
    return db.session


@pytest.fixture
def app_context(app):
    """For tests that call services or commands directly, outside a request."""
    with app.app_context():
        yield


@dataclass
class Caller:
    """A signed-in user and a client that sends their token."""

    user: User
    token: str
    client: object

    def _call(self, method, path, headers=None, **kwargs):
        merged = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return getattr(self.client, method)(path, headers=merged, **kwargs)

    def get(self, path, **kwargs):
        return self._call("get", path, **kwargs)

    def post(self, path, **kwargs):
        return self._call("post", path, **kwargs)

    def patch(self, path, **kwargs):
        return self._call("patch", path, **kwargs)

    def put(self, path, **kwargs):
        return self._call("put", path, **kwargs)

    def delete(self, path, **kwargs):
        return self._call("delete", path, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_caller(app, session, client):
    """make_caller(role, email=None) -> a Caller with a fresh user of that role."""

    def make(role: str, email: str | None = None, name: str | None = None) -> Caller:
        user = factories.UserFactory(
            role=role, **({"email": email} if email else {}), **({"name": name} if name else {})
        )
        _, token = issue_token(session, user)
        session.commit()
        return Caller(user=user, token=token, client=client)

    return make


@pytest.fixture
def admin(make_caller):
    return make_caller("admin")


@pytest.fixture
def caio(make_caller):
    return make_caller("caio")


@pytest.fixture
def manager(make_caller):
    return make_caller("manager")


@pytest.fixture
def other_manager(make_caller):
    return make_caller("manager")


@pytest.fixture
def viewer(make_caller):
    return make_caller("viewer")


@pytest.fixture
def federal_inventory() -> Path:
    return factories.FEDERAL_INVENTORY
