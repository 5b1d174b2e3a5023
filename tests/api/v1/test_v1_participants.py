"""GET /api/v1/participants/ecf (also /api/v1/participants) and /api/v1/participants/ecf/{id}: one flat item
per training record, from the provider's latest induction record (L) of that record."""

import datetime as dt

import pytest

from participants.models import Participant, TrainingRecord
from tests.contracts import assert_matches_contract
from tests.factories.participants import (
    InductionRecordFactory,
    ParticipantFactory,
    add_induction_record,
    enrol,
    schedule,
)
from tests.factories.partnerships import PartnershipFactory, cohort

pytestmark = pytest.mark.django_db

LIST = "/api/v1/participants/ecf"


def ts(value):
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def items(response):
    assert response.status_code == 200, response.content
    assert_matches_contract(response)
    return response.json()["data"]


def rows(response):
    """(person id, training record id) of each item, in order."""
    return [(item["id"], item["attributes"]["training_record_id"]) for item in items(response)]


def test_show_returns_the_flat_v1_resource(provider_client, lead_provider):
    mentor_ir = enrol(lead_provider=lead_provider, participant_type="mentor")
    ir = enrol(lead_provider=lead_provider, pupil_premium_uplift=True)
    ir.mentor = mentor_ir.training_record
    ir.preferred_email = "preferred@example.com"
    ir.save()
    person = Participant.objects.get(pk=ir.training_record.participant_id)
    record = TrainingRecord.objects.get(pk=ir.training_record_id)

    response = provider_client.get(f"/api/v1/participants/ecf/{person.pk}")

    assert response.status_code == 200
    assert_matches_contract(response)
    assert response.json() == {
        "data": {
            "id": str(person.pk),
            "type": "participant",
            "attributes": {
                "email": "preferred@example.com",
                "full_name": person.full_name,
                "mentor_id": str(mentor_ir.training_record.participant_id),
                "school_urn": ir.induction_programme.school_cohort.school.urn,
                "participant_type": "ect",
                "cohort": "2024",
                "status": "active",
                "teacher_reference_number": person.trn,
                "teacher_reference_number_validated": True,
                "eligible_for_funding": True,
                "pupil_premium_uplift": True,
                "sparsity_uplift": False,
                "training_status": "active",
                "training_record_id": str(record.pk),
                "schedule_identifier": "ecf-standard-september",
                "updated_at": ts(max(person.updated_at, record.updated_at, ir.updated_at)),
            },
        }
    }


def test_a_person_with_ect_and_mentor_records_is_listed_twice(provider_client, lead_provider):
    ect = enrol(lead_provider=lead_provider)
    person = ect.training_record.participant
    mentor = enrol(lead_provider=lead_provider, participant=person, participant_type="mentor")

    listed = items(provider_client.get(LIST))

    assert [item["id"] for item in listed] == [str(person.pk), str(person.pk)]
    assert [item["attributes"]["training_record_id"] for item in listed] == [
        str(ect.training_record_id),
        str(mentor.training_record_id),
    ]
    assert [item["attributes"]["participant_type"] for item in listed] == ["ect", "mentor"]
    # The show answers with the ECT record.
    shown = provider_client.get(f"/api/v1/participants/ecf/{person.pk}").json()["data"]
    assert shown["attributes"]["training_record_id"] == str(ect.training_record_id)


def test_the_alias_and_json_suffix_list_the_same(provider_client, lead_provider):
    enrol(lead_provider=lead_provider)
    expected = provider_client.get(LIST).json()
    assert provider_client.get("/api/v1/participants").json() == expected
    assert provider_client.get("/api/v1/participants/ecf.json").json() == expected
    assert len(expected["data"]) == 1


def test_the_alias_has_no_show(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    response = provider_client.get(f"/api/v1/participants/{ir.training_record.participant_id}")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


def test_without_a_token_is_401(anonymous_client):
    response = anonymous_client.get(LIST)
    assert response.status_code == 401
    assert_matches_contract(response)
    assert (
        anonymous_client.get("/api/v1/participants/ecf/00000000-0000-0000-0000-000000000000").status_code
        == 401
    )


def test_another_providers_participant_is_not_listed_and_is_404(provider_client, other_lead_provider):
    ir = enrol(lead_provider=other_lead_provider)

    assert items(provider_client.get(LIST)) == []
    response = provider_client.get(f"/api/v1/participants/ecf/{ir.training_record.participant_id}")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "1"])
