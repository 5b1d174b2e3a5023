"""v3 participant declarations: submit, list, show and void."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.body import request_attributes
from config.api.serializers import TimestampField, resource_serializer
from config.api.viewsets import ProviderViewSet
from declarations.filters import DeclarationFilter
from declarations.models import Declaration, DeclarationStateChange, EvidenceHeld
from declarations.selectors import declaration_for_api, declaration_list, own_declarations
from declarations.services import declaration_submit, declaration_void
from participants.models import CourseIdentifier, DeclarationType

UPLIFT_STATES = (Declaration.State.PAID, Declaration.State.AWAITING_CLAWBACK, Declaration.State.CLAWED_BACK)


def _id(value) -> str | None:
    return None if value is None else str(value)


class DeclarationAttributes(serializers.Serializer):
    participant_id = serializers.SerializerMethodField()
    declaration_type = serializers.CharField(read_only=True)
    declaration_date = TimestampField()
    course_identifier = serializers.CharField(read_only=True)
    state = serializers.SerializerMethodField()
    updated_at = TimestampField()
    created_at = TimestampField()
    delivery_partner_id = serializers.SerializerMethodField()
    statement_id = serializers.SerializerMethodField()
    clawback_statement_id = serializers.SerializerMethodField()
    ineligible_for_funding_reason = serializers.SerializerMethodField()
    mentor_id = serializers.SerializerMethodField()
    uplift_paid = serializers.SerializerMethodField()
    evidence_held = serializers.CharField(read_only=True, allow_null=True)
    has_passed = serializers.SerializerMethodField()
    lead_provider_name = serializers.CharField(source="lead_provider.name", read_only=True)

    def get_participant_id(self, declaration) -> str:
        return str(declaration.participant_id)

    def get_state(self, declaration) -> str:
        return declaration.wire_state

    def get_delivery_partner_id(self, declaration) -> str | None:
        return _id(declaration.delivery_partner_id)

    def get_statement_id(self, declaration) -> str | None:
        return _id(declaration.output_statement_id)

    def get_clawback_statement_id(self, declaration) -> str | None:
        return _id(declaration.clawback_statement_id)

    def get_ineligible_for_funding_reason(self, declaration) -> str | None:
        if declaration.state != Declaration.State.INELIGIBLE:
            return None
        reason = declaration.ineligible_reason
        return "duplicate_declaration" if reason == DeclarationStateChange.REASON_DUPLICATE else reason

    def get_mentor_id(self, declaration) -> str | None:
        return _id(declaration.mentor_id)

    def get_uplift_paid(self, declaration) -> bool:
        return (
            declaration.course_identifier == "ecf-induction"
            and declaration.declaration_type == "started"
            and declaration.state in UPLIFT_STATES
            and (declaration.sparsity_uplift or declaration.pupil_premium_uplift)
        )

    @extend_schema_field({"type": "boolean", "nullable": True})
    def get_has_passed(self, declaration):
        return None


class DeclarationRequestAttributes(serializers.Serializer):
    """Documentation of the POST body; the service reads the body itself, nothing is validated here."""

    participant_id = serializers.UUIDField()
    declaration_type = serializers.ChoiceField(choices=DeclarationType.choices)
    declaration_date = serializers.CharField(help_text="RFC 3339 date-time, e.g. 2025-10-01T09:30:00Z")
    course_identifier = serializers.ChoiceField(choices=CourseIdentifier.choices)
    evidence_held = serializers.ChoiceField(choices=EvidenceHeld.choices, required=False, allow_null=True)
    has_passed = serializers.BooleanField(
        required=False, allow_null=True, help_text="Ignored for ECF courses"
    )


class DeclarationRequestData(serializers.Serializer):
    type = serializers.CharField(required=False, help_text="participant-declaration")
    attributes = DeclarationRequestAttributes()


class DeclarationRequest(serializers.Serializer):
    data = DeclarationRequestData()


DeclarationSerializer = resource_serializer(
    "ParticipantDeclaration", "participant-declaration", DeclarationAttributes
)


@extend_schema(tags=["participant declarations"])
class DeclarationViewSet(ProviderViewSet):
    serializer_class = DeclarationSerializer
    filterset_class = DeclarationFilter
    default_ordering = ("created_at",)

    def get_queryset(self):
        return declaration_list(lead_provider=self.lead_provider)

    def _respond(self, declaration) -> Response:
        return Response({"data": self.serialize_one(declaration_for_api(pk=declaration.pk))})

    @extend_schema(request=DeclarationRequest, responses=DeclarationSerializer)
    def create(self, request, *args, **kwargs):
        declaration = declaration_submit(
            lead_provider=self.lead_provider,
            attributes=request_attributes(request),
            actor=self.actor,
            token=self.token,
        )
        return self._respond(declaration)

    @extend_schema(request=None, responses=DeclarationSerializer)
    @action(detail=True, methods=["put"])
    def void(self, request, pk=None):
        # Only the caller's own declarations can be voided; another provider's is a 404.
        declaration = declaration_void(declaration=self.get_object(), actor=self.actor)
        return self._respond(declaration)

    def get_object_queryset(self):
        if self.action == "void":
            return own_declarations(lead_provider=self.lead_provider)
        return self.get_queryset()
