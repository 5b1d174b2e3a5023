"""Use cases for a statement's additional adjustments: add, change and remove.

Each locks the statement row first, so an adjustment never lands on a statement that an authorisation or
payment run has just locked (adjustments are editable only on an unpaid, unauthorised output statement),
and writes its field-level audit row with the acting user or command.
"""

from decimal import Decimal

from django.db import transaction

from config.actors import Actor, acting_as
from statements.exceptions import AdjustmentNotEditableError
from statements.models import Adjustment, Statement
from statements.services import adjustments_editable


def _lock_editable_statement(statement_id) -> Statement:
    statement = Statement.objects.select_for_update().filter(pk=statement_id).first()
    if statement is None:
        raise AdjustmentNotEditableError("The statement does not exist.")
    if not adjustments_editable(statement):
        if not statement.output_fee:
            reason = "it is a service-fee-only statement"
        elif statement.status == Statement.Status.PAID:
            reason = "it has been paid"
        else:
            reason = "it has been authorised for payment"
        raise AdjustmentNotEditableError(f"Adjustments on this statement can no longer change: {reason}.")
    return statement


def _lock_adjustment(adjustment_id) -> Adjustment:
    statement_id = Adjustment.objects.filter(pk=adjustment_id).values_list("statement_id", flat=True).first()
    if statement_id is None:
        raise AdjustmentNotEditableError("The adjustment does not exist.")
    _lock_editable_statement(statement_id)
    return Adjustment.objects.select_for_update().get(pk=adjustment_id)


def adjustment_add(*, statement_id, payment_type: str, amount: Decimal, actor: Actor) -> Adjustment:
    with transaction.atomic():
        statement = _lock_editable_statement(statement_id)
        with acting_as(actor):
            return Adjustment.objects.create(statement=statement, payment_type=payment_type, amount=amount)


def adjustment_change(
    *, adjustment_id, payment_type: str, amount: Decimal, actor: Actor
) -> tuple[Adjustment, Adjustment]:
    """Returns (the adjustment as it was, as it is now)."""
    with transaction.atomic():
        adjustment = _lock_adjustment(adjustment_id)
        before = Adjustment(
            pk=adjustment.pk,
            statement_id=adjustment.statement_id,
            payment_type=adjustment.payment_type,
            amount=adjustment.amount,
        )
        adjustment.payment_type = payment_type
        adjustment.amount = amount
        with acting_as(actor):
            adjustment.save()
        return before, adjustment


def adjustment_remove(*, adjustment_id, actor: Actor) -> Adjustment:
    """Deletes the adjustment (its audit rows keep what it was and who removed it); returns what it was."""
    with transaction.atomic():
        adjustment = _lock_adjustment(adjustment_id)
        removed = Adjustment(
            pk=adjustment.pk,
            statement_id=adjustment.statement_id,
            payment_type=adjustment.payment_type,
            amount=adjustment.amount,
        )
        with acting_as(actor):
            adjustment.delete()
        return removed
