"""Reads: what a lead provider sees of participants, transfers and unfunded mentors.

"L" is, for one training record and one provider, the latest induction record under an
unchallenged partnership of that provider. The provider's L rows are chosen as one set (`DISTINCT ON` the
training record, in "latest" order) and only then filtered, so that filters on L (cohort, training status)
apply *after* choosing it, never while choosing it.
"""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from config.ids import parse_uuid
from config.reference import DEFAULT_FIRST_COHORT_YEAR
from participants.models import (
    CourseIdentifier,
    EligibilityReason,
    EligibilityStatus,
    InductionRecord,
    InductionStatus,
    Participant,
    ParticipantIdChange,
    TrainingRecord,
    TrainingRecordType,
    TrainingStatus,
    TrainingStatusChange,
)
from partnerships.models import PartnershipStatus

TYPE_BY_COURSE = {
    CourseIdentifier.ECF_INDUCTION: TrainingRecordType.ECT,
    CourseIdentifier.ECF_MENTOR: TrainingRecordType.MENTOR,
}


# --- visibility -------------------------------------------------------------------------------
#
# The one place that says which participants a provider sees. Lists start from a scope
# (`visible_participants`, `visible_induction_records`) and their FilterSets narrow it with the helpers
# below, so that the cohort and training status filters always apply to the same L row that visibility
# chose.


def provider_induction_records(*, lead_provider, unchallenged: bool = True) -> QuerySet[InductionRecord]:
    """Induction records whose programme is linked to a partnership of the provider."""
    queryset = InductionRecord.objects.filter(induction_programme__partnership__lead_provider=lead_provider)
    if unchallenged:
        queryset = queryset.filter(induction_programme__partnership__status=PartnershipStatus.ACTIVE)
    return queryset


def _in_cohorts(cohort_years: list[int] | None) -> Q:
    """The schedule cohort condition: the named start years, or every cohort after 2020 when none named."""
    if cohort_years is None:
        return Q(schedule__cohort__start_year__gte=DEFAULT_FIRST_COHORT_YEAR)
    return Q(schedule__cohort__start_year__in=cohort_years)


def latest_only(
    queryset: QuerySet[InductionRecord],
    *,
    lead_provider,
    cohort_years: list[int] | None = None,
    training_status: str | None = None,
    choose_within_cohorts: bool = False,
) -> QuerySet[InductionRecord]:
    """Narrows induction records to the provider's L rows, then to L's schedule cohort and training status.

    With `choose_within_cohorts` (v1/v2) L is chosen among the records in those cohorts only, so a training
    record whose latest record is in another cohort still shows its latest record in the named ones.
    """
    if choose_within_cohorts:
        # L among the records in the named cohorts: the provider's whole L set in one pass (DISTINCT ON over
        # the candidates, which the planner hashes once per query), not a correlated subquery per row.
        candidates = provider_induction_records(lead_provider=lead_provider).filter(_in_cohorts(cohort_years))
        queryset = queryset.filter(pk__in=latest_per_training_record(candidates).values("pk"))
    else:
        # L over all cohorts is stored (`CurrentInductionRecord`, refreshed in the transaction of every change
        # that can move it): found by index, whatever the size of the provider's data.
        queryset = queryset.filter(current_for__lead_provider=lead_provider)
    queryset = queryset.filter(_in_cohorts(cohort_years))
    if training_status is not None:
        queryset = queryset.filter(training_status=training_status)
    return queryset


def latest_induction_records(
    *, lead_provider, cohort_years: list[int] | None = None, training_status: str | None = None
) -> QuerySet[InductionRecord]:
    """The provider's L rows, optionally narrowed by L's schedule cohort and training status.

    Without `cohort_years` only cohorts after 2020 are considered.
    """
    return latest_only(
        provider_induction_records(lead_provider=lead_provider),
        lead_provider=lead_provider,
        cohort_years=cohort_years,
        training_status=training_status,
    )


