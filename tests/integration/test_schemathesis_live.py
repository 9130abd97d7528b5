"""Schemathesis run the way an outside tester runs it: `st run` against a live gunicorn on this test
run's database, every check but positive_data_acceptance (the document cannot state every rule a
valid request must keep: tests/api/test_fuzz.py lists them), 25 examples per operation, the stateful
phase included, signed in as an admin. Zero failures.

With the repository's schemathesis.toml (the one status it must be told of), in a folder of the
test's own: `st` keeps its cache of crashes in the folder it runs in.
"""

import json
import os
import re
import subprocess
import sys

import pytest

from tests import factories
from tests.integration import mail
from tests.integration.test_deployment import REPO, Processes, Web
from tracker.auth import issue_token

SPEC = json.loads((REPO / "openapi" / "openapi.json").read_text(encoding="utf-8"))
OPERATIONS = sum(1 for methods in SPEC["paths"].values() for method in methods if method != "parameters")
ST = [sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()"]


@pytest.mark.timeout(900)
def test_schemathesis_against_the_live_service_finds_nothing(app, session, tmp_path):
    admin = factories.UserFactory(role="admin")
    factories.ProjectFactory(owner=admin)  # something to read and change from the first request
    _, token = issue_token(session, admin)
    session.commit()
    port = mail.free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("SCHEDULER_ENABLED", "GUNICORN_APP")},
        "DATABASE_URL": app.config["DATABASE_URL"],
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
        "GUNICORN_ACCESS_LOG": "",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    with Processes() as processes:
        log = tmp_path / "gunicorn.log"
        web = Web(processes.start([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], env, log), port, log)
        web.wait_ready()
        run = subprocess.run(
            [*ST, "--config-file", str(REPO / "schemathesis.toml"), "run",
             f"http://127.0.0.1:{port}/api/v1/openapi.json", "--checks", "all",
             "--exclude-checks", "positive_data_acceptance", "--max-examples", "25",
             "--header", f"Authorization: Bearer {token}"],
            cwd=tmp_path, env={**env, "NO_COLOR": "1"}, capture_output=True, text=True, timeout=840,
        )  # fmt: skip

    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-20_000:]
    assert f"Tested: {OPERATIONS}" in output, output[-5_000:]
    phases = output.split("Test Phases:")[1].split("\n\n")[0]
    assert re.findall(r"✅ (\w+)", phases) == ["Examples", "Coverage", "Fuzzing", "Stateful"], phases
