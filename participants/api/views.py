"""The participants endpoints of every version: one viewset, a representation per version.

Which items a provider sees and every derived fact come from `participants.selectors`; the version's
serializer says how an item looks, whether items are persons or training records, and the CSV columns.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from config import clock
from config.api.body import request_attributes
from config.api.csv import csv_response
from config.api.viewsets import ProviderViewSet
from participants import services
from participants.api import v1, v2, v3
from participants.filters import ParticipantFilter, TrainingRecordParticipantFilter
from participants.selectors import (
    flat_participant_record,
    flat_record_after_action,
    flat_rows,
    participant_list,
    participant_page,
    person_rows,
    visible_induction_records,
    visible_participants,
)

# Rows a CSV download reads from its server-side cursor per round trip.
CSV_BATCH_SIZE = 2000


class ParticipantActionRequest(serializers.Serializer):
    course_identifier = serializers.CharField()
    reason = serializers.CharField(required=False)
    schedule_identifier = serializers.CharField(required=False)
    cohort = serializers.CharField(required=False)


@extend_schema(tags=["participants"])
class ParticipantViewSet(ProviderViewSet):
    """Early career teachers and mentors training with you, and the changes you report to their training."""

    serializer_classes = {
        "v1": v1.ParticipantSerializer,
        "v2": v2.ParticipantSerializer,
        "v3": v3.ParticipantSerializer,
    }

    @property
    def per_training_record(self) -> bool:
        return self.get_serializer_class().per_training_record

    @property
    def filterset_class(self):
        return TrainingRecordParticipantFilter if self.per_training_record else ParticipantFilter

    @property
    def sortable(self) -> bool:
        # `sort` names person columns: it applies where items are persons.
        return not self.per_training_record

    def initial(self, request, *args, **kwargs):
        # `.csv` is a route only for a list whose representation has CSV columns.
        if self.kwargs.get("format") == "csv" and (self.action != "list" or not self._csv_columns()):
            raise Http404
        super().initial(request, *args, **kwargs)

    def _csv_columns(self):
        return self.get_serializer_class().csv_columns

    def get_queryset(self):
        # The FilterSet (which always runs) narrows either scope to L rows in the requested cohorts.
        if self.per_training_record:
            return visible_induction_records(lead_provider=self.lead_provider)
        return visible_participants(lead_provider=self.lead_provider)

    def get_object_queryset(self):
        return participant_list(lead_provider=self.lead_provider)

    def page_rows(self):
        # The page's ids are chosen under visibility and filters; its rows are then read by id.
        return flat_rows() if self.per_training_record else person_rows()

    def get_object(self):
        if not self.per_training_record:
            return super().get_object()
        row = flat_participant_record(lead_provider=self.lead_provider, participant_id=self.kwargs["pk"])
        if row is None:
            raise Http404
        return row

    def ordering(self) -> list[str]:
        if not self.per_training_record:
            return super().ordering()
        person = "updated_at" if self.filters.get("updated_since") else "created_at"
        return [
            f"training_record__participant__{person}",
            "training_record__participant_id",
            "training_record__created_at",
            "training_record_id",
            "pk",
        ]

    def list(self, request, *args, **kwargs):
        if self.kwargs.get("format") == "csv":
            return self._csv_list()
        return super().list(request, *args, **kwargs)

    def _csv_list(self):
        # Every matching row, unpaginated, read through a server-side cursor so memory stays flat; each row
        # is complete from its own query's joins.
        queryset = self.filter_queryset(self.get_queryset()).order_by(*self.ordering())
        serializer_class = self.get_serializer_class()
        serializer = serializer_class(context=self.get_serializer_context())
        rows = (
            serializer_class.csv_row(serializer.to_representation(row))
            for row in queryset.iterator(chunk_size=CSV_BATCH_SIZE)
        )
        return csv_response(self._csv_columns(), rows)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "page": getattr(self, "_page", None), "now": clock.now()}

    def serialize_many(self, objects):
        if not self.per_training_record:
            self._page = participant_page(lead_provider=self.lead_provider, participants=list(objects))
        return super().serialize_many(objects)

    def serialize_one(self, instance):
        if not self.per_training_record:
            self._page = participant_page(lead_provider=self.lead_provider, participants=[instance])
        return super().serialize_one(instance)

    def _act(self, service, pk):
        attributes = request_attributes(self.request)
        participant = service(
            participant_id=pk, attributes=attributes, lead_provider=self.lead_provider, actor=self.actor
        )
        if self.per_training_record:
            # The acted-on training record, as its relevant induction record now shows it.
            row = flat_record_after_action(
                participant=participant,
                course_identifier=attributes.get("course_identifier"),
                lead_provider=self.lead_provider,
            )
            return Response({"data": self.serialize_one(row)})
        return Response({"data": self.serialize_one(participant)})

    @extend_schema(request=ParticipantActionRequest)
    @action(detail=True, methods=["put"])
    def defer(self, request, pk=None):
        """Defers the participant's training with you (`course_identifier`, `reason`)."""
        return self._act(services.participant_defer, pk)

    @extend_schema(request=ParticipantActionRequest)
    @action(detail=True, methods=["put"])
    def resume(self, request, pk=None):
        """Resumes a deferred or withdrawn participant's training with you (`course_identifier`)."""
        return self._act(services.participant_resume, pk)

    @extend_schema(request=ParticipantActionRequest)
    @action(detail=True, methods=["put"])
    def withdraw(self, request, pk=None):
        """Withdraws the participant from training with you (`course_identifier`, `reason`)."""
        return self._act(services.participant_withdraw, pk)

    @extend_schema(request=ParticipantActionRequest)
    @action(detail=True, methods=["put"], url_path="change-schedule")
    def change_schedule(self, request, pk=None):
        """Moves the participant to another schedule (`course_identifier`, `schedule_identifier`, optional
        `cohort`)."""
        return self._act(services.participant_change_schedule, pk)


@extend_schema(tags=["participants"])
class ParticipantAliasViewSet(ParticipantViewSet):
    """`/participants`: the list and the actions under their older paths (no show)."""

    def initial(self, request, *args, **kwargs):
        if self.action == "retrieve":
            raise Http404
        super().initial(request, *args, **kwargs)

    @extend_schema(exclude=True)
    def retrieve(self, request, *args, **kwargs):
        raise Http404
