"""Use cases that write statements and their line items.

The runs (`statement_make_payable`, `statement_pay`) are set-based: one transaction per statement, the
statement row locked first, then the declarations being moved in primary-key order. The declarations move
through the declarations app's `declarations_transition`, and their lines follow through
`line_items_transition` by the move of the same name, each guarded by the source state in its `WHERE`.

A line is only ever written while its declaration's row is locked (by the submission, void or run that
moves the declaration), so line writes need no lock of their own.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, DateTimeField, IntegerField, QuerySet, Value
from simple_history.utils import bulk_create_with_history

from config import clock
from config.actors import Actor, acting_as
from config.history import StateChange
from config.sql import insert_from_select
from declarations.models import Declaration
from declarations.services import declarations_transition
from statements.exceptions import StatementNotAuthorisableError, StatementNotPayableError
from statements.models import Statement, StatementLineItem, StatementSnapshot, StatementStateChange


def statements_bulk_create(*, statements: list[Statement], actor: Actor) -> list[Statement]:
    """Inserts new statements set-based (a data load such as the sandbox seed), each `open` with its audit
    row and its opening history row at its `created_at`; the runs move them on from there."""
    for statement in statements:
        if statement.status != Statement.Status.OPEN:
            raise ValueError(f"Statement {statement.pk} must be created open; the runs move it on.")
    with transaction.atomic():
        created = bulk_create_with_history(
            statements,
            Statement,
            batch_size=500,
            custom_historical_attrs={"actor_kind": actor.kind, "actor_id": actor.id},
        )
        StatementStateChange.objects.bulk_create(
            [
                StatementStateChange(
                    statement_id=statement.pk,
                    from_status=None,
                    to_status=statement.status,
                    changed_at=statement.created_at,
                    **StateChange.actor_fields(actor),
                )
                for statement in created
            ],
            batch_size=500,
        )
    return created


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
    """The line recovering a paid declaration's money, awaiting the payment of `statement`."""
    with acting_as(actor):
        return StatementLineItem.objects.create(
            statement=statement,
            declaration=declaration,
            kind=StatementLineItem.Kind.CLAWBACK,
            state=StatementLineItem.State.AWAITING_CLAWBACK,
        )


def line_items_transition(*, lines: QuerySet[StatementLineItem], name: str, actor: Actor, at=None) -> int:
    """Set-based move `name` (one of `StatementLineItem.TRANSITIONS`) of the lines of `lines` that are in
    one of its source states: their audit rows (simple-history, which `queryset.update` bypasses, with the
    acting user or command) by one `INSERT … SELECT`, then one UPDATE guarded by the source states.
    Returns the number of lines moved."""
    move = StatementLineItem.TRANSITIONS[name]
    at = at or clock.now()
    chosen = StatementLineItem.objects.filter(pk__in=lines.filter(state__in=move.source).values("pk"))
    with transaction.atomic(savepoint=False):
        insert_from_select(
            into=StatementLineItem.history.model,
            columns=[
                "id", "statement_id", "declaration_id", "kind", "course_identifier", "declaration_type",
                "has_uplift", "created_at", "state", "updated_at",
                "history_date", "history_type", "history_user_id", "actor_kind", "actor_id",
            ],
            select=chosen.annotate(
                moved_to=Value(move.target, output_field=CharField()),
                moved_at=Value(at, output_field=DateTimeField()),
                history_kind=Value("~", output_field=CharField()),
                moved_by_user=Value(getattr(actor.user, "pk", None), output_field=IntegerField()),
                moved_by_kind=Value(actor.kind, output_field=CharField()),
                moved_by=Value(actor.id, output_field=CharField()),
            ).values_list(
                "id", "statement_id", "declaration_id", "kind", "course_identifier", "declaration_type",
                "has_uplift", "created_at", "moved_to", "moved_at",
                "moved_at", "history_kind", "moved_by_user", "moved_by_kind", "moved_by",
            ),
        )  # fmt: skip
        return chosen.update(state=move.target, updated_at=at)


# --------------------------------------------------------------------------------------------------
# Runs: make payable, authorise, pay
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    statement_id: object
    done: bool  # False: the statement was not (or no longer) in the state the run acts on
    declarations_moved: int = 0
    clawbacks_moved: int = 0


def _lock_statement(statement_id) -> Statement | None:
    return (
        Statement.objects.select_for_update(of=("self",))
        .select_related("lead_provider", "cohort", "call_off_contract", "mentor_call_off_contract")
        .filter(pk=statement_id)
        .first()
    )


def _declarations_with_line(*, statement: Statement, kind: str, line_state: str) -> QuerySet[Declaration]:
    """The declarations whose `kind` line on `statement` is in `line_state`."""
    return Declaration.objects.filter(
        statement_line_items__statement=statement,
        statement_line_items__kind=kind,
        statement_line_items__state=line_state,
    )


