"""PUT /api/v3/participants/ecf/{id}/change-schedule."""

import datetime as dt

import pytest

from declarations.models import Declaration
from participants.models import (
    InductionRecord,
    Participant,
    ScheduleChange,
    TrainingRecord,
    TrainingStatusChange,
)
from tests.factories.participants import enrol, schedule
from tests.factories.partnerships import PartnershipFactory, cohort

pytestmark = pytest.mark.django_db

NOT_RECOGNISED = "Your update cannot be made as the '#/participant_id' is not recognised. Check participant details and try again."
SCHEDULE_INVALID = "The property '#/schedule_identifier' must be present and correspond to a valid schedule"
WITHDRAWN = "Cannot perform actions on a withdrawn participant"
INVALIDATES = "Changing schedule would invalidate existing declarations. Please void them first."
IN_USE = "Selected schedule is already on the profile"
NOT_FOR_COURSE = "Selected schedule is not valid for the course"
COHORT_LOCKED = "You cannot change the '#/cohort' field"
NO_PARTNERSHIP = (
    "You cannot change a participant to this cohort as you do not have a partnership with the school for the "
    "cohort. Contact the DfE for assistance."
)


def body(**attributes):
    return {"data": {"type": "participant-change-schedule", "attributes": attributes}}


def url(ir):
    return f"/api/v3/participants/ecf/{ir.training_record.participant_id}/change-schedule"


def declare(
    ir, declaration_type="started", on=dt.datetime(2024, 10, 1, tzinfo=dt.UTC), state="eligible", year=None
):
    record = ir.training_record
    return Declaration.objects.create(
        participant_id=record.participant_id,
        training_record=record,
        lead_provider=ir.induction_programme.partnership.lead_provider,
        cohort=cohort(year) if year else record.schedule.cohort,
        declaration_type=declaration_type,
        declaration_date=on,
        course_identifier=record.course_identifier,
        state=state,
    )


def snapshot(ir):
    record = TrainingRecord.objects.get(pk=ir.training_record_id)
    return (
        record.schedule_id,
        record.school_cohort_id,
        record.cohort_changed_after_payments_frozen,
        list(
            InductionRecord.objects.filter(training_record=record)
            .order_by("pk")
            .values_list("pk", "schedule_id", "induction_programme_id", "end_date", "training_status")
        ),
        ScheduleChange.objects.count(),
        Participant.objects.get(pk=record.participant_id).updated_at,
    )


def assert_refused(response, errors, ir, before):
    assert response.status_code == 422
    assert response.json() == {"errors": [{"title": t, "detail": d} for t, d in errors]}
    assert snapshot(ir) == before


def test_change_within_the_cohort(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider, training_status="deferred")

    response = provider_client.put_json(
        url(ir), body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-january")
    )

    assert response.status_code == 200
    [enrolment] = response.json()["data"]["attributes"]["ecf_enrolments"]
    assert enrolment["schedule_identifier"] == "ecf-standard-january"
    assert enrolment["training_status"] == "deferred"
    assert enrolment["cohort"] == "2024"
    change = ScheduleChange.objects.get()
    assert change.from_schedule == schedule(2024, "ecf-standard-september")
    assert change.to_schedule == schedule(2024, "ecf-standard-january")
    assert change.lead_provider == lead_provider
    assert (change.actor_kind, change.actor_id) == ("provider_token", str(provider_client.token.pk))
    assert TrainingStatusChange.objects.count() == 0
    record = TrainingRecord.objects.get(pk=ir.training_record_id)
    assert record.schedule == schedule(2024, "ecf-standard-january")
    ir.refresh_from_db()
    assert ir.induction_status == "changed"
    current = InductionRecord.objects.get(training_record=record, end_date__isnull=True)
    assert current.schedule == schedule(2024, "ecf-standard-january")
    assert current.training_status == "deferred"


def test_cohort_may_be_sent_as_a_number(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    response = provider_client.put_json(
        url(ir),
        body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-april", cohort=2024),
    )
    assert response.status_code == 200


def test_move_to_another_cohort_with_a_partnership(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    school = ir.induction_programme.school_cohort.school
    partnership_2025 = PartnershipFactory(lead_provider=lead_provider, school=school, cohort=cohort(2025))

    response = provider_client.put_json(
        url(ir),
        body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-september", cohort="2025"),
    )

    assert response.status_code == 200
    [enrolment] = response.json()["data"]["attributes"]["ecf_enrolments"]
    assert (enrolment["cohort"], enrolment["schedule_identifier"]) == ("2025", "ecf-standard-september")
    record = TrainingRecord.objects.get(pk=ir.training_record_id)
    assert record.school_cohort.cohort.start_year == 2025
    current = InductionRecord.objects.get(training_record=record, end_date__isnull=True)
    assert current.induction_programme.partnership == partnership_2025
    assert current.induction_programme.school_cohort == record.school_cohort


def test_schedule_identifier_is_required(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(url(ir), body(course_identifier="ecf-induction"))
    assert_refused(response, [("schedule_identifier", SCHEDULE_INVALID)], ir, before)


@pytest.mark.parametrize("identifier", ["ecf-standard-june", 12, "ECF-STANDARD-JANUARY"])
def test_unknown_schedule_identifier(provider_client, lead_provider, identifier):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir), body(course_identifier="ecf-induction", schedule_identifier=identifier)
    )
    assert_refused(response, [("schedule_identifier", SCHEDULE_INVALID)], ir, before)


def test_unknown_participant_and_missing_schedule(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(
        "/api/v3/participants/ecf/00000000-0000-0000-0000-000000000000/change-schedule",
        body(course_identifier="ecf-induction"),
    )
    assert_refused(
        response, [("participant_id", NOT_RECOGNISED), ("schedule_identifier", SCHEDULE_INVALID)], ir, before
    )


def test_another_providers_participant(provider_client, other_lead_provider):
    ir = enrol(lead_provider=other_lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir), body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-january")
    )
    assert_refused(response, [("participant_id", NOT_RECOGNISED)], ir, before)


def test_withdrawn_participant(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider, training_status="withdrawn")
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir), body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-january")
    )
    assert_refused(response, [("participant_id", WITHDRAWN)], ir, before)


