"""The committed OpenAPI document is the one the app serves, and the docs work offline."""

import json
import re
from pathlib import Path

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_the_committed_spec_equals_the_generated_one(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == served.json, (
        "openapi/openapi.json is stale: run `flask --app tracker openapi write --format=json openapi/openapi.json`"
    )


def test_every_operation_documents_its_errors_and_security(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            assert "default" in operation["responses"], f"{method.upper()} {path} documents no error response"


def test_the_docs_page_loads_its_assets_from_the_app_itself(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/api/v1/docs/assets/") for url in assets), assets
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.data) > 1000, url
