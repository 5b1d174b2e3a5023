"""The check command of a stored read (a table the apps keep beside the rows it is derived from): recompute,
compare, print each difference, exit 1 — or, with `--repair`, rewrite every stored row."""

import sys
from collections.abc import Sequence

from django.core.management.base import BaseCommand


class DriftCheckCommand(BaseCommand):
    """Subclasses name what they check and give the comparison, the repair and one line per difference."""

    what: str  # e.g. "Current induction records"

    def drift(self) -> Sequence:
        raise NotImplementedError

    def repair(self) -> None:
        raise NotImplementedError

    def describe(self, row) -> str:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="recompute and store every row after reporting"
        )

    def handle(self, *args, repair=False, **options):
        differences = self.drift()
        for row in differences:
            self.stdout.write(self.describe(row))
        if not differences:
            self.stdout.write(self.style.SUCCESS(f"{self.what}: every pair agrees."))
            return
        if repair:
            self.repair()
            self.stdout.write(self.style.WARNING(f"{len(differences)} pair(s) differed; repaired."))
            return
        self.stderr.write(self.style.ERROR(f"{len(differences)} pair(s) differ from a recomputation."))
        sys.exit(1)
