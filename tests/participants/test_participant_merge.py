"""Support merging a duplicate person into another: the confirmation page, the merge, every refusal, the
audit, retries, and what providers see afterwards."""

import pytest
from django.test import Client

from config.actors import Actor
from config.errors import DomainError
from declarations import visibility
from declarations.models import Declaration
from participants import current_records
from participants.models import CurrentInductionRecord, Participant, ParticipantIdChange, TrainingRecord
from participants.services import participant_merge
from tests.conftest import make_provider_client
from tests.factories.declarations import DeclarationFactory
from tests.factories.participants import ParticipantFactory, enrol

pytestmark = pytest.mark.django_db

DUPLICATES = "/admin/participants/participant/duplicates/"


def merge_url(retired, survivor=None):
    url = f"/admin/participants/participant/{retired.pk}/merge/"
    return url + (f"?into={survivor.pk}" if survivor else "")


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def duplicates(lead_provider, other_lead_provider):
    """One teacher registered twice: as an ECT with `lead_provider` (the survivor) and as an ECT and a mentor
    with `other_lead_provider` (the retired person), sharing a TRN."""
    survivor_ect = enrol(lead_provider=lead_provider, participant=ParticipantFactory(trn="7654321"))
    retired = ParticipantFactory(trn="7654321", full_name="Ada Duplicate", email="ada.dup@example.com")
    retired_ect = enrol(lead_provider=other_lead_provider, participant=retired)
    retired_mentor = enrol(lead_provider=other_lead_provider, participant=retired, participant_type="mentor")
    return survivor_ect, retired_ect, retired_mentor


def test_merge_from_the_duplicates_list(client, support_user, duplicates, lead_provider, other_lead_provider):
    survivor_ect, retired_ect, retired_mentor = duplicates
    survivor = survivor_ect.training_record.participant
    retired = retired_ect.training_record.participant
    started = DeclarationFactory(lead_provider=other_lead_provider, enrolment=retired_ect, paid=True)
    mentor_started = DeclarationFactory(lead_provider=other_lead_provider, enrolment=retired_mentor)
    survivor_retained = DeclarationFactory(
        lead_provider=lead_provider, enrolment=survivor_ect, declaration_type="retained-1"
    )
    client.force_login(support_user)

    listing = client.get(DUPLICATES).content.decode()
    assert merge_url(retired, survivor).replace("?", "?") in listing.replace("&amp;", "&")

    page = client.get(merge_url(retired, survivor))
    assert page.status_code == 200
    html = page.content.decode()
    assert "What will move to" in html
    assert str(retired_ect.training_record.pk) in html and str(retired_mentor.training_record.pk) in html
    assert "kept as a withdrawn record" in html  # the survivor already has an active ECT record
    assert Participant.objects.filter(pk=retired.pk).exists()  # GET changes nothing

    response = client.post(merge_url(retired), {"into": str(survivor.pk)})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/participants/participant/{survivor.pk}/change/"
    assert messages_of(response) == [
        f"Ada Duplicate ({retired.pk}) is merged into {survivor}: their 2 training record(s) and declarations "
        f"now belong to {survivor}. Providers find this person with filter[from_participant_id]={retired.pk}."
    ]

    assert not Participant.objects.filter(pk=retired.pk).exists()
    change = ParticipantIdChange.objects.get(from_participant_id=retired.pk)
    assert (change.participant_id, change.to_participant_id) == (survivor.pk, survivor.pk)
    assert (change.actor_kind, change.actor_id) == ("staff_user", str(support_user.pk))
    assert (change.from_full_name, change.from_email) == ("Ada Duplicate", "ada.dup@example.com")

    records = {r.pk: r for r in TrainingRecord.objects.filter(participant=survivor)}
    assert set(records) == {
        survivor_ect.training_record_id,
        retired_ect.training_record_id,
        retired_mentor.training_record_id,
    }
    assert records[retired_ect.training_record_id].record_status == "withdrawn"
    assert records[retired_mentor.training_record_id].record_status == "active"
    assert records[survivor_ect.training_record_id].record_status == "active"
    assert set(Declaration.objects.filter(participant=survivor).values_list("pk", flat=True)) == {
        started.pk,
        mentor_started.pk,
        survivor_retained.pk,
    }
    assert Declaration.objects.get(pk=started.pk).state == "paid"  # no money state moves
    # The stored reads follow the move: current records name the survivor, visibility is unchanged.
    assert current_records.drift() == [] and visibility.drift() == []
    assert set(
        CurrentInductionRecord.objects.filter(
            training_record_id__in=[retired_ect.training_record_id, retired_mentor.training_record_id]
        ).values_list("participant_id", flat=True)
    ) == {survivor.pk}

    person_page = client.get(response["Location"]).content.decode()
    assert f"<code>{retired.pk}</code>" in person_page and "was Ada Duplicate" in person_page
    assert "support" in person_page  # who merged

    # A second submit (a double click) says it was done and changes nothing.
    again = client.post(merge_url(retired), {"into": str(survivor.pk)})
    assert again.status_code == 302
    assert again["Location"] == f"/admin/participants/participant/{survivor.pk}/change/"
    assert ParticipantIdChange.objects.filter(participant=survivor).count() == 1


