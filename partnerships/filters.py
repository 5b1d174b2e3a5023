"""FilterSets shared by every API version for partnerships, schools and delivery partners."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from config.api.filters import ApiFilterSet, CohortFilter, UpdatedSinceFilter, UUIDListFilter
from config.api.params import parse_cohort_years, parse_updated_since
from config.reference import DEFAULT_FIRST_COHORT_YEAR
from partnerships.models import DeliveryPartner, Partnership, ProviderRelationship, School, SchoolCohort


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
            relationships = relationships.filter(cohort__start_year__gte=DEFAULT_FIRST_COHORT_YEAR)
        else:
            relationships = relationships.filter(cohort__start_year__in=years)
        return qs.filter(Exists(relationships))


class DeliveryPartnerFilter(ApiFilterSet):
    cohort = DeliveryPartnerCohortFilter(label="Cohort start years, comma separated, e.g. 2023,2024")

    class Meta:
        model = DeliveryPartner
        fields = []


class PartnershipUpdatedSinceFilter(UpdatedSinceFilter):
    """Matches when the partnership, its school or its delivery partner changed since the value.

    The induction tutor is held on the school, so a tutor change is a school change.
    """

    def filter(self, qs, value):
        if not value:
            return qs
        since = parse_updated_since(value)
        return qs.filter(
            Q(updated_at__gte=since)
            | Q(school__updated_at__gte=since)
            | Q(delivery_partner__updated_at__gte=since)
        )


class PartnershipFilter(ApiFilterSet):
    cohort = CohortFilter(field_name="cohort__start_year", label="Cohort start years, comma separated")
    updated_since = PartnershipUpdatedSinceFilter(label="RFC 3339 date-time, inclusive")
    delivery_partner_id = UUIDListFilter(
        field_name="delivery_partner_id", label="Delivery partner ids, comma separated"
    )

    class Meta:
        model = Partnership
        fields = []


class SchoolCohortScopeFilter(django_filters.CharFilter):
    """Required single start year. The school selector scopes by it, so this filter only documents it."""

    def filter(self, qs, value):
        return qs


class SchoolUpdatedSinceFilter(UpdatedSinceFilter):
    """The school, or any of its school-cohort records, changed since the value."""

    def filter(self, qs, value):
        if not value:
            return qs
        since = parse_updated_since(value)
        changed_cohorts = SchoolCohort.objects.filter(school=OuterRef("pk"), updated_at__gte=since)
        return qs.filter(Q(updated_at__gte=since) | Q(Exists(changed_cohorts)))


class SchoolUrnFilter(django_filters.CharFilter):
    def filter(self, qs, value):
        if not value:
            return qs
        if "\x00" in value:
            return qs.none()  # no URN holds a NUL byte, and PostgreSQL refuses one in a query
        return qs.filter(urn=value)


class SchoolFilter(ApiFilterSet):
    cohort = SchoolCohortScopeFilter(label="Cohort start year (required), e.g. 2024")
    urn = SchoolUrnFilter(label="School URN (exact)")
    updated_since = SchoolUpdatedSinceFilter(label="RFC 3339 date-time, inclusive")

    class Meta:
        model = School
        fields = []
