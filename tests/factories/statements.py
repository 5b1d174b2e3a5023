"""Factories for contracts, statements, line items and adjustments, plus declarations placed on statements.

`CallOffContractFactory` creates the four bands of the combined worked example unless `bands=[...]` (tuples of
letter, min, max, price[, output %, service %]) is given; `bands=[]` creates none.
"""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from declarations.models import Declaration
from participants.models import Participant, TrainingRecord
from statements.models import (
    Adjustment,
    CallOffContract,
    MentorCallOffContract,
    ParticipantBand,
    Statement,
    StatementLineItem,
)
from tests.factories.participants import ParticipantFactory, TrainingRecordFactory, schedule
from tests.factories.partnerships import LeadProviderFactory, SchoolCohortFactory, cohort

BANDS_8_1 = (
    ("A", None, 2, "1000.00"),
    ("B", 3, 4, "900.00"),
    ("C", 5, 6, "800.00"),
    ("D", 7, 8, "700.00", 100, 0),
)


class CallOffContractFactory(DjangoModelFactory):
    class Meta:
        model = CallOffContract
        django_get_or_create = ("lead_provider", "cohort", "version")
        skip_postgeneration_save = True

    lead_provider = factory.SubFactory(LeadProviderFactory)
    cohort = factory.LazyFunction(lambda: cohort(2023))
    version = "0.0.1"
    recruitment_target = 4
    set_up_fee = Decimal("70.00")
    uplift_target = Decimal("0.33")
    uplift_amount = Decimal("100.00")
    monthly_service_fee = None

    @factory.post_generation
    def bands(self, create, extracted, **kwargs):
        if not create or self.bands.exists():
            return
        for spec in BANDS_8_1 if extracted is None else extracted:
            letter, band_min, band_max, price, *percentages = spec
            output_pct, service_pct = percentages or (60, 40)
            ParticipantBand.objects.create(
                call_off_contract=self,
                band=letter,
                min=band_min,
                max=band_max,
                per_participant=Decimal(price),
                output_payment_percentage=output_pct,
                service_fee_percentage=service_pct,
            )


class MentorCallOffContractFactory(DjangoModelFactory):
    class Meta:
        model = MentorCallOffContract
        django_get_or_create = ("lead_provider", "cohort", "version")

    lead_provider = factory.SubFactory(LeadProviderFactory)
    cohort = factory.LazyFunction(lambda: cohort(2025))
    version = "0.0.1"
    recruitment_target = 10
    payment_per_participant = Decimal("1000.00")


class StatementFactory(DjangoModelFactory):
    """An open output statement "April 2024" (deadline 2024-03-31, payment 2024-04-25) for cohort 2023.

    For a `mentor_funding` cohort a mentor contract is created too.
    """

    class Meta:
        model = Statement

    lead_provider = factory.SubFactory(LeadProviderFactory)
    cohort = factory.LazyFunction(lambda: cohort(2023))
    year = 2024
    month = 4
    deadline_date = factory.LazyAttribute(lambda o: dt.date(o.year, o.month, 1) - dt.timedelta(days=1))
    payment_date = factory.LazyAttribute(lambda o: dt.date(o.year, o.month, 25))
    output_fee = True
    status = Statement.Status.OPEN
    call_off_contract = factory.LazyAttribute(
        lambda o: CallOffContractFactory(lead_provider=o.lead_provider, cohort=o.cohort)
    )
    mentor_call_off_contract = factory.LazyAttribute(
        lambda o: (
            MentorCallOffContractFactory(lead_provider=o.lead_provider, cohort=o.cohort)
            if o.cohort.mentor_funding
            else None
        )
    )

    class Params:
        payable = factory.Trait(status=Statement.Status.PAYABLE)
        authorised = factory.Trait(
            status=Statement.Status.PAYABLE,
            marked_as_paid_at=factory.LazyFunction(lambda: dt.datetime(2024, 4, 2, 9, tzinfo=dt.UTC)),
        )
        paid = factory.Trait(
            status=Statement.Status.PAID,
            marked_as_paid_at=factory.LazyFunction(lambda: dt.datetime(2024, 4, 2, 9, tzinfo=dt.UTC)),
        )


class AdjustmentFactory(DjangoModelFactory):
    class Meta:
        model = Adjustment

    statement = factory.SubFactory(StatementFactory)
    payment_type = "Backdated service fee"
    amount = Decimal("250.00")


def _line_kind(line_state: str) -> str:
    return "clawback" if line_state in ("awaiting_clawback", "clawed_back") else "output"


