"""A real OpenID provider for the single sign-on tests: the certified `oidc-provider` from npm, run by
tests/oidc/provider.mjs (installed with `npm ci` in tests/oidc, as .ci/run does), and a person
signing in at it through its development login form.

Use the fixture in a test module with `oidc_provider = oidc.oidc_provider`.
"""

import json
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from tests.integration.mail import free_port

HERE = Path(__file__).resolve().parent.parent / "oidc"
NODE = shutil.which("node")
CLIENT_ID, CLIENT_SECRET = "tracker-console", "a-test-client-secret-of-some-length"
NEEDS = "single sign-on tests need Node.js and the provider: cd tests/oidc && npm ci"


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen


def start_provider(*, redirect_uri: str, unverified=(), id_token_claims=False) -> Provider:
    if not NODE or not (HERE / "node_modules" / "oidc-provider").exists():
        pytest.skip(NEEDS)
    port = free_port()
    settings = {
        "port": port,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": redirect_uri,
        "unverified": list(unverified),
        "id_token_claims": id_token_claims,
    }
    process = subprocess.Popen(
        [NODE, str(HERE / "provider.mjs"), json.dumps(settings)],
        cwd=HERE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()  # "ready <issuer>", or nothing if it died
    if not line.startswith("ready "):
        process.kill()
        raise AssertionError(f"the OpenID provider did not start: {line!r}")
    return Provider(issuer=line.split()[1], process=process)


def configure(app, provider: Provider) -> None:
    app.config.update(
        OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_NAME="City ID"
    )


@pytest.fixture
def oidc_provider(app):
    """The provider, with the app's single sign-on pointed at it (email in UserInfo only)."""
    provider = start_provider(
        redirect_uri=app.config["PUBLIC_BASE_URL"] + "/console/sign-in/oidc", unverified=["unverified@city.example"]
    )
    configure(app, provider)
    yield provider
    provider.process.terminate()
    provider.process.wait(timeout=10)


class _Form(HTMLParser):
    """The first form of a page: its action and its fields' values."""

    def __init__(self):
        super().__init__()
        self.action, self.fields, self._inside = None, {}, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self._inside = attrs.get("action", ""), True
        elif tag == "input" and self._inside and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def sign_in_at_provider(location: str, *, login: str, back_to: str) -> str:
    """A person at the provider: its login form (any password), its consent form, until the provider
    sends the browser back to `back_to`; that address."""
    browser = requests.Session()
    response = browser.get(location, allow_redirects=False, timeout=10)
    for _ in range(12):
        if response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if target.startswith(back_to):
                return target
            response = browser.get(target, allow_redirects=False, timeout=10)
            continue
        form = _Form()
        form.feed(response.text)
        assert form.action is not None, response.text[:500]
        fields = dict(form.fields)
        if fields.get("prompt") == "login":
            fields.update(login=login, password="any password")
        response = browser.post(urljoin(response.url, form.action), data=fields, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")