def visible_participants(*, lead_provider) -> QuerySet[Participant]:
    """Persons the provider trains under an unchallenged partnership, in any cohort: the scope of the person
    list, which `with_matching_latest_record` then narrows (by default to cohorts after 2020)."""
    return Participant.objects.filter(
        Exists(
            provider_induction_records(lead_provider=lead_provider).filter(
                training_record__participant_id=OuterRef("pk")
            )
        )
    )


def with_matching_latest_record(
    participants: QuerySet[Participant],
    *,
    lead_provider,
    cohort_years: list[int] | None = None,
    training_status: str | None = None,
) -> QuerySet[Participant]:
    """Narrows persons to those with at least one training record whose L matches."""
    latest = latest_induction_records(
        lead_provider=lead_provider, cohort_years=cohort_years, training_status=training_status
    )
    return participants.filter(Exists(latest.filter(training_record__participant_id=OuterRef("pk"))))


def participant_list(*, lead_provider) -> QuerySet[Participant]:
    """The persons a provider sees (a show, and what "visible" means elsewhere)."""
    return with_matching_latest_record(
        visible_participants(lead_provider=lead_provider), lead_provider=lead_provider
    )


# --- one row per training record (v1/v2) -------------------------------------------------------------

# Everything a flat participant row reads, joined in the row's own query.
FLAT_ROW_RELATED = (
    "training_record__participant",
    "schedule",
    "mentor",
    "induction_programme__school_cohort__school",
    "induction_programme__school_cohort__cohort",
)


def visible_induction_records(*, lead_provider) -> QuerySet[InductionRecord]:
    """The scope of the one-row-per-training-record list: the provider's unchallenged induction records,
    with what a row shows. Its FilterSet narrows them to L rows chosen within the requested cohorts."""
    return provider_induction_records(lead_provider=lead_provider).select_related(*FLAT_ROW_RELATED)


def person_rows() -> QuerySet[Participant]:
    """Persons, unscoped: for rows whose ids a scoped list chose (their page reads the rest in four queries)."""
    return Participant.objects.all()


def flat_rows() -> QuerySet[InductionRecord]:
    """Induction records with what a flat row shows, unscoped: for rows whose ids a scoped list chose."""
    return InductionRecord.objects.select_related(*FLAT_ROW_RELATED)


def flat_participant_record(*, lead_provider, participant_id) -> InductionRecord | None:
    """The L row shown for one person: their ECT record's when they have both an ECT and a mentor record."""
    pk = parse_uuid(participant_id)
    if pk is None:
        return None
    return (
        latest_only(
            visible_induction_records(lead_provider=lead_provider),
            lead_provider=lead_provider,
            choose_within_cohorts=True,
        )
        .filter(training_record__participant_id=pk)
        .order_by("training_record__participant_type", "training_record__created_at", "training_record_id")
        .first()
    )


def flat_record_after_action(*, participant: Participant, course_identifier, lead_provider):
    """The row an action answers with: the acted-on training record's relevant induction record."""
    training_record = active_training_record(participant=participant, course_identifier=course_identifier)
    if training_record is None:
        return None
    return relevant_induction_record(
        training_record=training_record, lead_provider=lead_provider, related=FLAT_ROW_RELATED
    )


# --- one page of v3 participants ------------------------------------------------------------


@dataclass
class ParticipantPage:
    enrolments: dict  # participant id → [L rows], by training record created_at
    updated_at: dict  # participant id → max updated_at of person, training records, induction records
    status_changes: dict  # (training record id, to_status) → newest TrainingStatusChange by this provider
    id_changes: dict  # participant id → [ParticipantIdChange], newest first


