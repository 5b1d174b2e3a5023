"""Challenges: the transition, its history, the no_ects side effect and refusals."""

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError

from config.actors import Actor
from partnerships.exceptions import InvalidChallengeReasonError, PartnershipAlreadyChallengedError
from partnerships.models import Partnership, PartnershipStateChange, SchoolCohort
from partnerships.services import partnership_challenge
from tests.factories.partnerships import PartnershipFactory, SchoolCohortFactory, cohort

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2024, 9, 20, 8, 30, 15, 250000, tzinfo=dt.UTC)


@pytest.fixture
def actor(support_user):
    return Actor.staff(support_user)


@pytest.mark.parametrize("reason", ["another_provider", "not_confirmed", "do_not_recognise", "mistake"])
def test_challenge_moves_active_to_challenged_with_history(actor, support_user, reason):
    partnership = PartnershipFactory(cohort=cohort(2024))
    school_cohort = SchoolCohortFactory(school=partnership.school, cohort=cohort(2024))

    with time_machine.travel(NOW, tick=False):
        partnership_challenge(partnership=partnership, reason=reason, actor=actor)

    partnership.refresh_from_db()
    assert (partnership.status, partnership.challenge_reason, partnership.challenged_at) == (
        "challenged",
        reason,
        NOW,
    )
    change = PartnershipStateChange.objects.get(partnership=partnership)
    assert (change.event, change.from_status, change.to_status, change.reason) == (
        "challenged",
        "active",
        "challenged",
        reason,
    )
    assert (change.actor_kind, change.actor_id, change.changed_at) == (
        "staff_user",
        str(support_user.pk),
        NOW,
    )
    school_cohort.refresh_from_db()
    assert school_cohort.induction_programme_choice == "full_induction_programme"


def test_no_ects_sets_the_school_cohort_choice(actor, support_user):
    partnership = PartnershipFactory(cohort=cohort(2024))
    school_cohort = SchoolCohortFactory(school=partnership.school, cohort=cohort(2024))

    partnership_challenge(partnership=partnership, reason="no_ects", actor=actor)

    school_cohort.refresh_from_db()
    assert school_cohort.induction_programme_choice == "no_early_career_teachers"
    latest = school_cohort.history.latest()
    assert (latest.actor_kind, latest.history_user) == ("staff_user", support_user)


def test_no_ects_without_a_school_cohort_records_one(actor):
    partnership = PartnershipFactory(cohort=cohort(2024))
    partnership_challenge(partnership=partnership, reason="no_ects", actor=actor)
    assert (
        SchoolCohort.objects.get(school=partnership.school, cohort=cohort(2024)).induction_programme_choice
        == "no_early_career_teachers"
    )


def test_a_challenged_partnership_cannot_be_challenged_again(actor):
    partnership = PartnershipFactory(challenged=True)
    before = Partnership.objects.filter(pk=partnership.pk).values().get()
    with pytest.raises(PartnershipAlreadyChallengedError) as error:
        partnership_challenge(partnership=partnership, reason="mistake", actor=actor)
    assert error.value.detail == "This partnership has already been challenged."
    assert Partnership.objects.filter(pk=partnership.pk).values().get() == before
    assert PartnershipStateChange.objects.count() == 0


@pytest.mark.parametrize("reason", ["", "because", None])
def test_reason_must_be_from_the_list(actor, reason):
    partnership = PartnershipFactory()
    with pytest.raises(InvalidChallengeReasonError):
        partnership_challenge(partnership=partnership, reason=reason, actor=actor)
    partnership.refresh_from_db()
    assert partnership.status == "active"
    assert PartnershipStateChange.objects.count() == 0


def test_the_status_field_is_protected():
    partnership = PartnershipFactory()
    with pytest.raises(AttributeError):
        partnership.status = "challenged"


def test_database_refuses_an_inconsistent_challenge():
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError):
        Partnership.objects.filter(pk=partnership.pk).update(status="challenged")


def test_database_allows_one_confirmed_partnership_per_school_and_cohort():
    partnership = PartnershipFactory(cohort=cohort(2024))
    with pytest.raises(IntegrityError):
        PartnershipFactory(school=partnership.school, cohort=cohort(2024))


def test_participants_of_a_challenged_partnership_leave_the_providers_endpoints(
    provider_client, lead_provider, actor
):
    from tests.factories.participants import enrol

    record = enrol(lead_provider=lead_provider)
    participant_id = str(record.training_record.participant_id)
    listed = provider_client.get("/api/v3/participants/ecf").json()["data"]
    assert [item["id"] for item in listed] == [participant_id]

    partnership_challenge(partnership=record.induction_programme.partnership, reason="mistake", actor=actor)

    assert provider_client.get("/api/v3/participants/ecf").json() == {"data": []}
    assert provider_client.get(f"/api/v3/participants/ecf/{participant_id}").status_code == 404
    partnership_id = str(record.induction_programme.partnership_id)
    shown = provider_client.get(f"/api/v3/partnerships/ecf/{partnership_id}").json()["data"]["attributes"]
    assert (shown["status"], shown["challenged_reason"]) == ("challenged", "mistake")
