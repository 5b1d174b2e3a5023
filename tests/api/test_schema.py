"""The OpenAPI documents generate cleanly and are served, with their docs UI, without any CDN."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS

from config.routes import generate_schema

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("version", ["v1", "v2", "v3"])
def test_schema_generates_without_warnings(version):
    GENERATOR_STATS.reset()
    schema = generate_schema(version)
    warnings = dict(GENERATOR_STATS._warn_cache)
    errors = dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert warnings == {}
    assert errors == {}
    assert schema["openapi"].startswith("3.")
    assert all(path.startswith(f"/api/{version}/") for path in schema["paths"])


def test_v3_schema_documents_the_delivery_partner_endpoints():
    schema = generate_schema("v3")
    assert {"/api/v3/delivery-partners", "/api/v3/delivery-partners/{id}"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    parameters = {p["name"] for p in schema["paths"]["/api/v3/delivery-partners"]["get"]["parameters"]}
    assert {"filter[cohort]", "page[page]", "page[per_page]", "sort"} <= parameters


def test_schema_and_docs_are_served_without_a_token(client):
    schema = client.get("/api/schema/v3", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/v3")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page