def test_providers_find_the_survivor_by_the_retired_id(duplicates, lead_provider, other_lead_provider):
    survivor_ect, retired_ect, _ = duplicates
    survivor = survivor_ect.training_record.participant
    retired_id = retired_ect.training_record.participant_id
    participant_merge(retired_id=retired_id, survivor_id=survivor.pk, actor=Actor.command("test"))

    for provider in (lead_provider, other_lead_provider):
        api = make_provider_client(provider)
        assert api.get(f"/api/v3/participants/ecf/{retired_id}").status_code == 404  # not resolved here
        found = api.get(f"/api/v3/participants/ecf?filter[from_participant_id]={retired_id}").json()["data"]
        assert [row["id"] for row in found] == [str(survivor.pk)]
        assert found[0]["attributes"]["participant_id_changes"][0]["from_participant_id"] == str(retired_id)
        assert found[0]["attributes"]["participant_id_changes"][0]["to_participant_id"] == str(survivor.pk)
    # The provider that trained the retired person still sees that training, now under the survivor.
    shown = make_provider_client(other_lead_provider).get(f"/api/v3/participants/ecf/{survivor.pk}").json()
    assert {e["training_record_id"] for e in shown["data"]["attributes"]["ecf_enrolments"]} >= {
        str(retired_ect.training_record_id)
    }