def test_unknown_or_malformed_id_is_404(provider_client, bad_id):
    response = provider_client.get(f"/api/v1/participants/ecf/{bad_id}")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


def test_challenged_partnership_hides_participants(provider_client, lead_provider):
    partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024), challenged=True)
    ir = enrol(partnership=partnership)

    assert items(provider_client.get(LIST)) == []
    assert (
        provider_client.get(f"/api/v1/participants/ecf/{ir.training_record.participant_id}").status_code
        == 404
    )


def test_each_row_comes_from_the_latest_unchallenged_record(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    challenged = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024), challenged=True)
    InductionRecordFactory(
        training_record=ir.training_record,
        induction_programme__partnership=challenged,
        induction_programme__school_cohort__school=challenged.school,
        start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        training_status="withdrawn",
    )

    [item] = items(provider_client.get(LIST))
    assert item["attributes"]["training_status"] == "active"
    assert item["attributes"]["school_urn"] == ir.induction_programme.school_cohort.school.urn


def test_cohort_filter_chooses_the_latest_record_within_the_cohorts(provider_client, lead_provider):
    """Unlike v3, L is chosen among the records in the filtered cohorts: a record that moved from 2024 to
    2025 still shows its 2024 record when 2024 is asked for."""
    ir = enrol(lead_provider=lead_provider)
    ir.end_date = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    ir.save()
    newer = add_induction_record(
        ir.training_record,
        lead_provider=lead_provider,
        schedule=schedule(2025),
        start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )

    [in_2024] = items(provider_client.get(f"{LIST}?filter[cohort]=2024"))
    assert in_2024["attributes"]["school_urn"] == ir.induction_programme.school_cohort.school.urn
    [in_2025] = items(provider_client.get(f"{LIST}?filter[cohort]=2025"))
    assert in_2025["attributes"]["school_urn"] == newer.induction_programme.school_cohort.school.urn
    [latest] = items(provider_client.get(LIST))
    assert latest["attributes"]["school_urn"] == newer.induction_programme.school_cohort.school.urn
    assert items(provider_client.get(f"{LIST}?filter[cohort]=2023")) == []
    assert items(provider_client.get(f"{LIST}?filter[cohort]=abc")) == []
    # The same data in v3: the 2024 filter matches nothing, since L (2025) is chosen first.
    assert provider_client.get("/api/v3/participants/ecf?filter[cohort]=2024").json() == {"data": []}


@pytest.mark.parametrize(
    ("induction_status", "status"),
    [
        ("active", "active"),
        ("completed", "active"),
        ("leaving", "active"),
        ("withdrawn", "withdrawn"),
        ("changed", "withdrawn"),
    ],
)
def test_status_folds_the_induction_status(provider_client, lead_provider, induction_status, status):
    enrol(lead_provider=lead_provider).__class__.objects.update(induction_status=induction_status)
    [item] = items(provider_client.get(LIST))
    assert item["attributes"]["status"] == status


def test_trn_falls_back_to_the_registration_trn(provider_client, lead_provider):
    person = ParticipantFactory(trn=None)
    enrol(lead_provider=lead_provider, participant=person, registration_trn="7654321")
    [item] = items(provider_client.get(LIST))
    assert item["attributes"]["teacher_reference_number"] == "7654321"


def test_no_trn_anywhere_gives_nulls(provider_client, lead_provider):
    enrol(lead_provider=lead_provider, participant=ParticipantFactory(trn=None), not_yet_eligible=True)
    [item] = items(provider_client.get(LIST))
    assert item["attributes"]["teacher_reference_number"] is None
    assert item["attributes"]["teacher_reference_number_validated"] is None
    assert item["attributes"]["eligible_for_funding"] is None