class StatementLineItemFactory(DjangoModelFactory):
    class Meta:
        model = StatementLineItem

    statement = factory.SubFactory(StatementFactory)
    declaration = factory.LazyAttribute(
        lambda o: make_declaration(
            lead_provider=o.statement.lead_provider, cohort=o.statement.cohort, state=o.state
        )
    )
    state = "eligible"
    kind = factory.LazyAttribute(lambda o: _line_kind(o.state))


_DECLARATION_STATE_FOR_LINE = {
    "eligible": "eligible",
    "payable": "payable",
    "paid": "paid",
    "voided": "voided",
    "ineligible": "ineligible",
    "awaiting_clawback": "awaiting_clawback",
    "clawed_back": "clawed_back",
}


def make_declaration(
    *,
    lead_provider,
    cohort,
    state="eligible",
    declaration_type="started",
    course_identifier="ecf-induction",
    participant=None,
    sparsity_uplift=False,
    pupil_premium_uplift=False,
    **fields,
) -> Declaration:
    """A declaration in any state (the state is set at construction, as the protected FSM field allows)."""
    participant = participant or ParticipantFactory()
    participant_type = "mentor" if course_identifier == "ecf-mentor" else "ect"
    record = TrainingRecord.objects.filter(participant=participant, participant_type=participant_type).first()
    if record is None:
        year = cohort.start_year if cohort.start_year >= 2021 else 2024
        record = TrainingRecordFactory(
            participant=participant,
            participant_type=participant_type,
            schedule=schedule(year),
            school_cohort=SchoolCohortFactory(cohort=cohort),
        )
    if state in ("voided", "awaiting_clawback", "clawed_back") and "voided_at" not in fields:
        fields.setdefault("voided_at", None)
    return Declaration.objects.create(
        participant=participant,
        training_record=record,
        lead_provider=lead_provider,
        cohort=cohort,
        declaration_type=declaration_type,
        declaration_date=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
        course_identifier=course_identifier,
        state=state,
        sparsity_uplift=sparsity_uplift,
        pupil_premium_uplift=pupil_premium_uplift,
        **fields,
    )


def put_on(statement, *, line_state="eligible", declaration_state=None, **declaration_fields) -> Declaration:
    """A new declaration with one line item on `statement` (its state follows the line by default)."""
    declaration = make_declaration(
        lead_provider=statement.lead_provider,
        cohort=statement.cohort,
        state=declaration_state or _DECLARATION_STATE_FOR_LINE[line_state],
        **declaration_fields,
    )
    StatementLineItem.objects.create(
        statement=statement, declaration=declaration, kind=_line_kind(line_state), state=line_state
    )
    return declaration


def bulk_put_on(statement, count: int, *, line_state="eligible", declaration_state=None) -> list:
    """`count` declarations with line items on `statement`, written with bulk_create (fast for 10,000)."""
    the_schedule = schedule(statement.cohort.start_year if statement.cohort.start_year >= 2021 else 2024)
    school_cohort = SchoolCohortFactory(cohort=statement.cohort)
    types = ["started", "retained-1", "retained-2", "retained-3", "retained-4", "completed"]
    people = (count + len(types) - 1) // len(types)
    tag = uuid.uuid4().hex[:8]
    participants = Participant.objects.bulk_create(
        [Participant(full_name=f"Bulk person {i}", email=f"bulk{i}-{tag}@example.com") for i in range(people)]
    )
    records = TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                participant=participant,
                participant_type="ect",
                schedule=the_schedule,
                school_cohort=school_cohort,
                eligibility_status="eligible",
                eligibility_reason="none",
            )
            for participant in participants
        ]
    )
    state = declaration_state or _DECLARATION_STATE_FOR_LINE[line_state]
    pairs = itertools.islice(((record, t) for record in records for t in types), count)
    declarations = Declaration.objects.bulk_create(
        [
            Declaration(
                participant_id=record.participant_id,
                training_record=record,
                lead_provider_id=statement.lead_provider_id,
                cohort_id=statement.cohort_id,
                declaration_type=declaration_type,
                declaration_date=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
                course_identifier="ecf-induction",
                state=state,
                sparsity_uplift=index % 3 == 0,
            )
            for index, (record, declaration_type) in enumerate(pairs)
        ],
        batch_size=2000,
    )
    StatementLineItem.objects.bulk_create(
        [
            StatementLineItem(
                statement=statement, declaration=declaration, kind=_line_kind(line_state), state=line_state
            )
            for declaration in declarations
        ],
        batch_size=2000,
    )
    return declarations