def participant_page(*, lead_provider, participants: list[Participant]) -> ParticipantPage:
    """Everything the v3 serializer needs for a page of persons, in four queries whatever the page size."""
    ids = [participant.pk for participant in participants]
    enrolments = defaultdict(list)
    if not ids:
        return ParticipantPage({}, {}, {}, {})
    latest_rows = (
        latest_induction_records(lead_provider=lead_provider)
        .filter(training_record__participant_id__in=ids)
        .select_related(
            "training_record",
            "schedule__cohort",
            "mentor",
            "induction_programme__school_cohort__school",
            "induction_programme__school_cohort__cohort",
            "induction_programme__partnership",
        )
        .order_by("training_record__created_at", "training_record_id")
    )
    for row in latest_rows:
        enrolments[row.training_record.participant_id].append(row)

    updated_at = {participant.pk: participant.updated_at for participant in participants}
    maxima = (
        TrainingRecord.objects.filter(participant_id__in=ids)
        .values("participant_id")
        .annotate(record_max=Max("updated_at"), induction_max=Max("induction_records__updated_at"))
        .order_by()
    )
    for row in maxima:
        candidates = [updated_at[row["participant_id"]], row["record_max"], row["induction_max"]]
        updated_at[row["participant_id"]] = max(value for value in candidates if value is not None)

    record_ids = [row.training_record_id for rows in enrolments.values() for row in rows]
    status_changes = {}
    changes = TrainingStatusChange.objects.filter(
        training_record_id__in=record_ids,
        lead_provider=lead_provider,
        to_status__in=[TrainingStatus.DEFERRED, TrainingStatus.WITHDRAWN],
    ).order_by("changed_at", "id")
    for change in changes:
        status_changes[(change.training_record_id, change.to_status)] = change  # newest wins

    id_changes = defaultdict(list)
    for change in ParticipantIdChange.objects.filter(participant_id__in=ids).order_by("-created_at", "-id"):
        id_changes[change.participant_id].append(change)
    return ParticipantPage(dict(enrolments), updated_at, status_changes, dict(id_changes))


def participant_status(record: InductionRecord, now: dt.datetime) -> str | None:
    """The school-reported position (joining, active, leaving, left, withdrawn), at request time."""
    if record.end_date is not None:
        return "leaving" if record.end_date > now else "left"
    if record.start_date > now:
        return "joining"
    if record.induction_status in (InductionStatus.ACTIVE, InductionStatus.COMPLETED):
        return "active"
    if record.induction_status in (InductionStatus.WITHDRAWN, InductionStatus.CHANGED):
        return "withdrawn"
    return None


# --- facts derived from one L row, the same in every version ---------------------------------------


def shown_email(row: InductionRecord, participant: Participant) -> str:
    """The school's preferred email for the record, else the person's account email."""
    return row.preferred_email if row.preferred_email and row.preferred_email.strip() else participant.email


def mentor_participant_id(row: InductionRecord):
    """The person id of an ECT's mentor on this record (mentors have none)."""
    is_ect = row.training_record.participant_type == TrainingRecordType.ECT
    return row.mentor.participant_id if is_ect and row.mentor_id else None


def trn_validated(record: TrainingRecord, participant: Participant) -> bool | None:
    """None when no TRN is known at all; else whether eligibility was checked against the same TRN."""
    if participant.trn is None and record.registration_trn is None:
        return None
    return (
        record.eligibility_status is not None and record.eligibility_reason != EligibilityReason.DIFFERENT_TRN
    )


def eligible_for_funding(record: TrainingRecord) -> bool | None:
    return {EligibilityStatus.ELIGIBLE: True, EligibilityStatus.INELIGIBLE: False}.get(
        record.eligibility_status
    )


def teacher_reference_number(record: TrainingRecord, participant: Participant) -> str | None:
    """v1/v2: the teacher-record TRN, falling back to the one captured at registration."""
    return participant.trn or record.registration_trn


def record_status(row: InductionRecord) -> str:
    """v1/v2 `status`: the school-reported induction status folded into active or withdrawn."""
    withdrawn = row.induction_status in (InductionStatus.WITHDRAWN, InductionStatus.CHANGED)
    return "withdrawn" if withdrawn else "active"


def row_updated_at(row: InductionRecord) -> dt.datetime:
    """v1/v2 `updated_at`: the latest change to the person, this training record or this induction record."""
    record = row.training_record
    return max(record.participant.updated_at, record.updated_at, row.updated_at)