def test_provider_actions_with_the_retired_id_reach_the_survivor(duplicates, other_lead_provider):
    survivor_ect, _, retired_mentor = duplicates
    retired_id = retired_mentor.training_record.participant_id
    survivor = survivor_ect.training_record.participant
    participant_merge(retired_id=retired_id, survivor_id=survivor.pk, actor=Actor.command("test"))
    response = make_provider_client(other_lead_provider).put_json(
        f"/api/v3/participants/ecf/{retired_id}/defer",
        {
            "data": {
                "type": "participant-defer",
                "attributes": {"course_identifier": "ecf-mentor", "reason": "other"},
            }
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["id"] == str(survivor.pk)


def test_refused_when_both_hold_a_live_declaration_for_the_same_slot(
    client, support_user, duplicates, lead_provider, other_lead_provider
):
    survivor_ect, retired_ect, _ = duplicates
    survivor, retired = survivor_ect.training_record.participant, retired_ect.training_record.participant
    DeclarationFactory(lead_provider=lead_provider, enrolment=survivor_ect, eligible=True)
    DeclarationFactory(lead_provider=other_lead_provider, enrolment=retired_ect, paid=True)
    client.force_login(support_user)
    message = (
        "Both hold a live started declaration for ecf-induction: one of them must be voided (on the "
        "provider's behalf) before they can be merged."
    )

    page = client.get(merge_url(retired, survivor)).content.decode()
    assert "cannot be merged" in page and message.replace("'", "&#x27;") in page
    assert 'id="merge-form"' not in page

    response = client.post(merge_url(retired), {"into": str(survivor.pk)})
    assert response.status_code == 200
    assert messages_of(response) == [f"Not merged: {message}"]
    assert Participant.objects.filter(pk=retired.pk).exists()
    assert not ParticipantIdChange.objects.exists()


def test_a_voided_declaration_does_not_hold_the_slot(duplicates, lead_provider, other_lead_provider):
    survivor_ect, retired_ect, _ = duplicates
    DeclarationFactory(lead_provider=lead_provider, enrolment=survivor_ect, eligible=True)
    DeclarationFactory(lead_provider=other_lead_provider, enrolment=retired_ect, voided=True)
    change = participant_merge(
        retired_id=retired_ect.training_record.participant_id,
        survivor_id=survivor_ect.training_record.participant_id,
        actor=Actor.command("test"),
    )
    assert Declaration.objects.filter(participant_id=change.participant_id).count() == 2


def test_refused_for_different_trns_and_the_same_person(duplicates):
    survivor_ect, retired_ect, _ = duplicates
    survivor, retired = survivor_ect.training_record.participant, retired_ect.training_record.participant
    Participant.objects.filter(pk=retired.pk).update(trn="1111111")
    actor = Actor.command("test")
    with pytest.raises(DomainError, match=r"different TRNs \(1111111 and 7654321\)"):
        participant_merge(retired_id=retired.pk, survivor_id=survivor.pk, actor=actor)
    with pytest.raises(DomainError, match="cannot be merged into themselves"):
        participant_merge(retired_id=retired.pk, survivor_id=retired.pk, actor=actor)
    with pytest.raises(DomainError, match="must be UUIDs"):
        participant_merge(retired_id="nope", survivor_id=retired.pk, actor=actor)


def test_retry_is_idempotent_and_a_retired_id_cannot_be_merged_elsewhere_or_merged_into(duplicates):
    survivor_ect, retired_ect, _ = duplicates
    survivor, retired = survivor_ect.training_record.participant, retired_ect.training_record.participant
    third = ParticipantFactory(trn="7654321")
    actor = Actor.command("test")
    first = participant_merge(retired_id=retired.pk, survivor_id=survivor.pk, actor=actor)
    assert participant_merge(retired_id=retired.pk, survivor_id=survivor.pk, actor=actor) == first
    with pytest.raises(DomainError, match=f"already merged into {survivor.pk}"):
        participant_merge(retired_id=retired.pk, survivor_id=third.pk, actor=actor)
    with pytest.raises(DomainError, match=f"was itself merged into {survivor.pk}: merge into that person"):
        participant_merge(retired_id=third.pk, survivor_id=retired.pk, actor=actor)
    with pytest.raises(DomainError, match="No person has the id"):
        participant_merge(
            retired_id="00000000-0000-0000-0000-000000000001", survivor_id=survivor.pk, actor=actor
        )


def test_merging_a_survivor_on_carries_its_retired_ids(duplicates):
    survivor_ect, retired_ect, _ = duplicates
    survivor, retired = survivor_ect.training_record.participant, retired_ect.training_record.participant
    third = ParticipantFactory(trn="7654321")
    actor = Actor.command("test")
    participant_merge(retired_id=retired.pk, survivor_id=survivor.pk, actor=actor)
    participant_merge(retired_id=survivor.pk, survivor_id=third.pk, actor=actor)
    assert set(
        ParticipantIdChange.objects.filter(participant=third).values_list("from_participant_id", flat=True)
    ) == {
        retired.pk,
        survivor.pk,
    }
    assert TrainingRecord.objects.filter(participant=third).count() == 3


def test_only_staff_allowed_to_merge_see_and_use_it(django_user_model, duplicates, finance_user):
    survivor_ect, retired_ect, _ = duplicates
    survivor, retired = survivor_ect.training_record.participant, retired_ect.training_record.participant
    client, finance_client = Client(), Client()
    finance_client.force_login(finance_user)
    viewer = django_user_model.objects.create_user(username="viewer", password="x", is_staff=True)
    client.force_login(viewer)
    assert client.get(merge_url(retired, survivor)).status_code == 403
    assert client.post(merge_url(retired), {"into": str(survivor.pk)}).status_code == 403
    assert Participant.objects.filter(pk=retired.pk).exists()
    # Finance may merge too; the person page offers it.
    page = finance_client.get(f"/admin/participants/participant/{retired.pk}/change/").content.decode()
    assert f'href="{merge_url(retired)}"' in page


def test_choosing_the_survivor(client, support_user, duplicates):
    survivor_ect, retired_ect, _ = duplicates
    survivor, retired = survivor_ect.training_record.participant, retired_ect.training_record.participant
    client.force_login(support_user)
    page = client.get(merge_url(retired)).content.decode()
    assert f'href="?into={survivor.pk}"' in page  # people sharing the TRN are offered
    unknown = client.get(merge_url(retired) + "?into=00000000-0000-0000-0000-000000000009").content.decode()
    assert "No person has the id 00000000-0000-0000-0000-000000000009" in unknown
    assert (
        client.get("/admin/participants/participant/00000000-0000-0000-0000-000000000009/merge/").status_code
        == 404
    )
