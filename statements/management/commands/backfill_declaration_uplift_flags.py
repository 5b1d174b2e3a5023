from django.core.management.base import BaseCommand, CommandError

from config.actors import Actor
from partnerships.models import Cohort
from statements.maintenance import uplift_flags_backfill


class Command(BaseCommand):
    help = (
        "Copy the training records' current uplift flags onto one cohort's declarations. Paid statements keep "
        "the figures they were paid with. Reports only unless --commit."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cohort", type=int, help="cohort start year (required), e.g. 2024")
        parser.add_argument("--commit", action="store_true", help="apply the change (default: report only)")

    def handle(self, *args, cohort=None, commit=False, **options):
        if cohort is None:
            raise CommandError("--cohort is required: this rewrites declarations of one cohort at a time.")
        found = Cohort.objects.filter(start_year=cohort).first()
        if found is None:
            raise CommandError(f"No cohort {cohort}.")
        result = uplift_flags_backfill(
            cohort=found, actor=Actor.command("backfill_declaration_uplift_flags"), commit=commit
        )
        for label in result.frozen:
            self.stdout.write(f"{label}: paid without a snapshot; its figures are frozen first")
        if commit:
            self.stdout.write(
                self.style.SUCCESS(f"{result.declarations} declaration(s) of cohort {cohort} updated")
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Report only (nothing saved): {result.declarations} declaration(s) of cohort {cohort} "
                    "would change; run again with --commit to apply"
                )
            )
