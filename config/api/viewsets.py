"""The base of every lead-provider endpoint: provider scoping, filters, sort, pagination and envelopes."""

from django.http import Http404
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from config.actors import Actor
from config.api.cursor import cursor_key
from config.api.filters import ApiFilterBackend
from config.api.params import filter_params, require_filter, sort_fields
from config.api.versioning import version_of_path
from config.ids import parse_uuid


class ProviderViewSet(GenericViewSet):
    """Scoping by the caller's provider in `get_queryset` makes another provider's id a 404."""

    filter_backends = [ApiFilterBackend]
    lookup_value_regex = "[^/.]+"
    required_filters: tuple[str, ...] = ()
    default_ordering: tuple[str, ...] = ("created_at",)
    sortable = False  # v3 lists that honour `sort`
    # The representation per version ({"v1": ..., "v3": ...}); `serializer_class` when one serves all.
    serializer_classes: dict[str, type] = {}

    @property
    def api_version(self) -> str:
        """The version of the route that was called ("v1", "v2", "v3"); see `config.api.versioning`."""
        return getattr(self.request, "version", None) or version_of_path(self.request.path)

    def get_serializer_class(self):
        if self.serializer_classes:
            return self.serializer_classes[self.api_version]
        return super().get_serializer_class()

    @property
    def lead_provider(self):
        return self.request.user.lead_provider

    @property
    def token(self):
        return self.request.auth

    @property
    def actor(self) -> Actor:
        return Actor.provider(self.request.auth)

    def initial(self, request, *args, **kwargs):
        # A method the route does not serve is an unknown route: 404 before authentication.
        if request.method.lower() not in self.action_map:
            raise Http404
        super().initial(request, *args, **kwargs)  # authentication next: 401 beats any 400
        self.filters = filter_params(request.query_params)
        for name in self.required_filters:
            require_filter(self.filters, name)

    def requested_sort(self) -> list[str]:
        """The `sort` fields that name columns of the list's table (none where `sort` is not offered)."""
        if not self.sortable:
            return []
        model = self.get_queryset().model
        columns = {field.attname for field in model._meta.concrete_fields} | {
            field.name for field in model._meta.concrete_fields
        }
        return sort_fields(self.request.query_params.get("sort"), columns)

    def ordering(self) -> list[str]:
        return [*(self.requested_sort() or self.default_ordering), "pk"]

    def cursor_key(self) -> str:
        """The key of a `page[cursor]` walk: `created_at` or `updated_at`, from `sort` or the default order."""
        return cursor_key(self.requested_sort(), self.ordering()[0])

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset()).order_by(*self.ordering())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.serialize_many(page))

    def retrieve(self, request, *args, **kwargs):
        return Response({"data": self.serialize_one(self.get_object())})

    def serialize_many(self, objects) -> list:
        return self.get_serializer(objects, many=True).data

    def serialize_one(self, instance) -> dict:
        return self.get_serializer(instance).data

    def get_object(self):
        pk = parse_uuid(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        if pk is None:
            raise Http404
        instance = self.get_object_queryset().filter(pk=pk).first()
        if instance is None:
            raise Http404
        return instance

    def get_object_queryset(self):
        return self.get_queryset()
