"""Hostile query parameters and bodies: each is a 4xx in the spec's shape (or an empty page), never a 500."""

import pytest

from tests.factories.partnerships import DeliveryPartnerFactory, ProviderRelationshipFactory, cohort

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v3/delivery-partners",
    "/api/v3/partnerships/ecf",
    "/api/v3/schools/ecf?filter[cohort]=2024",
    "/api/v3/participants/ecf",
    "/api/v3/participants/ecf/transfers",
    "/api/v3/unfunded-mentors/ecf",
]


def _get(client, url, query):
    return client.get(f"{url}{'&' if '?' in url else '?'}{query}")


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999", "3074457345618258603"])
def test_a_page_far_past_the_end_is_an_empty_page(provider_client, url, page):
    """Countless pagination: pages past the end are `{"data": []}`, even when the offset overflows bigint."""
    response = _get(provider_client, url, f"page[page]={page}&page[per_page]=3000")
    assert response.status_code == 200
    assert response.json() == {"data": []}


@pytest.mark.parametrize("url", LISTS)
def test_updated_since_with_a_large_but_valid_offset_is_accepted(provider_client, lead_provider, url):
    """+23:59 is a valid RFC 3339 offset; PostgreSQL refuses such a displacement unless it is normalised."""
    partner = DeliveryPartnerFactory()
    ProviderRelationshipFactory(lead_provider=lead_provider, delivery_partner=partner, cohort=cohort(2024))
    response = _get(provider_client, url, "filter[updated_since]=2000-01-01T00:00:00%2B23:59")
    assert response.status_code == 200
    if url == "/api/v3/delivery-partners":
        assert [item["id"] for item in response.json()["data"]] == [str(partner.pk)]


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00%2B01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00%2B23:59"]
)
def test_updated_since_outside_the_representable_range_is_the_400(provider_client, value):
    response = provider_client.get(f"/api/v3/partnerships/ecf?filter[updated_since]={value}")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid RCF3339 date"}
        ]
    }


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_server_date_header_outside_the_representable_range_is_a_400(provider_client, settings, value):
    settings.SANDBOX = True
    response = provider_client.get("/api/v3/delivery-partners", HTTP_X_WITH_SERVER_DATE=value)
    assert response.status_code == 400
    assert response.json()["errors"][0]["title"] == "Bad request"


# --- a NUL byte in a filter value is a value like any other, never a silently dropped filter ---------------

NUL_UPDATED_SINCE = [
    "/api/v3/partnerships/ecf",
    "/api/v3/schools/ecf?filter[cohort]=2024",
    "/api/v3/participants/ecf",
    "/api/v3/participants/ecf/transfers",
    "/api/v3/unfunded-mentors/ecf",
]


@pytest.mark.parametrize("url", NUL_UPDATED_SINCE)
def test_updated_since_with_a_nul_byte_is_the_400(provider_client, url):
    response = _get(provider_client, url, "filter[updated_since]=2024-01-01%00")
    assert response.status_code == 400
    assert (
        response.json()["errors"][0]["detail"] == "The filter '#/updated_since' must be a valid RCF3339 date"
    )


def test_training_status_with_a_nul_byte_is_the_400(provider_client):
    response = provider_client.get("/api/v3/participants/ecf?filter[training_status]=active%00")
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == (
        'The filter \'#/training_status\' must be ["active", "deferred", "withdrawn"]'
    )


def test_cohort_with_a_nul_byte_matches_nothing(provider_client, lead_provider):
    from tests.factories.partnerships import PartnershipFactory

    PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024))
    response = provider_client.get("/api/v3/partnerships/ecf?filter[cohort]=2024%00")
    assert response.status_code == 200
    assert response.json() == {"data": []}


def test_urn_with_a_nul_byte_matches_nothing(provider_client):
    from tests.factories.partnerships import SchoolFactory

    SchoolFactory(urn="100200")
    response = provider_client.get("/api/v3/schools/ecf?filter[cohort]=2024&filter[urn]=100200%00")
    assert response.status_code == 200
    assert response.json() == {"data": []}


# --- Django's request limits are bad requests in the JSON envelope, never a 500 or an HTML page -----------


def test_too_many_query_parameters_is_a_json_400(provider_client):
    query = "&".join(f"x{index}=1" for index in range(1200))
    response = provider_client.get(f"/api/v3/partnerships/ecf?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/vnd.api+json"
    assert response.json()["errors"][0]["title"] == "Bad request"


def test_an_oversized_body_is_a_json_400(provider_client):
    body = b'{"data":{"attributes":{"x":"' + b"a" * (3 * 1024 * 1024) + b'"}}}'
    response = provider_client.post("/api/v3/partnerships/ecf", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/vnd.api+json"
    assert response.json()["errors"][0]["title"] == "Bad request"


def test_a_deeply_nested_json_body_is_the_400(provider_client):
    body = b"[" * 100000 + b"]" * 100000
    response = provider_client.post("/api/v3/partnerships/ecf", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "title": "Bad request",
                "detail": "correct json data structure required. See API docs for reference",
            }
        ]
    }
