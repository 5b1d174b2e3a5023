import json
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config import clock
from sandbox.scale import build


class Command(BaseCommand):
    help = (
        "Builds the bench's production-sized data set on an empty migrated database, with COPY: 7 lead "
        "providers (the largest with ~40% of the people), N participants with their training and induction "
        "records (transfers between providers, people with two providers, challenged partnerships, withdrawn "
        "and deferred people, shared TRNs), contracts with bands, statement calendars (past ones paid, the "
        "latest past output one payable), and M declarations in all eight states on those statements with "
        "their lines and every history row. Prints one JSON line: "
        '{"lead_providers": [{"name", "token", "participants"}]}, largest first, with a new API token each. '
        "Progress goes to stderr. Refused unless settings.SANDBOX is on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=300_000)
        parser.add_argument("--declarations", type=int, default=1_200_000)

    def handle(self, *args, participants, declarations, **options):
        if not getattr(settings, "SANDBOX", False):
            raise CommandError("seed_scale only runs when the SANDBOX setting is on.")
        if participants < 100 or declarations < 0:
            raise CommandError("--participants must be at least 100 and --declarations not negative.")
        started = time.perf_counter()
        try:
            result = build(
                participants=participants,
                declarations=declarations,
                today=clock.today(),
                now=clock.now(),
                log=lambda line: print(line, file=sys.stderr, flush=True),
            )
        except (ValueError, LookupError) as error:
            raise CommandError(str(error)) from error
        print(
            f"seed_scale: {time.perf_counter() - started:.1f}s, rows {json.dumps(result.rows)}",
            file=sys.stderr,
        )
        self.stdout.write(
            json.dumps(
                {
                    "lead_providers": [
                        {"name": p.name, "token": p.token, "participants": p.participants}
                        for p in result.providers
                    ]
                }
            )
        )
