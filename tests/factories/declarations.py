"""Declarations with traits per state; billable and refundable states get their statement line items."""

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from config import clock
from config.actors import ActorKind
from declarations.models import Declaration, DeclarationAttempt, DeclarationStateChange
from statements.models import CallOffContract, Statement, StatementLineItem
from tests.factories.participants import enrol
from tests.factories.partnerships import LeadProviderFactory, cohort

# Line items a declaration in each state carries: (kind, line state) pairs.
LINES_BY_STATE = {
    "submitted": [],
    "eligible": [("output", "eligible")],
    "payable": [("output", "payable")],
    "paid": [("output", "paid")],
    "voided": [],
    "ineligible": [],
    "awaiting_clawback": [("output", "paid"), ("clawback", "awaiting_clawback")],
    "clawed_back": [("output", "paid"), ("clawback", "clawed_back")],
}


def contract(lead_provider, year: int) -> CallOffContract:
    found, _ = CallOffContract.objects.get_or_create(
        lead_provider=lead_provider,
        cohort=cohort(year),
        version="0.0.1",
        defaults={"recruitment_target": 2000, "set_up_fee": Decimal("0")},
    )
    return found


def output_statement(
    lead_provider, year: int = 2024, *, deadline: dt.date | None = None, status: str = "open", output_fee=True
) -> Statement:
    """A statement of the provider and cohort; by default open with its deadline 20 days from today."""
    deadline = deadline or clock.today() + dt.timedelta(days=20)
    payment = deadline + dt.timedelta(days=25)
    statement, _ = Statement.objects.get_or_create(
        lead_provider=lead_provider,
        cohort=cohort(year),
        year=payment.year,
        month=payment.month,
        defaults={
            "deadline_date": deadline,
            "payment_date": payment,
            "status": status,
            "output_fee": output_fee,
            "call_off_contract": contract(lead_provider, year),
        },
    )
    return statement


def past_statement(lead_provider, year: int = 2024, *, status: str = "paid") -> Statement:
    """A statement whose deadline has passed (where paid lines sit)."""
    return output_statement(
        lead_provider, year, deadline=clock.today() - dt.timedelta(days=70), status=status
    )


class DeclarationFactory(DjangoModelFactory):
    """A declaration by `lead_provider` for a participant it trains (a new enrolment unless `enrolment`)."""

    class Meta:
        model = Declaration
        skip_postgeneration_save = True

    class Params:
        year = 2024
        participant_type = "ect"
        enrolment = factory.LazyAttribute(
            lambda o: enrol(lead_provider=o.lead_provider, year=o.year, participant_type=o.participant_type)
        )
        eligible = factory.Trait(state="eligible")
        payable = factory.Trait(state="payable")
        paid = factory.Trait(state="paid")
        voided = factory.Trait(state="voided")
        ineligible = factory.Trait(state="ineligible")
        awaiting_clawback = factory.Trait(state="awaiting_clawback")
        clawed_back = factory.Trait(state="clawed_back")

    lead_provider = factory.SubFactory(LeadProviderFactory)
    training_record = factory.LazyAttribute(lambda o: o.enrolment.training_record)
    participant = factory.LazyAttribute(lambda o: o.training_record.participant)
    cohort = factory.LazyAttribute(lambda o: o.training_record.schedule.cohort)
    declaration_type = "started"
    declaration_date = factory.LazyAttribute(
        lambda o: dt.datetime(o.training_record.schedule.cohort.start_year, 10, 1, 9, 30, tzinfo=dt.UTC)
    )
    course_identifier = factory.LazyAttribute(lambda o: o.training_record.course_identifier)
    evidence_held = None
    state = "submitted"
    delivery_partner = factory.LazyAttribute(
        lambda o: o.enrolment.induction_programme.partnership.delivery_partner
    )
    sparsity_uplift = False
    pupil_premium_uplift = False

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        if not create:
            return
        DeclarationStateChange.objects.create(
            declaration=obj,
            from_state=None,
            to_state="submitted",
            actor_kind=ActorKind.COMMAND,
            actor_id="factory",
        )
        if obj.state != "submitted":
            DeclarationStateChange.objects.create(
                declaration=obj,
                from_state="submitted",
                to_state=obj.state,
                actor_kind=ActorKind.COMMAND,
                actor_id="factory",
                reason="duplicate" if obj.state == "ineligible" and obj.superseded_by_id else None,
            )

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        """Line items for the state; pass `lines=statement` to put the output line on that statement."""
        if not create:
            return
        for kind, state in LINES_BY_STATE[obj.state]:
            if kind == "output":
                statement = extracted or (
                    past_statement(obj.lead_provider, obj.cohort.start_year)
                    if state == "paid"
                    else output_statement(obj.lead_provider, obj.cohort.start_year)
                )
            else:
                statement = output_statement(obj.lead_provider, obj.cohort.start_year)
            StatementLineItem.objects.create(statement=statement, declaration=obj, kind=kind, state=state)


class DeclarationAttemptFactory(DjangoModelFactory):
    class Meta:
        model = DeclarationAttempt

    participant = factory.SelfAttribute("declaration.participant")
    lead_provider = factory.SelfAttribute("declaration.lead_provider")
    declaration = factory.SubFactory(DeclarationFactory)
    declaration_type = "started"


def declaration_body(participant_id, **attributes) -> dict:
    """A POST body; defaults: an ECT `started` on 2024-10-01T09:30:00Z."""
    values = {
        "participant_id": str(participant_id),
        "declaration_type": "started",
        "declaration_date": "2024-10-01T09:30:00Z",
        "course_identifier": "ecf-induction",
    }
    values.update(attributes)
    values = {key: value for key, value in values.items() if value is not ...}
    return {"data": {"type": "participant-declaration", "attributes": values}}
