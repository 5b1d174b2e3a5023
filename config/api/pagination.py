"""Countless `page[page]` / `page[per_page]` pagination."""

from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from config.api.params import PAGINATION_ERROR, nested_params, ruby_to_i
from config.errors import BadRequestError

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 3000
MAX_SQL_OFFSET = 2**63 - 1


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


class PagePagination(BasePagination):
    """Slices the query; no count, no links. Pages past the end are `{"data": []}`."""

    def paginate_queryset(self, queryset, request, view=None):
        offset, limit = page_window(request.query_params)
        if offset + limit > MAX_SQL_OFFSET:
            return []  # far past any real end; the database's bigint OFFSET cannot hold it
        return list(queryset[offset : offset + limit])

    def get_paginated_response(self, data):
        return Response({"data": data})

    def get_paginated_response_schema(self, schema):
        return {"type": "object", "required": ["data"], "properties": {"data": schema}}

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
        ]
