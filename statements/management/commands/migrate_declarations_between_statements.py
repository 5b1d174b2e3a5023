import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from config.actors import Actor
from config.errors import DomainError
from partnerships.models import Cohort
from statements.maintenance import MoveFilters, declarations_move_between_statements


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--created-before must be YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = (
        "Move declarations (their statement lines) from each provider's statement of one name to its "
        "statement of another name in a cohort. Refuses paid (or authorised) sources and targets. Dry run "
        "unless --commit."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cohort", required=True, type=int, help="cohort start year, e.g. 2024")
        parser.add_argument(
            "--from", dest="from_name", required=True, help="statement name, e.g. 'January 2026'"
        )
        parser.add_argument("--to", dest="to_name", required=True, help="statement name, e.g. 'April 2026'")
        parser.add_argument(
            "--lead-provider", action="append", default=[], help="only this provider (repeat)"
        )
        parser.add_argument("--declaration-type", action="append", default=[], help="e.g. started (repeat)")
        parser.add_argument("--declaration-state", action="append", default=[], help="e.g. eligible (repeat)")
        parser.add_argument(
            "--course-identifier", action="append", default=[], help="ecf-induction or ecf-mentor"
        )
        parser.add_argument(
            "--created-before", help="only declarations created before this date (YYYY-MM-DD)"
        )
        parser.add_argument("--commit", action="store_true", help="apply the move (default: dry run)")

    def handle(self, *args, cohort, from_name, to_name, commit, **options):
        found = Cohort.objects.filter(start_year=cohort).first()
        if found is None:
            raise CommandError(f"No cohort {cohort}.")
        filters = MoveFilters(
            lead_providers=options["lead_provider"],
            declaration_types=options["declaration_type"],
            declaration_states=[state.replace("-", "_") for state in options["declaration_state"]],
            course_identifiers=options["course_identifier"],
            created_before=_date(options["created_before"]) if options["created_before"] else None,
        )
        try:
            moves = declarations_move_between_statements(
                cohort=found,
                from_name=from_name,
                to_name=to_name,
                filters=filters,
                actor=Actor.command("migrate_declarations_between_statements"),
                commit=commit,
            )
        except DomainError as error:
            raise CommandError(f"Nothing moved: {error.detail}") from None
        verb = "moved" if commit else "would move"
        for move in moves:
            self.stdout.write(
                f"{move.lead_provider}: {verb} {move.lines} line(s) from {from_name} to {to_name}"
                f" ({move.made_payable} declaration(s) eligible → payable, "
                f"{move.moved_back} payable → eligible)"
            )
        total = sum(move.lines for move in moves)
        prefix = "" if commit else "Dry run (nothing saved; --commit to apply): "
        self.stdout.write(self.style.SUCCESS(f"{prefix}{total} line(s) {verb} for {len(moves)} provider(s)"))
