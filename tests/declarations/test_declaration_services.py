"""Eligibility promotion, the state machine and the one-live-declaration constraint."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django_fsm import TransitionNotAllowed, can_proceed

from config.actors import Actor
from declarations.models import Declaration, DeclarationStateChange
from declarations.services import declaration_void, declarations_promote_for_training_record
from participants.models import TrainingRecord
from participants.signals import eligibility_changed
from statements.models import StatementLineItem
from tests.declarations.helpers import history
from tests.factories.declarations import DeclarationFactory, output_statement
from tests.factories.participants import enrol
from tests.factories.partnerships import LeadProviderFactory

pytestmark = pytest.mark.django_db

ACTOR = Actor.command("test")


def become_fundable(record):
    TrainingRecord.objects.filter(pk=record.pk).update(
        eligibility_status="eligible", eligibility_reason="none"
    )
    record.refresh_from_db()
    eligibility_changed.send(
        sender=TrainingRecord, training_record=record, from_status=None, to_status="eligible", actor=ACTOR
    )


@pytest.fixture
def waiting(lead_provider):
    """A non-fundable ECT with a submitted `started` declaration."""
    enrolment = enrol(lead_provider=lead_provider, not_yet_eligible=True)
    return DeclarationFactory(lead_provider=lead_provider, enrolment=enrolment)


def test_becoming_fundable_promotes_submitted_declarations(lead_provider, waiting):
    statement = output_statement(lead_provider)
    ineligible = DeclarationFactory(
        lead_provider=lead_provider,
        enrolment=waiting.training_record.induction_records.get(),
        declaration_type="retained-1",
        ineligible=True,
    )

    become_fundable(waiting.training_record)

    waiting.refresh_from_db()
    ineligible.refresh_from_db()
    assert waiting.state == "eligible"
    assert ineligible.state == "ineligible"
    line = StatementLineItem.objects.get(declaration=waiting)
    assert (line.statement, line.kind, line.state) == (statement, "output", "eligible")
    assert history(waiting) == [(None, "submitted", None), ("submitted", "eligible", None)]
    change = DeclarationStateChange.objects.filter(declaration=waiting).last()
    assert (change.actor_kind, change.actor_id) == ("command", "test")


def test_other_eligibility_changes_promote_nothing(lead_provider, waiting):
    output_statement(lead_provider)

    eligibility_changed.send(
        sender=TrainingRecord,
        training_record=waiting.training_record,
        from_status=None,
        to_status="manual_check",
    )

    waiting.refresh_from_db()
    assert waiting.state == "submitted"


def test_promotion_without_an_open_statement_leaves_it_submitted_and_goes_on(lead_provider, waiting, caplog):
    # The first provider has no statement (that declaration stays submitted); another provider's declaration on the same record still moves.
    other = LeadProviderFactory(name="Other provider")
    statement = output_statement(other)
    moved = DeclarationFactory(
        lead_provider=other,
        enrolment=waiting.training_record.induction_records.get(),
        declaration_type="retained-1",
    )

    become_fundable(waiting.training_record)

    waiting.refresh_from_db()
    moved.refresh_from_db()
    assert waiting.state == "submitted"
    assert history(waiting) == [(None, "submitted", None)]
    assert moved.state == "eligible"
    assert StatementLineItem.objects.get().statement == statement
    assert "stays submitted" in caplog.text


def test_promotion_uses_the_declarations_own_cohort(lead_provider, waiting):
    from tests.factories.participants import schedule

    output_statement(lead_provider, 2025)
    statement_2024 = output_statement(lead_provider, 2024)
    TrainingRecord.objects.filter(pk=waiting.training_record_id).update(schedule=schedule(2025))

    become_fundable(waiting.training_record)

    assert StatementLineItem.objects.get(declaration=waiting).statement == statement_2024


def test_promotion_is_idempotent(lead_provider, waiting):
    output_statement(lead_provider)
    become_fundable(waiting.training_record)

    assert declarations_promote_for_training_record(training_record=waiting.training_record, actor=ACTOR) == 0
    assert StatementLineItem.objects.count() == 1


def test_finance_void_records_who_and_when(lead_provider, finance_user):
    declaration = DeclarationFactory(lead_provider=lead_provider, eligible=True)

    declaration_void(declaration=declaration, actor=Actor.staff(finance_user), voided_by=finance_user)

    declaration.refresh_from_db()
    assert declaration.state == "voided"
    assert declaration.voided_by == finance_user
    assert declaration.voided_at is not None
    change = DeclarationStateChange.objects.filter(declaration=declaration).last()
    assert (change.from_state, change.to_state, change.actor_kind, change.actor_id) == (
        "eligible",
        "voided",
        "staff_user",
        str(finance_user.pk),
    )


# --- the machine ----------------------------------------------------------------------------------------

TRANSITIONS = {
    "mark_duplicate": ({"submitted"}, "ineligible"),
    "make_eligible": ({"submitted"}, "eligible"),
    "mark_payable": ({"eligible"}, "payable"),
    "move_back": ({"payable"}, "eligible"),
    "pay": ({"payable"}, "paid"),
    "void": ({"submitted", "eligible", "payable", "ineligible"}, "voided"),
    "request_clawback": ({"paid"}, "awaiting_clawback"),
    "complete_clawback": ({"awaiting_clawback"}, "clawed_back"),
}
STATES = [state for state, _ in Declaration.State.choices]


@pytest.mark.parametrize("method", list(TRANSITIONS))
@pytest.mark.parametrize("state", STATES)
def test_transitions_follow_04_section_11(method, state):
    declaration = Declaration(state=state)
    sources, target = TRANSITIONS[method]
    transition = getattr(declaration, method)
    kwargs = {"superseded_by": None} if method == "mark_duplicate" else {}

    if state in sources:
        assert can_proceed(transition)
        transition(**kwargs)
        assert declaration.state == target
    else:
        assert not can_proceed(transition)
        with pytest.raises(TransitionNotAllowed):
            transition(**kwargs)


def test_state_cannot_be_assigned_directly():
    declaration = Declaration(state="submitted")
    with pytest.raises(AttributeError):
        declaration.state = "paid"


def test_database_refuses_two_live_declarations_for_one_slot(lead_provider):
    first = DeclarationFactory(lead_provider=lead_provider, eligible=True)
    for state in ("submitted", "paid"):
        with pytest.raises(IntegrityError), transaction.atomic():
            DeclarationFactory(
                lead_provider=LeadProviderFactory(name=f"P {state}"),
                enrolment=first.training_record.induction_records.get(),
                state=state,
                lines=False,
            )


def test_database_allows_a_new_declaration_beside_dead_ones(lead_provider):
    first = DeclarationFactory(lead_provider=lead_provider, voided=True)
    enrolment = first.training_record.induction_records.get()
    DeclarationFactory(lead_provider=lead_provider, enrolment=enrolment, clawed_back=True)
    DeclarationFactory(lead_provider=lead_provider, enrolment=enrolment, eligible=True)

    assert Declaration.objects.count() == 3


def test_voided_at_requires_voided_by(lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, voided=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Declaration.objects.filter(pk=declaration.pk).update(voided_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))


def test_participants_eligibility_service_promotes_in_its_transaction(lead_provider, waiting):
    participant_services = pytest.importorskip("participants.services")
    statement = output_statement(lead_provider)

    participant_services.participant_set_eligibility(
        training_record=waiting.training_record, status="eligible", reason="none", actor=ACTOR
    )

    waiting.refresh_from_db()
    assert waiting.state == "eligible"
    assert StatementLineItem.objects.get(declaration=waiting).statement == statement
