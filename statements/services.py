"""Use cases that write statements and their line items. Callers hold the declaration's row lock."""

from config.actors import Actor, acting_as
from statements.models import Statement, StatementLineItem


def statement_attach_declaration(*, declaration, statement: Statement, actor: Actor) -> StatementLineItem:
    """The declaration's output line on `statement`, in the declaration's state (eligible or ineligible)."""
    with acting_as(actor):
        return StatementLineItem.objects.create(
            statement=statement,
            declaration=declaration,
            kind=StatementLineItem.Kind.OUTPUT,
            state=declaration.state,
        )


def statement_add_clawback(*, declaration, statement: Statement, actor: Actor) -> StatementLineItem:
    """The refundable line of a paid declaration being clawed back (04 §9.1)."""
    with acting_as(actor):
        return StatementLineItem.objects.create(
            statement=statement,
            declaration=declaration,
            kind=StatementLineItem.Kind.CLAWBACK,
            state=StatementLineItem.State.AWAITING_CLAWBACK,
        )


def line_items_follow_declaration(*, declaration, actor: Actor, from_states, to_state) -> int:
    """Moves the declaration's output line along with it (void: eligible/payable/ineligible → voided)."""
    lines = StatementLineItem.objects.filter(
        declaration=declaration, kind=StatementLineItem.Kind.OUTPUT, state__in=list(from_states)
    )
    moved = 0
    with acting_as(actor):
        for line in lines.select_for_update():
            line.state = to_state
            line.save(update_fields=["state", "updated_at"])
            moved += 1
    return moved
