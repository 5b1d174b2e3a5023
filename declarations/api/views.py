"""Participant declarations in every API version: submit, list (and the v1/v2 CSV download), show and void.

One viewset serves every version: the version of the route picks the representation (`SERIALIZERS`), the
filters a list accepts (`declaration_filter_for`) and what the provider sees (`declaration_list`).
"""

from collections.abc import Iterator

from django.db.models import Q, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.body import request_attributes
from config.api.csv import csv_response
from config.api.schema import ApiAutoSchema
from config.api.viewsets import ProviderViewSet
from declarations.api.serializers import SERIALIZERS, DeclarationRequest
from declarations.filters import declaration_filter_for
from declarations.selectors import declaration_for_api, declaration_list, declaration_rows, own_declarations
from declarations.services import declaration_submit, declaration_void

# Versions that also serve the list as `participant-declarations.csv`.
CSV_VERSIONS = ("v1", "v2")


def created_order_batches(queryset: QuerySet, *, size: int) -> Iterator[list]:
    """`queryset` in (created_at, id) order, `size` rows at a time, each batch one keyset query: memory
    holds one batch, and a late batch costs what the first does (no OFFSET)."""
    queryset = queryset.order_by("created_at", "pk")
    after = Q()
    while True:
        batch = list(queryset.filter(after)[:size])
        if batch:
            yield batch
        if len(batch) < size:
            return
        last = batch[-1]
        # (created_at, id) > last, with `created_at >= last` on its own so the index range starts there.
        after = Q(created_at__gte=last.created_at) & (Q(created_at__gt=last.created_at) | Q(pk__gt=last.pk))


class DeclarationSchema(ApiAutoSchema):
    """A successful submission answers 200 with the declaration (never 201), as the contracts say; the CSV
    download is documented with the filters of its list."""

    def _is_create_operation(self) -> bool:
        return False

    def get_filter_backends(self):
        if getattr(self.view, "action", None) == "download":
            return self.view.filter_backends
        return super().get_filter_backends()


@extend_schema(tags=["participant declarations"])
class DeclarationViewSet(ProviderViewSet):
    schema = DeclarationSchema()
    serializer_classes = SERIALIZERS
    default_ordering = ("created_at",)
    csv_batch_size = 1000  # rows per query of a CSV download

    @property
    def filterset_class(self):
        return declaration_filter_for(self.api_version)

    def get_queryset(self):
        return declaration_list(lead_provider=self.lead_provider, api_version=self.api_version)

    def page_rows(self):
        # The page's ids are chosen under visibility and filters; its rows are then read by id.
        return declaration_rows(api_version=self.api_version)

    def get_object_queryset(self):
        if self.action == "void":
            # Only the caller's own declarations can be voided; another provider's is a 404.
            return own_declarations(lead_provider=self.lead_provider)
        return self.get_queryset()

    def initial(self, request, *args, **kwargs):
        # The download has its own route (`participant-declarations.csv`, v1/v2 only); a `.csv` suffix on
        # any other route is an unknown route: 404 before authentication.
        if kwargs.get("format") == "csv" or (
            self.action == "download" and self.api_version not in CSV_VERSIONS
        ):
            raise Http404
        super().initial(request, *args, **kwargs)

    @extend_schema(
        summary="Every matching declaration as CSV (not paginated)",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def download(self, request, *args, **kwargs):
        """Every matching declaration (page parameters ignored), streamed batch by batch."""
        serializer_class = self.get_serializer_class()
        columns = ["id", *serializer_class().fields["attributes"].fields]
        queryset = self.filter_queryset(self.get_queryset())

        def rows():
            for batch in created_order_batches(queryset, size=self.csv_batch_size):
                for resource in self.serialize_many(batch):
                    yield {"id": resource["id"], **resource["attributes"]}

        return csv_response(columns, rows())

    def _respond(self, declaration) -> Response:
        return Response({"data": self.serialize_one(declaration_for_api(pk=declaration.pk))})

    @extend_schema(request=DeclarationRequest)
    def create(self, request, *args, **kwargs):
        declaration = declaration_submit(
            lead_provider=self.lead_provider,
            attributes=request_attributes(request),
            actor=self.actor,
            token=self.token,
        )
        return self._respond(declaration)

    @extend_schema(request=None)
    @action(detail=True, methods=["put"])
    def void(self, request, pk=None):
        declaration = declaration_void(declaration=self.get_object(), actor=self.actor)
        return self._respond(declaration)
