import datetime as dt

import pytest

from participants.models import ParticipantIdChange, TrainingStatusChange
from tests.factories.participants import (
    InductionRecordFactory,
    ParticipantFactory,
    add_induction_record,
    enrol,
)
from tests.factories.partnerships import PartnershipFactory, cohort

pytestmark = pytest.mark.django_db


def ts(value):
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_show_returns_the_full_v3_resource(provider_client, lead_provider):
    mentor_ir = enrol(lead_provider=lead_provider, participant_type="mentor")
    ir = enrol(lead_provider=lead_provider, pupil_premium_uplift=True)
    ir.mentor = mentor_ir.training_record
    ir.preferred_email = "preferred@example.com"
    ir.save()
    person = ir.training_record.participant
    person.refresh_from_db()
    record = ir.training_record
    record.refresh_from_db()

    response = provider_client.get(f"/api/v3/participants/ecf/{person.pk}")

    assert response.status_code == 200
    partnership = ir.induction_programme.partnership
    assert response.json() == {
        "data": {
            "id": str(person.pk),
            "type": "participant",
            "attributes": {
                "full_name": person.full_name,
                "teacher_reference_number": person.trn,
                "updated_at": ts(max(person.updated_at, record.updated_at, ir.updated_at)),
                "ecf_enrolments": [
                    {
                        "training_record_id": str(record.pk),
                        "email": "preferred@example.com",
                        "mentor_id": str(mentor_ir.training_record.participant_id),
                        "school_urn": partnership.school.urn,
                        "participant_type": "ect",
                        "cohort": "2024",
                        "training_status": "active",
                        "participant_status": "active",
                        "teacher_reference_number_validated": True,
                        "eligible_for_funding": True,
                        "pupil_premium_uplift": True,
                        "sparsity_uplift": False,
                        "schedule_identifier": "ecf-standard-september",
                        "delivery_partner_id": str(partnership.delivery_partner_id),
                        "withdrawal": None,
                        "deferral": None,
                        "created_at": ts(record.created_at),
                        "induction_end_date": None,
                        "mentor_funding_end_date": None,
                        "cohort_changed_after_payments_frozen": False,
                        "mentor_ineligible_for_funding_reason": None,
                    }
                ],
                "participant_id_changes": [],
            },
        }
    }


def test_list_smoke(provider_client, lead_provider):
    enrol(lead_provider=lead_provider)
    response = provider_client.get("/api/v3/participants/ecf")
    assert response.status_code == 200
    assert len(response.json()["data"]) == 1


def enrolments(response):
    return [e for item in response.json()["data"] for e in item["attributes"]["ecf_enrolments"]]


def ids(response):
    return [item["id"] for item in response.json()["data"]]


# --- visibility -----------------------------------------------------------------------------


def test_another_providers_participant_is_not_listed_and_is_404(provider_client, other_lead_provider):
    ir = enrol(lead_provider=other_lead_provider)
    person_id = ir.training_record.participant_id

    assert provider_client.get("/api/v3/participants/ecf").json() == {"data": []}
    response = provider_client.get(f"/api/v3/participants/ecf/{person_id}")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "1"])
def test_unknown_or_malformed_id_is_404(provider_client, bad_id):
    response = provider_client.get(f"/api/v3/participants/ecf/{bad_id}")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


def test_challenged_partnership_hides_participants(provider_client, lead_provider):
    partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024), challenged=True)
    ir = enrol(partnership=partnership)

    assert provider_client.get("/api/v3/participants/ecf").json() == {"data": []}
    assert (
        provider_client.get(f"/api/v3/participants/ecf/{ir.training_record.participant_id}").status_code
        == 404
    )


def test_latest_record_chosen_among_the_providers_unchallenged_records(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    # A newer record under a challenged partnership of the same provider is ignored.
    challenged = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024), challenged=True)
    InductionRecordFactory(
        training_record=ir.training_record,
        induction_programme__partnership=challenged,
        induction_programme__school_cohort__school=challenged.school,
        start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        training_status="withdrawn",
    )

    [item] = enrolments(provider_client.get("/api/v3/participants/ecf"))
    assert item["training_status"] == "active"
    assert item["school_urn"] == ir.induction_programme.school_cohort.school.urn