def test_declarations_that_would_not_fit_the_new_schedule(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    declare(ir, "started", on=dt.datetime(2024, 10, 1, tzinfo=dt.UTC))  # January's started opens 2025-01-01
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir), body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-january")
    )
    assert_refused(response, [("schedule_identifier", INVALIDATES)], ir, before)


def test_declaration_on_the_milestone_start_day_at_midnight_does_not_fit(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    declare(ir, "started", on=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir), body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-january")
    )
    assert_refused(response, [("schedule_identifier", INVALIDATES)], ir, before)


def test_declaration_after_the_milestone_deadline_does_not_fit(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    declare(
        ir, "started", on=dt.datetime(2025, 4, 1, 0, 0, 1, tzinfo=dt.UTC)
    )  # January started ends 2025-03-31
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir), body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-january")
    )
    assert_refused(response, [("schedule_identifier", INVALIDATES)], ir, before)


def test_declarations_that_fit_and_voided_ones_are_fine(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    declare(ir, "started", on=dt.datetime(2025, 3, 31, 23, 59, 59, tzinfo=dt.UTC), state="paid")
    declare(ir, "retained-1", on=dt.datetime(2024, 2, 1, tzinfo=dt.UTC), state="voided")
    response = provider_client.put_json(
        url(ir), body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-january")
    )
    assert response.status_code == 200


def test_extended_declaration_without_a_milestone_in_the_new_schedule(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider, schedule_identifier="ecf-extended-september")
    declare(ir, "extended-1", on=dt.datetime(2025, 10, 1, tzinfo=dt.UTC), state="submitted")
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir), body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-september")
    )
    assert_refused(response, [("schedule_identifier", INVALIDATES)], ir, before)


def test_schedule_already_on_the_profile(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir), body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-september")
    )
    assert_refused(response, [("schedule_identifier", IN_USE)], ir, before)


def test_replacement_schedule_is_for_mentors_only(provider_client, lead_provider):
    ect = enrol(lead_provider=lead_provider)
    before = snapshot(ect)
    response = provider_client.put_json(
        url(ect), body(course_identifier="ecf-induction", schedule_identifier="ecf-replacement-september")
    )
    assert_refused(response, [("schedule_identifier", NOT_FOR_COURSE)], ect, before)

    mentor = enrol(lead_provider=lead_provider, participant_type="mentor")
    response = provider_client.put_json(
        url(mentor), body(course_identifier="ecf-mentor", schedule_identifier="ecf-replacement-september")
    )
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["ecf_enrolments"][0]["schedule_identifier"] == (
        "ecf-replacement-september"
    )


def test_cohort_cannot_change_when_declarations_exist(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    PartnershipFactory(
        lead_provider=lead_provider, school=ir.induction_programme.school_cohort.school, cohort=cohort(2025)
    )
    declare(
        ir, "started", on=dt.datetime(2025, 7, 1, tzinfo=dt.UTC), state="submitted"
    )  # fits 2025 September
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir),
        body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-september", cohort="2025"),
    )
    assert_refused(response, [("cohort", COHORT_LOCKED)], ir, before)


@pytest.mark.parametrize("target", ["2025", "2099", "abc", "20.24", True])
def test_no_partnership_with_the_school_in_the_target_cohort(provider_client, lead_provider, target):
    ir = enrol(lead_provider=lead_provider)
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir),
        body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-september", cohort=target),
    )
    assert_refused(response, [("cohort", NO_PARTNERSHIP)], ir, before)


def test_relationship_partnership_counts_only_within_the_cohort(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    school = ir.induction_programme.school_cohort.school
    PartnershipFactory(lead_provider=lead_provider, school=school, cohort=cohort(2025), relationship=True)
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir),
        body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-september", cohort="2025"),
    )
    assert_refused(response, [("cohort", NO_PARTNERSHIP)], ir, before)


