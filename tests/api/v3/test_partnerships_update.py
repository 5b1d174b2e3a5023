"""PUT/PATCH /api/v3/partnerships/ecf/{id}: order of checks, each rule broken, then the effects."""

import datetime as dt
import uuid

import pytest
import time_machine

from config.actors import Actor
from participants.models import Participant
from partnerships import exceptions as exc
from partnerships.models import Partnership, PartnershipStateChange, School
from partnerships.services import partnership_challenge
from tests.factories.participants import enrol
from tests.factories.partnerships import (
    DeliveryPartnerFactory,
    PartnershipFactory,
    ProviderRelationshipFactory,
    cohort,
)

pytestmark = pytest.mark.django_db


def url(partnership_id) -> str:
    return f"/api/v3/partnerships/ecf/{partnership_id}"


def body(delivery_partner_id):
    return {
        "data": {"type": "ecf-partnership-update", "attributes": {"delivery_partner_id": delivery_partner_id}}
    }


def errors(*pairs):
    return {"errors": [{"title": title, "detail": detail} for title, detail in pairs]}


NOT_FOUND = {"error": "Resource not Found"}
BAD_DATA = errors(("Bad request", "correct json data structure required. See API docs for reference"))


@pytest.fixture
def partnership(lead_provider):
    return PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024))


@pytest.fixture
def new_partner(lead_provider):
    partner = DeliveryPartnerFactory(name="South Partner")
    ProviderRelationshipFactory(lead_provider=lead_provider, delivery_partner=partner, cohort=cohort(2024))
    return partner


def state(partnership):
    partnership.refresh_from_db()
    return (
        partnership.delivery_partner_id,
        partnership.status,
        partnership.challenge_deadline,
        partnership.updated_at,
        PartnershipStateChange.objects.filter(partnership=partnership).count(),
    )


def assert_refused(response, partnership, before, message):
    assert response.status_code == 422
    assert response.json() == errors(("delivery_partner_id", message))
    assert state(partnership) == before


def test_changes_the_delivery_partner(provider_client, partnership, new_partner):
    old_partner = partnership.delivery_partner
    record = enrol(partnership=partnership)
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Participant.objects.update(updated_at=long_ago)
    School.objects.update(updated_at=long_ago)

    with time_machine.travel(dt.datetime(2024, 12, 1, 9, tzinfo=dt.UTC), tick=False):
        response = provider_client.put_json(url(partnership.id), body(str(new_partner.id)))

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == str(partnership.id)
    assert data["attributes"]["delivery_partner_id"] == str(new_partner.id)
    assert data["attributes"]["delivery_partner_name"] == "South Partner"
    partnership.refresh_from_db()
    assert partnership.delivery_partner == new_partner
    assert partnership.challenge_deadline == dt.datetime(2024, 12, 15, 9, tzinfo=dt.UTC)
    change = PartnershipStateChange.objects.get()
    assert (change.event, change.from_status, change.to_status) == (
        "delivery_partner_changed",
        "active",
        "active",
    )
    assert (change.from_delivery_partner, change.to_delivery_partner) == (old_partner, new_partner)
    assert (change.actor_kind, change.actor_id) == ("provider_token", str(provider_client.token.pk))
    # The participants of the partnership now report the new delivery partner through it, and are touched.
    record.refresh_from_db()
    assert record.induction_programme.partnership.delivery_partner == new_partner
    assert Participant.objects.get(pk=record.training_record.participant_id).updated_at > long_ago
    assert School.objects.get(pk=partnership.school_id).updated_at > long_ago


def test_patch_is_routed_to_update(provider_client, partnership, new_partner):
    response = provider_client.patch(url(partnership.id), data=body(str(new_partner.id)), format="json")
    assert response.status_code == 200
    partnership.refresh_from_db()
    assert partnership.delivery_partner == new_partner


def test_same_delivery_partner_changes_nothing(provider_client, partnership):
    before = state(partnership)
    response = provider_client.put_json(url(partnership.id), body(str(partnership.delivery_partner_id)))
    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(partnership.id)
    assert state(partnership) == before


# --- 1. the partnership is loaded first -----------------------------------------------------------------------


@pytest.mark.parametrize("payload", [None, {}, body("x")])
def test_unknown_id_is_404_before_the_body_is_read(provider_client, payload):
    response = provider_client.put_json(url(uuid.uuid4()), payload)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_malformed_id_is_404(provider_client):
    response = provider_client.put_json(url("not-a-uuid"), body("x"))
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_another_providers_partnership_is_404(other_provider_client, partnership, new_partner):
    before = state(partnership)
    response = other_provider_client.put_json(url(partnership.id), body(str(new_partner.id)))
    assert response.status_code == 404
    assert state(partnership) == before


def test_a_relationship_partnership_is_404(provider_client, lead_provider, new_partner):
    relationship = PartnershipFactory(lead_provider=lead_provider, relationship=True)
    response = provider_client.put_json(url(relationship.id), body(str(new_partner.id)))
    assert response.status_code == 404


