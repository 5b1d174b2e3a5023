"""FilterSets for declaration lists: they only narrow what `declarations.selectors.declaration_list` returns."""

import django_filters

from config.api.filters import ApiFilterSet, CohortFilter, UpdatedSinceFilter, UUIDListFilter
from config.ids import parse_uuid
from declarations.models import Declaration


class SingleUUIDFilter(django_filters.CharFilter):
    """One id, exact match; anything that is not one id (a comma list, a malformed id) matches nothing."""

    def filter(self, qs, value):
        if not value:
            return qs
        pk = parse_uuid(value)
        return qs.filter(**{self.field_name: pk}) if pk else qs.none()


class DeclarationFilter(ApiFilterSet):
    """v3 and later: absent cohort means every cohort, 2020 included; updated_since is inclusive."""

    cohort = CohortFilter(
        field_name="cohort__start_year", default_all=True, label="Cohort start years, comma separated"
    )
    participant_id = UUIDListFilter(field_name="participant_id", label="Participant ids, comma separated")
    updated_since = UpdatedSinceFilter(
        field_name="updated_at", label="RFC 3339 date-time; updated at or after"
    )
    delivery_partner_id = UUIDListFilter(
        field_name="delivery_partner_id", label="Delivery partner ids, comma separated"
    )

    class Meta:
        model = Declaration
        fields = []


class LegacyDeclarationFilter(ApiFilterSet):
    """v1 and v2 (JSON and CSV): one participant id, and updated_since strictly after the instant."""

    participant_id = SingleUUIDFilter(field_name="participant_id", label="One participant id")
    updated_since = UpdatedSinceFilter(
        field_name="updated_at", lookup_expr="gt", label="RFC 3339 date-time; updated strictly after"
    )

    class Meta:
        model = Declaration
        fields = []


LEGACY_FILTER_VERSIONS = ("v1", "v2")


def declaration_filter_for(api_version: str) -> type[ApiFilterSet]:
    """The filters a version accepts; versions after v2 share the v3 set."""
    return LegacyDeclarationFilter if api_version in LEGACY_FILTER_VERSIONS else DeclarationFilter
