"""v3 participants, transfers and unfunded mentors."""

import datetime as dt

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from config import clock
from config.api.serializers import TimestampField, resource_serializer
from config.api.viewsets import ProviderViewSet
from config.ids import parse_uuid
from participants.api.wire import day, timestamp
from participants.filters import UpdatedSinceOnlyFilter
from participants.models import Participant, TrainingStatus
from participants.selectors import (
    build_transfers,
    eligible_for_funding,
    mentor_participant_id,
    participant_status,
    shown_email,
    transfer_list,
    transfer_page,
    trn_validated,
    unfunded_mentor_list,
    unfunded_mentor_page,
)

# --- participants -------------------------------------------------------------------------------------


def enrolment(row, participant: Participant, page, now: dt.datetime) -> dict:
    """One ECFEnrolment from a training record's L row."""
    record = row.training_record
    is_ect = record.participant_type == record.Type.ECT
    school_cohort = row.induction_programme.school_cohort
    partnership = row.induction_programme.partnership
    withdrawal = deferral = None
    if row.training_status == TrainingStatus.WITHDRAWN:
        change = page.status_changes.get((record.pk, TrainingStatus.WITHDRAWN))
        if change is not None:
            withdrawal = {"reason": change.displayed_reason, "date": timestamp(change.changed_at)}
    elif row.training_status == TrainingStatus.DEFERRED:
        change = page.status_changes.get((record.pk, TrainingStatus.DEFERRED))
        if change is not None:
            deferral = {"reason": change.displayed_reason, "date": timestamp(change.changed_at)}
    return {
        "training_record_id": str(record.pk),
        "email": shown_email(row, participant),
        "mentor_id": str(mentor_id) if (mentor_id := mentor_participant_id(row)) else None,
        "school_urn": school_cohort.school.urn,
        "participant_type": record.participant_type,
        "cohort": str(school_cohort.cohort.start_year),
        "training_status": row.training_status,
        "participant_status": participant_status(row, now),
        "teacher_reference_number_validated": trn_validated(record, participant),
        "eligible_for_funding": eligible_for_funding(record),
        "pupil_premium_uplift": record.pupil_premium_uplift,
        "sparsity_uplift": record.sparsity_uplift,
        "schedule_identifier": row.schedule.schedule_identifier if row.schedule_id else None,
        "delivery_partner_id": str(partnership.delivery_partner_id) if partnership else None,
        "withdrawal": withdrawal,
        "deferral": deferral,
        "created_at": timestamp(record.created_at),
        "induction_end_date": day(record.induction_completion_date),
        "mentor_funding_end_date": None if is_ect else day(record.mentor_completion_date),
        "cohort_changed_after_payments_frozen": record.cohort_changed_after_payments_frozen,
        "mentor_ineligible_for_funding_reason": None if is_ect else record.mentor_completion_reason,
    }


class ParticipantAttributes(serializers.Serializer):
    full_name = serializers.CharField(read_only=True)
    teacher_reference_number = serializers.CharField(source="trn", read_only=True, allow_null=True)
    updated_at = serializers.SerializerMethodField()
    ecf_enrolments = serializers.SerializerMethodField()
    participant_id_changes = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "format": "date-time"})
    def get_updated_at(self, participant) -> str:
        return timestamp(self.context["page"].updated_at.get(participant.pk, participant.updated_at))

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_ecf_enrolments(self, participant):
        page, now = self.context["page"], self.context["now"]
        return [enrolment(row, participant, page, now) for row in page.enrolments.get(participant.pk, [])]

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_participant_id_changes(self, participant):
        return [
            {
                "from_participant_id": str(change.from_participant_id),
                "to_participant_id": str(change.to_participant_id),
                "changed_at": timestamp(change.created_at),
            }
            for change in self.context["page"].id_changes.get(participant.pk, [])
        ]


ParticipantSerializer = resource_serializer("ECFParticipant", "participant", ParticipantAttributes)
ParticipantSerializer.per_training_record = False  # one item per person, training records nested
ParticipantSerializer.csv_columns = None  # no CSV download


# --- transfers ----------------------------------------------------------------------------------------


def _side(record, when) -> dict:
    partnership = record.induction_programme.partnership
    return {
        "school_urn": record.induction_programme.school_cohort.school.urn,
        "provider": partnership.lead_provider.name if partnership else None,
        "date": day(when),
    }


