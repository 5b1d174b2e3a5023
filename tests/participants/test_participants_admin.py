"""Participant admin: search, the participant page, finance acting on a provider's behalf."""

import datetime as dt

import pytest

from declarations.models import Declaration
from participants.models import EligibilityChange, InductionRecord, ParticipantIdChange, TrainingStatusChange
from tests.factories.participants import enrol
from tests.factories.partnerships import LeadProviderFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/participants/participant/"


def status_url(record):
    return f"/admin/participants/trainingrecord/{record.pk}/training-status/"


def eligibility_url(record):
    return f"/admin/participants/trainingrecord/{record.pk}/eligibility/"


@pytest.fixture
def person(lead_provider):
    ir = enrol(lead_provider=lead_provider)
    person = ir.training_record.participant
    person.full_name = "Ada Lovelace"
    person.email = "ada@example.com"
    person.trn = "1234567"
    person.save()
    return ir


@pytest.mark.parametrize("term", ["Lovelace", "ada@example", "1234567"])
def test_search_by_name_email_trn(finance_client, person, term):
    enrol()  # someone else
    response = finance_client.get(CHANGELIST, {"q": term})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [person.training_record.participant]


def test_search_by_participant_training_record_and_retired_id(finance_client, person):
    participant = person.training_record.participant
    ParticipantIdChange.objects.create(
        participant=participant,
        from_participant_id="66666666-6666-6666-6666-666666666666",
        to_participant_id=participant.pk,
    )
    enrol()
    for term in (str(participant.pk), str(person.training_record_id), "66666666-6666-6666-6666-666666666666"):
        response = finance_client.get(CHANGELIST, {"q": term})
        assert list(response.context["cl"].result_list) == [participant], term


def test_participant_page_shows_history_and_declarations(finance_client, person, lead_provider):
    record = person.training_record
    TrainingStatusChange.objects.create(
        training_record=record,
        lead_provider=lead_provider,
        induction_record=person,
        from_status="active",
        to_status="deferred",
        reason="career-break",
        actor_kind="command",
        actor_id="t",
    )
    Declaration.objects.create(
        participant=record.participant,
        training_record=record,
        lead_provider=lead_provider,
        cohort=record.schedule.cohort,
        declaration_type="started",
        declaration_date=dt.datetime(2024, 10, 1, tzinfo=dt.UTC),
        course_identifier="ecf-induction",
    )
    response = finance_client.get(f"/admin/participants/participant/{record.participant_id}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Induction history" in html and "State history" in html and "Declarations" in html
    assert "active → deferred" in html
    assert "career-break" in html
    assert "started" in html
    assert lead_provider.name in html


def test_finance_defers_on_a_providers_behalf(finance_client, finance_user, person, lead_provider):
    record = person.training_record
    page = finance_client.get(status_url(record))
    assert page.status_code == 200
    assert list(page.context["form"].fields["lead_provider"].queryset) == [lead_provider]

    response = finance_client.post(
        status_url(record), {"lead_provider": lead_provider.pk, "action": "defer", "reason": "parental-leave"}
    )

    assert response.status_code == 302
    change = TrainingStatusChange.objects.get()
    assert (change.to_status, change.reason, change.lead_provider) == (
        "deferred",
        "parental-leave",
        lead_provider,
    )
    assert (change.actor_kind, change.actor_id) == ("staff_user", str(finance_user.pk))
    assert (
        InductionRecord.objects.get(training_record=record, end_date__isnull=True).training_status
        == "deferred"
    )


def test_refused_transition_changes_nothing(finance_client, person, lead_provider):
    record = person.training_record
    response = finance_client.post(
        status_url(record), {"lead_provider": lead_provider.pk, "action": "resume"}
    )
    assert response.status_code == 200
    assert "The participant is already active" in response.content.decode()
    assert TrainingStatusChange.objects.count() == 0
    person.refresh_from_db()
    assert (person.training_status, person.end_date) == ("active", None)


def test_defer_without_reason_is_refused(finance_client, person, lead_provider):
    response = finance_client.post(
        status_url(person.training_record), {"lead_provider": lead_provider.pk, "action": "defer"}
    )
    assert response.status_code == 200
    assert "must be present" in response.content.decode()
    assert TrainingStatusChange.objects.count() == 0


def test_a_provider_the_record_never_trained_with_cannot_be_chosen(finance_client, person):
    stranger = LeadProviderFactory(name="Stranger")
    response = finance_client.post(
        status_url(person.training_record),
        {"lead_provider": stranger.pk, "action": "withdraw", "reason": "other"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["lead_provider"]
    assert TrainingStatusChange.objects.count() == 0


def test_finance_sets_eligibility(finance_client, finance_user, person):
    record = person.training_record
    response = finance_client.post(
        eligibility_url(record), {"status": "ineligible", "reason": "previous_induction"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.eligibility_status, record.eligibility_reason) == ("ineligible", "previous_induction")
    change = EligibilityChange.objects.get()
    assert (change.actor_kind, change.actor_id) == ("staff_user", str(finance_user.pk))


def test_bad_eligibility_is_reported(finance_client, person):
    record = person.training_record
    response = finance_client.post(eligibility_url(record), {"status": "manual_check", "reason": ""})
    assert response.status_code == 200
    assert "A reason is required" in response.content.decode()
    assert EligibilityChange.objects.count() == 0


def test_support_staff_cannot_act(client, support_user, person, lead_provider):
    client.force_login(support_user)
    record = person.training_record
    assert client.get(status_url(record)).status_code == 403
    assert client.post(eligibility_url(record), {"status": "eligible"}).status_code == 403
    assert client.get(CHANGELIST, {"q": "Lovelace"}).status_code == 200
    assert EligibilityChange.objects.count() == 0
