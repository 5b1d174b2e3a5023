"""The statements app's side of `declarations.ports.StatementLedger`: where a declaration's money goes.

Installed in `StatementsConfig.ready()`; the declaration use cases call it through
`declarations.ports.statement_ledger()`, inside their own transaction.
"""

from django.db.models import OuterRef, QuerySet, Subquery, UUIDField

from config.actors import Actor
from declarations.ports import StatementLine
from statements.models import StatementLineItem
from statements.selectors import next_output_statement
from statements.services import line_items_transition, statement_add_clawback, statement_attach_declaration


class StatementLedgerForDeclarations:
    def next_output_statement(self, *, lead_provider_id, cohort_id, lock: bool = False):
        return next_output_statement(lead_provider_id=lead_provider_id, cohort_id=cohort_id, lock=lock)

    def add_output_line(self, *, declaration, statement, actor: Actor) -> None:
        statement_attach_declaration(declaration=declaration, statement=statement, actor=actor)

    def add_clawback_line(self, *, declaration, statement, actor: Actor) -> None:
        statement_add_clawback(declaration=declaration, statement=statement, actor=actor)

    def has_clawback_line(self, *, declaration) -> bool:
        return StatementLineItem.objects.filter(
            declaration=declaration, kind=StatementLineItem.Kind.CLAWBACK
        ).exists()

    def void_output_line(self, *, declaration, actor: Actor) -> None:
        line_items_transition(
            lines=StatementLineItem.objects.filter(
                declaration=declaration, kind=StatementLineItem.Kind.OUTPUT
            ),
            name="void",
            actor=actor,
        )

    def with_statement_ids(self, declarations: QuerySet) -> QuerySet:
        output_statement = StatementLineItem.objects.filter(
            declaration=OuterRef("pk"),
            kind=StatementLineItem.Kind.OUTPUT,
            state__in=StatementLineItem.BILLABLE_STATES,
        ).values("statement_id")[:1]
        clawback_statement = StatementLineItem.objects.filter(
            declaration=OuterRef("pk"), kind=StatementLineItem.Kind.CLAWBACK
        ).values("statement_id")[:1]
        return declarations.annotate(
            # Explicit UUID output so that every database (SQLite too) hands back UUIDs, not raw hex.
            output_statement_id=Subquery(output_statement, output_field=UUIDField()),
            clawback_statement_id=Subquery(clawback_statement, output_field=UUIDField()),
        )

    def statement_lines(self, *, declaration) -> list[StatementLine]:
        return [
            StatementLine(
                statement_id=line.statement_id,
                statement_name=line.statement.label,
                kind=line.kind,
                state=line.state,
            )
            for line in StatementLineItem.objects.filter(declaration=declaration)
            .select_related("statement__lead_provider", "statement__cohort")
            .order_by("created_at", "id")
        ]
