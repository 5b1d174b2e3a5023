from statements.imports import import_mentor_call_off_contracts
from statements.management.commands._csv_command import CsvImportCommand


class Command(CsvImportCommand):
    help = "Create mentor call-off contracts from a CSV."

    def run_import(self, text, *, actor, apply, **options):
        return import_mentor_call_off_contracts(text, actor=actor, dry_run=not apply)
