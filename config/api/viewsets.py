"""The base of every lead-provider endpoint: provider scoping, filters, sort, pagination and envelopes."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BooleanField, F, Func
from django.http import Http404
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from config.actors import Actor
from config.api.cursor import cursor_key
from config.api.filters import ApiFilterBackend
from config.api.pagination import cursor_param
from config.api.params import filter_params, require_filter, sort_fields
from config.api.versioning import version_of_path
from config.ids import parse_uuid


class _EqualsAny(Func):
    """`column = ANY(array)` as a condition."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


class DeferredJoin:
    """A list the paginator slices as usual, where a slice is one deferred-join query: the page's ids are
    chosen first from the scoped, filtered and ordered list, on its narrow columns only
    (`id IN (SELECT id ... ORDER BY ... OFFSET n LIMIT m)`), and only those rows are joined and read. A deep
    page skips the rows before it on ids alone instead of building and sorting every joined row."""

    def __init__(self, *, ids, rows):
        self.ids = ids
        self.rows = rows

    def __getitem__(self, window: slice):
        page_ids = self.ids.values("pk")[window]
        if connection.vendor != "postgresql":
            return self.rows.filter(pk__in=page_ids)
        # `pk = ANY(ARRAY(subquery))`: PostgreSQL runs the ids query once, first, and then reads the rows by
        # primary key; with `pk IN (subquery)` it may build every row to join them to the page's ids.
        return self.rows.filter(_EqualsAny(F("pk"), ArraySubquery(page_ids)))


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
        rows = self.page_rows()
        # A cursor page is already an index range read after its position; page numbers skip on ids alone.
        if rows is not None and cursor_param(request.query_params) is None:
            queryset = DeferredJoin(ids=queryset, rows=rows.order_by(*self.ordering()))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.serialize_many(page))

    def page_rows(self):
        """For a list whose rows are costly to build: every row with what its representation reads, unscoped
        (the page's ids come from the scoped, filtered list). None pages the list itself."""
        return None

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