def test_updated_at_is_that_of_the_person_record_and_row_only(provider_client, lead_provider):
    ect = enrol(lead_provider=lead_provider)
    person = ect.training_record.participant
    mentor = enrol(lead_provider=lead_provider, participant=person, participant_type="mentor")
    later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    type(mentor).objects.filter(pk=mentor.pk).update(updated_at=later)

    by_record = {
        item["attributes"]["training_record_id"]: item["attributes"]["updated_at"]
        for item in items(provider_client.get(LIST))
    }
    assert by_record[str(mentor.training_record_id)] == "2030-01-01T00:00:00Z"
    assert by_record[str(ect.training_record_id)] != "2030-01-01T00:00:00Z"


def test_updated_since_is_inclusive_and_orders_by_person_updated_at(provider_client, lead_provider):
    first, second = enrol(lead_provider=lead_provider), enrol(lead_provider=lead_provider)
    Participant.objects.filter(pk=first.training_record.participant_id).update(
        updated_at=dt.datetime(2030, 1, 2, tzinfo=dt.UTC)
    )
    Participant.objects.filter(pk=second.training_record.participant_id).update(
        updated_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    )

    listed = rows(provider_client.get(f"{LIST}?filter[updated_since]=2030-01-01T00:00:00Z"))
    assert [person for person, _ in listed] == [
        str(second.training_record.participant_id),
        str(first.training_record.participant_id),
    ]
    assert rows(provider_client.get(f"{LIST}?filter[updated_since]=2030-01-02T00:00:01Z")) == []


def test_default_order_is_person_creation_and_sort_is_not_supported(provider_client, lead_provider):
    irs = [enrol(lead_provider=lead_provider) for _ in range(3)]
    expected = [str(ir.training_record.participant_id) for ir in irs]
    assert [person for person, _ in rows(provider_client.get(LIST))] == expected
    assert [person for person, _ in rows(provider_client.get(f"{LIST}?sort=-created_at"))] == expected


def test_pages_are_per_training_record(provider_client, lead_provider):
    ect = enrol(lead_provider=lead_provider)
    enrol(lead_provider=lead_provider, participant=ect.training_record.participant, participant_type="mentor")
    enrol(lead_provider=lead_provider)
    pages = [rows(provider_client.get(f"{LIST}?page[per_page]=1&page[page]={n}")) for n in (1, 2, 3, 4)]
    assert [len(page) for page in pages] == [1, 1, 1, 0]
    assert pages[0][0][0] == pages[1][0][0]


@pytest.mark.parametrize(
    ("query", "title", "detail"),
    [
        (
            "filter[updated_since]=yesterday",
            "Bad request",
            "The filter '#/updated_since' must be a valid RCF3339 date",
        ),
        ("filter=abc", "Bad parameter", "Filter must be a hash"),
        (
            "page[per_page]=0",
            "Bad request",
            "The '#/page[page]' and '#/page[per_page]' parameter values must be a valid number (equal and more than 1)",
        ),
    ],
)
def test_bad_parameters_are_400(provider_client, query, title, detail):
    response = provider_client.get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"title": title, "detail": detail}]}


@pytest.mark.parametrize("count", [1, 30, 300])
def test_list_uses_a_constant_number_of_queries(
    provider_client, lead_provider, django_assert_max_num_queries, count
):
    partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024))
    mentor = enrol(partnership=partnership, participant_type="mentor")
    for index in range(count):
        ir = enrol(partnership=partnership)
        if index % 2:
            ir.mentor = mentor.training_record
            ir.save()
    # 7 for auth and rate limiting + 1: every row with its joins
    with django_assert_max_num_queries(8):
        response = provider_client.get(f"{LIST}?page[per_page]=3000")
    assert len(items(response)) == count + 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/participants/ecf?filter[cohort]=%00",
        "/api/v1/participants/ecf?filter[updated_since]=%00",
        "/api/v1/participants/ecf?filter[cohort]=2024,%00,x",
        "/api/v1/participants/ecf?page[page]=%00",
        "/api/v1/participants/ecf/%00",
        "/api/v1/participants/ecf.csv?filter[cohort]=%00",
        "/api/v1/participants/%00",
    ],
)
def test_odd_query_values_never_give_a_500(provider_client, lead_provider, path):
    enrol(lead_provider=lead_provider)
    response = provider_client.get(path)
    assert response.status_code in (200, 400, 404)
