"""/api/v1/participant-declarations: the shared v1/v2 scenarios, and what only v1 renders."""

import pytest

from config.routes import generate_schema
from tests.api.declarations_v1_v2 import *  # noqa: F403  (the v1/v2 scenarios, run here for v1)
from tests.api.declarations_v1_v2 import STATES, assert_contract, csv_rows
from tests.factories.declarations import DeclarationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/participant-declarations"
COLUMNS = [
    "id",
    "participant_id",
    "declaration_type",
    "course_identifier",
    "eligible_for_payment",
    "declaration_date",
    "updated_at",
    "voided",
    "state",
    "has_passed",
]


@pytest.fixture
def version():
    return "v1"


def test_eligible_for_payment_and_voided_follow_the_state(provider_client, lead_provider):
    made = {state: DeclarationFactory(lead_provider=lead_provider, state=state) for state in STATES}

    response = provider_client.get(URL)

    assert_contract(response)
    flags = {
        item["id"]: (item["attributes"]["eligible_for_payment"], item["attributes"]["voided"])
        for item in response.json()["data"]
    }
    assert {state: flags[str(declaration.pk)] for state, declaration in made.items()} == {
        "submitted": (False, False),
        "eligible": (True, False),
        "payable": (True, False),
        "paid": (False, False),  # paid is no longer "eligible for payment"
        "voided": (False, True),
        "ineligible": (False, False),
        "awaiting_clawback": (False, False),
        "clawed_back": (False, False),
    }


def test_csv_columns(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, voided=True)

    rows = csv_rows(provider_client.get(f"{URL}.csv"))

    assert rows[0] == COLUMNS
    assert rows[1][0] == str(declaration.pk)
    assert rows[1][COLUMNS.index("voided")] == "true"
    assert rows[1][COLUMNS.index("eligible_for_payment")] == "false"
    assert rows[1][COLUMNS.index("has_passed")] == ""


def test_v1_schema_documents_the_declaration_endpoints():
    schema = generate_schema("v1")
    paths = schema["paths"]

    assert set(paths["/api/v1/participant-declarations"]) == {"get", "post"}
    assert set(paths["/api/v1/participant-declarations/{id}"]) == {"get"}
    assert set(paths["/api/v1/participant-declarations/{id}/void"]) == {"put"}
    download = paths["/api/v1/participant-declarations.csv"]["get"]
    assert list(download["responses"]["200"]["content"]) == ["text/csv"]
    assert {p["name"] for p in download["parameters"]} == {"filter[participant_id]", "filter[updated_since]"}
    parameters = {p["name"] for p in paths["/api/v1/participant-declarations"]["get"]["parameters"]}
    assert parameters == {
        "filter[participant_id]",
        "filter[updated_since]",
        "page[page]",
        "page[per_page]",
        "page[cursor]",
    }
    assert "200" in paths["/api/v1/participant-declarations"]["post"]["responses"]
    # The served attributes are the official ones, which the CSV header follows.
    attributes = schema["components"]["schemas"]["ParticipantDeclarationAttributes"]["properties"]
    assert set(attributes) == set(COLUMNS[1:])


def test_v3_has_no_csv(provider_client, lead_provider, anonymous_client):
    DeclarationFactory(lead_provider=lead_provider)

    for client in (provider_client, anonymous_client):
        response = client.get("/api/v3/participant-declarations.csv")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/vnd.api+json"
        assert response.json() == {"error": "Resource not Found"}
    assert "/api/v3/participant-declarations.csv" not in generate_schema("v3")["paths"]
