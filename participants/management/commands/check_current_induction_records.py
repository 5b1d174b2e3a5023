"""Recomputes every provider's current induction record per training record and compares it with the
stored rows; exits 1 with a line per differing pair (`--repair` rewrites the stored rows)."""

import sys

from django.core.management.base import BaseCommand

from participants.current_records import drift
from participants.models import CurrentInductionRecord


class Command(BaseCommand):
    help = (
        "Check the stored current induction record of every (training record, lead provider) pair against "
        "a recomputation. Prints each difference and exits 1 when there is any; --repair rewrites them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="recompute and store every pair after reporting"
        )

    def handle(self, *args, repair=False, **options):
        differences = drift()
        for row in differences:
            self.stdout.write(
                f"training_record={row.training_record_id} lead_provider={row.lead_provider_id} "
                f"stored={row.stored_induction_record_id or 'none'} "
                f"expected={row.expected_induction_record_id or 'none'}"
            )
        if not differences:
            self.stdout.write(self.style.SUCCESS("Current induction records: every pair agrees."))
            return
        if repair:
            CurrentInductionRecord.objects.refresh_all()
            self.stdout.write(self.style.WARNING(f"{len(differences)} pair(s) differed; repaired."))
            return
        self.stderr.write(self.style.ERROR(f"{len(differences)} pair(s) differ from a recomputation."))
        sys.exit(1)