# --- who an id names: participant actions and declaration submissions ------------------------------


def participant_resolve(*, participant_id) -> Participant | None:
    """The person a participant id names: directly, or as an id retired when two of their records were
    merged. Surrounding whitespace is ignored; a blank, malformed or unknown id names nobody (None)."""
    pk = parse_uuid(participant_id.strip() if isinstance(participant_id, str) else participant_id)
    if pk is None:
        return None
    person = Participant.objects.filter(pk=pk).first()
    if person is not None:
        return person
    change = ParticipantIdChange.objects.select_related("participant").filter(from_participant_id=pk).first()
    return change.participant if change else None


def active_training_record(*, participant: Participant, course_identifier) -> TrainingRecord | None:
    """The person's active record of the course's kind (ECT for ecf-induction, mentor for ecf-mentor), with
    its schedule and cohort; None for any other course."""
    record_type = TYPE_BY_COURSE.get(course_identifier) if isinstance(course_identifier, str) else None
    if record_type is None:
        return None
    return (
        participant.training_records.filter(
            participant_type=record_type, record_status=TrainingRecord.RecordStatus.ACTIVE
        )
        .select_related("schedule__cohort")
        .order_by("created_at", "id")
        .first()
    )


def provider_records_latest_first(
    *, training_record, lead_provider, unchallenged: bool = False, at=None, order=InductionRecord.ACTION_ORDER
) -> QuerySet[InductionRecord]:
    """The one rule for "the provider's latest induction record of a training record": its records under
    the provider's partnerships (only unchallenged ones with `unchallenged`; only those started on or before
    `at` when given), latest first in `order`. `training_record` and `lead_provider` may be `OuterRef`s, so
    that a correlated subquery takes `.values("pk")[:1]` of it; `latest_per_training_record` is the set form.
    """
    records = provider_induction_records(lead_provider=lead_provider, unchallenged=unchallenged).filter(
        training_record=training_record
    )
    if at is not None:
        records = records.filter(start_date__lte=at)
    return records.order_by(*order)


def latest_per_training_record(
    records: QuerySet[InductionRecord], *, order=InductionRecord.LATEST_ORDER
) -> QuerySet[InductionRecord]:
    """The first of `records` per training record in `order` (`DISTINCT ON`): the set form of
    `provider_records_latest_first` for records already narrowed to one provider."""
    return records.order_by("training_record_id", *order).distinct("training_record_id")


def relevant_induction_record(
    *,
    training_record: TrainingRecord,
    lead_provider,
    related: tuple[str, ...] = (),
    at=None,
    order=InductionRecord.ACTION_ORDER,
) -> InductionRecord | None:
    """The record's latest induction record under any partnership of the provider (challenged ones too):
    the one an action changes. With `at`, the one current at that date (started on or before it).
    `related` adds joins for a caller that shows it."""
    return (
        provider_records_latest_first(
            training_record=training_record, lead_provider=lead_provider, at=at, order=order
        )
        .select_related(
            "schedule__cohort",
            "induction_programme__school_cohort",
            "induction_programme__partnership",
            *related,
        )
        .first()
    )


def training_record_lead_providers(*, training_record: TrainingRecord):
    """The providers a training record has trained with (the admin's choice on a provider's behalf)."""
    from partnerships.models import LeadProvider

    return LeadProvider.objects.filter(
        partnerships__programmes__induction_records__training_record=training_record
    ).distinct()


# --- transfers --------------------------------------------------------------------------------


def transfer_list(*, lead_provider) -> QuerySet[Participant]:
    leaving = InductionRecord.objects.filter(
        training_record_id=OuterRef("pk"), induction_status=InductionStatus.LEAVING
    )
    provider_side = provider_induction_records(lead_provider=lead_provider, unchallenged=False).filter(
        Q(school_transfer=True) | Q(induction_status=InductionStatus.LEAVING),
        training_record_id=OuterRef("pk"),
    )
    records = TrainingRecord.objects.filter(Exists(leaving), Exists(provider_side))
    return Participant.objects.filter(Exists(records.filter(participant_id=OuterRef("pk"))))


