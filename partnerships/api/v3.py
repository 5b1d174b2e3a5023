"""v3 serializers and viewsets: delivery partners (03 §3)."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from config.api.serializers import TimestampField, resource_serializer
from config.api.viewsets import ProviderViewSet
from partnerships.filters import DeliveryPartnerFilter
from partnerships.selectors import delivery_partner_cohorts, delivery_partner_list


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
