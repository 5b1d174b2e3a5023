"""Each state field has one table of moves: the model's django-fsm methods and the set-based moves read it."""

import datetime as dt

import pytest

from config.actors import Actor
from config.transitions import TransitionNotAllowedError, Transitions
from declarations.models import Declaration, DeclarationStateChange
from declarations.services import declarations_transition
from participants.models import InductionRecord
from partnerships.models import Partnership
from statements.models import Statement, StatementLineItem
from statements.services import line_items_transition
from tests.factories.statements import StatementFactory, make_declaration, put_on

STATE_FIELDS = [
    (Declaration, "state"),
    (Statement, "status"),
    (InductionRecord, "training_status"),
    (Partnership, "status"),
]


@pytest.mark.parametrize(
    ("model", "field"), STATE_FIELDS, ids=lambda value: getattr(value, "__name__", value)
)
def test_the_fsm_methods_make_exactly_the_moves_of_the_table(model, field):
    declared = {
        (transition.name, transition.source, transition.target)
        for transition in model._meta.get_field(field).get_all_transitions(model)
    }

    listed = {(move.name, source, move.target) for move in model.TRANSITIONS for source in move.source}

    assert declared == listed


def test_every_line_item_move_follows_a_declaration_move_of_the_same_name():
    declaration_moves = {move.name for move in Declaration.TRANSITIONS}

    assert {move.name for move in StatementLineItem.TRANSITIONS} <= declaration_moves


def test_a_table_refuses_an_unknown_move_and_a_name_listed_twice():
    table = Transitions(("go", ["a"], "b"))

    assert table.allows("a", "b") and not table.allows("b", "a")
    with pytest.raises(TransitionNotAllowedError):
        table["come_back"]
    with pytest.raises(ValueError, match="listed twice"):
        Transitions(("go", ["a"], "b"), ("go", ["b"], "c"))


# --- set-based moves ------------------------------------------------------------------------------------


@pytest.fixture
def statement(lead_provider):
    return StatementFactory(lead_provider=lead_provider)


@pytest.mark.django_db
def test_a_set_based_move_moves_only_declarations_in_its_source_state(statement):
    payable = [put_on(statement, line_state="payable") for _ in range(3)]
    eligible = put_on(statement, line_state="eligible")
    voided = put_on(statement, line_state="voided")
    at = dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC)

    moved = declarations_transition(
        declarations=Declaration.objects.filter(statement_line_items__statement=statement),
        name="pay",
        actor=Actor.command("test"),
        at=at,
    )

    assert moved == sorted(declaration.pk for declaration in payable)
    states = dict(Declaration.objects.values_list("pk", "state"))
    assert {states[d.pk] for d in payable} == {"paid"}
    assert (states[eligible.pk], states[voided.pk]) == ("eligible", "voided")
    assert set(
        DeclarationStateChange.objects.filter(to_state="paid").values_list(
            "declaration_id", "from_state", "changed_at", "actor_kind", "actor_id"
        )
    ) == {(d.pk, "payable", at, "command", "test") for d in payable}
    assert Declaration.objects.get(pk=payable[0].pk).updated_at == at


@pytest.mark.django_db
def test_a_set_based_move_from_several_states_records_each_source(lead_provider, statement):
    submitted = make_declaration(lead_provider=lead_provider, cohort=statement.cohort, state="submitted")
    ineligible = make_declaration(lead_provider=lead_provider, cohort=statement.cohort, state="ineligible")
    paid = make_declaration(lead_provider=lead_provider, cohort=statement.cohort, state="paid")

    moved = declarations_transition(
        declarations=Declaration.objects.all(), name="void", actor=Actor.command("test")
    )

    assert set(moved) == {submitted.pk, ineligible.pk}
    assert set(
        DeclarationStateChange.objects.filter(to_state="voided").values_list("declaration_id", "from_state")
    ) == {
        (submitted.pk, "submitted"),
        (ineligible.pk, "ineligible"),
    }
    paid.refresh_from_db()
    assert paid.state == "paid"


@pytest.mark.django_db
def test_a_set_based_move_outside_the_table_is_refused_and_changes_nothing(statement):
    declaration = put_on(statement, line_state="paid")

    with pytest.raises(TransitionNotAllowedError):
        declarations_transition(
            declarations=Declaration.objects.all(), name="unpay", actor=Actor.command("test")
        )
    with pytest.raises(TransitionNotAllowedError):
        line_items_transition(
            lines=StatementLineItem.objects.all(), name="unpay", actor=Actor.command("test")
        )

    declaration.refresh_from_db()
    assert declaration.state == "paid"
    assert StatementLineItem.objects.get().state == "paid"
    assert not DeclarationStateChange.objects.exists()


@pytest.mark.django_db
def test_a_set_based_line_move_moves_only_lines_in_its_source_state_with_their_audit_rows(
    statement, finance_user
):
    eligible = put_on(statement, line_state="eligible")
    put_on(statement, line_state="paid")
    actor = Actor.staff(finance_user)

    moved = line_items_transition(lines=StatementLineItem.objects.all(), name="mark_payable", actor=actor)

    assert moved == 1
    assert sorted(StatementLineItem.objects.values_list("state", flat=True)) == ["paid", "payable"]
    audit = StatementLineItem.history.filter(declaration_id=eligible.pk, history_type="~").get()
    assert (audit.state, audit.history_user, audit.actor_kind) == ("payable", finance_user, "staff_user")
