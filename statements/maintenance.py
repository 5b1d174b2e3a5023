"""Statement maintenance run by commands: moving declarations between two statements of a cohort, and
copying current uplift flags onto declarations without changing what paid statements show.

Paid statements are history: nothing is moved out of or into one, and their figures are frozen (a snapshot)
before any input of their calculation changes.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from config.actors import Actor, acting_as
from config.errors import DomainError
from declarations.backfills import declarations_copy_uplift_flags, declarations_with_stale_uplift_flags
from declarations.models import Declaration
from declarations.services import declarations_transition
from statements.models import Statement, StatementLineItem, StatementSnapshot
from statements.services import line_items_transition, statement_snapshot_write

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}


class MaintenanceError(DomainError):
    title = "Refused"


class _Rollback(Exception):
    """Ends a dry run after every check and move has run, so its report is the real one."""


def parse_statement_name(name: str) -> tuple[int, int]:
    """'January 2026' → (2026, 1)."""
    parts = name.strip().split()
    if len(parts) != 2 or parts[0].lower() not in MONTHS or not parts[1].isdigit():
        raise MaintenanceError(f"{name!r} is not a statement name such as 'January 2026'.")
    return int(parts[1]), MONTHS[parts[0].lower()]


@dataclass
class Move:
    lead_provider: str
    lines: int = 0
    made_payable: int = 0  # eligible declarations moved onto a payable statement
    moved_back: int = 0  # payable declarations moved onto an open statement


@dataclass
class MoveFilters:
    lead_providers: list[str] = field(default_factory=list)  # names; empty: every provider
    declaration_types: list[str] = field(default_factory=list)
    declaration_states: list[str] = field(default_factory=list)
    course_identifiers: list[str] = field(default_factory=list)
    created_before: dt.date | None = None


def _lines_to_move(source: Statement, filters: MoveFilters):
    lines = StatementLineItem.objects.filter(statement=source)
    if filters.declaration_types:
        lines = lines.filter(declaration__declaration_type__in=filters.declaration_types)
    if filters.declaration_states:
        lines = lines.filter(declaration__state__in=filters.declaration_states)
    if filters.course_identifiers:
        lines = lines.filter(declaration__course_identifier__in=filters.course_identifiers)
    if filters.created_before:
        lines = lines.filter(declaration__created_at__date__lt=filters.created_before)
    return lines.order_by("pk")


def declarations_move_between_statements(
    *, cohort, from_name: str, to_name: str, filters: MoveFilters, actor: Actor, commit: bool
) -> list[Move]:
    """Moves the matching lines of each provider's `from_name` statement of the cohort to its `to_name`
    statement. Onto a payable statement, eligible declarations (and their lines) become payable; onto an
    open one, payable ones go back to eligible. Refused, with nothing moved, when a source or target
    statement is paid, or a provider lacks the target statement. One transaction; a dry run (the default)
    rolls it back after doing everything, so its report is exactly what a commit does."""
    source_key, target_key = parse_statement_name(from_name), parse_statement_name(to_name)
    if source_key == target_key:
        raise MaintenanceError("The source and target statements are the same.")
    sources = Statement.objects.filter(cohort=cohort, year=source_key[0], month=source_key[1])
    if filters.lead_providers:
        sources = sources.filter(lead_provider__name__in=filters.lead_providers)
        unknown = set(filters.lead_providers) - set(sources.values_list("lead_provider__name", flat=True))
        if unknown:
            raise MaintenanceError(
                f"No {from_name} statement in cohort {cohort.start_year} for: {', '.join(sorted(unknown))}."
            )
    moves = []
    try:
        with transaction.atomic():
            for source_id in sources.order_by("lead_provider__name").values_list("pk", flat=True):
                moves.append(_move_one(source_id, target_key, filters=filters, actor=actor, to_name=to_name))
            if not commit:
                raise _Rollback()
    except _Rollback:
        pass
    return moves


def _move_one(source_id, target_key, *, filters: MoveFilters, actor: Actor, to_name: str) -> Move:
    source = Statement.objects.select_related("lead_provider", "cohort").get(pk=source_id)
    target = Statement.objects.filter(
        lead_provider_id=source.lead_provider_id,
        cohort_id=source.cohort_id,
        year=target_key[0],
        month=target_key[1],
    ).first()
    if target is None:
        raise MaintenanceError(
            f"{source.lead_provider} has no {to_name} statement in cohort {source.cohort}."
        )
    # Both statements locked in id order, then the declarations being moved in id order (as the runs do).
    locked = {
        s.pk: s
        for s in Statement.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    for statement, role in ((source, "move out of"), (target, "move into")):
        if statement.status == Statement.Status.PAID:
            raise MaintenanceError(f"Cannot {role} {statement.label}: it is paid.")
        if statement.is_authorised:
            raise MaintenanceError(f"Cannot {role} {statement.label}: it is authorised for payment.")
    lines = list(_lines_to_move(source, filters).select_related("declaration"))
    move = Move(lead_provider=str(source.lead_provider), lines=len(lines))
    if not lines:
        return move
    declaration_ids = [line.declaration_id for line in lines]
    list(
        Declaration.objects.filter(pk__in=declaration_ids)
        .order_by("pk")
        .select_for_update()
        .values_list("pk")
    )
    with acting_as(actor):
        for line in lines:  # each with its audit row (simple-history)
            line.statement = target
            line.save(update_fields=["statement", "updated_at"])
    moved_output = StatementLineItem.objects.filter(
        statement=target, kind=StatementLineItem.Kind.OUTPUT, declaration_id__in=declaration_ids
    )
    if target.status == Statement.Status.PAYABLE:
        name, source_state = "mark_payable", StatementLineItem.State.ELIGIBLE
    else:
        name, source_state = "move_back", StatementLineItem.State.PAYABLE
    moved = declarations_transition(
        declarations=Declaration.objects.filter(
            pk__in=moved_output.filter(state=source_state).values("declaration_id")
        ),
        name=name,
        actor=actor,
    )
    line_items_transition(lines=moved_output.filter(declaration_id__in=moved), name=name, actor=actor)
    if name == "mark_payable":
        move.made_payable = len(moved)
    else:
        move.moved_back = len(moved)
    return move


@dataclass
class UpliftBackfill:
    declarations: int  # declarations whose flags change
    frozen: list[str]  # paid statements whose figures were frozen first (they had no snapshot)


def lines_copy_uplift_flags(*, cohort) -> int:
    """Lines carry their declaration's uplift for the calculation: after the flags change, so do the copies
    (a paid statement's figures stay those of its snapshot)."""
    declaration = Declaration.objects.filter(pk=OuterRef("declaration_id"))
    uplifted = Exists(declaration.filter(Q(sparsity_uplift=True) | Q(pupil_premium_uplift=True)))
    return (
        StatementLineItem.objects.filter(declaration__cohort=cohort)
        .annotate(uplifted=uplifted)
        .exclude(has_uplift=F("uplifted"))
        .update(has_uplift=uplifted)
    )


def uplift_flags_backfill(*, cohort, actor: Actor, commit: bool) -> UpliftBackfill:
    """Copies the training records' current uplift flags onto the cohort's declarations. A paid statement
    keeps the figures it was paid with: one that has no snapshot yet (paid before snapshots were kept, or
    loaded as paid) is frozen first, with the figures it shows today."""
    from statements.selectors import statement_calculate

    try:
        with transaction.atomic():
            unfrozen = list(
                Statement.objects.select_for_update(of=("self",))
                .filter(cohort=cohort, status=Statement.Status.PAID)
                .exclude(pk__in=StatementSnapshot.objects.values("statement_id"))
                .select_related("lead_provider", "cohort", "call_off_contract", "mentor_call_off_contract")
                .order_by("pk")
            )
            for statement in unfrozen:
                with acting_as(actor):
                    statement_snapshot_write(statement=statement, calculation=statement_calculate(statement))
            changed = declarations_copy_uplift_flags(
                declarations=declarations_with_stale_uplift_flags(cohort=cohort)
            )
            lines_copy_uplift_flags(cohort=cohort)
            result = UpliftBackfill(declarations=changed, frozen=[s.label for s in unfrozen])
            if not commit:
                raise _Rollback()
    except _Rollback:
        pass
    return result
