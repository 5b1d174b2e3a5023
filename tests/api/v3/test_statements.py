"""GET /api/v3/statements and /api/v3/statements/{id}."""

import datetime as dt

import pytest

from statements.models import Statement
from tests.factories.partnerships import cohort
from tests.factories.statements import StatementFactory

pytestmark = pytest.mark.django_db


def ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_lists_the_providers_output_statements_in_payment_date_order(provider_client, lead_provider):
    april = StatementFactory(lead_provider=lead_provider, year=2024, month=4)
    january = StatementFactory(lead_provider=lead_provider, year=2024, month=1, paid=True)
    StatementFactory(lead_provider=lead_provider, year=2024, month=2, output_fee=False)  # service-only

    response = provider_client.get("/api/v3/statements")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.api+json"
    body = response.json()
    assert [item["id"] for item in body["data"]] == [str(january.id), str(april.id)]
    assert body["data"][0] == {
        "id": str(january.id),
        "type": "statement",
        "attributes": {
            "month": "January",
            "year": "2024",
            "type": "ecf",
            "cohort": "2023",
            "cut_off_date": "2023-12-31",
            "payment_date": "2024-01-25",
            "paid": True,
            "created_at": ts(january.created_at),
            "updated_at": ts(january.updated_at),
        },
    }
    assert body["data"][1]["attributes"]["paid"] is False


def test_paid_flag_follows_status_not_authorisation(provider_client, lead_provider):
    StatementFactory(lead_provider=lead_provider, authorised=True)

    response = provider_client.get("/api/v3/statements")

    assert response.json()["data"][0]["attributes"]["paid"] is False


def test_other_providers_statements_are_not_listed_and_are_404(provider_client, other_lead_provider):
    theirs = StatementFactory(lead_provider=other_lead_provider)

    assert provider_client.get("/api/v3/statements").json() == {"data": []}
    response = provider_client.get(f"/api/v3/statements/{theirs.id}")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


def test_filter_by_cohort(provider_client, lead_provider):
    s2023 = StatementFactory(lead_provider=lead_provider, cohort=cohort(2023))
    s2024 = StatementFactory(lead_provider=lead_provider, cohort=cohort(2024), month=5)

    def ids(query):
        response = provider_client.get(f"/api/v3/statements?{query}")
        assert response.status_code == 200
        return {item["id"] for item in response.json()["data"]}

    assert ids("filter[cohort]=2024") == {str(s2024.id)}
    assert ids("filter[cohort]=2023,2024") == {str(s2023.id), str(s2024.id)}
    assert ids("filter[cohort]=2019") == set()
    assert ids("filter[cohort]=abc") == set()
    assert ids("") == {str(s2023.id), str(s2024.id)}


def test_filter_by_type(provider_client, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider)

    assert len(provider_client.get("/api/v3/statements?filter[type]=ecf").json()["data"]) == 1
    assert len(provider_client.get("/api/v3/statements?filter[type]=").json()["data"]) == 1
    response = provider_client.get("/api/v3/statements?filter[type]=npq")
    assert response.status_code == 200
    assert response.json() == {"data": []}
    assert provider_client.get(f"/api/v3/statements/{statement.id}?filter[type]=npq").status_code == 404
    assert provider_client.get(f"/api/v3/statements/{statement.id}?filter[type]=ecf").status_code == 200


def test_filter_by_updated_since(provider_client, lead_provider):
    old = StatementFactory(lead_provider=lead_provider, month=3)
    new = StatementFactory(lead_provider=lead_provider, month=4)
    Statement.objects.filter(pk=old.pk).update(updated_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    Statement.objects.filter(pk=new.pk).update(updated_at=dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC))

    response = provider_client.get("/api/v3/statements?filter[updated_since]=2024-06-01T12:00:00Z")

    assert [item["id"] for item in response.json()["data"]] == [str(new.id)]


def test_unparseable_updated_since_is_400(provider_client):
    response = provider_client.get("/api/v3/statements?filter[updated_since]=yesterday")

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid RCF3339 date"}
        ]
    }


def test_show_includes_service_only_statements(provider_client, lead_provider):
    service_only = StatementFactory(lead_provider=lead_provider, output_fee=False)

    response = provider_client.get(f"/api/v3/statements/{service_only.id}")

    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(service_only.id)
    assert response.json()["data"]["attributes"]["month"] == "April"


@pytest.mark.parametrize("bad_id", ["5f0c6b7e-3d2a-4c1b-9e8f-7a6b5c4d3e2f", "not-a-uuid", "1"])
def test_unknown_or_malformed_id_is_404(provider_client, bad_id):
    response = provider_client.get(f"/api/v3/statements/{bad_id}")

    assert response.status_code == 404


def test_requires_a_token(anonymous_client):
    response = anonymous_client.get("/api/v3/statements")

    assert response.status_code == 401


def test_pagination(provider_client, lead_provider):
    for month in range(1, 6):
        StatementFactory(lead_provider=lead_provider, month=month)

    response = provider_client.get("/api/v3/statements?page[per_page]=2&page[page]=2")

    assert [item["attributes"]["month"] for item in response.json()["data"]] == ["March", "April"]


def test_list_uses_constant_queries(provider_client, lead_provider, django_assert_max_num_queries):
    for month in range(1, 13):
        StatementFactory(lead_provider=lead_provider, month=month)

    with django_assert_max_num_queries(8):
        response = provider_client.get("/api/v3/statements")

    assert response.status_code == 200
    assert len(response.json()["data"]) == 12


def test_write_methods_are_not_allowed(provider_client, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider)

    assert provider_client.post_json("/api/v3/statements", {"data": {}}).status_code in (404, 405)
    assert provider_client.put_json(f"/api/v3/statements/{statement.id}", {"data": {}}).status_code in (
        404,
        405,
    )
