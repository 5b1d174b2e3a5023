"""The partnership services called directly, as commands and the sandbox seed do."""

import pytest

from config.actors import Actor
from config.errors import AttributeErrors
from partnerships import exceptions as exc
from partnerships.models import Partnership, PartnershipStateChange
from partnerships.services import partnership_create, partnership_update
from tests.factories.partnerships import (
    DeliveryPartnerFactory,
    LeadProviderFactory,
    ProviderRelationshipFactory,
    SchoolFactory,
    cohort,
)

pytestmark = pytest.mark.django_db

ACTOR = Actor.command("seed_sandbox")


@pytest.fixture
def provider():
    return LeadProviderFactory()


@pytest.fixture
def partner(provider):
    partner = DeliveryPartnerFactory()
    ProviderRelationshipFactory(lead_provider=provider, delivery_partner=partner, cohort=cohort(2025))
    return partner


def test_create_accepts_rows_as_well_as_ids(provider, partner):
    school = SchoolFactory()
    partnership = partnership_create(
        lead_provider=provider,
        cohort=cohort(2025),
        school_id=school,
        delivery_partner_id=partner,
        actor=ACTOR,
    )
    assert (partnership.school, partnership.cohort, partnership.delivery_partner) == (
        school,
        cohort(2025),
        partner,
    )
    change = PartnershipStateChange.objects.get()
    assert (change.event, change.actor_kind, change.actor_id) == ("created", "command", "seed_sandbox")


def test_create_refusal_is_an_attribute_error(provider, partner):
    school = SchoolFactory(closed=True)
    with pytest.raises(AttributeErrors) as error:
        partnership_create(
            lead_provider=provider,
            cohort=2025,
            school_id=str(school.id),
            delivery_partner_id=partner.id,
            actor=ACTOR,
        )
    assert error.value.as_errors() == [{"title": "school_id", "detail": exc.SCHOOL_INELIGIBLE}]
    assert Partnership.objects.count() == 0


def test_converted_relationship_then_update_to_a_challenged_rows_partner_is_refused(provider, partner):
    """An ordinary challenged row (DP A) and a converted relationship row (DP B) of one provider at one
    school: moving the second to DP A would duplicate (school, provider, DP, cohort)."""
    from tests.factories.partnerships import PartnershipFactory

    school = SchoolFactory()
    other = DeliveryPartnerFactory()
    ProviderRelationshipFactory(lead_provider=provider, delivery_partner=other, cohort=cohort(2025))
    PartnershipFactory(
        lead_provider=provider, school=school, cohort=cohort(2025), delivery_partner=other, challenged=True
    )
    relationship = PartnershipFactory(
        lead_provider=provider,
        school=school,
        cohort=cohort(2025),
        delivery_partner=partner,
        relationship=True,
    )
    converted = partnership_create(
        lead_provider=provider,
        cohort="2025",
        school_id=str(school.id),
        delivery_partner_id=str(partner.id),
        actor=ACTOR,
    )
    assert converted.pk == relationship.pk

    with pytest.raises(AttributeErrors) as error:
        partnership_update(partnership=converted, delivery_partner_id=str(other.id), actor=ACTOR)

    assert error.value.as_errors() == [
        {"title": "delivery_partner_id", "detail": exc.DELIVERY_PARTNER_DUPLICATE}
    ]
    converted.refresh_from_db()
    assert converted.delivery_partner == partner
