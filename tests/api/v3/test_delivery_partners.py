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
