"""Recomputes which providers see each declaration and compares it with the stored rows; exits 1 with a
line per differing pair (`--repair` rewrites the stored rows)."""

from config.drift import DriftCheckCommand
from declarations import visibility
from declarations.models import DeclarationVisibility


class Command(DriftCheckCommand):
    help = (
        "Check the stored declaration visibility (provider, declaration, rule) against a recomputation. "
        "Prints each difference and exits 1 when there is any; --repair rewrites them."
    )
    what = "Declaration visibility"

    def drift(self):
        return visibility.drift()

    def repair(self):
        DeclarationVisibility.objects.refresh_all()

    def describe(self, row):
        return (
            f"lead_provider={row.lead_provider_id} declaration={row.declaration_id} "
            f"stored={row.stored_rule or 'none'} expected={row.expected_rule or 'none'}"
        )
