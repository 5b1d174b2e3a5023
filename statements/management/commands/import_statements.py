from statements.imports import import_statements
from statements.management.commands._csv_command import CsvImportCommand


class Command(CsvImportCommand):
    help = "Create statements for every provider with a contract for the cohort."

    def run_import(self, text, *, actor, apply, **options):
        return import_statements(text, actor=actor, dry_run=not apply)
