"""Reads for statements: provider-scoped lists and the statement a new line item goes on."""

from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    F,
    QuerySet,
    Sum,
)

from config import clock
from declarations.models import DeclarationState
from statements import calculations
from statements.models import Adjustment, CallOffContract, Statement, StatementLineItem, StatementSnapshot
from statements.snapshots import calculation_from_json


def next_output_statement(*, lead_provider_id, cohort_id, today=None, lock=False) -> Statement | None:
    """The earliest open output statement of the provider and cohort whose deadline is today or later.

    `today` is the UTC date; None means the clock's today (which honours sandbox time travel).
    `lock` (inside a transaction, before a line item goes on it) takes a shared row lock on the statement
    (`FOR SHARE`): any number of submissions attach lines side by side, while the statement's own runs
    and edits, which lock it `FOR UPDATE`, wait for them (or have already moved it, and the lock's re-check
    skips to the next open statement).
    """
    today = today or clock.today()
    statements = Statement.objects.filter(
        lead_provider_id=lead_provider_id,
        cohort_id=cohort_id,
        status=Statement.Status.OPEN,
        output_fee=True,
        deadline_date__gte=today,
    ).order_by("deadline_date", "payment_date", "id")
    if lock and connection.vendor == "postgresql":
        sql, params = statements[:1].query.sql_with_params()
        return next(iter(Statement.objects.raw(f"{sql} FOR SHARE", params)), None)
    return statements.first()


def statement_list(*, lead_provider) -> QuerySet[Statement]:
    return Statement.objects.filter(lead_provider=lead_provider).select_related("cohort")


# --------------------------------------------------------------------------------------------------
# Statements API
# --------------------------------------------------------------------------------------------------


def statement_api_list(*, lead_provider) -> QuerySet[Statement]:
    """The provider's output statements, the API list (service-only months are never listed)."""
    return statement_list(lead_provider=lead_provider).filter(output_fee=True)


# --------------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------------


def statement_ids_due_payable(*, today, statement_ids=None) -> list:
    """Open statements whose deadline has passed (every one, so that a missed day is caught up), oldest
    deadline first."""
    statements = Statement.objects.filter(status=Statement.Status.OPEN, deadline_date__lt=today)
    if statement_ids is not None:
        statements = statements.filter(pk__in=statement_ids)
    return list(statements.order_by("deadline_date", "payment_date", "pk").values_list("pk", flat=True))


# --------------------------------------------------------------------------------------------------
# The calculation wired to the database: a constant number of queries whatever the size.
# --------------------------------------------------------------------------------------------------


def previous_statements(statement: Statement) -> QuerySet[Statement]:
    """Same provider and cohort, earlier payment date, any status and output flag: the statements whose
    counts decide the bands of this one."""
    return Statement.objects.filter(
        lead_provider_id=statement.lead_provider_id,
        cohort_id=statement.cohort_id,
        payment_date__lt=statement.payment_date,
    )


def contract_inputs(contract: CallOffContract) -> calculations.Contract:
    bands = [
        calculations.Band(
            letter=band.band,
            min=band.min,
            max=band.max,
            per_participant=band.per_participant,
            output_payment_percentage=band.output_payment_percentage,
            service_fee_percentage=band.service_fee_percentage,
        )
        for band in contract.bands.all()
    ]
    return calculations.Contract(
        recruitment_target=contract.recruitment_target,
        set_up_fee=contract.set_up_fee,
        uplift_amount=contract.uplift_amount,
        monthly_service_fee=contract.monthly_service_fee,
        uplift_target=contract.uplift_target,
        bands=tuple(bands),
    )


