"""Recomputes which providers see each declaration and compares it with the stored rows; exits 1 with a
line per differing pair (`--repair` rewrites the stored rows)."""

import sys

from django.core.management.base import BaseCommand

from declarations.models import DeclarationVisibility
from declarations.visibility import drift


class Command(BaseCommand):
    help = (
        "Check the stored declaration visibility (provider, declaration, rule) against a recomputation. "
        "Prints each difference and exits 1 when there is any; --repair rewrites them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="recompute and store every pair after reporting"
        )

    def handle(self, *args, repair=False, **options):
        differences = drift()
        for row in differences:
            self.stdout.write(
                f"lead_provider={row.lead_provider_id} declaration={row.declaration_id} "
                f"stored={row.stored_rule or 'none'} expected={row.expected_rule or 'none'}"
            )
        if not differences:
            self.stdout.write(self.style.SUCCESS("Declaration visibility: every pair agrees."))
            return
        if repair:
            DeclarationVisibility.objects.refresh_all()
            self.stdout.write(self.style.WARNING(f"{len(differences)} pair(s) differed; repaired."))
            return
        self.stderr.write(self.style.ERROR(f"{len(differences)} pair(s) differ from a recomputation."))
        sys.exit(1)
