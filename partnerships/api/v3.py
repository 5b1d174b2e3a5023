"""v3 serializers and viewsets: partnerships, schools and delivery partners."""

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from config.api.body import request_attributes
from config.api.serializers import (
    MillisecondTimestampField,
    StringifiedField,
    TimestampField,
    resource_serializer,
)
from config.api.viewsets import ProviderViewSet
from partnerships.filters import DeliveryPartnerFilter, PartnershipFilter, SchoolFilter
from partnerships.models import ChallengeReason, Cohort, PartnershipStatus
from partnerships.selectors import (
    PROGRAMME_CHOICE_API,
    delivery_partner_cohorts,
    delivery_partner_list,
    partnership_get,
    partnership_list,
    school_cohort_year,
    school_list,
)
from partnerships.services import partnership_create, partnership_update


class DeliveryPartnerAttributes(serializers.Serializer):
    name = serializers.SerializerMethodField()
    cohort = serializers.SerializerMethodField()
    created_at = TimestampField()
    updated_at = TimestampField()

    def get_name(self, partner) -> str:
        return " ".join(partner.name.split())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_cohort(self, partner):
        return self.context["cohorts"].get(partner.pk, [])


DeliveryPartnerSerializer = resource_serializer(
    "DeliveryPartner", "delivery-partner", DeliveryPartnerAttributes
)


@extend_schema(tags=["delivery partners"])
class DeliveryPartnerViewSet(ProviderViewSet):
    serializer_class = DeliveryPartnerSerializer
    filterset_class = DeliveryPartnerFilter
    sortable = True

    def get_queryset(self):
        return delivery_partner_list(lead_provider=self.lead_provider)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "cohorts": getattr(self, "_cohorts", {})}

    def serialize_many(self, objects):
        self._cohorts = delivery_partner_cohorts(
            lead_provider=self.lead_provider, delivery_partner_ids=[partner.pk for partner in objects]
        )
        return super().serialize_many(objects)

    def serialize_one(self, instance):
        self._cohorts = delivery_partner_cohorts(
            lead_provider=self.lead_provider, delivery_partner_ids=[instance.pk]
        )
        return super().serialize_one(instance)


# ---------------------------------------------------------------------------------------------------------
# Partnerships
# ---------------------------------------------------------------------------------------------------------


class PartnershipAttributes(serializers.Serializer):
    cohort = StringifiedField(source="cohort.start_year")
    urn = serializers.CharField(source="school.urn", read_only=True)
    school_id = serializers.UUIDField(read_only=True)
    delivery_partner_id = serializers.UUIDField(read_only=True)
    delivery_partner_name = serializers.CharField(
        source="delivery_partner.name", read_only=True, allow_null=True
    )
    status = serializers.ChoiceField(choices=PartnershipStatus.choices, read_only=True)
    challenged_reason = serializers.ChoiceField(
        source="challenge_reason", choices=ChallengeReason.choices, read_only=True, allow_null=True
    )
    challenged_at = MillisecondTimestampField(allow_null=True)
    induction_tutor_name = serializers.SerializerMethodField()
    induction_tutor_email = serializers.SerializerMethodField()
    updated_at = TimestampField(source="last_updated_at")
    created_at = TimestampField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_induction_tutor_name(self, partnership):
        return partnership.school.induction_tutor_name or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_induction_tutor_email(self, partnership):
        school = partnership.school
        return (
            school.induction_tutor_email
            or school.primary_contact_email
            or school.secondary_contact_email
            or None
        )


PartnershipSerializer = resource_serializer("Partnership", "partnership", PartnershipAttributes)


class PartnershipCreateAttributes(serializers.Serializer):
    cohort = serializers.CharField(help_text="Cohort start year, as a string or a number")
    school_id = serializers.UUIDField()
    delivery_partner_id = serializers.UUIDField()


class PartnershipUpdateAttributes(serializers.Serializer):
    delivery_partner_id = serializers.UUIDField()


def _request_envelope(name: str, resource_type: str, attributes):
    data = inline_serializer(
        f"{name}Data",
        fields={"type": serializers.ChoiceField(choices=[resource_type]), "attributes": attributes()},
    )
    return inline_serializer(f"{name}Request", fields={"data": data})


@extend_schema(tags=["partnerships"])
class PartnershipViewSet(ProviderViewSet):
    serializer_class = PartnershipSerializer
    filterset_class = PartnershipFilter
    sortable = True

    def get_queryset(self):
        return partnership_list(lead_provider=self.lead_provider)

    def _respond(self, partnership):
        fresh = partnership_get(lead_provider=self.lead_provider, partnership_id=partnership.pk)
        return Response({"data": self.serialize_one(fresh)})

    @extend_schema(
        request=_request_envelope("PartnershipCreate", "ecf-partnership", PartnershipCreateAttributes),
        responses=PartnershipSerializer,
    )
    def create(self, request, *args, **kwargs):
        attributes = request_attributes(request)
        partnership = partnership_create(
            lead_provider=self.lead_provider,
            cohort=attributes.get("cohort"),
            school_id=attributes.get("school_id"),
            delivery_partner_id=attributes.get("delivery_partner_id"),
            actor=self.actor,
        )
        return self._respond(partnership)

    @extend_schema(
        request=_request_envelope("PartnershipUpdate", "ecf-partnership-update", PartnershipUpdateAttributes),
        responses=PartnershipSerializer,
    )
    def update(self, request, *args, **kwargs):
        partnership = self.get_object()  # 404 before the body is read
        attributes = request_attributes(request)
        partnership = partnership_update(
            partnership=partnership,
            delivery_partner_id=attributes.get("delivery_partner_id"),
            actor=self.actor,
        )
        return self._respond(partnership)

    @extend_schema(exclude=True)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


# ---------------------------------------------------------------------------------------------------------
# Schools
# ---------------------------------------------------------------------------------------------------------


class SchoolAttributes(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    urn = serializers.CharField(read_only=True)
    cohort = serializers.SerializerMethodField()
    in_partnership = serializers.BooleanField(read_only=True)
    induction_programme_choice = serializers.SerializerMethodField()
    created_at = TimestampField()
    updated_at = TimestampField(source="last_updated_at")

    def get_cohort(self, school) -> str:
        return str(self.context["cohort"].start_year)

    @extend_schema_field(
        serializers.ChoiceField(
            choices=["school_led", "provider_led", "no_early_career_teachers", "not_yet_known"]
        )
    )
    def get_induction_programme_choice(self, school):
        return PROGRAMME_CHOICE_API.get(school.cohort_choice, "not_yet_known")


SchoolSerializer = resource_serializer("School", "school", SchoolAttributes)


@extend_schema(tags=["schools"])
class SchoolViewSet(ProviderViewSet):
    """Schools for one cohort, the same for every provider."""

    serializer_class = SchoolSerializer
    filterset_class = SchoolFilter
    required_filters = ("cohort",)
    sortable = True

    @cached_property
    def cohort(self):
        year = school_cohort_year(self.filters.get("cohort"))
        return None if year is None else Cohort.objects.filter(start_year=year).first()

    def get_queryset(self):
        return school_list(cohort=self.cohort)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "cohort": self.cohort}