# --- 2. the envelope -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [{}, {"delivery_partner_id": "x"}, {"data": []}])
def test_missing_data_is_400(provider_client, partnership, payload):
    before = state(partnership)
    response = provider_client.put_json(url(partnership.id), payload)
    assert response.status_code == 400
    assert response.json() == BAD_DATA
    assert state(partnership) == before


# --- 3. validations ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "  "])
def test_blank_delivery_partner(provider_client, partnership, value):
    before = state(partnership)
    response = provider_client.put_json(url(partnership.id), body(value))
    assert_refused(response, partnership, before, exc.DELIVERY_PARTNER_ID_BLANK)


def test_attributes_missing_means_blank(provider_client, partnership):
    before = state(partnership)
    response = provider_client.put_json(url(partnership.id), {"data": {"type": "ecf-partnership-update"}})
    assert_refused(response, partnership, before, exc.DELIVERY_PARTNER_ID_BLANK)


@pytest.mark.parametrize("value", ["nope", "5f0c6b7e-3d2a-4c1b-9e8f-7a6b5c4d3e2f", 7, ["x"]])
def test_unknown_delivery_partner(provider_client, partnership, value):
    before = state(partnership)
    response = provider_client.put_json(url(partnership.id), body(value))
    assert_refused(response, partnership, before, exc.DELIVERY_PARTNER_ID_INVALID)


def test_no_relationship_in_the_partnerships_cohort(provider_client, lead_provider, partnership):
    partner = DeliveryPartnerFactory()
    ProviderRelationshipFactory(lead_provider=lead_provider, delivery_partner=partner, cohort=cohort(2025))
    before = state(partnership)
    response = provider_client.put_json(url(partnership.id), body(str(partner.id)))
    assert_refused(response, partnership, before, exc.DELIVERY_PARTNER_NO_RELATIONSHIP)


def test_challenged_partnership_cannot_be_updated(provider_client, lead_provider, new_partner):
    challenged = PartnershipFactory(lead_provider=lead_provider, challenged=True)
    before = state(challenged)
    response = provider_client.put_json(url(challenged.id), body(str(new_partner.id)))
    assert_refused(response, challenged, before, exc.PARTNERSHIP_CHALLENGED)


def test_challenged_even_with_the_same_delivery_partner(provider_client, lead_provider):
    challenged = PartnershipFactory(lead_provider=lead_provider, challenged=True)
    before = state(challenged)
    response = provider_client.put_json(url(challenged.id), body(str(challenged.delivery_partner_id)))
    assert_refused(response, challenged, before, exc.PARTNERSHIP_CHALLENGED)


def test_after_a_challenge_through_the_service_the_provider_can_only_view(
    provider_client, partnership, new_partner, support_user
):
    partnership_challenge(partnership=partnership, reason="mistake", actor=Actor.staff(support_user))
    before = state(partnership)
    response = provider_client.put_json(url(partnership.id), body(str(new_partner.id)))
    assert_refused(response, partnership, before, exc.PARTNERSHIP_CHALLENGED)
    shown = provider_client.get(url(partnership.id))
    assert shown.status_code == 200
    assert shown.json()["data"]["attributes"]["status"] == "challenged"


def test_no_relationship_is_reported_before_challenged(provider_client, lead_provider):
    challenged = PartnershipFactory(lead_provider=lead_provider, challenged=True)
    partner = DeliveryPartnerFactory()
    before = state(challenged)
    response = provider_client.put_json(url(challenged.id), body(str(partner.id)))
    assert_refused(response, challenged, before, exc.DELIVERY_PARTNER_NO_RELATIONSHIP)


def test_relationship_partnership_with_that_delivery_partner(
    provider_client, lead_provider, partnership, new_partner
):
    PartnershipFactory(
        lead_provider=lead_provider,
        school=partnership.school,
        cohort=partnership.cohort,
        delivery_partner=new_partner,
        relationship=True,
    )
    before = state(partnership)
    response = provider_client.put_json(url(partnership.id), body(str(new_partner.id)))
    assert_refused(response, partnership, before, exc.DELIVERY_PARTNER_DUPLICATE)


def test_another_ordinary_row_with_that_delivery_partner_is_refused_too(
    provider_client, lead_provider, partnership, new_partner
):
    """Not in the spec's wording (relationship rows), but the unique constraint would fail: no 500."""
    PartnershipFactory(
        lead_provider=lead_provider,
        school=partnership.school,
        cohort=partnership.cohort,
        delivery_partner=new_partner,
        challenged=True,
    )
    before = state(partnership)
    response = provider_client.put_json(url(partnership.id), body(str(new_partner.id)))
    assert_refused(response, partnership, before, exc.DELIVERY_PARTNER_DUPLICATE)


def test_other_providers_relationship_rows_do_not_count(
    provider_client, other_lead_provider, partnership, new_partner
):
    PartnershipFactory(
        lead_provider=other_lead_provider,
        school=partnership.school,
        cohort=partnership.cohort,
        delivery_partner=new_partner,
        relationship=True,
    )
    response = provider_client.put_json(url(partnership.id), body(str(new_partner.id)))
    assert response.status_code == 200
    assert Partnership.objects.get(pk=partnership.pk).delivery_partner == new_partner
