"""POST /api/v3/partnerships/ecf: every validation rule broken on purpose, then each side effect."""

import datetime as dt
import uuid

import pytest
import time_machine

from participants.models import InductionRecord, Participant
from partnerships import exceptions as exc
from partnerships.models import InductionProgramme, Partnership, PartnershipStateChange, School, SchoolCohort
from tests.factories.participants import enrol
from tests.factories.partnerships import (
    DeliveryPartnerFactory,
    InductionProgrammeFactory,
    PartnershipFactory,
    ProviderRelationshipFactory,
    SchoolCohortFactory,
    SchoolFactory,
    cohort,
)

pytestmark = pytest.mark.django_db

URL = "/api/v3/partnerships/ecf"


def ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def body(**attributes):
    return {"data": {"type": "ecf-partnership", "attributes": attributes}}


def errors(*pairs):
    return {"errors": [{"title": title, "detail": detail} for title, detail in pairs]}


@pytest.fixture
def partner(lead_provider):
    partner = DeliveryPartnerFactory(name="North Partner")
    ProviderRelationshipFactory(lead_provider=lead_provider, delivery_partner=partner, cohort=cohort(2024))
    return partner


@pytest.fixture
def school():
    return SchoolFactory(
        urn="123456",
        name="Oak School",
        induction_tutor_name="Ada Tutor",
        induction_tutor_email="ada@oak.example.com",
    )


def valid(school, partner, **overrides):
    attributes = {"cohort": "2024", "school_id": str(school.id), "delivery_partner_id": str(partner.id)}
    attributes.update(overrides)
    return body(**attributes)


def snapshot():
    """Everything a refused request must leave alone."""
    return (
        sorted(
            Partnership.objects.values_list(
                "id", "status", "delivery_partner_id", "relationship", "challenge_reason", "updated_at"
            )
        ),
        PartnershipStateChange.objects.count(),
        sorted(SchoolCohort.objects.values_list("id", "induction_programme_choice", "default_programme_id")),
        InductionProgramme.objects.count(),
    )


def assert_refused(response, expected_body, before):
    assert response.status_code == 422
    assert response.json() == expected_body
    assert snapshot() == before


# --- success ------------------------------------------------------------------------------------------------


def test_reports_a_new_partnership(provider_client, lead_provider, school, partner):
    with time_machine.travel(dt.datetime(2024, 7, 1, 12, tzinfo=dt.UTC), tick=False):
        response = provider_client.post_json(URL, valid(school, partner))

    assert response.status_code == 200
    partnership = Partnership.objects.get()
    school.refresh_from_db()
    newest = max(partnership.updated_at, school.updated_at, partner.updated_at)
    assert response.json() == {
        "data": {
            "id": str(partnership.id),
            "type": "partnership",
            "attributes": {
                "cohort": "2024",
                "urn": "123456",
                "school_id": str(school.id),
                "delivery_partner_id": str(partner.id),
                "delivery_partner_name": "North Partner",
                "status": "active",
                "challenged_reason": None,
                "challenged_at": None,
                "induction_tutor_name": "Ada Tutor",
                "induction_tutor_email": "ada@oak.example.com",
                "updated_at": ts(newest),
                "created_at": "2024-07-01T12:00:00Z",
            },
        }
    }
    assert (partnership.lead_provider, partnership.delivery_partner, partnership.cohort) == (
        lead_provider,
        partner,
        cohort(2024),
    )
    assert partnership.relationship is False
    change = PartnershipStateChange.objects.get()
    assert (change.event, change.from_status, change.to_status) == ("created", None, "active")
    assert (change.from_delivery_partner, change.to_delivery_partner) == (None, partner)
    assert (change.actor_kind, change.actor_id) == ("provider_token", str(provider_client.token.pk))


def test_cohort_may_be_a_number(provider_client, school, partner):
    response = provider_client.post_json(URL, valid(school, partner, cohort=2024))
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["cohort"] == "2024"


def test_lead_provider_in_body_is_ignored(
    provider_client, lead_provider, other_lead_provider, school, partner
):
    response = provider_client.post_json(
        URL, valid(school, partner, lead_provider_id=str(other_lead_provider.pk))
    )
    assert response.status_code == 200
    assert Partnership.objects.get().lead_provider == lead_provider


