"""Real receivers for the alert tests: an aiosmtpd SMTP server and a local webhook HTTP server.

Use the fixtures in a test module with `smtp = mail.smtp` (a plain import would read as unused).
"""

import asyncio
import email
import email.policy
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@pytest.fixture(scope="session")
def self_signed_cert(tmp_path_factory) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and localhost, and its key (openssl, about 50 ms)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            key,
            "-out",
            cert,
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_tls_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def free_port() -> int:
    """A port nothing listens on (aiosmtpd 1.4.6's Controller cannot take port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage


@dataclass
class MailServer:
    """An SMTP server on a fixed port that can be down (not listening) or up."""

    port: int
    credentials: tuple[str, str] | None = None
    tls_context: object = None
    received: list[Received] = field(default_factory=list)
    refuse_next: int = 0  # answer this many DATA commands with a temporary failure
    logins: list[str] = field(default_factory=list)
    slow_seconds: float = 0  # time taken to accept each message
    _controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.slow_seconds:
            await asyncio.sleep(self.slow_seconds)
        if self.refuse_next:
            self.refuse_next -= 1
            return "451 4.3.0 try again later"
        raw = envelope.original_content or envelope.content
        self.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                raw=raw,
                message=email.message_from_bytes(raw, policy=email.policy.default),
            )
        )
        return "250 OK"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and (
                auth_data.login.decode(),
                auth_data.password.decode(),
            )
            == self.credentials
        )
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    def start(self) -> "MailServer":
        kwargs = {}
        if self.credentials:
            kwargs.update(authenticator=self._authenticate, auth_required=True)
            kwargs["auth_require_tls"] = self.tls_context is not None
        if self.tls_context is not None:
            kwargs.update(tls_context=self.tls_context, require_starttls=True)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]


@pytest.fixture
def smtp(app):
    """A running SMTP server, with the app's SMTP settings pointing at it."""
    server = MailServer(port=free_port()).start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_STARTTLS=False, SMTP_USERNAME="")
    yield server
    server.stop()


@pytest.fixture
def smtp_down(app):
    """An SMTP server that is down until the test calls .start()."""
    server = MailServer(port=free_port())
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_STARTTLS=False, SMTP_USERNAME="")
    yield server
    server.stop()


@dataclass
class WebhookReceiver:
    url: str
    requests: list[dict] = field(default_factory=list)
    status: int = 204


@pytest.fixture
def webhook_receiver():
    """A local HTTP server that records each POST (headers and exact body bytes)."""
    receiver = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/tracker"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
