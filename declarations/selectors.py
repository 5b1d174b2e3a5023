"""Reads for declarations: who a submission is about and what a provider may see."""

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from declarations.models import Declaration, DeclarationState, DeclarationStateChange
from declarations.ports import statement_ledger
from declarations.visibility import visible_declarations as stored_visible_declarations
from participants import selectors as participants_selectors
from participants.models import (
    InductionRecord,
    InductionStatus,
    TrainingRecord,
    TrainingStatusChange,
)
from participants.selectors import provider_induction_records


def relevant_induction_record(
    *, training_record: TrainingRecord, lead_provider, at
) -> InductionRecord | None:
    """The induction record current at `at` with this provider: its latest one that started on or before
    `at` (the participants app's rule, in "latest" order)."""
    if at is None:
        return None
    return participants_selectors.relevant_induction_record(
        training_record=training_record,
        lead_provider=lead_provider,
        at=at,
        order=InductionRecord.LATEST_ORDER,
        related=("mentor",),
    )


def provider_trains_on_schedule(*, training_record: TrainingRecord, lead_provider) -> bool:
    """Rule #14: the provider has an induction record of the person on the record's current schedule."""
    return (
        provider_induction_records(lead_provider=lead_provider, unchallenged=False)
        .filter(training_record=training_record, schedule_id=training_record.schedule_id)
        .exists()
    )


def latest_training_status_change(
    *, training_record: TrainingRecord, lead_provider
) -> TrainingStatusChange | None:
    return (
        TrainingStatusChange.objects.filter(training_record=training_record, lead_provider=lead_provider)
        .order_by("-changed_at", "-id")
        .first()
    )


def live_declaration_for_slot(*, participant_id, course_identifier, declaration_type) -> Declaration | None:
    """The declaration occupying the (person, course, type) slot, if any."""
    return (
        Declaration.objects.filter(
            participant_id=participant_id,
            course_identifier=course_identifier,
            declaration_type=declaration_type,
            state__in=Declaration.LIVE_STATES,
        )
        .order_by("created_at", "id")
        .first()
    )


def with_api_fields(queryset: QuerySet[Declaration]) -> QuerySet[Declaration]:
    """Everything the API shows, in the one query of the page: the statement ids come from the statements
    app's ledger, the reason a declaration is ineligible from its latest move to `ineligible`."""
    ineligible_reason = (
        DeclarationStateChange.objects.filter(
            declaration=OuterRef("pk"), to_state=DeclarationState.INELIGIBLE
        )
        .order_by("-changed_at", "-id")
        .values("reason")[:1]
    )
    return statement_ledger().with_statement_ids(
        queryset.select_related("lead_provider").annotate(ineligible_reason=Subquery(ineligible_reason))
    )


# API versions whose lists keep the original visibility: no declarations reached through a leaving record.
VERSIONS_WITHOUT_LEAVING_RECORDS = ("v1", "v2")


def visible_declarations(*, lead_provider, api_version: str) -> QuerySet[Declaration]:
    """What the provider sees in `api_version`, from the stored visibility (one indexed range per provider;
    the rule is `declarations_visible_by_rule`, which the stored rows are checked against)."""
    return stored_visible_declarations(
        lead_provider=lead_provider, include_leaving=api_version not in VERSIONS_WITHOUT_LEAVING_RECORDS
    )


def declarations_visible_by_rule(*, lead_provider, api_version: str) -> QuerySet[Declaration]:
    """The provider's own declarations, plus live declarations of any provider for people it trains:
    through its active or completed induction records, and (from v3 on) leaving ones up to the record's end
    date."""
    records_with_provider = InductionRecord.objects.filter(
        training_record_id=OuterRef("training_record_id"),
        induction_programme__partnership__lead_provider=lead_provider,
    )
    trained = Exists(
        records_with_provider.filter(induction_status__in=[InductionStatus.ACTIVE, InductionStatus.COMPLETED])
    )
    if api_version not in VERSIONS_WITHOUT_LEAVING_RECORDS:
        trained |= Exists(
            records_with_provider.filter(induction_status=InductionStatus.LEAVING).filter(
                Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("declaration_date"))
            )
        )
    return Declaration.objects.filter(
        Q(lead_provider=lead_provider) | (Q(state__in=Declaration.LIVE_STATES) & trained)
    )


# API versions that render only the declaration's own columns (no statement ids, ineligibility reason or
# provider name), so their lists skip the per-row subqueries and join behind those.
VERSIONS_WITHOUT_DERIVED_FIELDS = ("v1", "v2")


def declaration_list(*, lead_provider, api_version: str) -> QuerySet[Declaration]:
    """What the provider may list and show in `api_version`, with everything that version renders."""
    visible = visible_declarations(lead_provider=lead_provider, api_version=api_version)
    if api_version in VERSIONS_WITHOUT_DERIVED_FIELDS:
        return visible
    return with_api_fields(visible)


def declaration_rows(*, api_version: str) -> QuerySet[Declaration]:
    """Declarations with what `api_version` renders, unscoped: for rows whose ids a visible list chose."""
    if api_version in VERSIONS_WITHOUT_DERIVED_FIELDS:
        return Declaration.objects.all()
    return with_api_fields(Declaration.objects.all())


def own_declarations(*, lead_provider) -> QuerySet[Declaration]:
    """What a provider may void: only what it submitted."""
    return with_api_fields(Declaration.objects.filter(lead_provider=lead_provider))


def declaration_for_api(*, pk) -> Declaration:
    return with_api_fields(Declaration.objects.filter(pk=pk)).get()
