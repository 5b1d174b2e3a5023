import logging
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from config import clock
from config.actors import Actor
from config.ids import parse_uuid
from statements.models import Statement
from statements.selectors import statement_ids_due_payable
from statements.services import statement_make_payable

from ._statement_runs import DATE_HELP, parse_run_date, running_on, statement_names

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Make every open statement whose deadline has passed payable, with its eligible declarations "
        "(catching up any missed day). One transaction per statement; idempotent. Run daily shortly after "
        "midnight UTC."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help=DATE_HELP)
        parser.add_argument("--statement", action="append", help="restrict to this statement id (repeatable)")
        parser.add_argument("--dry-run", action="store_true", help="report what would move, change nothing")

    def handle(self, *args, date=None, statement=None, dry_run=False, **options):
        run_date = parse_run_date(date)
        statement_ids = None
        if statement:
            statement_ids = []
            for value in statement:
                pk = parse_uuid(value)
                if pk is None or not Statement.objects.filter(pk=pk).exists():
                    raise CommandError(f"Unknown statement id: {value}")
                statement_ids.append(pk)
        actor = Actor.command("mark_statements_payable")
        with running_on(run_date):
            today = run_date or clock.today()
            due = statement_ids_due_payable(today=today, statement_ids=statement_ids)
            names = statement_names(due)
            statements_done = declarations = 0
            for pk in tqdm(due, disable=None, file=sys.stderr, desc="statements", unit="statement"):
                result = statement_make_payable(statement_id=pk, actor=actor, today=today, dry_run=dry_run)
                if result.done:
                    statements_done += 1
                    declarations += result.declarations_moved
                    logger.info(
                        "%s %s: %d declaration(s) payable",
                        names[pk],
                        "would become payable" if dry_run else "made payable",
                        result.declarations_moved,
                    )
        prefix = "Dry run: would make" if dry_run else "Made"
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix} {statements_done} statement(s) payable as of {today.isoformat()}, "
                f"{declarations} declaration(s) payable"
            )
        )
