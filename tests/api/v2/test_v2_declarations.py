"""/api/v2/participant-declarations: the shared v1/v2 scenarios, and what only v2 renders."""

import jsonschema
import pytest

from tests.api.declarations_v1_v2 import *  # noqa: F403  (the v1/v2 scenarios, run here for v2)
from tests.api.declarations_v1_v2 import assert_contract, csv_rows
from tests.contracts import assert_matches_contract
from tests.factories.declarations import DeclarationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v2/participant-declarations"
COLUMNS = [
    "id",
    "participant_id",
    "declaration_type",
    "course_identifier",
    "declaration_date",
    "updated_at",
    "state",
    "has_passed",
]


@pytest.fixture
def version():
    return "v2"


def test_no_eligible_for_payment_or_voided(provider_client, lead_provider):
    DeclarationFactory(lead_provider=lead_provider, voided=True)

    attributes = provider_client.get(URL).json()["data"][0]["attributes"]

    assert "eligible_for_payment" not in attributes
    assert "voided" not in attributes
    assert attributes["state"] == "voided"


@pytest.mark.parametrize("state", ["awaiting_clawback", "clawed_back"])
def test_states_the_v2_contract_omits_are_still_rendered(provider_client, lead_provider, state):
    declaration = DeclarationFactory(lead_provider=lead_provider, state=state)

    response = provider_client.get(f"{URL}/{declaration.pk}")

    assert response.json()["data"]["attributes"]["state"] == state.replace("_", "-")
    with pytest.raises(jsonschema.ValidationError):
        assert_matches_contract(response)
    assert_contract(response)  # everything else matches


def test_csv_columns(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, voided=True)

    rows = csv_rows(provider_client.get(f"{URL}.csv"))

    assert rows[0] == COLUMNS
    assert rows[1][0] == str(declaration.pk)
    assert rows[1][COLUMNS.index("state")] == "voided"
    assert rows[1][COLUMNS.index("has_passed")] == ""


def test_v2_schema_documents_the_declaration_endpoints():
    from config.routes import generate_schema

    schema = generate_schema("v2")
    paths = schema["paths"]

    assert set(paths["/api/v2/participant-declarations"]) == {"get", "post"}
    assert set(paths["/api/v2/participant-declarations/{id}"]) == {"get"}
    assert set(paths["/api/v2/participant-declarations/{id}/void"]) == {"put"}
    download = paths["/api/v2/participant-declarations.csv"]["get"]
    assert list(download["responses"]["200"]["content"]) == ["text/csv"]
    assert {p["name"] for p in download["parameters"]} == {"filter[participant_id]", "filter[updated_since]"}
    parameters = {p["name"] for p in paths["/api/v2/participant-declarations"]["get"]["parameters"]}
    assert parameters == {
        "filter[participant_id]",
        "filter[updated_since]",
        "page[page]",
        "page[per_page]",
        "page[cursor]",
    }
    assert "200" in paths["/api/v2/participant-declarations"]["post"]["responses"]
    # The served attributes are the official ones, which the CSV header follows.
    attributes = schema["components"]["schemas"]["ParticipantDeclarationAttributes"]["properties"]
    assert set(attributes) == set(COLUMNS[1:])
