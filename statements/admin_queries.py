"""Reads behind the finance screens: the current statement, the overview of current cohorts and a
statement's history in words. Each runs a fixed number of queries whatever the data size.
"""

import datetime as dt
import itertools
from dataclasses import dataclass, field

from config.admin import ActorNames
from partnerships.models import Cohort, LeadProvider
from statements.models import (
    Adjustment,
    CallOffContract,
    MentorCallOffContract,
    Statement,
    StatementStateChange,
)
from statements.money import format_gbp


def current_statement(*, lead_provider_id, cohort_id=None, today: dt.date) -> Statement | None:
    """The provider's statement with the earliest cut off date today or later; if none, the latest one.

    Restricted to one cohort when `cohort_id` is given.
    """
    statements = Statement.objects.filter(lead_provider_id=lead_provider_id)
    if cohort_id is not None:
        statements = statements.filter(cohort_id=cohort_id)
    upcoming = statements.filter(deadline_date__gte=today).order_by("deadline_date", "payment_date", "pk")
    return upcoming.first() or statements.order_by("-deadline_date", "-payment_date", "-pk").first()


def statement_by_month(*, lead_provider_id, cohort_id, year: int, month: int) -> Statement | None:
    return Statement.objects.filter(
        lead_provider_id=lead_provider_id, cohort_id=cohort_id, year=year, month=month
    ).first()


def statement_months() -> list[tuple[int, int]]:
    """Every (year, month) any statement is for, in date order (the statement selector's months)."""
    return list(Statement.objects.order_by("year", "month").values_list("year", "month").distinct())


# --------------------------------------------------------------------------------------------------
# Overview: providers × current cohorts
# --------------------------------------------------------------------------------------------------


def current_cohorts() -> list[Cohort]:
    """Cohorts still being paid: those with a statement that is not yet paid."""
    return list(
        Cohort.objects.filter(statements__status__in=[Statement.Status.OPEN, Statement.Status.PAYABLE])
        .distinct()
        .order_by("start_year")
    ) or list(Cohort.objects.filter(statements__isnull=False).distinct().order_by("-start_year")[:1])


@dataclass
class OverviewCell:
    cohort: Cohort
    current: Statement | None = None
    awaiting_authorisation: int = 0


@dataclass
class OverviewRow:
    lead_provider: LeadProvider
    cells: list[OverviewCell] = field(default_factory=list)


def overview_grid(*, cohorts: list[Cohort], today: dt.date) -> list[OverviewRow]:
    """For each provider and cohort: its current statement and how many statements await authorisation.

    Two queries: the providers, and the statements of the cohorts shown (a few dozen per provider).
    """
    providers = list(LeadProvider.objects.order_by("name"))
    statements = Statement.objects.filter(cohort__in=cohorts).only(
        "id",
        "lead_provider_id",
        "cohort_id",
        "year",
        "month",
        "deadline_date",
        "payment_date",
        "status",
        "marked_as_paid_at",
        "output_fee",
    )
    by_pair: dict[tuple, list[Statement]] = {}
    for statement in statements:
        by_pair.setdefault((statement.lead_provider_id, statement.cohort_id), []).append(statement)
    rows = []
    for provider in providers:
        row = OverviewRow(lead_provider=provider)
        for cohort in cohorts:
            found = by_pair.get((provider.pk, cohort.pk), [])
            upcoming = sorted(
                (s for s in found if s.deadline_date >= today),
                key=lambda s: (s.deadline_date, s.payment_date, str(s.pk)),
            )
            latest = sorted(found, key=lambda s: (s.deadline_date, s.payment_date, str(s.pk)))
            current = upcoming[0] if upcoming else (latest[-1] if latest else None)
            waiting = sum(
                1 for s in found if s.status == Statement.Status.PAYABLE and s.marked_as_paid_at is None
            )
            row.cells.append(OverviewCell(cohort=cohort, current=current, awaiting_authorisation=waiting))
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------------
# A statement's history in words
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    who: str
    what: str


def _status_change_text(change: StatementStateChange) -> str:
    if change.from_status is None:
        return f"Statement created ({change.to_status})"
    if change.to_status == Statement.Status.PAYABLE:
        return (
            "Made payable: the milestone cut off date had passed, so its eligible declarations became payable"
        )
    if change.to_status == Statement.Status.PAID:
        return "Paid: its payable declarations were paid and its clawbacks completed"
    return f"Status changed from {change.from_status} to {change.to_status}"