# --- the request envelope --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [{}, {"attributes": {}}, {"data": "x"}, {"data": None}, [], {"data": {"attributes": "x"}}],
)
def test_missing_or_malformed_data_is_400(provider_client, payload):
    response = provider_client.post_json(URL, payload)
    assert response.status_code == 400
    assert response.json() == errors(
        ("Bad request", "correct json data structure required. See API docs for reference")
    )
    assert Partnership.objects.count() == 0


def test_invalid_json_is_400(provider_client):
    response = provider_client.post(URL, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == errors(
        ("Bad request", "correct json data structure required. See API docs for reference")
    )


def test_data_without_attributes_is_validated(provider_client):
    before = snapshot()
    response = provider_client.post_json(URL, {"data": {"type": "ecf-partnership"}})
    assert_refused(
        response,
        errors(
            ("cohort", exc.COHORT_BLANK),
            ("school_id", exc.SCHOOL_ID_BLANK),
            ("delivery_partner_id", exc.DELIVERY_PARTNER_ID_BLANK),
        ),
        before,
    )


# --- rules 1–3: presence ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("blank", [None, "", "   ", [], {}, False])
def test_rules_1_to_3_blank_attributes(provider_client, blank):
    before = snapshot()
    response = provider_client.post_json(URL, body(cohort=blank, school_id=blank, delivery_partner_id=blank))
    assert_refused(
        response,
        errors(
            ("cohort", exc.COHORT_BLANK),
            ("school_id", exc.SCHOOL_ID_BLANK),
            ("delivery_partner_id", exc.DELIVERY_PARTNER_ID_BLANK),
        ),
        before,
    )


def test_rule_1_blank_cohort_also_means_no_relationship(provider_client, school, partner):
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner, cohort=""))
    assert_refused(
        response,
        errors(("cohort", exc.COHORT_BLANK), ("delivery_partner_id", exc.DELIVERY_PARTNER_NO_RELATIONSHIP)),
        before,
    )


def test_rule_2_blank_school(provider_client, school, partner):
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner, school_id=""))
    assert_refused(response, errors(("school_id", exc.SCHOOL_ID_BLANK)), before)


def test_rule_3_blank_delivery_partner(provider_client, school, partner):
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner, delivery_partner_id=None))
    assert_refused(response, errors(("delivery_partner_id", exc.DELIVERY_PARTNER_ID_BLANK)), before)


# --- rule 4: cohort -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["2019", 2019, "abc", "2024abc", ["2024"], {"year": 2024}, 10**30, 2024.5, True]
)
def test_rule_4_unknown_cohort(provider_client, school, partner, value):
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner, cohort=value))
    # The relationship check then finds nothing for the unresolved cohort (rule 12); rules 8–10 are skipped.
    assert_refused(
        response,
        errors(("cohort", exc.COHORT_INVALID), ("delivery_partner_id", exc.DELIVERY_PARTNER_NO_RELATIONSHIP)),
        before,
    )


def test_unknown_cohort_skips_the_partnership_checks(provider_client, other_lead_provider, school, partner):
    PartnershipFactory(lead_provider=other_lead_provider, school=school, cohort=cohort(2024))
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner, cohort="1999"))
    assert_refused(
        response,
        errors(("cohort", exc.COHORT_INVALID), ("delivery_partner_id", exc.DELIVERY_PARTNER_NO_RELATIONSHIP)),
        before,
    )


def test_errors_are_ordered_by_first_failure(provider_client, partner):
    before = snapshot()
    response = provider_client.post_json(
        URL, body(cohort="1999", school_id="", delivery_partner_id=str(partner.id))
    )
    assert_refused(
        response,
        errors(
            ("school_id", exc.SCHOOL_ID_BLANK),
            ("cohort", exc.COHORT_INVALID),
            ("delivery_partner_id", exc.DELIVERY_PARTNER_NO_RELATIONSHIP),
        ),
        before,
    )


