"""The representations of a participant declaration, one per API version, and the documented POST body.

Every version renders the same declaration read by `declarations.selectors`; only the attribute set differs.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import TimestampField, resource_serializer
from declarations.models import Declaration, DeclarationStateChange, EvidenceHeld
from participants.models import CourseIdentifier, DeclarationType

UPLIFT_STATES = (Declaration.State.PAID, Declaration.State.AWAITING_CLAWBACK, Declaration.State.CLAWED_BACK)


def _id(value) -> str | None:
    return None if value is None else str(value)


class CommonAttributes(serializers.Serializer):
    """The methods every version's attributes share; each version lists its fields in its own order."""

    def get_participant_id(self, declaration) -> str:
        return str(declaration.participant_id)

    def get_state(self, declaration) -> str:
        return declaration.wire_state

    @extend_schema_field({"type": "boolean", "nullable": True})
    def get_has_passed(self, declaration):
        return None


class V1DeclarationAttributes(CommonAttributes):
    participant_id = serializers.SerializerMethodField()
    declaration_type = serializers.CharField(read_only=True)
    course_identifier = serializers.CharField(read_only=True)
    eligible_for_payment = serializers.SerializerMethodField()
    declaration_date = TimestampField()
    updated_at = TimestampField()
    voided = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    has_passed = serializers.SerializerMethodField()

    def get_eligible_for_payment(self, declaration) -> bool:
        # A paid declaration is no longer "eligible for payment".
        return declaration.state in (Declaration.State.ELIGIBLE, Declaration.State.PAYABLE)

    def get_voided(self, declaration) -> bool:
        return declaration.state == Declaration.State.VOIDED


class V2DeclarationAttributes(CommonAttributes):
    participant_id = serializers.SerializerMethodField()
    declaration_type = serializers.CharField(read_only=True)
    course_identifier = serializers.CharField(read_only=True)
    declaration_date = TimestampField()
    updated_at = TimestampField()
    state = serializers.SerializerMethodField()
    has_passed = serializers.SerializerMethodField()


class V3DeclarationAttributes(CommonAttributes):
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


V1DeclarationSerializer = resource_serializer(
    "V1ParticipantDeclaration", "participant-declaration", V1DeclarationAttributes
)
V2DeclarationSerializer = resource_serializer(
    "V2ParticipantDeclaration", "participant-declaration", V2DeclarationAttributes
)
V3DeclarationSerializer = resource_serializer(
    "ParticipantDeclaration", "participant-declaration", V3DeclarationAttributes
)

SERIALIZERS = {"v1": V1DeclarationSerializer, "v2": V2DeclarationSerializer, "v3": V3DeclarationSerializer}
