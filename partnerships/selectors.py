"""Provider-scoped reads for partnerships, schools and delivery partners."""

from django.db.models import Exists, OuterRef, QuerySet

from partnerships.models import DeliveryPartner, LeadProvider, ProviderRelationship


def live_relationships(*, lead_provider: LeadProvider) -> QuerySet[ProviderRelationship]:
    return ProviderRelationship.objects.filter(
        lead_provider=lead_provider, discarded_at__isnull=True, delivery_partner__discarded_at__isnull=True
    )


def delivery_partner_list(*, lead_provider: LeadProvider, cohort_years: list[int] | None = None) -> QuerySet:
    """Delivery partners the provider has a live relationship with (03 §3.2), in the given cohorts.

    `cohort_years=None` means any cohort (the show endpoint, 03 §3.3).
    """
    relationships = live_relationships(lead_provider=lead_provider).filter(delivery_partner=OuterRef("pk"))
    if cohort_years is not None:
        relationships = relationships.filter(cohort__start_year__in=cohort_years)
    return DeliveryPartner.objects.filter(discarded_at__isnull=True).filter(Exists(relationships))


def delivery_partner_cohorts(*, lead_provider: LeadProvider, delivery_partner_ids) -> dict:
    """All cohort years of the provider's live relationships per delivery partner, in one query."""
    years: dict = {}
    rows = (
        live_relationships(lead_provider=lead_provider)
        .filter(delivery_partner_id__in=list(delivery_partner_ids))
        .values_list("delivery_partner_id", "cohort__start_year")
        .distinct()
    )
    for delivery_partner_id, year in rows:
        years.setdefault(delivery_partner_id, set()).add(year)
    return {key: [str(year) for year in sorted(value)] for key, value in years.items()}