def test_old_provider_keeps_seeing_a_participant_who_left(
    provider_client, lead_provider, other_lead_provider
):
    ir = enrol(lead_provider=lead_provider)
    ir.end_date = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    ir.induction_status = "leaving"
    ir.save()
    enrol(lead_provider=other_lead_provider, participant=ParticipantFactory())  # unrelated noise
    add_induction_record(
        ir.training_record,
        lead_provider=other_lead_provider,
        start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )

    [item] = enrolments(provider_client.get("/api/v3/participants/ecf"))
    assert item["participant_status"] == "left"


@pytest.mark.parametrize(
    ("start", "end", "induction_status", "expected"),
    [
        (
            dt.datetime(2024, 9, 1, tzinfo=dt.UTC),
            dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
            "leaving",
            "leaving",
        ),
        (dt.datetime(2024, 9, 1, tzinfo=dt.UTC), dt.datetime(2025, 1, 1, tzinfo=dt.UTC), "leaving", "left"),
        (dt.datetime(2099, 9, 1, tzinfo=dt.UTC), None, "active", "joining"),
        (dt.datetime(2024, 9, 1, tzinfo=dt.UTC), None, "active", "active"),
        (dt.datetime(2024, 9, 1, tzinfo=dt.UTC), None, "completed", "active"),
        (dt.datetime(2024, 9, 1, tzinfo=dt.UTC), None, "withdrawn", "withdrawn"),
        (dt.datetime(2024, 9, 1, tzinfo=dt.UTC), None, "changed", "withdrawn"),
        (dt.datetime(2024, 9, 1, tzinfo=dt.UTC), None, "leaving", None),
    ],
)
def test_participant_status_is_derived_at_request_time(
    provider_client, lead_provider, start, end, induction_status, expected
):
    ir = enrol(lead_provider=lead_provider)
    ir.start_date, ir.end_date, ir.induction_status = start, end, induction_status
    ir.save()

    [item] = enrolments(provider_client.get("/api/v3/participants/ecf"))
    assert item["participant_status"] == expected


def test_person_with_ect_and_mentor_records_has_two_enrolments_by_creation(provider_client, lead_provider):
    ect = enrol(lead_provider=lead_provider)
    person = ect.training_record.participant
    mentor = enrol(lead_provider=lead_provider, participant=person, participant_type="mentor")
    mentor.training_record.mentor_completion_date = dt.date(2025, 7, 1)
    mentor.training_record.mentor_completion_reason = "completed_declaration_received"
    mentor.training_record.induction_completion_date = dt.date(2025, 7, 2)
    mentor.training_record.save()

    response = provider_client.get("/api/v3/participants/ecf")

    assert ids(response) == [str(person.pk)]
    first, second = enrolments(response)
    assert (first["participant_type"], second["participant_type"]) == ("ect", "mentor")
    assert second["mentor_id"] is None
    assert second["mentor_funding_end_date"] == "2025-07-01"
    assert second["mentor_ineligible_for_funding_reason"] == "completed_declaration_received"
    assert second["induction_end_date"] == "2025-07-02"
    assert first["mentor_funding_end_date"] is None
    assert first["mentor_ineligible_for_funding_reason"] is None


@pytest.mark.parametrize(
    ("status", "reason", "eligible", "validated"),
    [
        ("eligible", "none", True, True),
        ("ineligible", "previous_induction", False, True),
        ("manual_check", "different_trn", None, False),
        ("matched", "none", None, True),
        (None, None, None, False),
    ],
)
def test_eligibility_and_trn_validation(provider_client, lead_provider, status, reason, eligible, validated):
    enrol(lead_provider=lead_provider, eligibility_status=status, eligibility_reason=reason)
    [item] = enrolments(provider_client.get("/api/v3/participants/ecf"))
    assert item["eligible_for_funding"] is eligible
    assert item["teacher_reference_number_validated"] is validated


def test_no_trn_anywhere_gives_null_validation_and_top_level_trn(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider, participant=ParticipantFactory(trn=None))
    response = provider_client.get(f"/api/v3/participants/ecf/{ir.training_record.participant_id}")
    attributes = response.json()["data"]["attributes"]
    assert attributes["teacher_reference_number"] is None
    assert attributes["ecf_enrolments"][0]["teacher_reference_number_validated"] is None