@dataclass
class Transfer:
    training_record_id: uuid.UUID
    leaving: InductionRecord
    joining: InductionRecord | None


def transfer_page(*, participants: list[Participant]) -> dict:
    """participant id → its induction records grouped by training record, by created_at (one query)."""
    ids = [participant.pk for participant in participants]
    grouped: dict = defaultdict(lambda: defaultdict(list))
    records = (
        InductionRecord.objects.filter(training_record__participant_id__in=ids)
        .select_related(
            "training_record",
            "induction_programme__school_cohort__school",
            "induction_programme__partnership__lead_provider",
        )
        .order_by("training_record__created_at", "training_record_id", "created_at", "id")
    )
    for record in records:
        grouped[record.training_record.participant_id][record.training_record_id].append(record)
    return grouped


def _lead_provider_id(record: InductionRecord):
    partnership = record.induction_programme.partnership
    return partnership.lead_provider_id if partnership else None


def _school_id(record: InductionRecord):
    return record.induction_programme.school_cohort.school_id


def build_transfers(*, records_by_training_record: dict, lead_provider) -> list[Transfer]:
    """Pairs leaving records with the joining record at another school, per training record."""
    transfers = []
    for training_record_id, records in records_by_training_record.items():
        used: set = set()
        for index, leaving in enumerate(records):
            if leaving.induction_status != InductionStatus.LEAVING:
                continue
            joining = None
            for candidate in records[index + 1 :]:
                if (
                    candidate.pk not in used
                    and candidate.induction_status != InductionStatus.LEAVING
                    and candidate.school_transfer
                    and _school_id(candidate) != _school_id(leaving)
                ):
                    joining = candidate
                    used.add(candidate.pk)
                    break
            ours = _lead_provider_id(leaving) == lead_provider.pk
            if joining is not None:
                ours = ours or _lead_provider_id(joining) == lead_provider.pk
            if ours:
                transfers.append(Transfer(training_record_id, leaving, joining))
    return transfers


# --- unfunded mentors -------------------------------------------------------------------------


def unfunded_mentor_list(*, lead_provider) -> QuerySet[Participant]:
    """Mentors named on the provider's L rows whose own mentor record has no L for the provider."""
    own_record_visible = latest_induction_records(lead_provider=lead_provider).filter(
        training_record_id=OuterRef("mentor_id")
    )
    mentoring = (
        latest_induction_records(lead_provider=lead_provider)
        .filter(mentor__participant_id=OuterRef("pk"))
        .filter(~Exists(own_record_visible))
    )
    return Participant.objects.filter(Exists(mentoring))


def unfunded_mentor_page(*, participants: list[Participant]) -> dict:
    """participant id → (email, teacher reference number) of each mentor, in two queries."""
    ids = [participant.pk for participant in participants]
    emails = {participant.pk: participant.email for participant in participants}
    trns = {participant.pk: participant.trn for participant in participants}
    mentor_records = TrainingRecord.objects.filter(
        participant_id__in=ids, participant_type=TrainingRecordType.MENTOR
    ).order_by("participant_id", "record_status", "created_at")  # "active" sorts before "withdrawn"
    for record in mentor_records:
        if not trns[record.participant_id] and record.registration_trn:
            trns[record.participant_id] = record.registration_trn
    records = (
        InductionRecord.objects.filter(
            training_record__participant_id__in=ids,
            training_record__participant_type=TrainingRecordType.MENTOR,
        )
        .select_related("training_record")
        .order_by(
            "training_record__participant_id", "training_record__record_status", *InductionRecord.LATEST_ORDER
        )
    )
    seen = set()
    for record in records:
        person_id = record.training_record.participant_id
        if person_id in seen:
            continue
        seen.add(person_id)
        if record.preferred_email and record.preferred_email.strip():
            emails[person_id] = record.preferred_email
    return {pk: (emails[pk], trns[pk]) for pk in ids}
