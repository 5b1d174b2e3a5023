"""FilterSets for the statements API."""

import django_filters

from config.api.filters import ApiFilterSet, CohortFilter, UpdatedSinceFilter
from statements.models import Statement


class StatementTypeFilter(django_filters.CharFilter):
    """Blank or `ecf` keeps everything; any other value matches nothing (not an error)."""

    def filter(self, qs, value):
        if value is None or value.strip() in ("", "ecf"):
            return qs
        return qs.none()


class StatementFilter(ApiFilterSet):
    cohort = CohortFilter(field_name="cohort__start_year", label="Cohort start years, comma separated")
    type = StatementTypeFilter(label="Statement type: ecf")
    updated_since = UpdatedSinceFilter(field_name="updated_at", label="RFC 3339 date-time")

    class Meta:
        model = Statement
        fields = []