# --- rules 5–10: school -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["not-a-uuid", "5f0c6b7e-3d2a-4c1b-9e8f-7a6b5c4d3e2f", 12345, ["x"], "' OR 1=1 --"]
)
def test_rule_5_unknown_school(provider_client, partner, value):
    before = snapshot()
    response = provider_client.post_json(
        URL, body(cohort="2024", school_id=value, delivery_partner_id=str(partner.id))
    )
    assert_refused(response, errors(("school_id", exc.SCHOOL_ID_INVALID)), before)


@pytest.mark.parametrize("type_code", [10, 11, 30, 37])
def test_rule_6_cip_only_school(provider_client, partner, type_code):
    school = SchoolFactory(school_type_code=type_code)
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner))
    assert_refused(response, errors(("school_id", exc.SCHOOL_CIP_ONLY)), before)


@pytest.mark.parametrize(
    "fields",
    [
        {"school_status_code": 2},
        {"administrative_district_code": "W06000001"},
        {"school_type_code": 24},
        {"school_type_code": 10, "school_status_code": 2},
    ],
)
def test_rule_7_ineligible_school(provider_client, partner, fields):
    school = SchoolFactory(**fields)
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner))
    assert_refused(response, errors(("school_id", exc.SCHOOL_INELIGIBLE)), before)


def test_rule_7_section_41_school_is_eligible(provider_client, partner):
    school = SchoolFactory(school_type_code=24, section_41_approved=True)
    assert provider_client.post_json(URL, valid(school, partner)).status_code == 200


def test_rule_8_already_confirmed_by_caller(provider_client, lead_provider, school, partner):
    PartnershipFactory(lead_provider=lead_provider, school=school, cohort=cohort(2024))
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner))
    assert_refused(response, errors(("school_id", exc.SCHOOL_ALREADY_CONFIRMED)), before)


def test_rule_8_also_with_the_same_delivery_partner(provider_client, lead_provider, school, partner):
    PartnershipFactory(
        lead_provider=lead_provider, school=school, cohort=cohort(2024), delivery_partner=partner
    )
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner))
    assert_refused(response, errors(("school_id", exc.SCHOOL_ALREADY_CONFIRMED)), before)


def test_rule_9_other_provider_confirmed(provider_client, other_lead_provider, school, partner):
    PartnershipFactory(lead_provider=other_lead_provider, school=school, cohort=cohort(2024))
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner))
    assert_refused(response, errors(("school_id", exc.SCHOOL_RECRUITED_BY_OTHER_PROVIDER)), before)


def test_rules_8_and_9_ignore_challenged_and_relationship_partnerships(
    provider_client, other_lead_provider, school, partner
):
    PartnershipFactory(lead_provider=other_lead_provider, school=school, cohort=cohort(2024), challenged=True)
    PartnershipFactory(
        lead_provider=other_lead_provider, school=school, cohort=cohort(2024), relationship=True
    )
    assert provider_client.post_json(URL, valid(school, partner)).status_code == 200


def test_rule_10_partnered_last_year_and_cohort_not_set_up(
    provider_client, other_lead_provider, school, partner
):
    PartnershipFactory(lead_provider=other_lead_provider, school=school, cohort=cohort(2023))
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner))
    assert_refused(response, errors(("school_id", exc.SCHOOL_PROGRAMME_NOT_YET_CONFIRMED)), before)


def test_rule_10_passes_once_the_school_has_set_up_the_cohort(
    provider_client, other_lead_provider, school, partner
):
    PartnershipFactory(lead_provider=other_lead_provider, school=school, cohort=cohort(2023))
    SchoolCohortFactory(school=school, cohort=cohort(2024), induction_programme_choice="not_yet_known")
    assert provider_client.post_json(URL, valid(school, partner)).status_code == 200


def test_rule_10_ignores_a_challenged_partnership_last_year(
    provider_client, other_lead_provider, school, partner
):
    PartnershipFactory(lead_provider=other_lead_provider, school=school, cohort=cohort(2023), challenged=True)
    assert provider_client.post_json(URL, valid(school, partner)).status_code == 200


def test_school_checks_stop_at_the_first_failure(provider_client, other_lead_provider, partner):
    school = SchoolFactory(school_status_code=2)  # ineligible and also partnered by another provider
    PartnershipFactory(lead_provider=other_lead_provider, school=school, cohort=cohort(2024))
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner))
    assert_refused(response, errors(("school_id", exc.SCHOOL_INELIGIBLE)), before)


