from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = "Statements and contracts"

    def ready(self):
        from declarations.ports import statement_ledger
        from statements.for_declarations import StatementLedgerForDeclarations

        statement_ledger.install(StatementLedgerForDeclarations())