class TransferAttributes(serializers.Serializer):
    updated_at = serializers.SerializerMethodField()
    transfers = serializers.SerializerMethodField()

    def _transfers(self, participant):
        cache = self.context.setdefault("built", {})
        if participant.pk not in cache:
            cache[participant.pk] = build_transfers(
                records_by_training_record=self.context["records"].get(participant.pk, {}),
                lead_provider=self.context["lead_provider"],
            )
        return cache[participant.pk]

    @extend_schema_field({"type": "string", "format": "date-time"})
    def get_updated_at(self, participant) -> str:
        stamps = []
        for transfer in self._transfers(participant):
            stamps.append(transfer.leaving.updated_at)
            if transfer.joining is not None:
                stamps.append(transfer.joining.updated_at)
        return timestamp(max(stamps) if stamps else participant.updated_at)

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_transfers(self, participant):
        today = clock.today()
        result = []
        for transfer in self._transfers(participant):
            leaving, joining = transfer.leaving, transfer.joining
            if joining is None:
                transfer_type = "unknown"
            else:
                leaving_lp = leaving.induction_programme.partnership
                joining_lp = joining.induction_programme.partnership
                different = (
                    leaving_lp and joining_lp and leaving_lp.lead_provider_id != joining_lp.lead_provider_id
                )
                transfer_type = "new_provider" if different else "new_school"
            dates = [value.astimezone(dt.UTC).date() for value in (leaving.end_date,) if value is not None]
            if joining is not None:
                dates.append(joining.start_date.astimezone(dt.UTC).date())
            status = "incomplete" if dates and max(dates) > today else "complete"
            result.append(
                {
                    "training_record_id": str(transfer.training_record_id),
                    "transfer_type": transfer_type,
                    "status": status,
                    "leaving": _side(leaving, leaving.end_date),
                    "joining": _side(joining, joining.start_date) if joining is not None else None,
                    "created_at": timestamp(leaving.created_at),
                }
            )
        return result


TransferSerializer = resource_serializer("ECFParticipantTransfer", "participant-transfer", TransferAttributes)


@extend_schema(tags=["participants"])
class TransferViewSet(ProviderViewSet):
    serializer_class = TransferSerializer
    filterset_class = UpdatedSinceOnlyFilter
    http_method_names = ["get"]

    def get_queryset(self):
        return transfer_list(lead_provider=self.lead_provider)

    @extend_schema(exclude=True)
    def retrieve(self, request, *args, **kwargs):
        raise Http404  # no such route in the spec

    def ordering(self):
        if self.filters.get("updated_since"):
            return ["updated_at", "pk"]
        return ["created_at", "pk"]

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "records": getattr(self, "_records", {}),
            "lead_provider": self.lead_provider,
        }

    def serialize_many(self, objects):
        self._records = transfer_page(participants=list(objects))
        return super().serialize_many(objects)

    def serialize_one(self, instance):
        self._records = transfer_page(participants=[instance])
        return super().serialize_one(instance)


@extend_schema(tags=["participants"])
class ParticipantTransferViewSet(TransferViewSet):
    """`GET /participants/ecf/{participant_id}/transfers`: one participant-transfer resource, else 404."""

    @extend_schema(
        operation_id="participants_ecf_participant_transfers", responses=TransferSerializer, filters=False
    )
    def list(self, request, *args, **kwargs):
        pk = parse_uuid(self.kwargs.get("participant_id"))
        instance = self.get_queryset().filter(pk=pk).first() if pk is not None else None
        if instance is None:
            raise Http404
        return Response({"data": self.serialize_one(instance)})


# --- unfunded mentors ---------------------------------------------------------------------------------


class UnfundedMentorAttributes(serializers.Serializer):
    full_name = serializers.CharField(read_only=True)
    email = serializers.SerializerMethodField()
    teacher_reference_number = serializers.SerializerMethodField()
    created_at = TimestampField()
    updated_at = TimestampField()

    def get_email(self, participant) -> str:
        return self.context["details"][participant.pk][0]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_teacher_reference_number(self, participant):
        return self.context["details"][participant.pk][1]


UnfundedMentorSerializer = resource_serializer("UnfundedMentor", "unfunded-mentor", UnfundedMentorAttributes)


@extend_schema(tags=["participants"])
class UnfundedMentorViewSet(ProviderViewSet):
    serializer_class = UnfundedMentorSerializer
    filterset_class = UpdatedSinceOnlyFilter
    sortable = True
    http_method_names = ["get"]

    def get_queryset(self):
        return unfunded_mentor_list(lead_provider=self.lead_provider)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "details": getattr(self, "_details", {})}

    def serialize_many(self, objects):
        self._details = unfunded_mentor_page(participants=list(objects))
        return super().serialize_many(objects)

    def serialize_one(self, instance):
        self._details = unfunded_mentor_page(participants=[instance])
        return super().serialize_one(instance)
