"""A client generated from the committed OpenAPI document, as an integrator would make one:
`openapi-python-client generate` prints no warning (every operation is generated), and the
generated client uploads a CSV import and reads the summary back."""

import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # openapi-python-client formats what it writes with ruff from here


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(the generator's output, the generated package's folder)."""
    out = tmp_path_factory.mktemp("client") / "tracker-client"
    run = subprocess.run(
        [BIN / "openapi-python-client", "generate", "--path", REPO / "openapi" / "openapi.json",
         "--output-path", out],
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout + run.stderr, out


def test_openapi_python_client_generates_every_operation_without_a_warning(generated):
    output, out = generated
    assert "warning" not in output.lower(), output
    assert "error" not in output.lower(), output
    operations = {path.stem for path in (out / "pilot_to_scale_tracker_client" / "api").rglob("*.py")}
    assert {"post_api_v1_imports", "patch_api_v1_projects_project_id", "post_api_v1_scans"} <= operations


def test_the_generated_client_uploads_an_import_and_reads_its_summary(generated, app, admin, monkeypatch):
    _, out = generated
    monkeypatch.syspath_prepend(str(out))
    package = "pilot_to_scale_tracker_client"
    client_module = importlib.import_module(f"{package}.client")
    imports_api = importlib.import_module(f"{package}.api.imports.post_api_v1_imports")
    summary_api = importlib.import_module(f"{package}.api.imports.get_api_v1_imports_import_id")
    models = importlib.import_module(f"{package}.models")
    types = importlib.import_module(f"{package}.types")
    client = client_module.AuthenticatedClient(
        base_url="http://tracker.test", token=admin.token, httpx_args={"transport": httpx.WSGITransport(app=app)}
    )
    csv = "key,title,domain,ai_type,stage\nCITY-BRIDGES-01,Bridge sensor alerts,infrastructure,traditional_ml,pilot\n"
    upload = types.File(payload=io.BytesIO(csv.encode()), file_name="bridges.csv", mime_type="text/csv")

    response = imports_api.sync_detailed(
        client=client, body=models.PostApiV1ImportsBody(file=upload), format_=models.PostApiV1ImportsFormat.TRACKER
    )

    assert response.status_code == 201, response.content
    summary = response.parsed
    assert (summary.created, summary.source) == (1, "uploaded file bridges.csv")
    assert summary_api.sync(client=client, import_id=summary.id).to_dict() == summary.to_dict()
    assert admin.get("/api/v1/projects").json[0]["key"] == "CITY-BRIDGES-01"
