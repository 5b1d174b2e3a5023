"""Use cases that write statements and their line items. Callers hold the declaration's row lock.

The runs (`statement_make_payable`, `statement_pay`) are set-based: one transaction per statement, the
statement row locked first, then the declarations being moved in primary-key order; line items and
declarations move with `queryset.update`, and their history rows are written with `bulk_create`.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import transaction

from config import clock
from config.actors import Actor, acting_as
from config.history import StateChange
from statements.exceptions import StatementNotAuthorisableError, StatementNotPayableError
from statements.models import Statement, StatementLineItem, StatementSnapshot, StatementStateChange


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


# --------------------------------------------------------------------------------------------------
# Runs (06 §4): make payable, authorise, pay
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    statement_id: object
    done: bool  # False: the statement was not (or no longer) in the state the run acts on
    declarations_moved: int = 0
    clawbacks_moved: int = 0


def _declaration_model():
    return apps.get_model("declarations", "Declaration")


def _declaration_history_model():
    return apps.get_model("declarations", "DeclarationStateChange")


def _lock_statement(statement_id) -> Statement | None:
    return (
        Statement.objects.select_for_update(of=("self",))
        .select_related("lead_provider", "cohort", "call_off_contract", "mentor_call_off_contract")
        .filter(pk=statement_id)
        .first()
    )


def _lock_declarations(*, statement: Statement, line_kind: str, line_state: str, declaration_state: str):
    """Locks, in primary-key order, the declarations whose `line_kind` line on `statement` is in
    `line_state` and which are themselves in `declaration_state`; returns their ids."""
    return list(
        _declaration_model()
        .objects.select_for_update(of=("self",))
        .filter(
            statement_line_items__statement=statement,
            statement_line_items__kind=line_kind,
            statement_line_items__state=line_state,
            state=declaration_state,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _move(*, statement, ids, line_kind, line_from, line_to, from_state, to_state, actor, now) -> int:
    """Set-based move of the locked declarations and their line on this statement, with history rows."""
    if not ids:
        return 0
    Declaration = _declaration_model()
    moved = Declaration.objects.filter(pk__in=ids, state=from_state).update(state=to_state, updated_at=now)
    StatementLineItem.objects.filter(
        statement=statement, kind=line_kind, state=line_from, declaration_id__in=ids
    ).update(state=line_to, updated_at=now)
    _line_item_history(statement=statement, kind=line_kind, state=line_to, ids=ids, actor=actor, now=now)
    History = _declaration_history_model()
    History.objects.bulk_create(
        [
            History(
                declaration_id=pk,
                from_state=from_state,
                to_state=to_state,
                changed_at=now,
                **StateChange.actor_fields(actor),
            )
            for pk in ids
        ],
        batch_size=2000,
    )
    return moved


def _line_item_history(*, statement, kind, state, ids, actor, now) -> None:
    """simple-history rows for lines moved by `queryset.update` (which bypasses its signals): one read,
    one bulk insert, with the acting user or command as every other audit row has."""
    History = StatementLineItem.history.model
    History.objects.bulk_create(
        [
            History(
                id=line["id"],
                statement_id=line["statement_id"],
                declaration_id=line["declaration_id"],
                kind=line["kind"],
                state=line["state"],
                created_at=line["created_at"],
                updated_at=line["updated_at"],
                history_date=now,
                history_type="~",
                history_user=actor.user,
                actor_kind=actor.kind,
                actor_id=actor.id,
            )
            for line in StatementLineItem.objects.filter(
                statement=statement, kind=kind, state=state, declaration_id__in=ids
            ).values("id", "statement_id", "declaration_id", "kind", "state", "created_at", "updated_at")
        ],
        batch_size=2000,
    )


def _record_status_change(statement: Statement, *, before: str, actor: Actor, now) -> None:
    StatementStateChange.objects.create(
        statement=statement,
        from_status=before,
        to_status=statement.status,
        changed_at=now,
        **StateChange.actor_fields(actor),
    )


def statement_make_payable(*, statement_id, actor: Actor, today=None, dry_run: bool = False) -> RunResult:
    """06 §4.1 for one statement: eligible declarations on it (and their lines) → payable, then the
    statement → payable. Skips a statement that is no longer open or whose deadline has not passed."""
    today = today or clock.today()
    with transaction.atomic():
        statement = _lock_statement(statement_id)
        if statement is None or statement.status != Statement.Status.OPEN or statement.deadline_date >= today:
            return RunResult(statement_id=statement_id, done=False)
        now = clock.now()
        ids = _lock_declarations(
            statement=statement,
            line_kind=StatementLineItem.Kind.OUTPUT,
            line_state=StatementLineItem.State.ELIGIBLE,
            declaration_state="eligible",
        )
        if dry_run:
            return RunResult(statement_id=statement_id, done=True, declarations_moved=len(ids))
        moved = _move(
            statement=statement,
            ids=ids,
            line_kind=StatementLineItem.Kind.OUTPUT,
            line_from=StatementLineItem.State.ELIGIBLE,
            line_to=StatementLineItem.State.PAYABLE,
            from_state="eligible",
            to_state="payable",
            actor=actor,
            now=now,
        )
        before = statement.status
        statement.make_payable()
        with acting_as(actor):
            statement.save()
        _record_status_change(statement, before=before, actor=actor, now=now)
    return RunResult(statement_id=statement_id, done=True, declarations_moved=moved)


def statement_can_authorise(statement: Statement, *, today=None) -> str | None:
    """None when the statement may be authorised (06 §3.1 rules 2–4, D6, D19), else the reason it may not."""
    today = today or clock.today()
    if statement.status != Statement.Status.PAYABLE:
        return f"The statement is {statement.status}; only a payable statement can be authorised for payment."
    if statement.marked_as_paid_at is not None:
        return "The statement has already been authorised for payment."
    if statement.deadline_date >= today:
        return "The statement's milestone cut off date has not passed yet."
    return None


def statement_authorise(*, statement_id, user, actor: Actor, today=None) -> Statement:
    """Sets `marked_as_paid_at`/`_by` on a payable statement past its deadline (06 §3.1, D6)."""
    with transaction.atomic():
        statement = _lock_statement(statement_id)
        if statement is None:
            raise StatementNotAuthorisableError("The statement does not exist.")
        reason = statement_can_authorise(statement, today=today)
        if reason:
            raise StatementNotAuthorisableError(reason)
        statement.marked_as_paid_at = clock.now()
        statement.marked_as_paid_by = user
        with acting_as(actor):
            statement.save()
    return statement


def statement_pay(*, statement_id, actor: Actor) -> RunResult:
    """06 §4.2 / D6: a payable, authorised statement → paid, payable lines → paid and awaiting_clawback
    lines → clawed_back (with their declarations), and the D7 snapshot, in one transaction.

    A statement already paid is left alone (`done=False`), so a second run changes nothing.
    """
    from statements.selectors import statement_calculate

    with transaction.atomic():
        statement = _lock_statement(statement_id)
        if statement is None:
            raise StatementNotPayableError("The statement does not exist.")
        if statement.status == Statement.Status.PAID:
            return RunResult(statement_id=statement_id, done=False)
        if statement.status != Statement.Status.PAYABLE:
            raise StatementNotPayableError(f"The statement is {statement.status}, not payable.")
        if statement.marked_as_paid_at is None:
            raise StatementNotPayableError("The statement has not been authorised for payment.")
        now = clock.now()
        paid_ids = _lock_declarations(
            statement=statement,
            line_kind=StatementLineItem.Kind.OUTPUT,
            line_state=StatementLineItem.State.PAYABLE,
            declaration_state="payable",
        )
        clawback_ids = _lock_declarations(
            statement=statement,
            line_kind=StatementLineItem.Kind.CLAWBACK,
            line_state=StatementLineItem.State.AWAITING_CLAWBACK,
            declaration_state="awaiting_clawback",
        )
        paid = _move(
            statement=statement,
            ids=paid_ids,
            line_kind=StatementLineItem.Kind.OUTPUT,
            line_from=StatementLineItem.State.PAYABLE,
            line_to=StatementLineItem.State.PAID,
            from_state="payable",
            to_state="paid",
            actor=actor,
            now=now,
        )
        clawed_back = _move(
            statement=statement,
            ids=clawback_ids,
            line_kind=StatementLineItem.Kind.CLAWBACK,
            line_from=StatementLineItem.State.AWAITING_CLAWBACK,
            line_to=StatementLineItem.State.CLAWED_BACK,
            from_state="awaiting_clawback",
            to_state="clawed_back",
            actor=actor,
            now=now,
        )
        before = statement.status
        statement.pay()
        with acting_as(actor):
            statement.save()
        _record_status_change(statement, before=before, actor=actor, now=now)
        statement_snapshot_write(statement=statement, calculation=statement_calculate(statement))
    return RunResult(
        statement_id=statement_id, done=True, declarations_moved=paid, clawbacks_moved=clawed_back
    )


def statement_snapshot_write(*, statement: Statement, calculation) -> StatementSnapshot:
    """D7: the contract versions and every figure the statement was paid with, stored once."""
    from statements.money import round_money

    return StatementSnapshot.objects.create(
        statement=statement,
        call_off_contract_id=statement.call_off_contract_id,
        mentor_call_off_contract_id=statement.mentor_call_off_contract_id,
        vat_rate=calculation.vat_rate,
        figures=calculation.to_json_dict(),
        total_ex_vat=round_money(calculation.total_ex_vat),
        vat=round_money(calculation.vat),
        total=round_money(calculation.total),
    )


def statement_authorise_and_pay(*, statement_id, user, actor: Actor, today=None) -> RunResult:
    """The admin's "Authorise for payment": authorisation and the payment run in one transaction."""
    with transaction.atomic():
        statement_authorise(statement_id=statement_id, user=user, actor=actor, today=today)
        return statement_pay(statement_id=statement_id, actor=actor)


# --------------------------------------------------------------------------------------------------
# Adjustments (06 §3.4)
# --------------------------------------------------------------------------------------------------


def adjustments_editable(statement: Statement) -> bool:
    return (
        statement.output_fee
        and statement.status != Statement.Status.PAID
        and statement.marked_as_paid_at is None
    )
