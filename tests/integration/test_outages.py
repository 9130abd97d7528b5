"""Database outages: 503 in the JSON error shape, and recovery by itself when the database returns."""

import contextlib
import socket
import threading

import pytest
import sqlalchemy as sa

from tests.conftest import ON_POSTGRES
from tracker import create_app


class TcpForwarder:
    """A loopback TCP relay to PostgreSQL that can be cut and restored, like a network outage."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = _free_port()
        self._connections: list[socket.socket] = []
        self._server: socket.socket | None = None

    def start(self) -> None:
        self._server = socket.create_server(("127.0.0.1", self.port), reuse_port=True)
        threading.Thread(target=self._accept, args=(self._server,), daemon=True).start()

    def cut(self) -> None:
        self._server.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in the relay's thread
        self._server.close()
        for connection in self._connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self._connections.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_database_answers_503_in_the_error_shape(tmp_path):
    url = (
        f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/nothing?connect_timeout=2"
        if ON_POSTGRES
        else f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'tracker.db'}"
    )
    client = create_app({"DATABASE_URL": url}).test_client()

    ready = client.get("/health/ready")
    assert ready.status_code == 503 and ready.json["code"] == 503

    api = client.get("/api/v1/projects", headers={"Authorization": "Bearer trk_anything"})
    assert api.status_code == 503
    assert api.json["code"] == 503 and "database" in api.json["message"]
    assert "Traceback" not in api.get_data(as_text=True)
    assert client.get("/health").status_code == 200  # liveness does not depend on the database


@pytest.mark.postgres_only
def test_the_service_recovers_by_itself_when_the_database_returns(database_url, manager):
    upstream = sa.engine.make_url(database_url)
    relay = TcpForwarder(upstream.port or 5432)
    relay.start()
    app = create_app({"DATABASE_URL": upstream.set(port=relay.port).render_as_string(hide_password=False)})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {manager.token}"}
    assert client.get("/api/v1/projects", headers=headers).status_code == 200

    relay.cut()
    down = client.get("/api/v1/projects", headers=headers)
    assert down.status_code == 503 and down.json["code"] == 503
    assert client.get("/health/ready").status_code == 503

    relay.start()
    # the pool's pre-ping drops the dead connections; no restart needed
    assert client.get("/health/ready").status_code == 200
    back = client.get("/api/v1/projects", headers=headers)
    assert back.status_code == 200 and back.headers["X-Total-Count"] == "0"
    relay.cut()
