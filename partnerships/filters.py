"""FilterSets shared by every API version for partnerships, schools and delivery partners."""

from django.db.models import Exists, OuterRef

from config.api.filters import DEFAULT_FIRST_COHORT, ApiFilterSet, CohortFilter
from config.api.params import parse_cohort_years
from partnerships.models import DeliveryPartner, ProviderRelationship


class DeliveryPartnerCohortFilter(CohortFilter):
    """A delivery partner matches when one of the provider's live relationships is in the cohorts."""

    def filter(self, qs, value):
        years = parse_cohort_years(value)
        relationships = ProviderRelationship.objects.filter(
            delivery_partner=OuterRef("pk"),
            lead_provider=self.parent.request.user.lead_provider,
            discarded_at__isnull=True,
        )
        if years is None:
            relationships = relationships.filter(cohort__start_year__gte=DEFAULT_FIRST_COHORT)
        else:
            relationships = relationships.filter(cohort__start_year__in=years)
        return qs.filter(Exists(relationships))


class DeliveryPartnerFilter(ApiFilterSet):
    cohort = DeliveryPartnerCohortFilter(label="Cohort start years, comma separated, e.g. 2023,2024")

    class Meta:
        model = DeliveryPartner
        fields = []
