"""v1 participants: one flat item per training record, built from the provider's L row of that record."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import StringifiedField
from participants.api.wire import timestamp
from participants.models import InductionRecord, ScheduleIdentifier, TrainingRecordType, TrainingStatus
from participants.selectors import (
    eligible_for_funding,
    mentor_participant_id,
    record_status,
    row_updated_at,
    shown_email,
    teacher_reference_number,
    trn_validated,
)


def attributes(row: InductionRecord) -> dict:
    """The attributes of one row, in the order the fields below declare them (and the CSV columns follow)."""
    record = row.training_record
    person = record.participant
    school_cohort = row.induction_programme.school_cohort
    mentor_id = mentor_participant_id(row)
    return {
        "email": shown_email(row, person),
        "full_name": person.full_name,
        "mentor_id": str(mentor_id) if mentor_id else None,
        "school_urn": school_cohort.school.urn,
        "participant_type": record.participant_type,
        "cohort": str(school_cohort.cohort.start_year),
        "status": record_status(row),
        "teacher_reference_number": teacher_reference_number(record, person),
        "teacher_reference_number_validated": trn_validated(record, person),
        "eligible_for_funding": eligible_for_funding(record),
        "pupil_premium_uplift": record.pupil_premium_uplift,
        "sparsity_uplift": record.sparsity_uplift,
        "training_status": row.training_status,
        "training_record_id": str(record.pk),
        "schedule_identifier": row.schedule.schedule_identifier,
        "updated_at": timestamp(row_updated_at(row)),
    }


class ECFParticipantAttributes(serializers.Serializer):
    """A participant's training record: one per ECT or mentor record."""

    # The fields declare the attributes for the API documents; `attributes()` computes them per row.

    email = serializers.EmailField(allow_null=True)
    full_name = serializers.CharField()
    mentor_id = serializers.UUIDField(allow_null=True)
    school_urn = serializers.CharField()
    participant_type = serializers.ChoiceField(choices=TrainingRecordType.choices)
    cohort = StringifiedField()
    status = serializers.ChoiceField(choices=["active", "withdrawn"])
    teacher_reference_number = serializers.CharField(allow_null=True)
    teacher_reference_number_validated = serializers.BooleanField(allow_null=True)
    eligible_for_funding = serializers.BooleanField(allow_null=True)
    pupil_premium_uplift = serializers.BooleanField()
    sparsity_uplift = serializers.BooleanField()
    training_status = serializers.ChoiceField(choices=TrainingStatus.choices)
    training_record_id = serializers.UUIDField()
    schedule_identifier = serializers.ChoiceField(choices=ScheduleIdentifier.choices)
    updated_at = serializers.DateTimeField()

    def to_representation(self, row):
        return attributes(row)


@extend_schema_field({"type": "string", "enum": ["participant"]})
class ParticipantTypeField(serializers.Field):
    def __init__(self):
        super().__init__(source="*", read_only=True)

    def to_representation(self, value):
        return "participant"


class ECFParticipantSerializer(serializers.Serializer):
    """A participant's training record; `id` is the participant's id, shared by their ECT and mentor records."""

    # One item per training record; the CSV download shows the same items, one line each.
    per_training_record = True
    csv_columns = ("id", *ECFParticipantAttributes().fields)

    id = serializers.UUIDField(source="training_record.participant_id", read_only=True)
    type = ParticipantTypeField()
    attributes = ECFParticipantAttributes(source="*", read_only=True)

    @classmethod
    def csv_row(cls, data: dict) -> dict:
        """One CSV line's values from the item's JSON representation, so both always agree."""
        return {"id": data["id"], **data["attributes"]}


ParticipantSerializer = ECFParticipantSerializer
