"""`filter[...]` values read into an app's FilterSet; bad values get the spec's 400."""

import django_filters
from rest_framework.filters import BaseFilterBackend

from config.api.params import parse_cohort_years, parse_updated_since, parse_uuid_list
from config.errors import BadRequestError
from config.reference import DEFAULT_FIRST_COHORT_YEAR


class ApiFilterSet(django_filters.FilterSet):
    """Every filter runs even when its value is absent, so that filters with a default can apply it."""

    def filter_values(self) -> dict:
        """Each filter's value. One the form refused (a NUL byte) is passed on raw, so that the filter fails
        or matches nothing its own way instead of being dropped (which would widen the result)."""
        cleaned = self.form.cleaned_data
        return {name: cleaned[name] if name in cleaned else self.form.data.get(name) for name in self.filters}

    def filter_queryset(self, queryset):
        for name, value in self.filter_values().items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset


class CohortFilter(django_filters.CharFilter):
    """Comma list of start years; absent or empty means every cohort from 2021 unless `default_all`."""

    def __init__(self, *args, default_all: bool = False, **kwargs):
        self.default_all = default_all
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        years = parse_cohort_years(value)
        if years is None:
            return qs if self.default_all else qs.filter(**{f"{self.field_name}__gte": DEFAULT_FIRST_COHORT_YEAR})
        return qs.filter(**{f"{self.field_name}__in": years})


class UpdatedSinceFilter(django_filters.CharFilter):
    """RFC 3339 instant; inclusive (`gte`) except where a version says strict (`gt`)."""

    def __init__(self, *args, lookup_expr: str = "gte", **kwargs):
        super().__init__(*args, lookup_expr=lookup_expr, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__{self.lookup_expr}": parse_updated_since(value)})


class UUIDListFilter(django_filters.CharFilter):
    """Comma list of ids; malformed ids match nothing."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": parse_uuid_list(value)})


class EnumFilter(django_filters.CharFilter):
    """One value of a fixed list; anything else is the spec's 400 with `error_detail`."""

    def __init__(self, *args, values: list[str], error_detail: str, **kwargs):
        self.values = values
        self.error_detail = error_detail
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        if value not in self.values:
            raise BadRequestError(self.error_detail)
        return qs.filter(**{self.field_name: value})


class ApiFilterBackend(BaseFilterBackend):
    """Hands the view's parsed `filter[...]` hash to its `filterset_class`."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None:
            return queryset
        filterset = filterset_class(data=view.filters, queryset=queryset, request=request)
        return filterset.qs

    def get_schema_operation_parameters(self, view):
        filterset_class = getattr(view, "filterset_class", None)
        sort = []
        if getattr(view, "sortable", False) and getattr(view, "action", None) == "list":
            sort = [
                {
                    "name": "sort",
                    "in": "query",
                    "required": False,
                    "description": "Comma-separated columns, each optionally prefixed with - (descending).",
                    "schema": {"type": "string"},
                }
            ]
        if filterset_class is None:
            return sort
        return sort + [
            {
                "name": f"filter[{name}]",
                "in": "query",
                "required": name in getattr(view, "required_filters", ()),
                "description": filter_.label or "",
                "schema": {"type": "string"},
            }
            for name, filter_ in filterset_class.base_filters.items()
        ]
