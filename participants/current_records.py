"""Reads of the stored current induction records: each provider's current ("latest") induction record per
training record, found by index instead of ranking every record per request.

`current_induction_records` answers what `participants.selectors.latest_induction_records` computes;
`current_participants` what `participants.selectors.participant_list` does. The rows are maintained by
`CurrentInductionRecord.objects.refresh` (see `participants.models`); `drift` compares them with a
recomputation (`manage.py check_current_induction_records`).
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from config.reference import DEFAULT_FIRST_COHORT_YEAR
from participants.models import CurrentInductionRecord, InductionRecord, Participant, provider_current_choice


def current_induction_records(
    *, lead_provider, cohort_years: list[int] | None = None, training_status: str | None = None
) -> QuerySet[InductionRecord]:
    """The provider's current induction records (one per training record it has one for), narrowed by
    their schedule's cohort (cohorts after 2020 when `cohort_years` is None) and training status."""
    queryset = InductionRecord.objects.filter(current_for__lead_provider=lead_provider)
    if cohort_years is None:
        queryset = queryset.filter(schedule__cohort__start_year__gte=DEFAULT_FIRST_COHORT_YEAR)
    else:
        queryset = queryset.filter(schedule__cohort__start_year__in=cohort_years)
    if training_status is not None:
        queryset = queryset.filter(training_status=training_status)
    return queryset


def current_participants(
    *, lead_provider, cohort_years: list[int] | None = None, training_status: str | None = None
) -> QuerySet[Participant]:
    """Persons with at least one training record whose current induction record for the provider matches."""
    matching = current_induction_records(
        lead_provider=lead_provider, cohort_years=cohort_years, training_status=training_status
    ).filter(current_for__participant_id=OuterRef("pk"))
    return Participant.objects.filter(Exists(matching))


@dataclass(frozen=True)
class Drift:
    training_record_id: object
    lead_provider_id: object
    stored_induction_record_id: object  # None: missing from the stored rows
    expected_induction_record_id: object  # None: stored but no longer current for anyone


def drift() -> list[Drift]:
    """Every (training record, provider) pair whose stored current induction record differs from a
    recomputation; empty when they agree."""
    expected = {
        (training_record_id, lead_provider_id): (induction_record_id, participant_id)
        for training_record_id, lead_provider_id, induction_record_id, participant_id in provider_current_choice()
    }
    stored = {
        (training_record_id, lead_provider_id): (induction_record_id, participant_id)
        for training_record_id, lead_provider_id, induction_record_id, participant_id in (
            CurrentInductionRecord.objects.values_list(
                "training_record_id", "lead_provider_id", "induction_record_id", "participant_id"
            )
        )
    }
    return [
        Drift(
            training_record_id=pair[0],
            lead_provider_id=pair[1],
            stored_induction_record_id=stored[pair][0] if pair in stored else None,
            expected_induction_record_id=expected[pair][0] if pair in expected else None,
        )
        for pair in sorted(set(expected) | set(stored), key=str)
        if expected.get(pair) != stored.get(pair)
    ]
