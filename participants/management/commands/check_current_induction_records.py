"""Recomputes every provider's current induction record per training record and compares it with the
stored rows; exits 1 with a line per differing pair (`--repair` rewrites the stored rows)."""

from config.drift import DriftCheckCommand
from participants import current_records
from participants.models import CurrentInductionRecord


class Command(DriftCheckCommand):
    help = (
        "Check the stored current induction record of every (training record, lead provider) pair against "
        "a recomputation. Prints each difference and exits 1 when there is any; --repair rewrites them."
    )
    what = "Current induction records"

    def drift(self):
        return current_records.drift()

    def repair(self):
        CurrentInductionRecord.objects.refresh_all()

    def describe(self, row):
        return (
            f"training_record={row.training_record_id} lead_provider={row.lead_provider_id} "
            f"stored={row.stored_induction_record_id or 'none'} "
            f"expected={row.expected_induction_record_id or 'none'}"
        )
