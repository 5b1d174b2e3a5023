"""The statement declarations CSV, the "assurance report", written row by row.

Rows are read in batches: one joined query per batch of line items, plus one query each for the batch's
latest induction records with the statement's provider and its withdrawal changes. A line whose
participant has no induction record with the provider is kept (ECF's inner join drops it).
"""

import csv
import re
from collections.abc import Iterator

from participants.models import TrainingStatus, TrainingStatusChange
from participants.selectors import latest_per_training_record, provider_induction_records
from statements.models import Statement, StatementLineItem

HEADERS = [
    "Participant ID",
    "Participant Name",
    "TRN",
    "Type",
    "Mentor Profile ID",
    "Schedule",
    "Eligible For Funding",
    "Eligible For Funding Reason",
    "Sparsity Uplift",
    "Pupil Premium Uplift",
    "Sparsity And Pp",
    "Lead Provider Name",
    "Delivery Partner Name",
    "School Urn",
    "School Name",
    "Training Status",
    "Training Status Reason",
    "Declaration ID",
    "Declaration Status",
    "Declaration Type",
    "Declaration Date",
    "Declaration Created At",
    "Statement Name",
    "Statement ID",
    "Uplift Payable",
]
BATCH_SIZE = 2000
PROFILE_CLASS = {"ect": "ParticipantProfile::ECT", "mentor": "ParticipantProfile::Mentor"}


def report_filename(statement: Statement) -> str:
    provider = re.sub(r"\W", "", statement.lead_provider.name)
    name = re.sub(r"\W", "", statement.name)
    return f"ECF-Declarations-{provider}-Cohort{statement.cohort.start_year}-{name}.csv"


class _Echo:
    def write(self, value):
        return value


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _latest_induction_records(record_ids, lead_provider_id) -> dict:
    """training record id → its latest induction record with the provider (any partnership status)."""
    records = latest_per_training_record(
        provider_induction_records(lead_provider=lead_provider_id, unchallenged=False).filter(
            training_record_id__in=record_ids
        )
    ).select_related(
        "schedule",
        "induction_programme__school_cohort__school",
        "induction_programme__partnership__delivery_partner",
    )
    return {record.training_record_id: record for record in records}


def _withdrawal_reasons(record_ids, lead_provider_id) -> dict:
    newest = {}
    for change in TrainingStatusChange.objects.filter(
        training_record_id__in=record_ids, lead_provider_id=lead_provider_id
    ).order_by("training_record_id", "-changed_at", "-id"):
        newest.setdefault(change.training_record_id, change)
    return {
        record_id: change.displayed_reason
        for record_id, change in newest.items()
        if change.to_status == TrainingStatus.WITHDRAWN
    }


def _line_rows(statement: Statement) -> Iterator[list[StatementLineItem]]:
    """Line items in participant-name order, a batch at a time (one query per batch)."""
    lines = (
        StatementLineItem.objects.filter(statement=statement)
        .select_related(
            "declaration__participant",
            "declaration__training_record__schedule",
            "declaration__delivery_partner",
        )
        .order_by("declaration__participant__full_name", "pk")
    )
    offset = 0
    while True:
        batch = list(lines[offset : offset + BATCH_SIZE])
        if not batch:
            return
        yield batch
        offset += BATCH_SIZE


def assurance_rows(statement: Statement) -> Iterator[list[str]]:
    yield HEADERS
    lead_provider_id = statement.lead_provider_id
    for batch in _line_rows(statement):
        record_ids = {line.declaration.training_record_id for line in batch}
        inductions = _latest_induction_records(record_ids, lead_provider_id)
        withdrawals = _withdrawal_reasons(record_ids, lead_provider_id)
        for line in batch:
            declaration = line.declaration
            record = declaration.training_record
            participant = declaration.participant
            induction = inductions.get(record.pk)
            school = induction.induction_programme.school_cohort.school if induction else None
            partnership = induction.induction_programme.partnership if induction else None
            delivery_partner = declaration.delivery_partner or (
                partnership.delivery_partner if partnership else None
            )
            eligible = record.eligibility_status == "eligible"
            training_status = induction.training_status if induction else ""
            yield [
                str(participant.pk),
                participant.full_name,
                participant.trn or record.registration_trn or "",
                PROFILE_CLASS.get(record.participant_type, record.participant_type),
                str(induction.mentor_id) if induction and induction.mentor_id else "",
                (induction.schedule if induction else record.schedule).schedule_identifier,
                _bool(eligible),
                "" if eligible else (record.eligibility_reason or ""),
                _bool(record.sparsity_uplift),
                _bool(record.pupil_premium_uplift),
                _bool(record.sparsity_uplift and record.pupil_premium_uplift),
                statement.lead_provider.name,
                delivery_partner.name if delivery_partner else "",
                school.urn if school else "",
                school.name if school else "",
                training_status,
                withdrawals.get(record.pk, "") if training_status == "withdrawn" else "",
                str(declaration.pk),
                line.state,
                declaration.declaration_type,
                declaration.declaration_date.isoformat(),
                declaration.created_at.isoformat(),
                statement.name,
                str(statement.pk),
                _bool(record.sparsity_uplift or record.pupil_premium_uplift),
            ]


def assurance_csv_chunks(statement: Statement) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in assurance_rows(statement):
        yield writer.writerow(row)
