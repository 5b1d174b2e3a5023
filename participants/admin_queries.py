"""Reads behind the support screens: one person with everything staff need to see, and the people who share
a TRN. Declarations and their statement lines are reached through reverse relations (this app never imports
the declarations app); each read runs a fixed number of queries whatever the person holds.
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from participants.models import (
    InductionRecord,
    Participant,
    ScheduleChange,
    TrainingRecord,
    TrainingStatusChange,
)
from participants.selectors import provider_records_latest_first

# Declaration states that hold a participant's slot (spelled here, as this app does not import declarations).
LIVE_DECLARATION_STATES = ("submitted", "eligible", "payable", "paid")


def _induction_records() -> QuerySet[InductionRecord]:
    """Newest first, each carrying the id of the latest record (in action order) of its training record with
    the same provider: the one whose training status staff may change on that provider's behalf."""
    latest_with_provider = provider_records_latest_first(
        training_record=OuterRef("training_record_id"),
        lead_provider=OuterRef("induction_programme__partnership__lead_provider_id"),
    ).values("pk")[:1]
    return (
        InductionRecord.objects.select_related(
            "induction_programme__school_cohort__school",
            "induction_programme__partnership__lead_provider",
            "induction_programme__partnership__delivery_partner",
            "schedule__cohort",
            "mentor__participant",
        )
        .annotate(latest_with_provider_id=Subquery(latest_with_provider))
        .order_by("-start_date", "-created_at", "-id")
    )


def participant_for_support(pk) -> Participant | None:
    """The person with identities, training records, induction records, eligibility, training status and
    schedule changes, and every declaration with its state history and statement lines."""
    return (
        Participant.objects.filter(pk=pk)
        .prefetch_related(
            "id_changes",
            Prefetch(
                "training_records",
                queryset=TrainingRecord.objects.select_related(
                    "schedule__cohort", "school_cohort__school"
                ).order_by("created_at", "id"),
            ),
            Prefetch("training_records__induction_records", queryset=_induction_records()),
            Prefetch(
                "training_records__training_status_changes",
                queryset=TrainingStatusChange.objects.select_related("lead_provider").order_by(
                    "changed_at", "id"
                ),
            ),
            "training_records__eligibility_changes",
            Prefetch(
                "training_records__schedule_changes",
                queryset=ScheduleChange.objects.select_related(
                    "lead_provider", "from_schedule", "to_schedule"
                ).order_by("changed_at", "id"),
            ),
            "training_records__declarations__lead_provider",
            "training_records__declarations__cohort",
            "training_records__declarations__state_changes",
            "training_records__declarations__statement_line_items__statement",
        )
        .first()
    )


def participant_search_list(queryset: QuerySet[Participant]) -> QuerySet[Participant]:
    """The search results with each person's training records (type and cohort) in one more query."""
    return queryset.prefetch_related(
        Prefetch(
            "training_records",
            queryset=TrainingRecord.objects.select_related("schedule__cohort").order_by("created_at", "id"),
        )
    )


# --------------------------------------------------------------------------------------------------
# Duplicate records: people sharing a TRN
# --------------------------------------------------------------------------------------------------


def duplicate_trns() -> QuerySet:
    """Each TRN held by more than one person, with how many hold it, in TRN order (an index-only scan of the
    TRN index)."""
    return (
        Participant.objects.exclude(trn__isnull=True)
        .exclude(trn="")
        .values("trn")
        .annotate(people=Count("id"))
        .filter(people__gt=1)
        .order_by("trn")
    )


@dataclass
class DuplicateGroup:
    trn: str
    people: list[Participant]


def duplicate_groups(trns: list[str]) -> list[DuplicateGroup]:
    """The people holding each TRN, oldest first, with their training records and declaration counts."""
    people = (
        Participant.objects.filter(trn__in=trns)
        .annotate(
            declaration_count=Count("declarations", distinct=True),
            live_declaration_count=Count(
                "declarations", filter=Q(declarations__state__in=LIVE_DECLARATION_STATES), distinct=True
            ),
        )
        .prefetch_related(
            Prefetch(
                "training_records",
                queryset=TrainingRecord.objects.select_related("schedule__cohort").order_by(
                    "created_at", "id"
                ),
            ),
            Prefetch(
                "training_records__induction_records",
                queryset=InductionRecord.objects.select_related(
                    "induction_programme__partnership__lead_provider"
                ).order_by("-start_date", "-id"),
            ),
        )
        .order_by("created_at", "id")
    )
    by_trn: dict[str, list[Participant]] = {trn: [] for trn in trns}
    for person in people:
        by_trn[person.trn].append(person)
    return [DuplicateGroup(trn=trn, people=found) for trn, found in by_trn.items()]
