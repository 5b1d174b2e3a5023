"""The emails the service sends: to the school when a provider withdraws a participant, and to the provider
when a school challenges a partnership. Sent only once the change commits."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail

from tests.factories.participants import enrol
from tests.factories.partnerships import PartnershipFactory

pytestmark = pytest.mark.django_db


def withdraw(provider_client, person_id, reason="moved-school"):
    return provider_client.put_json(
        f"/api/v3/participants/ecf/{person_id}/withdraw",
        {
            "data": {
                "type": "participant-withdraw",
                "attributes": {"course_identifier": "ecf-induction", "reason": reason},
            }
        },
    )


@pytest.fixture
def enrolment(lead_provider):
    ir = enrol(lead_provider=lead_provider)
    school = ir.induction_programme.school_cohort.school
    school.name, school.induction_tutor_name, school.induction_tutor_email = (
        "Oak School",
        "Ms Tutor",
        "tutor@oak.example",
    )
    school.primary_contact_email = "office@oak.example"
    school.save()
    person = ir.training_record.participant
    person.full_name = "Sam Teacher"
    person.save()
    return ir


def test_a_provider_withdrawal_emails_the_schools_induction_tutor_after_commit(
    provider_client, lead_provider, enrolment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = withdraw(provider_client, enrolment.training_record.participant_id)
    assert response.status_code == 200
    assert len(callbacks) == 1
    [email] = mail.outbox
    assert email.to == ["tutor@oak.example"]
    assert email.subject == f"{lead_provider.name} has withdrawn Sam Teacher from their training"
    assert "Dear Ms Tutor," in email.body
    assert (
        f"{lead_provider.name} has told us that Sam Teacher (ECT at Oak School) is no longer training"
        in email.body
    )
    assert "Reason given: moved-school" in email.body


def test_a_refused_withdrawal_sends_nothing(provider_client, enrolment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = withdraw(provider_client, enrolment.training_record.participant_id, reason="bored")
    assert response.status_code == 422
    assert callbacks == [] and mail.outbox == []


def test_without_a_tutor_the_school_contact_is_emailed_and_without_any_contact_nothing_is_sent(
    provider_client, enrolment, lead_provider, django_capture_on_commit_callbacks
):
    school = enrolment.induction_programme.school_cohort.school
    school.induction_tutor_email = None
    school.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert withdraw(provider_client, enrolment.training_record.participant_id).status_code == 200
    assert [email.to for email in mail.outbox] == [["office@oak.example"]]
    assert "Dear induction tutor," in mail.outbox[0].body

    other = enrol(lead_provider=lead_provider)
    other_school = other.induction_programme.school_cohort.school
    other_school.induction_tutor_email = other_school.primary_contact_email = None
    other_school.secondary_contact_email = None
    other_school.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert withdraw(provider_client, other.training_record.participant_id).status_code == 200
    assert len(mail.outbox) == 1


def test_finance_withdrawing_on_the_providers_behalf_emails_the_school_too(
    finance_client, enrolment, lead_provider, django_capture_on_commit_callbacks
):
    record = enrolment.training_record
    with django_capture_on_commit_callbacks(execute=True):
        response = finance_client.post(
            f"/admin/participants/trainingrecord/{record.pk}/training-status/",
            {
                "lead_provider": lead_provider.pk,
                "training_status": "withdrawn",
                "reason": "left-teaching-profession",
            },
        )
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == ["tutor@oak.example"] and "Reason given: left-teaching-profession" in email.body


def test_a_challenge_emails_the_provider(client, support_user, django_capture_on_commit_callbacks):
    partnership = PartnershipFactory()
    provider = partnership.lead_provider
    provider.contact_email = "contracts@provider.example"
    provider.save()
    silent = PartnershipFactory()  # its provider has no contact address
    client.force_login(support_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/partnerships/partnership/",
            {
                "action": "challenge_on_behalf",
                ACTION_CHECKBOX_NAME: [str(partnership.pk), str(silent.pk)],
                "apply": "Challenge",
                "reason": "mistake",
            },
        )
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == ["contracts@provider.example"]
    school = partnership.school
    assert email.subject == (
        f"{school.name} has challenged its partnership with {provider.name} ({partnership.cohort.start_year} cohort)"
    )
    assert f"{school.name} (URN {school.urn}) has challenged the partnership" in email.body
    assert "Reason given: The school says the partnership was reported by mistake." in email.body
    assert str(partnership.pk) in email.body