def test_registration_trn_only_is_not_the_top_level_trn(provider_client, lead_provider):
    ir = enrol(
        lead_provider=lead_provider, participant=ParticipantFactory(trn=None), registration_trn="7654321"
    )
    attributes = provider_client.get(f"/api/v3/participants/ecf/{ir.training_record.participant_id}").json()[
        "data"
    ]["attributes"]
    assert attributes["teacher_reference_number"] is None
    assert attributes["ecf_enrolments"][0]["teacher_reference_number_validated"] is True


def test_blank_preferred_email_falls_back_to_account_email(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    ir.preferred_email = "  "
    ir.save()
    [item] = enrolments(provider_client.get("/api/v3/participants/ecf"))
    assert item["email"] == ir.training_record.participant.email


def _status_change(ir, lead_provider, to_status, reason, at):
    return TrainingStatusChange.objects.create(
        training_record=ir.training_record,
        lead_provider=lead_provider,
        induction_record=ir,
        from_status="active",
        to_status=to_status,
        reason=reason,
        changed_at=at,
        actor_kind="command",
        actor_id="test",
    )


def test_withdrawal_shows_the_newest_withdrawal_by_this_provider(
    provider_client, lead_provider, other_lead_provider
):
    ir = enrol(lead_provider=lead_provider, training_status="withdrawn")
    _status_change(ir, lead_provider, "withdrawn", "moved-school", dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    _status_change(ir, lead_provider, "withdrawn", "school-left-fip", dt.datetime(2025, 2, 1, tzinfo=dt.UTC))
    _status_change(ir, other_lead_provider, "withdrawn", "other", dt.datetime(2025, 3, 1, tzinfo=dt.UTC))

    [item] = enrolments(provider_client.get("/api/v3/participants/ecf"))
    assert item["withdrawal"] == {"reason": "switched-to-school-led", "date": "2025-02-01T00:00:00Z"}
    assert item["deferral"] is None


def test_deferral_object_and_withdrawn_without_history_row(provider_client, lead_provider):
    deferred = enrol(lead_provider=lead_provider, training_status="deferred")
    _status_change(
        deferred, lead_provider, "deferred", "career-break", dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    enrol(lead_provider=lead_provider, training_status="withdrawn")

    first, second = enrolments(provider_client.get("/api/v3/participants/ecf"))
    assert first["deferral"] == {"reason": "career-break", "date": "2025-01-01T00:00:00Z"}
    assert first["withdrawal"] is None
    assert second["withdrawal"] is None  # no state row recorded by this provider


def test_participant_id_changes_newest_first(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    person = ir.training_record.participant
    older = ParticipantIdChange.objects.create(
        participant=person,
        from_participant_id="11111111-1111-1111-1111-111111111111",
        to_participant_id=person.pk,
    )
    newer = ParticipantIdChange.objects.create(
        participant=person,
        from_participant_id="22222222-2222-2222-2222-222222222222",
        to_participant_id=person.pk,
    )
    ParticipantIdChange.objects.filter(pk=older.pk).update(created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))

    changes = provider_client.get(f"/api/v3/participants/ecf/{person.pk}").json()["data"]["attributes"][
        "participant_id_changes"
    ]
    newer.refresh_from_db()
    assert changes == [
        {
            "from_participant_id": "22222222-2222-2222-2222-222222222222",
            "to_participant_id": str(person.pk),
            "changed_at": ts(newer.created_at),
        },
        {
            "from_participant_id": "11111111-1111-1111-1111-111111111111",
            "to_participant_id": str(person.pk),
            "changed_at": "2024-01-01T00:00:00Z",
        },
    ]
    # A retired id is not resolved by show.
    assert (
        provider_client.get("/api/v3/participants/ecf/11111111-1111-1111-1111-111111111111").status_code
        == 404
    )


def test_updated_at_is_the_maximum_over_related_rows(provider_client, lead_provider):
    from participants.models import InductionRecord, Participant, TrainingRecord

    ir = enrol(lead_provider=lead_provider)
    person = ir.training_record.participant
    Participant.objects.filter(pk=person.pk).update(updated_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    TrainingRecord.objects.filter(pk=ir.training_record_id).update(
        updated_at=dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    )
    InductionRecord.objects.filter(pk=ir.pk).update(updated_at=dt.datetime(2024, 1, 3, tzinfo=dt.UTC))

    attributes = provider_client.get(f"/api/v3/participants/ecf/{person.pk}").json()["data"]["attributes"]
    assert attributes["updated_at"] == "2024-01-03T00:00:00Z"


# --- filters, sort, pagination --------------------------------------------------------------


def test_cohort_filter_matches_the_schedule_cohort_of_l(provider_client, lead_provider):
    in_2023 = enrol(lead_provider=lead_provider, year=2023)
    in_2024 = enrol(lead_provider=lead_provider, year=2024)
    p23, p24 = in_2023.training_record.participant_id, in_2024.training_record.participant_id

    assert ids(provider_client.get("/api/v3/participants/ecf?filter[cohort]=2023")) == [str(p23)]
    assert ids(provider_client.get("/api/v3/participants/ecf?filter[cohort]=2023,2024")) == [
        str(p23),
        str(p24),
    ]
    assert ids(provider_client.get("/api/v3/participants/ecf?filter[cohort]=2019")) == []
    assert ids(provider_client.get("/api/v3/participants/ecf?filter[cohort]=abc")) == []
    assert ids(provider_client.get("/api/v3/participants/ecf?filter[cohort]=")) == [str(p23), str(p24)]


def test_filter_matches_any_record_but_returns_every_visible_enrolment(provider_client, lead_provider):
    ect = enrol(lead_provider=lead_provider, year=2023)
    person = ect.training_record.participant
    enrol(lead_provider=lead_provider, participant=person, participant_type="mentor", year=2024)

    response = provider_client.get("/api/v3/participants/ecf?filter[cohort]=2024")
    assert ids(response) == [str(person.pk)]
    assert [e["cohort"] for e in enrolments(response)] == ["2023", "2024"]


def test_training_status_filter(provider_client, lead_provider):
    enrol(lead_provider=lead_provider)
    deferred = enrol(lead_provider=lead_provider, training_status="deferred")

    response = provider_client.get("/api/v3/participants/ecf?filter[training_status]=deferred")
    assert ids(response) == [str(deferred.training_record.participant_id)]
    assert len(ids(provider_client.get("/api/v3/participants/ecf?filter[training_status]="))) == 2


def test_training_status_filter_applies_to_l_not_older_records(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider, training_status="deferred")
    ir.end_date = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    ir.induction_status = "changed"
    ir.save()
    InductionRecordFactory(
        training_record=ir.training_record,
        induction_programme=ir.induction_programme,
        start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    assert ids(provider_client.get("/api/v3/participants/ecf?filter[training_status]=deferred")) == []
    assert len(ids(provider_client.get("/api/v3/participants/ecf?filter[training_status]=active"))) == 1


def test_bad_training_status_filter_is_400(provider_client):
    response = provider_client.get("/api/v3/participants/ecf?filter[training_status]=paused")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "title": "Bad request",
                "detail": 'The filter \'#/training_status\' must be ["active", "deferred", "withdrawn"]',
            }
        ]
    }


def test_updated_since_is_inclusive(provider_client, lead_provider):
    from participants.models import Participant

    old = enrol(lead_provider=lead_provider).training_record.participant_id
    exact = enrol(lead_provider=lead_provider).training_record.participant_id
    Participant.objects.filter(pk=old).update(updated_at=dt.datetime(2025, 1, 1, 11, 59, 59, tzinfo=dt.UTC))
    Participant.objects.filter(pk=exact).update(updated_at=dt.datetime(2025, 1, 1, 12, 0, 0, tzinfo=dt.UTC))

    response = provider_client.get("/api/v3/participants/ecf?filter[updated_since]=2025-01-01T12:00:00Z")
    assert ids(response) == [str(exact)]


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01", "2025-01-01T25:00:00Z"])
def test_bad_updated_since_is_400(provider_client, value):
    response = provider_client.get(f"/api/v3/participants/ecf?filter[updated_since]={value}")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid RCF3339 date"}
        ]
    }


