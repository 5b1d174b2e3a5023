"""GET /api/v3/unfunded-mentors/ecf and /{id}."""

import datetime as dt

import pytest

from participants.models import Participant
from tests.factories.participants import ParticipantFactory, enrol
from tests.factories.partnerships import PartnershipFactory, cohort

pytestmark = pytest.mark.django_db


def ts(value):
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mentored_ect(lead_provider, mentor_record):
    ect = enrol(lead_provider=lead_provider)
    ect.mentor = mentor_record
    ect.save()
    return ect


def test_mentor_trained_by_another_provider_is_unfunded(provider_client, lead_provider, other_lead_provider):
    mentor = enrol(lead_provider=other_lead_provider, participant_type="mentor")
    mentor.preferred_email = "mentor.pref@example.com"
    mentor.save()
    mentored_ect(lead_provider, mentor.training_record)
    mentored_ect(lead_provider, mentor.training_record)  # listed once
    person = Participant.objects.get(pk=mentor.training_record.participant_id)

    response = provider_client.get("/api/v3/unfunded-mentors/ecf")

    expected = {
        "id": str(person.pk),
        "type": "unfunded-mentor",
        "attributes": {
            "full_name": person.full_name,
            "email": "mentor.pref@example.com",
            "teacher_reference_number": person.trn,
            "created_at": ts(person.created_at),
            "updated_at": ts(person.updated_at),
        },
    }
    assert response.json() == {"data": [expected]}
    show = provider_client.get(f"/api/v3/unfunded-mentors/ecf/{person.pk}")
    assert show.status_code == 200
    assert show.json() == {"data": expected}


def test_mentor_trained_by_this_provider_is_not_unfunded(provider_client, lead_provider):
    mentor = enrol(lead_provider=lead_provider, participant_type="mentor")
    mentored_ect(lead_provider, mentor.training_record)
    assert provider_client.get("/api/v3/unfunded-mentors/ecf").json() == {"data": []}
    response = provider_client.get(f"/api/v3/unfunded-mentors/ecf/{mentor.training_record.participant_id}")
    assert response.status_code == 404


def test_mentor_of_another_providers_ect_is_not_listed(provider_client, other_lead_provider):
    mentor = enrol(lead_provider=other_lead_provider, participant_type="mentor")
    mentored_ect(other_lead_provider, mentor.training_record)
    assert provider_client.get("/api/v3/unfunded-mentors/ecf").json() == {"data": []}


def test_mentor_without_induction_records_uses_account_email_and_registration_trn(
    provider_client, lead_provider
):
    from tests.factories.participants import TrainingRecordFactory

    person = ParticipantFactory(trn=None)
    record = TrainingRecordFactory(participant=person, participant_type="mentor", registration_trn="7777777")
    mentored_ect(lead_provider, record)
    [item] = provider_client.get("/api/v3/unfunded-mentors/ecf").json()["data"]
    assert item["attributes"]["email"] == person.email
    assert item["attributes"]["teacher_reference_number"] == "7777777"


def test_no_trn_is_null(provider_client, lead_provider):
    from tests.factories.participants import TrainingRecordFactory

    record = TrainingRecordFactory(participant=ParticipantFactory(trn=None), participant_type="mentor")
    mentored_ect(lead_provider, record)
    [item] = provider_client.get("/api/v3/unfunded-mentors/ecf").json()["data"]
    assert item["attributes"]["teacher_reference_number"] is None


def test_challenged_partnership_ects_do_not_count(provider_client, lead_provider, other_lead_provider):
    mentor = enrol(lead_provider=other_lead_provider, participant_type="mentor")
    ect = enrol(
        partnership=PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024), challenged=True)
    )
    ect.mentor = mentor.training_record
    ect.save()
    assert provider_client.get("/api/v3/unfunded-mentors/ecf").json() == {"data": []}


@pytest.mark.parametrize("bad", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_unknown_id_is_404(provider_client, bad):
    response = provider_client.get(f"/api/v3/unfunded-mentors/ecf/{bad}")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


def test_updated_since_sort_and_default_order(provider_client, lead_provider, other_lead_provider):
    mentors = []
    for _ in range(3):
        mentor = enrol(lead_provider=other_lead_provider, participant_type="mentor")
        mentored_ect(lead_provider, mentor.training_record)
        mentors.append(mentor.training_record.participant_id)
    Participant.objects.filter(pk__in=mentors).update(created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    for index, pk in enumerate(mentors):
        Participant.objects.filter(pk=pk).update(updated_at=dt.datetime(2025, 1, 3 - index, tzinfo=dt.UTC))

    def listed(query=""):
        return [
            item["id"] for item in provider_client.get(f"/api/v3/unfunded-mentors/ecf{query}").json()["data"]
        ]

    assert listed() == [str(pk) for pk in sorted(mentors)]  # created_at ties broken by id
    assert listed("?sort=updated_at") == [str(pk) for pk in reversed(mentors)]
    assert listed("?sort=-updated_at") == [str(pk) for pk in mentors]
    assert listed("?filter[updated_since]=2025-01-02T00:00:00Z&sort=updated_at") == [
        str(mentors[1]),
        str(mentors[0]),
    ]


@pytest.mark.parametrize("rows", [1, 30, 300])
def test_list_uses_constant_queries(
    provider_client, lead_provider, other_lead_provider, django_assert_max_num_queries, rows
):
    partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024))
    other = PartnershipFactory(lead_provider=other_lead_provider, cohort=cohort(2024))
    for _ in range(rows):
        mentor = enrol(partnership=other, participant_type="mentor")
        ect = enrol(partnership=partnership)
        ect.mentor = mentor.training_record
        ect.save()
    # 7 for auth and rate limiting + persons + mentor records + their induction records
    with django_assert_max_num_queries(10):
        response = provider_client.get("/api/v3/unfunded-mentors/ecf?page[per_page]=3000")
    assert len(response.json()["data"]) == rows
