from statements.imports import import_call_off_contracts
from statements.management.commands._csv_command import CsvImportCommand


class Command(CsvImportCommand):
    help = "Create call-off contracts (bands A–D) from a CSV."

    def run_import(self, text, *, actor, apply, **options):
        return import_call_off_contracts(text, actor=actor, dry_run=not apply)
