"""Reads for statements: provider-scoped lists and the statement a new line item goes on."""

from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from config import clock
from statements import calculations
from statements.models import Adjustment, CallOffContract, Statement, StatementLineItem, StatementSnapshot
from statements.snapshots import calculation_from_json


def next_output_statement(*, lead_provider_id, cohort_id, today=None, for_update=False) -> Statement | None:
    """The earliest open output statement of the provider and cohort whose deadline is today or later (05 §1).

    `today` is the UTC date (D4); None means the clock's today (which honours sandbox time travel).
    `for_update` (inside a transaction, before a line item goes on it) locks the statement row, so a run
    moving it on waits for the new line, or has already moved it and the next open statement is chosen.
    """
    today = today or clock.today()
    statements = Statement.objects.select_for_update() if for_update else Statement.objects
    return (
        statements.filter(
            lead_provider_id=lead_provider_id,
            cohort_id=cohort_id,
            status=Statement.Status.OPEN,
            output_fee=True,
            deadline_date__gte=today,
        )
        .order_by("deadline_date", "payment_date", "id")
        .first()
    )


def statement_list(*, lead_provider) -> QuerySet[Statement]:
    return Statement.objects.filter(lead_provider=lead_provider).select_related("cohort")


# --------------------------------------------------------------------------------------------------
# Statements API (05 §9)
# --------------------------------------------------------------------------------------------------


def statement_api_list(*, lead_provider) -> QuerySet[Statement]:
    """The provider's output statements, the API list (service-only months are never listed)."""
    return statement_list(lead_provider=lead_provider).filter(output_fee=True)


# --------------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------------


def statement_ids_due_payable(*, today, statement_ids=None) -> list:
    """Open statements whose deadline has passed (D5 catch-up), oldest deadline first."""
    statements = Statement.objects.filter(status=Statement.Status.OPEN, deadline_date__lt=today)
    if statement_ids is not None:
        statements = statements.filter(pk__in=statement_ids)
    return list(statements.order_by("deadline_date", "payment_date", "pk").values_list("pk", flat=True))


# --------------------------------------------------------------------------------------------------
# The calculation wired to the database (07 §3.3): a constant number of queries whatever the size.
# --------------------------------------------------------------------------------------------------