def statements_inputs(statements: list[Statement]) -> dict:
    """Statement id → everything `calculate_statement` needs, for statements of one provider and cohort.

    The one builder of calculation inputs: the admin pages, the overview chart and the payment snapshot
    all use it. Four queries whatever the number and size of the statements (plus the bands, unless
    prefetched): one GROUP BY over the line items of the provider and cohort's statements paid up to the
    latest of them, then adjustment sums and voided / clawed-back declaration counts per statement.
    A statement's "previous" counts are those of the statements with an earlier payment date.
    Declarations are never loaded one by one.
    """
    if not statements:
        return {}
    lead_provider_id, cohort_id = statements[0].lead_provider_id, statements[0].cohort_id
    if any((s.lead_provider_id, s.cohort_id) != (lead_provider_id, cohort_id) for s in statements):
        raise ValueError("Statement inputs are built for statements of one provider and cohort.")
    ids = [statement.pk for statement in statements]
    # Over the `line_item_calculation` index alone: the lines carry their declaration's course, type and
    # uplift, so no declaration is visited.
    rows = list(
        StatementLineItem.objects.filter(
            statement__lead_provider_id=lead_provider_id,
            statement__cohort_id=cohort_id,
            statement__payment_date__lte=max(statement.payment_date for statement in statements),
        )
        .order_by()
        .values(
            "statement_id",
            "course_identifier",
            "declaration_type",
            "has_uplift",
            payment_date=F("statement__payment_date"),
            line_state=F("state"),
        )
        .annotate(count=Count("*"))
    )
    adjustments = dict(
        Adjustment.objects.filter(statement__in=ids)
        .order_by()
        .values("statement_id")
        .annotate(total=Sum("amount"))
        .values_list("statement_id", "total")
    )
    declaration_states = {}
    for row in (
        StatementLineItem.objects.filter(
            statement__in=ids, declaration__state__in=[DeclarationState.VOIDED, DeclarationState.CLAWED_BACK]
        )
        .order_by()
        .values(
            "statement_id",
            course=F("declaration__course_identifier"),
            declaration_state=F("declaration__state"),
        )
        .annotate(count=Count("declaration_id", distinct=True))
    ):
        declaration_states[(row["statement_id"], row["course"], row["declaration_state"])] = row["count"]

    def declarations_in(statement, state) -> dict:
        return {
            course: declaration_states.get((statement.pk, course, state), 0)
            for course in calculations.COURSES
        }

    inputs = {}
    for statement in statements:
        mentor = None
        if statement.mentor_call_off_contract is not None:
            mentor = calculations.MentorContract(
                recruitment_target=statement.mentor_call_off_contract.recruitment_target,
                payment_per_participant=statement.mentor_call_off_contract.payment_per_participant,
            )
        inputs[statement.pk] = calculations.StatementInputs(
            contract=contract_inputs(statement.call_off_contract),
            mentor_contract=mentor,
            mentor_funding=statement.cohort.mentor_funding,
            vat_chargeable=statement.lead_provider.vat_chargeable,
            current=calculations.counts_from_rows(row for row in rows if row["statement_id"] == statement.pk),
            previous=calculations.counts_from_rows(
                row for row in rows if row["payment_date"] < statement.payment_date
            ),
            adjustments_total=adjustments.get(statement.pk) or Decimal("0"),
            reconcile_amount=statement.reconcile_amount,
            voided_count=declarations_in(statement, DeclarationState.VOIDED),
            clawed_back_count=declarations_in(statement, DeclarationState.CLAWED_BACK),
        )
    return inputs


def statement_inputs(statement: Statement) -> calculations.StatementInputs:
    return statements_inputs([statement])[statement.pk]


def statement_calculate(statement: Statement) -> calculations.StatementCalculation:
    """Calculate on demand (open and payable statements; the payment run stores the result)."""
    return calculations.calculate_statement(statement_inputs(statement))


def statement_figures(statement: Statement) -> calculations.StatementCalculation:
    """What a screen shows: the stored snapshot of a paid statement (its figures never change), else the
    live calculation."""
    if statement.status == Statement.Status.PAID:
        snapshot = StatementSnapshot.objects.filter(statement=statement).first()
        if snapshot is not None:
            return calculation_from_json(snapshot.figures)
    return statement_calculate(statement)


def statement_with_relations(pk) -> Statement | None:
    return (
        Statement.objects.select_related(
            "lead_provider", "cohort", "call_off_contract", "mentor_call_off_contract", "marked_as_paid_by"
        )
        .filter(pk=pk)
        .first()
    )


# --------------------------------------------------------------------------------------------------
# A provider/cohort series (overview chart): every statement's figures in a constant number of queries.
# --------------------------------------------------------------------------------------------------


def statement_series(
    *, lead_provider_id, cohort_id
) -> list[tuple[Statement, calculations.StatementCalculation]]:
    """All statements of one provider and cohort in payment-date order with their figures: a paid
    statement's stored snapshot, the others calculated."""
    statements = list(
        Statement.objects.filter(lead_provider_id=lead_provider_id, cohort_id=cohort_id)
        .select_related("lead_provider", "cohort", "call_off_contract", "mentor_call_off_contract")
        .prefetch_related("call_off_contract__bands")
        .order_by("payment_date", "pk")
    )
    if not statements:
        return []
    snapshots = {
        snapshot.statement_id: snapshot
        for snapshot in StatementSnapshot.objects.filter(statement__in=statements)
    }
    frozen = {
        statement.pk: calculation_from_json(snapshots[statement.pk].figures)
        for statement in statements
        if statement.status == Statement.Status.PAID and statement.pk in snapshots
    }
    inputs = statements_inputs([statement for statement in statements if statement.pk not in frozen])
    return [
        (
            statement,
            frozen[statement.pk]
            if statement.pk in frozen
            else calculations.calculate_statement(inputs[statement.pk]),
        )
        for statement in statements
    ]
