"""What the statement run commands share: the `--date` option and how a statement is named to people."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import CommandError

from config import clock
from statements.models import Statement

DATE_HELP = (
    "act as if today were this UTC date (YYYY-MM-DD). Outside the sandbox a future date is refused; in the "
    "sandbox the whole run happens on that date, as a request with X-With-Server-Date does."
)


def parse_run_date(value: str | None) -> dt.date | None:
    """The `--date` value. Outside the sandbox it may not be in the future: a statement made payable
    before its time could then not be paid, and would be stuck."""
    if not value:
        return None
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, got {value!r}") from None
    today = clock.today()
    if date > today and not settings.SANDBOX:
        raise CommandError(
            f"--date {date.isoformat()} is in the future (today is {today.isoformat()}, UTC). Outside the "
            "sandbox a run cannot act as if on a later day."
        )
    return date


@contextmanager
def running_on(date: dt.date | None) -> Iterator[None]:
    """In the sandbox, runs the block on `date` at the current time of day, so that history rows carry
    that date too; elsewhere (or without a date) on the real clock."""
    if date is None or not settings.SANDBOX:
        yield
        return
    now = clock.now()
    with clock.travel_to(dt.datetime.combine(date, now.astimezone(dt.UTC).timetz())):
        yield


def statement_names(statement_ids) -> dict:
    """id → "Ambition Institute, cohort 2025, January 2026 (<id>)", in one query."""
    statements = Statement.objects.filter(pk__in=list(statement_ids)).select_related(
        "lead_provider", "cohort"
    )
    return {statement.pk: describe(statement) for statement in statements}


def describe(statement: Statement) -> str:
    return (
        f"{statement.lead_provider.name}, cohort {statement.cohort.start_year}, {statement.name} "
        f"({statement.pk})"
    )
