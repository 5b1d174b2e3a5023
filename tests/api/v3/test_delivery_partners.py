import pytest

from tests.factories.partnerships import DeliveryPartnerFactory, ProviderRelationshipFactory, cohort

pytestmark = pytest.mark.django_db


def test_lists_delivery_partners_of_the_provider(provider_client, lead_provider):
    partner = DeliveryPartnerFactory(name="  North   Partner ")
    ProviderRelationshipFactory(lead_provider=lead_provider, delivery_partner=partner, cohort=cohort(2023))
    ProviderRelationshipFactory(lead_provider=lead_provider, delivery_partner=partner, cohort=cohort(2024))

    response = provider_client.get("/api/v3/delivery-partners")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.api+json"
    assert response.json() == {
        "data": [
            {
                "id": str(partner.id),
                "type": "delivery-partner",
                "attributes": {
                    "name": "North Partner",
                    "cohort": ["2023", "2024"],
                    "created_at": partner.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "updated_at": partner.updated_at.astimezone(__import__("datetime").UTC).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    ),
                },
            }
        ]
    }


def relate(lead_provider, *years, name=None):
    partner = DeliveryPartnerFactory(**({"name": name} if name else {}))
    for year in years:
        ProviderRelationshipFactory(
            lead_provider=lead_provider, delivery_partner=partner, cohort=cohort(year)
        )
    return partner


def ids(response):
    return [item["id"] for item in response.json()["data"]]


def test_another_providers_delivery_partner_is_a_404(provider_client, other_lead_provider):
    theirs = relate(other_lead_provider, 2024)
    assert ids(provider_client.get("/api/v3/delivery-partners")) == []
    response = provider_client.get(f"/api/v3/delivery-partners/{theirs.id}")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


def test_show_returns_a_partner_related_in_any_cohort_with_all_its_cohorts(provider_client, lead_provider):
    partner = relate(lead_provider, 2022, 2025, name="Show Me")
    response = provider_client.get(f"/api/v3/delivery-partners/{partner.id}", {"filter[cohort]": "2023"})
    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert attributes["name"] == "Show Me"
    assert attributes["cohort"] == ["2022", "2025"]  # not narrowed by a filter


def test_cohort_filter_matches_relationships_but_shows_every_cohort(provider_client, lead_provider):
    both = relate(lead_provider, 2023, 2024)
    only_2023 = relate(lead_provider, 2023)
    response = provider_client.get("/api/v3/delivery-partners", {"filter[cohort]": "2024"})
    assert ids(response) == [str(both.id)]
    assert response.json()["data"][0]["attributes"]["cohort"] == ["2023", "2024"]
    assert set(ids(provider_client.get("/api/v3/delivery-partners", {"filter[cohort]": "2023"}))) == {
        str(both.id),
        str(only_2023.id),
    }


def test_discarded_partners_and_relationships_are_hidden(provider_client, lead_provider):
    from django.utils import timezone

    from partnerships.models import ProviderRelationship

    discarded_partner = relate(lead_provider, 2024)
    discarded_partner.discarded_at = timezone.now()
    discarded_partner.save()
    discarded_relationship = relate(lead_provider, 2024)
    ProviderRelationship.objects.filter(delivery_partner=discarded_relationship).update(
        discarded_at=timezone.now()
    )
    assert ids(provider_client.get("/api/v3/delivery-partners")) == []
    assert provider_client.get(f"/api/v3/delivery-partners/{discarded_relationship.id}").status_code == 404


def test_listed_once_even_with_several_relationships(provider_client, lead_provider):
    partner = relate(lead_provider, 2021, 2022, 2023, 2024, 2025)
    assert ids(provider_client.get("/api/v3/delivery-partners")) == [str(partner.id)]


def test_default_excludes_cohort_2020_only_relationships(provider_client, lead_provider):
    from partnerships.models import Cohort

    Cohort.objects.create(start_year=2020, academic_year_start_date="2020-09-01")
    relate(lead_provider, 2020)
    assert ids(provider_client.get("/api/v3/delivery-partners")) == []
    assert len(ids(provider_client.get("/api/v3/delivery-partners", {"filter[cohort]": "2020"}))) == 1


@pytest.mark.parametrize("rows", [1, 30])
def test_list_uses_a_constant_number_of_queries(
    provider_client, lead_provider, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        relate(lead_provider, 2023, 2024)
    # token, last-used update, rate-limit counter (count, read, write, savepoint pair), page, page's cohorts
    with django_assert_max_num_queries(9):
        response = provider_client.get("/api/v3/delivery-partners")
    assert len(ids(response)) == rows
