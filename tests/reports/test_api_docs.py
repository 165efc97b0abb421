"""The Reporting API in the OpenAPI schema, and /docs served without any network access."""

from __future__ import annotations

from starlette.testclient import TestClient

from analytics_server.reports.api import METHODS


def test_the_schema_lists_every_method(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/index.php"]["get"]
    names = {p["name"]: p for p in operation["parameters"]}
    assert set(names["method"]["schema"]["enum"]) == set(METHODS)
    assert {"idSite", "period", "date", "segment", "format", "token_auth"} <= set(names)
    assert "post" in schema["paths"]["/index.php"]


def test_docs_load_their_assets_from_this_server(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        response = client.get(f"/static/vendor/swagger-ui/{asset}")
        assert response.status_code == 200
        assert len(response.content) > 10_000
