"""What declarations need from the statements app, which sits above it and which it never imports.

A declaration's money lives on statement lines: an output line when it becomes billable (or is refused as a
duplicate), a clawback line when a paid one is voided. Deciding *which* statement, and writing its lines,
is the statements app's business; the declaration use cases ask for it through `statement_ledger()`.

Implemented by `statements/for_declarations.py` (`StatementLedgerForDeclarations`), installed in
`StatementsConfig.ready()`. Every method runs in the caller's transaction.
"""

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from django.db.models import QuerySet

from config.actors import Actor
from config.ports import Port


@dataclass(frozen=True)
class StatementLine:
    """One line of a declaration on a statement, as the back office shows it."""

    statement_id: UUID
    statement_name: str
    kind: str  # output or clawback
    state: str


@runtime_checkable
class StatementLedger(Protocol):
    def next_output_statement(self, *, lead_provider_id, cohort_id, lock: bool = False) -> Any | None:
        """The statement a new line of this provider and cohort goes on: its earliest open output statement
        whose deadline is today or later; None when it has none. With `lock`, the statement row stays
        share-locked to the end of the transaction: a run moving the statement on waits for the new line,
        while other submissions attaching to the same statement do not wait."""

    def add_output_line(self, *, declaration, statement, actor: Actor) -> None:
        """The declaration's output line on `statement`, in the declaration's state (eligible or ineligible)."""

    def add_clawback_line(self, *, declaration, statement, actor: Actor) -> None:
        """The line recovering a paid declaration's money on `statement`."""

    def has_clawback_line(self, *, declaration) -> bool:
        """Whether the declaration's money is already being recovered."""

    def void_output_line(self, *, declaration, actor: Actor) -> None:
        """The declaration was voided before payment: its output line (if any) is voided too."""

    def with_statement_ids(self, declarations: QuerySet) -> QuerySet:
        """`declarations` annotated, in the same query, with `output_statement_id` (the statement of its
        billable output line) and `clawback_statement_id` (the statement of its clawback line), or None."""

    def statement_lines(self, *, declaration) -> list[StatementLine]:
        """Every line of the declaration, oldest first."""


statement_ledger: Port[StatementLedger] = Port(
    StatementLedger, implemented_by="statements/for_declarations.py"
)
