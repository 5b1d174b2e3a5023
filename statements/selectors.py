"""Reads for statements: provider-scoped lists and the statement a new line item goes on."""

from django.db.models import QuerySet

from config import clock
from statements.models import Statement


def next_output_statement(*, lead_provider_id, cohort_id, today=None) -> Statement | None:
    """The earliest open output statement of the provider and cohort whose deadline is today or later (05 §1).

    `today` is the UTC date (D4); None means the clock's today (which honours sandbox time travel).
    """
    today = today or clock.today()
    return (
        Statement.objects.filter(
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
