"""The stored current induction record per (training record, provider) equals the computed one (the
selectors' ranking) through every change that can move it, and the check command finds drift."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from config.actors import Actor
from participants.current_records import current_induction_records, current_participants, drift
from participants.models import CurrentInductionRecord
from participants.selectors import latest_induction_records, visible_participants, with_matching_latest_record
from participants.services import participant_change_schedule, participant_defer
from partnerships.models import LeadProvider
from partnerships.services import partnership_challenge, partnership_create
from tests.factories.participants import add_induction_record, enrol
from tests.factories.partnerships import (
    DeliveryPartnerFactory,
    LeadProviderFactory,
    PartnershipFactory,
    cohort,
)

pytestmark = pytest.mark.django_db
ACTOR = Actor.command("test")


def at(year, month, day):
    return dt.datetime(year, month, day, tzinfo=dt.UTC)


def assert_stored_equals_computed():
    """For every provider and every filter the selectors offer, the stored rows give the same answer."""
    assert drift() == []
    for lead_provider in LeadProvider.objects.all():
        for filters in (
            {},
            {"cohort_years": [2024]},
            {"cohort_years": [2023, 2025]},
            {"training_status": "active"},
            {"training_status": "deferred"},
            {"cohort_years": [2024], "training_status": "withdrawn"},
        ):
            computed = set(latest_induction_records(lead_provider=lead_provider, **filters))
            stored = set(current_induction_records(lead_provider=lead_provider, **filters))
            assert stored == computed, (lead_provider, filters)
            computed_people = with_matching_latest_record(
                visible_participants(lead_provider=lead_provider), lead_provider=lead_provider, **filters
            )
            assert set(current_participants(lead_provider=lead_provider, **filters)) == set(computed_people)


@pytest.fixture
def providers():
    return LeadProviderFactory(name="Ambition"), LeadProviderFactory(name="Best Practice")


def test_a_new_enrolment_is_current_for_its_provider(providers):
    first, second = providers
    record = enrol(lead_provider=first)

    assert list(
        CurrentInductionRecord.objects.values_list(
            "training_record_id", "lead_provider_id", "induction_record_id"
        )
    ) == [(record.training_record_id, first.pk, record.pk)]
    assert list(current_induction_records(lead_provider=first)) == [record]
    assert list(current_induction_records(lead_provider=second)) == []
    assert_stored_equals_computed()


def test_a_transfer_keeps_the_old_providers_last_record_and_gives_the_new_one_its_own(providers):
    first, second = providers
    leaving = enrol(lead_provider=first)
    leaving.induction_status = "leaving"
    leaving.end_date = at(2025, 1, 1)
    leaving.save()
    joining = add_induction_record(
        leaving.training_record, lead_provider=second, start_date=at(2025, 1, 2), school_transfer=True
    )

    assert set(current_induction_records(lead_provider=first)) == {leaving}
    assert set(current_induction_records(lead_provider=second)) == {joining}
    assert_stored_equals_computed()


def test_an_open_record_beats_a_later_ended_one_and_a_future_one_is_current(providers):
    first, _ = providers
    older = enrol(lead_provider=first)
    add_induction_record(
        older.training_record, lead_provider=first, start_date=at(2025, 3, 1), end_date=at(2025, 4, 1)
    )
    assert set(current_induction_records(lead_provider=first)) == {older}
    future = add_induction_record(older.training_record, lead_provider=first, start_date=at(2030, 1, 1))
    assert set(current_induction_records(lead_provider=first)) == {future}
    assert_stored_equals_computed()


def test_one_person_with_several_providers_and_roles(providers):
    first, second = providers
    ect = enrol(lead_provider=first)
    mentor = enrol(
        lead_provider=second, participant=ect.training_record.participant, participant_type="mentor"
    )
    other_cohort = enrol(lead_provider=second, year=2023)

    assert set(current_induction_records(lead_provider=first)) == {ect}
    assert set(current_induction_records(lead_provider=second)) == {mentor, other_cohort}
    assert_stored_equals_computed()


def test_a_challenge_falls_back_to_the_providers_record_under_another_partnership(providers):
    first, _ = providers
    earlier = enrol(lead_provider=first)
    earlier.end_date = at(2025, 1, 1)
    earlier.save()
    later = add_induction_record(earlier.training_record, lead_provider=first, start_date=at(2025, 1, 2))
    assert set(current_induction_records(lead_provider=first)) == {later}

    partnership_challenge(partnership=later.induction_programme.partnership, reason="mistake", actor=ACTOR)

    assert set(current_induction_records(lead_provider=first)) == {earlier}
    assert_stored_equals_computed()

    partnership_challenge(partnership=earlier.induction_programme.partnership, reason="mistake", actor=ACTOR)

    assert list(current_induction_records(lead_provider=first)) == []
    assert CurrentInductionRecord.objects.count() == 0
    assert_stored_equals_computed()


def test_reporting_a_challenged_partnership_again_brings_its_participants_back(providers):
    first, _ = providers
    record = enrol(lead_provider=first)
    partnership = record.induction_programme.partnership
    partnership_challenge(partnership=partnership, reason="mistake", actor=ACTOR)
    assert list(current_induction_records(lead_provider=first)) == []

    partnership_create(
        lead_provider=first,
        cohort=partnership.cohort.start_year,
        school_id=partnership.school_id,
        delivery_partner_id=partnership.delivery_partner_id,
        actor=ACTOR,
    )

    assert [r.training_record_id for r in current_induction_records(lead_provider=first)] == [
        record.training_record_id
    ]
    assert_stored_equals_computed()


def test_a_deferral_moves_the_current_record_to_the_copy_it_opens(providers):
    first, _ = providers
    record = enrol(lead_provider=first)

    participant_defer(
        participant_id=record.training_record.participant_id,
        attributes={"course_identifier": "ecf-induction", "reason": "bereavement"},
        lead_provider=first,
        actor=ACTOR,
    )

    (current,) = current_induction_records(lead_provider=first)
    assert current.pk != record.pk and current.training_status == "deferred"
    assert_stored_equals_computed()


def test_a_schedule_change_to_another_cohort_follows_the_new_record(providers):
    first, _ = providers
    record = enrol(lead_provider=first)
    PartnershipFactory(
        lead_provider=first,
        school=record.induction_programme.partnership.school,
        cohort=cohort(2025),
        delivery_partner=DeliveryPartnerFactory(),
    )

    participant_change_schedule(
        participant_id=record.training_record.participant_id,
        attributes={
            "course_identifier": "ecf-induction",
            "schedule_identifier": "ecf-standard-january",
            "cohort": "2025",
        },
        lead_provider=first,
        actor=ACTOR,
    )

    assert [
        r.schedule.cohort.start_year
        for r in current_induction_records(lead_provider=first, cohort_years=[2025])
    ] == [2025]
    assert_stored_equals_computed()


def test_the_check_command_reports_each_drifted_pair_exits_1_and_repairs(providers):
    first, second = providers
    enrol(lead_provider=first)
    lost = enrol(lead_provider=second)
    CurrentInductionRecord.objects.filter(induction_record=lost).delete()
    out = StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("check_current_induction_records", stdout=out, stderr=StringIO())

    assert exited.value.code == 1
    assert out.getvalue().splitlines() == [
        f"training_record={lost.training_record_id} lead_provider={second.pk} stored=none expected={lost.pk}"
    ]

    call_command("check_current_induction_records", "--repair", stdout=StringIO())
    out = StringIO()
    call_command("check_current_induction_records", stdout=out)
    assert "every pair agrees" in out.getvalue()
    assert_stored_equals_computed()


def test_a_stored_row_naming_another_record_is_drift(providers):
    first, _ = providers
    earlier = enrol(lead_provider=first)
    earlier.end_date = at(2025, 1, 1)
    earlier.save()
    later = add_induction_record(earlier.training_record, lead_provider=first, start_date=at(2025, 1, 2))
    CurrentInductionRecord.objects.filter(induction_record=later).update(induction_record=earlier)

    assert [(d.stored_induction_record_id, d.expected_induction_record_id) for d in drift()] == [
        (earlier.pk, later.pk)
    ]