def _grouped_line_rows(line_items: QuerySet) -> list[dict]:
    """One GROUP BY over line items: (course, type, line state, has uplift) → count."""
    has_uplift = Case(
        When(
            Q(declaration__sparsity_uplift=True) | Q(declaration__pupil_premium_uplift=True), then=Value(True)
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    return list(
        line_items.order_by()
        .values(
            course_identifier=F("declaration__course_identifier"),
            declaration_type=F("declaration__declaration_type"),
            line_state=F("state"),
            has_uplift=has_uplift,
        )
        .annotate(count=Count("id"))
    )


def previous_statements(statement: Statement) -> QuerySet[Statement]:
    """Same LP and cohort, earlier payment date, any status and output flag (05 §1)."""
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


def statement_inputs(statement: Statement) -> calculations.StatementInputs:
    """Everything `calculate_statement` needs, in six queries: bands, current rows, previous rows,
    adjustment sum, voided / clawed-back declaration counts (plus the statement's own joins when not
    already selected). Declarations are never loaded one by one.
    """
    contract = statement.call_off_contract
    mentor_contract = statement.mentor_call_off_contract
    current_rows = _grouped_line_rows(StatementLineItem.objects.filter(statement=statement))
    previous_rows = _grouped_line_rows(
        StatementLineItem.objects.filter(statement__in=previous_statements(statement))
    )
    adjustments_total = statement.adjustments.aggregate(
        total=Coalesce(Sum("amount"), Value(Decimal("0")), output_field=DecimalField())
    )["total"]
    voided = dict.fromkeys(calculations.COURSES, 0)
    clawed_back = dict.fromkeys(calculations.COURSES, 0)
    state_rows = (
        StatementLineItem.objects.filter(
            statement=statement, declaration__state__in=["voided", "clawed_back"]
        )
        .order_by()
        .values(course=F("declaration__course_identifier"), declaration_state=F("declaration__state"))
        .annotate(count=Count("declaration_id", distinct=True))
    )
    for row in state_rows:
        target = voided if row["declaration_state"] == "voided" else clawed_back
        target[row["course"]] += row["count"]
    mentor = None
    if mentor_contract is not None:
        mentor = calculations.MentorContract(
            recruitment_target=mentor_contract.recruitment_target,
            payment_per_participant=mentor_contract.payment_per_participant,
        )
    return calculations.StatementInputs(
        contract=contract_inputs(contract),
        mentor_contract=mentor,
        mentor_funding=statement.cohort.mentor_funding,
        vat_chargeable=statement.lead_provider.vat_chargeable,
        current=calculations.counts_from_rows(current_rows),
        previous=calculations.counts_from_rows(previous_rows),
        adjustments_total=adjustments_total,
        reconcile_amount=statement.reconcile_amount,
        voided_count=voided,
        clawed_back_count=clawed_back,
    )


def statement_calculate(statement: Statement) -> calculations.StatementCalculation:
    """Calculate on demand (open and payable statements, 05 §4)."""
    return calculations.calculate_statement(statement_inputs(statement))


def statement_figures(statement: Statement) -> calculations.StatementCalculation:
    """What a screen shows: the stored snapshot of a paid statement (D7), else the live calculation."""
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
    """All statements of one provider and cohort in payment-date order with their figures.

    Paid statements read their snapshot (D7); the others are calculated from one GROUP BY over every
    line item of the series, "previous" counts being running sums in payment-date order (05 §1).
    """
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
    has_uplift = Case(
        When(
            Q(declaration__sparsity_uplift=True) | Q(declaration__pupil_premium_uplift=True), then=Value(True)
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    rows_by_statement: dict = {}
    for row in (
        StatementLineItem.objects.filter(statement__in=statements)
        .order_by()
        .values(
            "statement_id",
            course_identifier=F("declaration__course_identifier"),
            declaration_type=F("declaration__declaration_type"),
            line_state=F("state"),
            has_uplift=has_uplift,
        )
        .annotate(count=Count("id"))
    ):
        rows_by_statement.setdefault(row["statement_id"], []).append(row)
    adjustments = dict(
        Adjustment.objects.filter(statement__in=statements)
        .order_by()
        .values("statement_id")
        .annotate(total=Sum("amount"))
        .values_list("statement_id", "total")
    )
    state_counts: dict = {}
    for row in (
        StatementLineItem.objects.filter(
            statement__in=statements, declaration__state__in=["voided", "clawed_back"]
        )
        .order_by()
        .values(
            "statement_id",
            course=F("declaration__course_identifier"),
            declaration_state=F("declaration__state"),
        )
        .annotate(count=Count("declaration_id", distinct=True))
    ):
        state_counts[(row["statement_id"], row["course"], row["declaration_state"])] = row["count"]

    series = []
    for statement in statements:
        snapshot = snapshots.get(statement.pk)
        if statement.status == Statement.Status.PAID and snapshot is not None:
            series.append((statement, calculation_from_json(snapshot.figures)))
            continue
        previous_rows = [
            row
            for other in statements
            if other.payment_date < statement.payment_date
            for row in rows_by_statement.get(other.pk, [])
        ]
        mentor = None
        if statement.mentor_call_off_contract is not None:
            mentor = calculations.MentorContract(
                recruitment_target=statement.mentor_call_off_contract.recruitment_target,
                payment_per_participant=statement.mentor_call_off_contract.payment_per_participant,
            )
        inputs = calculations.StatementInputs(
            contract=contract_inputs(statement.call_off_contract),
            mentor_contract=mentor,
            mentor_funding=statement.cohort.mentor_funding,
            vat_chargeable=statement.lead_provider.vat_chargeable,
            current=calculations.counts_from_rows(rows_by_statement.get(statement.pk, [])),
            previous=calculations.counts_from_rows(previous_rows),
            adjustments_total=adjustments.get(statement.pk) or Decimal("0"),
            reconcile_amount=statement.reconcile_amount,
            voided_count={c: state_counts.get((statement.pk, c, "voided"), 0) for c in calculations.COURSES},
            clawed_back_count={
                c: state_counts.get((statement.pk, c, "clawed_back"), 0) for c in calculations.COURSES
            },
        )
        series.append((statement, calculations.calculate_statement(inputs)))
    return series
