"""v3 serializers and viewset: statements. The API exposes no amounts."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from config.api.serializers import StringifiedField, TimestampField, resource_serializer
from config.api.viewsets import ProviderViewSet
from statements.filters import StatementFilter
from statements.models import Statement
from statements.selectors import statement_api_list, statement_list


class StatementAttributes(serializers.Serializer):
    month = serializers.SerializerMethodField()
    year = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    cohort = StringifiedField(source="cohort.start_year")
    cut_off_date = serializers.DateField(source="deadline_date", read_only=True)
    payment_date = serializers.DateField(read_only=True)
    paid = serializers.SerializerMethodField()
    created_at = TimestampField()
    updated_at = TimestampField()

    def get_month(self, statement) -> str:
        return statement.name.split()[0]

    def get_year(self, statement) -> str:
        return str(statement.year)

    def get_type(self, statement) -> str:
        return "ecf"

    def get_paid(self, statement) -> bool:
        return statement.status == Statement.Status.PAID


StatementSerializer = resource_serializer("Statement", "statement", StatementAttributes)


@extend_schema(tags=["statements"])
class StatementViewSet(ProviderViewSet):
    serializer_class = StatementSerializer
    filterset_class = StatementFilter
    default_ordering = ("payment_date",)
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return statement_api_list(lead_provider=self.lead_provider)

    def get_object_queryset(self):
        # Show: any statement of this provider, service-only months included.
        type_value = self.filters.get("type")
        if type_value is not None and type_value.strip() not in ("", "ecf"):
            raise Http404
        return statement_list(lead_provider=self.lead_provider)