# --- rules 11–12: delivery partner ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nope", "5f0c6b7e-3d2a-4c1b-9e8f-7a6b5c4d3e2f", 42])
def test_rule_11_unknown_delivery_partner(provider_client, school, value):
    before = snapshot()
    response = provider_client.post_json(
        URL, body(cohort="2024", school_id=str(school.id), delivery_partner_id=value)
    )
    assert_refused(response, errors(("delivery_partner_id", exc.DELIVERY_PARTNER_ID_INVALID)), before)


def test_rule_11_discarded_delivery_partner(provider_client, lead_provider, school):
    partner = DeliveryPartnerFactory(discarded_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    ProviderRelationshipFactory(lead_provider=lead_provider, delivery_partner=partner)
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner))
    assert_refused(response, errors(("delivery_partner_id", exc.DELIVERY_PARTNER_ID_INVALID)), before)


def test_rule_12_no_relationship_in_that_cohort(provider_client, lead_provider, school):
    partner = DeliveryPartnerFactory()
    ProviderRelationshipFactory(lead_provider=lead_provider, delivery_partner=partner, cohort=cohort(2023))
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner))
    assert_refused(response, errors(("delivery_partner_id", exc.DELIVERY_PARTNER_NO_RELATIONSHIP)), before)


def test_rule_12_another_providers_relationship_does_not_count(provider_client, other_lead_provider, school):
    partner = DeliveryPartnerFactory()
    ProviderRelationshipFactory(lead_provider=other_lead_provider, delivery_partner=partner)
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner))
    assert_refused(response, errors(("delivery_partner_id", exc.DELIVERY_PARTNER_NO_RELATIONSHIP)), before)