def test_filter_must_be_a_hash(provider_client):
    response = provider_client.get("/api/v3/participants/ecf?filter=abc")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"title": "Bad parameter", "detail": "Filter must be a hash"}]}


def test_from_participant_id_filter(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    enrol(lead_provider=lead_provider)
    person = ir.training_record.participant
    ParticipantIdChange.objects.create(
        participant=person,
        from_participant_id="33333333-3333-3333-3333-333333333333",
        to_participant_id=person.pk,
    )
    url = "/api/v3/participants/ecf?filter[from_participant_id]="
    assert ids(provider_client.get(url + "33333333-3333-3333-3333-333333333333")) == [str(person.pk)]
    assert ids(provider_client.get(url + "44444444-4444-4444-4444-444444444444")) == []
    malformed = provider_client.get(url + "not-a-uuid")
    assert malformed.status_code == 200
    assert ids(malformed) == []


def test_default_order_is_created_at_with_a_stable_tiebreak(provider_client, lead_provider):
    from participants.models import Participant

    people = [enrol(lead_provider=lead_provider).training_record.participant_id for _ in range(4)]
    same = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    Participant.objects.filter(pk__in=people).update(created_at=same, updated_at=same)
    expected = [str(pk) for pk in sorted(people)]

    assert ids(provider_client.get("/api/v3/participants/ecf")) == expected
    page1 = ids(provider_client.get("/api/v3/participants/ecf?page[per_page]=2&page[page]=1"))
    page2 = ids(provider_client.get("/api/v3/participants/ecf?page[per_page]=2&page[page]=2"))
    assert page1 + page2 == expected
    assert ids(provider_client.get("/api/v3/participants/ecf?sort=-updated_at")) == expected


def test_sort_by_updated_at_descending(provider_client, lead_provider):
    from participants.models import Participant

    first = enrol(lead_provider=lead_provider).training_record.participant_id
    second = enrol(lead_provider=lead_provider).training_record.participant_id
    Participant.objects.filter(pk=first).update(updated_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC))
    Participant.objects.filter(pk=second).update(updated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))

    assert ids(provider_client.get("/api/v3/participants/ecf?sort=updated_at")) == [str(second), str(first)]
    assert ids(provider_client.get("/api/v3/participants/ecf?sort=-updated_at")) == [str(first), str(second)]
    assert ids(provider_client.get("/api/v3/participants/ecf?sort=bogus")) == [str(first), str(second)]