STATEMENT_FIELDS = (
    ("deadline_date", "Milestone cut off date"),
    ("payment_date", "Payment date"),
    ("output_fee", "Output statement"),
    ("call_off_contract_id", "Contract version"),
    ("mentor_call_off_contract_id", "Mentor contract version"),
    ("reconcile_amount", "Reconcile amount"),
)


def statement_history(statement: Statement) -> list[HistoryEntry]:
    """Status changes, authorisation, field changes and adjustment changes, oldest first, naming who acted.

    At most six queries: status changes, statement audit rows, adjustment audit rows, users, tokens and
    (only when a contract changed) contract versions.
    """
    changes = list(StatementStateChange.objects.filter(statement=statement).order_by("changed_at", "id"))
    statement_rows = list(
        Statement.history.filter(id=statement.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    adjustment_rows = list(
        Adjustment.history.filter(statement_id=statement.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    names = ActorNames(
        [(c.actor_kind, c.actor_id) for c in changes]
        + [(r.actor_kind, r.actor_id) for r in (*statement_rows, *adjustment_rows)]
    )
    entries = [
        HistoryEntry(c.changed_at, names(c.actor_kind, c.actor_id), _status_change_text(c)) for c in changes
    ]

    if statement.marked_as_paid_at is not None:
        who = (
            ActorNames.user_name(statement.marked_as_paid_by)
            if statement.marked_as_paid_by is not None
            else "an unrecorded user"
        )
        entries.append(HistoryEntry(statement.marked_as_paid_at, who, "Authorised for payment"))

    contract_ids: dict[str, set] = {"call_off_contract_id": set(), "mentor_call_off_contract_id": set()}
    field_changes = []
    for previous, row in itertools.pairwise(statement_rows):
        changed = [
            (name, label, getattr(previous, name), getattr(row, name))
            for name, label in STATEMENT_FIELDS
            if getattr(previous, name) != getattr(row, name)
        ]
        if changed:
            field_changes.append((row, changed))
            for name, _, old, new in changed:
                if name in contract_ids:
                    contract_ids[name].update({old, new} - {None})
    versions: dict[str, dict] = {"call_off_contract_id": {}, "mentor_call_off_contract_id": {}}
    for name, model in (
        ("call_off_contract_id", CallOffContract),
        ("mentor_call_off_contract_id", MentorCallOffContract),
    ):
        if contract_ids[name]:
            versions[name] = dict(
                model.objects.filter(pk__in=contract_ids[name]).values_list("pk", "version")
            )

    def shown(name, value):
        if value is None:
            return "none"
        if name in versions:
            return versions[name].get(value, f"#{value}")
        if name == "reconcile_amount":
            return format_gbp(value)
        if name == "output_fee":
            return "yes" if value else "no (service fee only)"
        return f"{value:%-d %B %Y}" if isinstance(value, dt.date) else str(value)

    for row, changed in field_changes:
        what = "; ".join(
            f"{label} changed from {shown(n, old)} to {shown(n, new)}" for n, label, old, new in changed
        )
        entries.append(
            HistoryEntry(row.history_date, names(row.actor_kind, row.actor_id, user=row.history_user), what)
        )

    latest: dict = {}
    for row in adjustment_rows:
        before = latest.get(row.id)
        who = names(row.actor_kind, row.actor_id, user=row.history_user)
        quoted = f"“{row.payment_type}”"
        if row.history_type == "+":
            what = f"Added adjustment {quoted} of {format_gbp(row.amount)}"
        elif row.history_type == "-":
            what = f"Removed adjustment {quoted} of {format_gbp(row.amount)}"
        else:
            parts = []
            if before is not None and before.payment_type != row.payment_type:
                parts.append(f"renamed “{before.payment_type}” to {quoted}")
            if before is not None and before.amount != row.amount:
                parts.append(f"amount {format_gbp(before.amount)} to {format_gbp(row.amount)}")
            what = f"Changed adjustment {quoted}" + (f": {', '.join(parts)}" if parts else "")
        latest[row.id] = row
        entries.append(HistoryEntry(row.history_date, who, what))

    entries.sort(key=lambda entry: entry.at)
    return entries


__all__ = [
    "HistoryEntry",
    "OverviewCell",
    "OverviewRow",
    "current_cohorts",
    "current_statement",
    "overview_grid",
    "statement_by_month",
    "statement_history",
    "statement_months",
]