def test_rule_12_discarded_relationship(provider_client, lead_provider, school):
    partner = DeliveryPartnerFactory()
    ProviderRelationshipFactory(
        lead_provider=lead_provider,
        delivery_partner=partner,
        discarded_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
    before = snapshot()
    response = provider_client.post_json(URL, valid(school, partner))
    assert_refused(response, errors(("delivery_partner_id", exc.DELIVERY_PARTNER_NO_RELATIONSHIP)), before)


def test_every_failing_attribute_is_reported(provider_client, other_lead_provider):
    school = SchoolFactory(school_type_code=10)
    before = snapshot()
    response = provider_client.post_json(
        URL, body(cohort="2024", school_id=str(school.id), delivery_partner_id=str(uuid.uuid4()))
    )
    assert_refused(
        response,
        errors(("school_id", exc.SCHOOL_CIP_ONLY), ("delivery_partner_id", exc.DELIVERY_PARTNER_ID_INVALID)),
        before,
    )


# --- effects ----------------------------------------------------------------------------------------------------


def test_effect_1_reuses_a_challenged_partnership(provider_client, lead_provider, school, partner):
    old_partner = DeliveryPartnerFactory()
    challenged = PartnershipFactory(
        lead_provider=lead_provider,
        school=school,
        cohort=cohort(2024),
        delivery_partner=old_partner,
        challenged=True,
    )

    response = provider_client.post_json(URL, valid(school, partner))

    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(challenged.id)
    assert Partnership.objects.count() == 1
    challenged.refresh_from_db()
    assert (challenged.status, challenged.challenge_reason, challenged.challenged_at) == (
        "active",
        None,
        None,
    )
    assert challenged.delivery_partner == partner
    change = PartnershipStateChange.objects.get()
    assert (change.event, change.from_status, change.to_status) == ("reported", "challenged", "active")
    assert (change.from_delivery_partner, change.to_delivery_partner) == (old_partner, partner)


def test_effect_1_converts_a_relationship_partnership_with_that_delivery_partner(
    provider_client, lead_provider, school, partner
):
    relationship = PartnershipFactory(
        lead_provider=lead_provider,
        school=school,
        cohort=cohort(2024),
        delivery_partner=partner,
        relationship=True,
    )

    response = provider_client.post_json(URL, valid(school, partner))

    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(relationship.id)
    relationship.refresh_from_db()
    assert relationship.relationship is False
    assert Partnership.objects.count() == 1
    change = PartnershipStateChange.objects.get()
    assert (change.event, change.from_status, change.to_status) == (
        "relationship_converted",
        "active",
        "active",
    )


def test_effect_1_a_relationship_with_another_delivery_partner_is_left_alone(
    provider_client, lead_provider, school, partner
):
    relationship = PartnershipFactory(
        lead_provider=lead_provider, school=school, cohort=cohort(2024), relationship=True
    )

    response = provider_client.post_json(URL, valid(school, partner))

    assert response.status_code == 200
    assert response.json()["data"]["id"] != str(relationship.id)
    relationship.refresh_from_db()
    assert relationship.relationship is True
    assert Partnership.objects.count() == 2


@pytest.mark.parametrize(
    ("now", "deadline"),
    [
        # Early in the academic year: academic year start + 2 months − 1 day.
        (dt.datetime(2024, 7, 1, 9, tzinfo=dt.UTC), dt.datetime(2024, 10, 31, tzinfo=dt.UTC)),
        # Later: now + 14 days.
        (dt.datetime(2024, 12, 1, 9, tzinfo=dt.UTC), dt.datetime(2024, 12, 15, 9, tzinfo=dt.UTC)),
    ],
)
def test_effect_2_challenge_deadline(provider_client, school, partner, now, deadline):
    with time_machine.travel(now, tick=False):
        assert provider_client.post_json(URL, valid(school, partner)).status_code == 200
    assert Partnership.objects.get().challenge_deadline == deadline


def test_effect_3_creates_the_school_cohort_as_provider_led(provider_client, school, partner):
    provider_client.post_json(URL, valid(school, partner))

    school_cohort = SchoolCohort.objects.get(school=school, cohort=cohort(2024))
    partnership = Partnership.objects.get()
    assert school_cohort.induction_programme_choice == "full_induction_programme"
    programme = school_cohort.default_programme
    assert (programme.training_programme, programme.partnership) == ("full_induction_programme", partnership)
    assert school_cohort.history.count() >= 1
    assert school_cohort.history.latest().actor_kind == "provider_token"


def test_effect_4_links_an_unpartnered_provider_led_default(provider_client, school, partner):
    school_cohort = SchoolCohortFactory(school=school, cohort=cohort(2024))
    programme = InductionProgrammeFactory(school_cohort=school_cohort, partnership=None)
    school_cohort.default_programme = programme
    school_cohort.save()

    provider_client.post_json(URL, valid(school, partner))

    programme.refresh_from_db()
    school_cohort.refresh_from_db()
    assert programme.partnership == Partnership.objects.get()
    assert school_cohort.default_programme == programme
    assert InductionProgramme.objects.count() == 1


def _participant_on(programme):
    """A participant whose induction record sits on `programme` (via `enrol`, then moved there)."""
    record = enrol(partnership=PartnershipFactory(school=programme.school_cohort.school, cohort=cohort(2024)))
    InductionRecord.objects.filter(pk=record.pk).update(induction_programme=programme)
    return record


def test_effect_4_replaces_a_default_linked_to_a_challenged_partnership(
    provider_client, other_lead_provider, school, partner
):
    old = PartnershipFactory(
        lead_provider=other_lead_provider, school=school, cohort=cohort(2024), challenged=True
    )
    school_cohort = SchoolCohortFactory(school=school, cohort=cohort(2024))
    old_programme = InductionProgrammeFactory(school_cohort=school_cohort, partnership=old)
    school_cohort.default_programme = old_programme
    school_cohort.save()
    record = enrol(partnership=old)
    InductionRecord.objects.filter(pk=record.pk).update(induction_programme=old_programme)

    provider_client.post_json(URL, valid(school, partner))

    partnership = Partnership.objects.get(lead_provider=provider_client.lead_provider)
    school_cohort.refresh_from_db()
    record.refresh_from_db()
    new_programme = school_cohort.default_programme
    assert new_programme != old_programme
    assert (new_programme.training_programme, new_programme.partnership) == (
        "full_induction_programme",
        partnership,
    )
    assert record.induction_programme == new_programme


def test_effect_4_switches_a_school_led_cohort_to_provider_led(provider_client, school, partner):
    school_cohort = SchoolCohortFactory(
        school=school, cohort=cohort(2024), induction_programme_choice="core_induction_programme"
    )
    school_led = InductionProgrammeFactory(
        school_cohort=school_cohort, training_programme="core_induction_programme"
    )
    school_cohort.default_programme = school_led
    school_cohort.save()
    record = enrol(partnership=PartnershipFactory(school=school, cohort=cohort(2024), challenged=True))
    InductionRecord.objects.filter(pk=record.pk).update(induction_programme=school_led)

    provider_client.post_json(URL, valid(school, partner))

    school_cohort.refresh_from_db()
    record.refresh_from_db()
    assert school_cohort.induction_programme_choice == "full_induction_programme"
    assert school_cohort.default_programme.partnership.lead_provider == provider_client.lead_provider
    assert record.induction_programme == school_cohort.default_programme


def test_effect_4_moves_participants_off_unpartnered_and_challenged_programmes(
    provider_client, other_lead_provider, school, partner
):
    school_cohort = SchoolCohortFactory(school=school, cohort=cohort(2024))
    challenged = PartnershipFactory(
        lead_provider=other_lead_provider, school=school, cohort=cohort(2024), challenged=True
    )
    unpartnered = InductionProgrammeFactory(school_cohort=school_cohort, partnership=None)
    on_challenged = InductionProgrammeFactory(school_cohort=school_cohort, partnership=challenged)
    relationship = PartnershipFactory(school=school, cohort=cohort(2024), relationship=True)
    on_relationship = InductionProgrammeFactory(school_cohort=school_cohort, partnership=relationship)
    moved_a = enrol(partnership=challenged)
    moved_b = enrol(partnership=challenged)
    stays = enrol(partnership=relationship)
    InductionRecord.objects.filter(pk=moved_a.pk).update(induction_programme=unpartnered)
    InductionRecord.objects.filter(pk=moved_b.pk).update(induction_programme=on_challenged)
    InductionRecord.objects.filter(pk=stays.pk).update(induction_programme=on_relationship)

    provider_client.post_json(URL, valid(school, partner))

    target = SchoolCohort.objects.get(pk=school_cohort.pk).default_programme
    assert target.partnership.lead_provider == provider_client.lead_provider
    for record in (moved_a, moved_b, stays):
        record.refresh_from_db()
    assert moved_a.induction_programme == target
    assert moved_b.induction_programme == target
    assert stays.induction_programme == on_relationship


def test_effect_6_touches_the_school_and_its_participants(provider_client, school, partner):
    here = enrol(partnership=PartnershipFactory(school=school, cohort=cohort(2023)), year=2023)
    SchoolCohortFactory(school=school, cohort=cohort(2024))  # set up, so rule 10 passes
    elsewhere = enrol()
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Participant.objects.update(updated_at=long_ago)
    School.objects.update(updated_at=long_ago)

    assert provider_client.post_json(URL, valid(school, partner)).status_code == 200

    school.refresh_from_db()
    assert school.updated_at > long_ago
    assert Participant.objects.get(pk=here.training_record.participant_id).updated_at > long_ago
    assert Participant.objects.get(pk=elsewhere.training_record.participant_id).updated_at == long_ago


@pytest.mark.parametrize(
    "attributes",
    [
        {"cohort": "2024\x00", "school_id": "\x00", "delivery_partner_id": "a\x00"},
        {"cohort": {"$gt": 1}, "school_id": {"id": 1}, "delivery_partner_id": [1, 2]},
        {"cohort": -2024, "school_id": "0" * 5000, "delivery_partner_id": "é" * 300},
        {"cohort": 1e308, "school_id": True, "delivery_partner_id": 0},
    ],
)
def test_odd_input_is_a_422(provider_client, attributes):
    before = snapshot()
    response = provider_client.post_json(URL, body(**attributes))
    assert response.status_code == 422
    assert [error["title"] for error in response.json()["errors"]] == [
        "cohort",
        "school_id",
        "delivery_partner_id",
    ]
    assert snapshot() == before


def test_json_suffix_is_accepted(provider_client, school, partner):
    assert provider_client.post_json(f"{URL}.json", valid(school, partner)).status_code == 200
