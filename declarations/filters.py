"""FilterSets for declaration lists, shared by every API version."""

from config.api.filters import ApiFilterSet, CohortFilter, UpdatedSinceFilter, UUIDListFilter
from declarations.models import Declaration


class DeclarationFilter(ApiFilterSet):
    """v3: absent cohort means every cohort, 2020 included; updated_since is inclusive."""

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