def test_pagination_past_the_end_and_bad_values(provider_client, lead_provider):
    enrol(lead_provider=lead_provider)
    assert provider_client.get("/api/v3/participants/ecf?page[page]=2").json() == {"data": []}
    response = provider_client.get("/api/v3/participants/ecf?page[per_page]=0")
    assert response.status_code == 400


@pytest.mark.parametrize("rows", [1, 30, 300])
def test_list_uses_a_constant_number_of_queries(
    provider_client, lead_provider, django_assert_max_num_queries, rows
):
    partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024))
    mentor = enrol(partnership=partnership, participant_type="mentor")
    for index in range(rows):
        ir = enrol(partnership=partnership)
        if index % 2:
            ir.mentor = mentor.training_record
            ir.save()
    # 7 for auth and rate limiting + 5 (persons, L rows, maxima, status changes, id changes)
    with django_assert_max_num_queries(12):
        response = provider_client.get("/api/v3/participants/ecf?page[per_page]=3000")
    assert response.status_code == 200
    assert len(response.json()["data"]) == rows + 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/v3/participants/ecf?filter[cohort]=%00",
        "/api/v3/participants/ecf?filter[from_participant_id]=%00",
        "/api/v3/participants/ecf?sort=%00,-%00",
        "/api/v3/participants/ecf?filter[training_status]=%00",
        "/api/v3/participants/ecf?filter[updated_since]=%00",
        "/api/v3/participants/ecf/%00",
        "/api/v3/participants/ecf/%00/transfers",
        "/api/v3/participants/ecf/transfers?filter[updated_since]=%00",
        "/api/v3/unfunded-mentors/ecf?sort=%00",
        "/api/v3/unfunded-mentors/ecf/%00",
    ],
)
def test_odd_query_values_never_give_a_500(provider_client, lead_provider, path):
    enrol(lead_provider=lead_provider)
    response = provider_client.get(path)
    assert response.status_code in (200, 400, 404)
