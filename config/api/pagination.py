"""Countless `page[page]` / `page[per_page]` pagination, and keyset walks by `page[cursor]`.

Without `page[cursor]` a response is exactly the contract's `{"data": [...]}`. With it (an empty value starts
a walk) the response adds `links.next` and `meta.sync_from`; see `config.api.cursor`.
"""

from django.db.models import F, Value
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from config.api.cursor import (
    CURSOR_WITH_PAGE,
    Cursor,
    Position,
    RowAfter,
    RowBefore,
    rfc3339,
    sync_watermark,
    walk_binding,
)
from config.api.params import PAGINATION_ERROR, nested_params, ruby_to_i
from config.errors import BadRequestError

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 3000
MAX_SQL_OFFSET = 2**63 - 1
CURSOR_VALUE = "cursor_key_value"  # the annotation carrying each row's walk key


def page_window(query_params) -> tuple[int, int]:
    """(offset, limit) for the request, or the spec's 400."""
    if "page" in query_params:
        raise BadRequestError(PAGINATION_ERROR)
    page_params = nested_params(query_params, "page") or {}
    page = ruby_to_i(page_params["page"]) if "page" in page_params else 1
    per_page = ruby_to_i(page_params["per_page"]) if "per_page" in page_params else DEFAULT_PER_PAGE
    if page < 1 or per_page < 1:
        raise BadRequestError(PAGINATION_ERROR)
    per_page = min(per_page, MAX_PER_PAGE)
    return (page - 1) * per_page, per_page


def cursor_param(query_params) -> str | None:
    """The `page[cursor]` value ("" starts a walk), or None for a page-number request."""
    page_params = nested_params(query_params, "page") or {}
    if "cursor" not in page_params:
        return None
    if "page" in page_params:
        raise BadRequestError(CURSOR_WITH_PAGE)
    return page_params["cursor"]


def walk_filters(view) -> dict[str, str]:
    """The filters a walk is bound to: those the list reads (unknown `filter[...]` keys are ignored)."""
    filterset_class = getattr(view, "filterset_class", None)
    known = filterset_class.base_filters if filterset_class is not None else {}
    return {name: value for name, value in view.filters.items() if name in known}


# What a cursor walk adds beside `data`: the links of the walk and the watermark of the next sync.
CURSOR_RESPONSE_PROPERTIES = {
    "links": {
        "type": "object",
        "description": "Cursor walks only (page[cursor] sent): where the walk goes on.",
        "properties": {
            "next": {
                "type": "string",
                "format": "uri",
                "nullable": True,
                "description": "The next page of the walk (same filters and sort); null on the last page.",
            },
            "prev": {
                "type": "string",
                "format": "uri",
                "nullable": True,
                "description": "The page before this one; null on the first page.",
            },
        },
    },
    "meta": {
        "type": "object",
        "description": "Cursor walks only (page[cursor] sent).",
        "properties": {
            "sync_from": {
                "type": "string",
                "format": "date-time",
                "description": "Send as filter[updated_since] on the next sync: every change this "
                "walk may not have shown is updated at or after it. The same on every page of "
                "one walk.",
            }
        },
    },
}


class PagePagination(BasePagination):
    """Page numbers: slices the query; no count, no links. Pages past the end are `{"data": []}`.

    Cursor walks: the view names the walk's key (`cursor_key()`), and each page is the next `per_page` rows
    after the cursor's position in `(key, id)` order (before it, scanning the index backwards, for
    `links.prev`), read with one more row to know whether the walk goes on.
    """

    cursor: Cursor | None = None

    def paginate_queryset(self, queryset, request, view=None):
        token = cursor_param(request.query_params)
        offset, limit = page_window(request.query_params)  # also validates page[per_page]
        if token is None:
            self.cursor = None
            if offset + limit > MAX_SQL_OFFSET:
                return []  # far past any real end; the database's bigint OFFSET cannot hold it
            return list(queryset[offset : offset + limit])
        return self._paginate_by_cursor(queryset, request, view, token.strip(), limit)

    def _paginate_by_cursor(self, queryset, request, view, token, limit):
        key = view.cursor_key()
        binding = walk_binding(
            path=request.path, lead_provider_id=view.lead_provider.pk, filters=walk_filters(view), key=key
        )
        if token:
            cursor = Cursor.decode(token, binding=binding, key=key)
        else:
            cursor = Cursor(binding=binding, key=key, position=None, sync_from=sync_watermark())
        self.request, self.cursor = request, cursor
        position = cursor.position
        # The key's value rides on each row (it may be a related row's column) to make the next position.
        queryset = queryset.annotate(**{CURSOR_VALUE: F(key)})
        if position is None:
            rows = list(queryset.order_by(key, "pk")[: limit + 1])
        elif cursor.backward:
            before = RowBefore(F(key), F("pk"), Value(position.key_value), Value(position.pk))
            rows = list(queryset.filter(before).order_by(f"-{key}", "-pk")[: limit + 1])
        else:
            after = RowAfter(F(key), F("pk"), Value(position.key_value), Value(position.pk))
            rows = list(queryset.filter(after).order_by(key, "pk")[: limit + 1])
        more = len(rows) > limit
        page = rows[:limit]
        if cursor.backward:
            page.reverse()

        def cursor_at(row, *, backward=False) -> Cursor:
            return Cursor(
                binding, key, Position(getattr(row, CURSOR_VALUE), row.pk), cursor.sync_from, backward
            )

        # Forward, `more` means a next page; backward (following links.prev), a previous one.
        self.next_cursor = self.prev_cursor = None
        if page and (cursor.backward or more):
            self.next_cursor = cursor_at(page[-1])
        if page and (more if cursor.backward else position is not None):
            self.prev_cursor = cursor_at(page[0], backward=True)
        return page

    def _link(self, cursor: Cursor | None) -> str | None:
        if cursor is None:
            return None
        params = self.request.query_params.copy()
        for name in [name for name in params if name.startswith("page[") and name != "page[per_page]"]:
            del params[name]
        params["page[cursor]"] = cursor.encode()
        return self.request.build_absolute_uri(self.request.path) + "?" + params.urlencode(safe="[]:")

    def get_paginated_response(self, data):
        if self.cursor is None:
            return Response({"data": data})
        return Response(
            {
                "data": data,
                "links": {"next": self._link(self.next_cursor), "prev": self._link(self.prev_cursor)},
                "meta": {"sync_from": rfc3339(self.cursor.sync_from)},
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["data"],
            "properties": {"data": schema, **CURSOR_RESPONSE_PROPERTIES},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page[page]",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "page[per_page]",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PER_PAGE,
                    "default": DEFAULT_PER_PAGE,
                },
            },
            {
                "name": "page[cursor]",
                "in": "query",
                "required": False,
                "description": "Walk the list by cursor instead of page numbers: send it empty to start, then "
                "follow links.next. Ordered by created_at, or by updated_at with sort=updated_at (ascending "
                "only); not with page[page]. A cursor is valid only with the filters and sort it was issued for.",
                "schema": {"type": "string"},
                "allowEmptyValue": True,
            },
        ]
