import datetime as dt

import factory
from factory.django import DjangoModelFactory

from participants.models import InductionRecord, Participant, Schedule, TrainingRecord
from tests.factories.partnerships import (
    InductionProgrammeFactory,
    PartnershipFactory,
    SchoolCohortFactory,
    cohort,
)


def schedule(year: int = 2024, identifier: str = "ecf-standard-september") -> Schedule:
    """Schedules are reference data loaded by migration."""
    return Schedule.objects.get(cohort__start_year=year, schedule_identifier=identifier)


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant

    full_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"participant{n}@example.com")
    trn = factory.Sequence(lambda n: f"{1000000 + n}")


class TrainingRecordFactory(DjangoModelFactory):
    """An ECT training record in cohort 2024, fundable unless told otherwise."""

    class Meta:
        model = TrainingRecord

    participant = factory.SubFactory(ParticipantFactory)
    participant_type = "ect"
    schedule = factory.LazyFunction(schedule)
    school_cohort = factory.SubFactory(
        SchoolCohortFactory, cohort=factory.LazyAttribute(lambda o: o.factory_parent.schedule.cohort)
    )
    eligibility_status = "eligible"
    eligibility_reason = "none"

    class Params:
        mentor = factory.Trait(participant_type="mentor")
        not_yet_eligible = factory.Trait(eligibility_status=None, eligibility_reason=None)
        ineligible = factory.Trait(eligibility_status="ineligible", eligibility_reason="previous_induction")


class InductionRecordFactory(DjangoModelFactory):
    """The record that links a training record to a provider: its programme carries the partnership."""

    class Meta:
        model = InductionRecord

    training_record = factory.SubFactory(TrainingRecordFactory)
    schedule = factory.SelfAttribute("training_record.schedule")
    induction_programme = factory.SubFactory(
        InductionProgrammeFactory,
        school_cohort=factory.SelfAttribute("..training_record.school_cohort"),
        partnership=factory.SubFactory(
            PartnershipFactory,
            school=factory.SelfAttribute("..school_cohort.school"),
            cohort=factory.SelfAttribute("..school_cohort.cohort"),
        ),
    )
    start_date = factory.LazyFunction(lambda: dt.datetime(2024, 9, 1, tzinfo=dt.UTC))


def enrol(
    *,
    lead_provider=None,
    partnership=None,
    participant=None,
    participant_type="ect",
    year=2024,
    schedule_identifier="ecf-standard-september",
    training_status="active",
    **training_record_fields,
) -> InductionRecord:
    """One participant training with a provider: training record + induction record under a partnership.

    Pass `partnership` to put several participants in one school, or `lead_provider` for a new school;
    `training_status` sets the induction record's provider-owned status at construction.
    """
    the_schedule = schedule(year, schedule_identifier)
    if partnership is None:
        partnership = PartnershipFactory(
            **({"lead_provider": lead_provider} if lead_provider else {}), cohort=cohort(year)
        )
    school_cohort = SchoolCohortFactory(school=partnership.school, cohort=partnership.cohort)
    programme = InductionProgrammeFactory(school_cohort=school_cohort, partnership=partnership)
    record = TrainingRecordFactory(
        participant=participant or ParticipantFactory(),
        participant_type=participant_type,
        schedule=the_schedule,
        school_cohort=school_cohort,
        **training_record_fields,
    )
    return InductionRecordFactory(
        training_record=record,
        induction_programme=programme,
        schedule=the_schedule,
        training_status=training_status,
    )


def add_induction_record(
    training_record, *, lead_provider=None, partnership=None, **fields
) -> InductionRecord:
    """Another induction record for an existing training record, at a new school unless `partnership` says.

    `fields` go to the induction record (start_date, end_date, induction_status, training_status, ...).
    """
    if partnership is None:
        partnership = PartnershipFactory(
            **({"lead_provider": lead_provider} if lead_provider else {}),
            cohort=training_record.schedule.cohort,
        )
    school_cohort = SchoolCohortFactory(school=partnership.school, cohort=partnership.cohort)
    programme = InductionProgrammeFactory(school_cohort=school_cohort, partnership=partnership)
    fields.setdefault("schedule", training_record.schedule)
    return InductionRecordFactory(training_record=training_record, induction_programme=programme, **fields)
