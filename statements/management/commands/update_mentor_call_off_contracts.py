from statements.imports import update_mentor_call_off_contracts
from statements.management.commands._csv_command import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        "Create the next mentor contract version for each changed row and point the unpaid statements "
        "at it. Dry run unless --commit."
    )
    commit_flag = True

    def run_import(self, text, *, actor, apply, **options):
        return update_mentor_call_off_contracts(text, actor=actor, commit=apply)