def test_relationship_partnership_allows_a_schedule_change_and_keeps_the_programme(
    provider_client, lead_provider
):
    relationship = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024), relationship=True)
    ir = enrol(partnership=relationship)
    response = provider_client.put_json(
        url(ir), body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-january")
    )
    assert response.status_code == 200
    current = InductionRecord.objects.get(training_record=ir.training_record, end_date__isnull=True)
    assert current.induction_programme_id == ir.induction_programme_id


def test_challenged_partnership_does_not_count(provider_client, lead_provider):
    challenged = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024), challenged=True)
    ir = enrol(partnership=challenged)
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir), body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-january")
    )
    assert_refused(response, [("cohort", NO_PARTNERSHIP)], ir, before)


def test_every_failing_check_is_reported_in_order(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider, training_status="withdrawn")
    declare(ir, "started", on=dt.datetime(2022, 1, 1, tzinfo=dt.UTC))  # before any 2023 milestone
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir),
        body(course_identifier="ecf-induction", schedule_identifier="ecf-replacement-january", cohort="2023"),
    )
    assert_refused(
        response,
        [
            ("participant_id", WITHDRAWN),
            ("schedule_identifier", f"{INVALIDATES}, {NOT_FOR_COURSE}"),
            ("cohort", f"{COHORT_LOCKED}, {NO_PARTNERSHIP}"),
        ],
        ir,
        before,
    )


# --- payments-frozen cohorts ----------------------------------------------------------------


def frozen_ect(lead_provider, participant_type="ect"):
    ir = enrol(lead_provider=lead_provider, year=2022, participant_type=participant_type)
    school = ir.induction_programme.school_cohort.school
    PartnershipFactory(lead_provider=lead_provider, school=school, cohort=cohort(2024))
    return ir


def test_frozen_cohort_ect_moves_to_2024_and_is_flagged(provider_client, lead_provider):
    ir = frozen_ect(lead_provider)
    declare(ir, "started", on=dt.datetime(2022, 10, 1, tzinfo=dt.UTC), state="paid")
    declare(ir, "retained-1", on=dt.datetime(2023, 2, 1, tzinfo=dt.UTC), state="eligible")

    response = provider_client.put_json(
        url(ir),
        body(course_identifier="ecf-induction", schedule_identifier="ecf-extended-september", cohort="2024"),
    )

    assert response.status_code == 200
    [enrolment] = response.json()["data"]["attributes"]["ecf_enrolments"]
    assert enrolment["cohort_changed_after_payments_frozen"] is True
    assert (enrolment["cohort"], enrolment["schedule_identifier"]) == ("2024", "ecf-extended-september")
    assert ScheduleChange.objects.count() == 1


def test_frozen_cohort_path_not_open_with_a_completed_declaration(provider_client, lead_provider):
    ir = frozen_ect(lead_provider)
    declare(ir, "started", on=dt.datetime(2022, 10, 1, tzinfo=dt.UTC), state="paid")
    declare(ir, "completed", on=dt.datetime(2024, 5, 1, tzinfo=dt.UTC), state="paid")
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir),
        body(course_identifier="ecf-induction", schedule_identifier="ecf-extended-september", cohort="2024"),
    )
    assert_refused(response, [("schedule_identifier", INVALIDATES), ("cohort", COHORT_LOCKED)], ir, before)


def test_frozen_cohort_path_is_for_ects_only(provider_client, lead_provider):
    ir = frozen_ect(lead_provider, participant_type="mentor")
    declare(ir, "started", on=dt.datetime(2022, 10, 1, tzinfo=dt.UTC), state="paid")
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir),
        body(course_identifier="ecf-mentor", schedule_identifier="ecf-extended-september", cohort="2024"),
    )
    assert_refused(response, [("schedule_identifier", INVALIDATES), ("cohort", COHORT_LOCKED)], ir, before)


def test_frozen_cohort_ect_cannot_move_to_another_cohort(provider_client, lead_provider):
    ir = frozen_ect(lead_provider)
    school = ir.induction_programme.school_cohort.school
    PartnershipFactory(lead_provider=lead_provider, school=school, cohort=cohort(2025))
    declare(ir, "started", on=dt.datetime(2025, 7, 1, tzinfo=dt.UTC), state="paid")
    before = snapshot(ir)
    response = provider_client.put_json(
        url(ir),
        body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-september", cohort="2025"),
    )
    assert_refused(response, [("cohort", COHORT_LOCKED)], ir, before)


def test_frozen_cohort_ect_moves_back_and_the_flag_clears(provider_client, lead_provider):
    ir = enrol(
        lead_provider=lead_provider,
        year=2024,
        schedule_identifier="ecf-extended-september",
        cohort_changed_after_payments_frozen=True,
    )
    school = ir.induction_programme.school_cohort.school
    PartnershipFactory(lead_provider=lead_provider, school=school, cohort=cohort(2022))
    declare(ir, "started", on=dt.datetime(2022, 10, 1, tzinfo=dt.UTC), state="paid", year=2022)

    response = provider_client.put_json(
        url(ir),
        body(course_identifier="ecf-induction", schedule_identifier="ecf-standard-september", cohort="2022"),
    )

    assert response.status_code == 200
    assert TrainingRecord.objects.get(pk=ir.training_record_id).cohort_changed_after_payments_frozen is False