# Declarations moved per batch by a run: each batch locks, writes history and moves its rows with a few
# statements, so a statement of a million declarations runs in bounded memory and statement size.
RUN_BATCH_SIZE = 10_000


def _declaration_id_batches(*, statement: Statement, kind: str, line_state: str, size: int = RUN_BATCH_SIZE):
    """The ids of the declarations whose `kind` line on the statement is in `line_state`, in primary-key
    batches: a keyset walk over the `line_item_run` index (index-only), never an OFFSET."""
    lines = StatementLineItem.objects.filter(statement=statement, kind=kind, state=line_state)
    last = None
    while True:
        batch = lines if last is None else lines.filter(declaration_id__gt=last)
        ids = list(batch.order_by("declaration_id").values_list("declaration_id", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _move_with_lines(*, statement: Statement, kind: str, line_state: str, name: str, actor, at) -> int:
    """Declarations whose `kind` line on the statement is in `line_state` make the move `name`, and so do
    their lines on this statement, batch by batch in primary-key order (so the declarations' row locks are
    taken in one order, as everywhere else), all in the caller's transaction."""
    moved = 0
    for ids in _declaration_id_batches(statement=statement, kind=kind, line_state=line_state):
        moved_ids = declarations_transition(
            declarations=Declaration.objects.filter(pk__in=ids), name=name, actor=actor, at=at
        )
        if moved_ids:
            line_items_transition(
                lines=StatementLineItem.objects.filter(
                    statement=statement, kind=kind, state=line_state, declaration_id__in=moved_ids
                ),
                name=name,
                actor=actor,
                at=at,
            )
        moved += len(moved_ids)
    return moved


def _record_status_change(statement: Statement, *, before: str, actor: Actor, now) -> None:
    StatementStateChange.objects.create(
        statement=statement,
        from_status=before,
        to_status=statement.status,
        changed_at=now,
        **StateChange.actor_fields(actor),
    )


def statement_make_payable(*, statement_id, actor: Actor, today=None, dry_run: bool = False) -> RunResult:
    """The payable run for one statement: eligible declarations on it (and their lines) → payable, then the
    statement → payable. Skips a statement that is no longer open or whose deadline has not passed."""
    today = today or clock.today()
    with transaction.atomic():
        statement = _lock_statement(statement_id)
        if statement is None or statement.status != Statement.Status.OPEN or statement.deadline_date >= today:
            return RunResult(statement_id=statement_id, done=False)
        now = clock.now()
        if dry_run:
            due = _declarations_with_line(
                statement=statement,
                kind=StatementLineItem.Kind.OUTPUT,
                line_state=StatementLineItem.State.ELIGIBLE,
            ).filter(state__in=Declaration.TRANSITIONS["mark_payable"].source)
            return RunResult(statement_id=statement_id, done=True, declarations_moved=due.count())
        moved = _move_with_lines(
            statement=statement,
            kind=StatementLineItem.Kind.OUTPUT,
            line_state=StatementLineItem.State.ELIGIBLE,
            name="mark_payable",
            actor=actor,
            at=now,
        )
        before = statement.status
        statement.make_payable()
        with acting_as(actor):
            statement.save()
        _record_status_change(statement, before=before, actor=actor, now=now)
    return RunResult(statement_id=statement_id, done=True, declarations_moved=moved)


def statement_can_authorise(statement: Statement, *, today=None) -> str | None:
    """None when the statement may be authorised, else the reason it may not."""
    today = today or clock.today()
    if statement.status != Statement.Status.PAYABLE:
        return f"The statement is {statement.status}; only a payable statement can be authorised for payment."
    if statement.marked_as_paid_at is not None:
        return "The statement has already been authorised for payment."
    if statement.deadline_date >= today:
        return "The statement's milestone cut off date has not passed yet."
    return None


def statement_authorise(*, statement_id, user, actor: Actor, today=None) -> Statement:
    """Sets `marked_as_paid_at`/`_by` on a payable statement past its deadline."""
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
    """The payment run: a payable, authorised statement → paid, payable lines → paid and awaiting_clawback
    lines → clawed_back (with their declarations), and the snapshot of its figures, in one transaction.

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
        paid = _move_with_lines(
            statement=statement,
            kind=StatementLineItem.Kind.OUTPUT,
            line_state=StatementLineItem.State.PAYABLE,
            name="pay",
            actor=actor,
            at=now,
        )
        clawed_back = _move_with_lines(
            statement=statement,
            kind=StatementLineItem.Kind.CLAWBACK,
            line_state=StatementLineItem.State.AWAITING_CLAWBACK,
            name="complete_clawback",
            actor=actor,
            at=now,
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
    """A paid statement is frozen: the contract versions and every figure the statement was paid with, stored once."""
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
# Adjustments
# --------------------------------------------------------------------------------------------------


def adjustments_editable(statement: Statement) -> bool:
    return (
        statement.output_fee
        and statement.status != Statement.Status.PAID
        and statement.marked_as_paid_at is None
    )
