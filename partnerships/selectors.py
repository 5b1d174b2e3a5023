"""Provider-scoped reads for partnerships, schools and delivery partners."""

import calendar
import datetime as dt
import re

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from config import clock
from config.reference import FROZEN_COHORT_DESTINATION_YEAR
from partnerships.models import (
    Cohort,
    DeliveryPartner,
    LeadProvider,
    Partnership,
    PartnershipStatus,
    ProgrammeChoice,
    ProviderRelationship,
    School,
    SchoolCohort,
    SchoolQuerySet,
)


def live_relationships(*, lead_provider: LeadProvider) -> QuerySet[ProviderRelationship]:
    return ProviderRelationship.objects.filter(
        lead_provider=lead_provider, discarded_at__isnull=True, delivery_partner__discarded_at__isnull=True
    )


def delivery_partner_list(*, lead_provider: LeadProvider, cohort_years: list[int] | None = None) -> QuerySet:
    """Delivery partners the provider has a live relationship with, in the given cohorts.

    `cohort_years=None` means any cohort (the show endpoint).
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


# ---------------------------------------------------------------------------------------------------------
# Cohorts
# ---------------------------------------------------------------------------------------------------------

# A start date on or after 1 June of year Y belongs to cohort Y.
COHORT_BOUNDARY_MONTH_DAY = (6, 1)
# Dates before this belong to the current cohort.
EARLIEST_COHORT_START_DATE = dt.date(2021, 9, 1)


def _today(today: dt.date | None) -> dt.date:
    return today if today is not None else clock.today()


def cohort_current(*, today: dt.date | None = None) -> Cohort | None:
    """The cohort whose academic year started within the last 12 months, up to and including today."""
    today = _today(today)
    year_ago = _add_months(today, -12)
    return (
        Cohort.objects.filter(academic_year_start_date__gt=year_ago, academic_year_start_date__lte=today)
        .order_by("-academic_year_start_date")
        .first()
    )


def cohort_active_registration(*, today: dt.date | None = None) -> Cohort | None:
    """The latest cohort whose registration start date is on or before today."""
    return Cohort.objects.filter(registration_start_date__lte=_today(today)).order_by("-start_year").first()


def cohort_year_for_start_date(start_date: dt.date) -> int:
    """1 June of Y to 31 May of Y+1 is cohort Y, before the earliest-date rule."""
    boundary = dt.date(start_date.year, *COHORT_BOUNDARY_MONTH_DAY)
    return start_date.year if start_date >= boundary else start_date.year - 1


def cohort_for_start_date(start_date: dt.date, *, today: dt.date | None = None) -> Cohort | None:
    """The cohort a training start date belongs to; dates before 1 Sep 2021 map to the current cohort."""
    if isinstance(start_date, dt.datetime):
        start_date = start_date.astimezone(dt.UTC).date()
    if start_date < EARLIEST_COHORT_START_DATE:
        return cohort_current(today=today)
    return Cohort.objects.filter(start_year=cohort_year_for_start_date(start_date)).first()


def cohort_is_payments_frozen(cohort: Cohort, *, at: dt.datetime | None = None) -> bool:
    """Frozen once `payments_frozen_at` is set and reached."""
    return cohort.is_payments_frozen(at if at is not None else clock.now())


def cohorts_payments_frozen(*, at: dt.datetime | None = None) -> QuerySet[Cohort]:
    """Closed cohorts: their funding contract has ended (2021 and 2022 in production)."""
    return Cohort.objects.filter(payments_frozen_at__isnull=False, payments_frozen_at__lte=at or clock.now())


def cohorts_open(*, at: dt.datetime | None = None) -> QuerySet[Cohort]:
    """Cohorts whose payments are not frozen (several are open at once)."""
    at = at or clock.now()
    return Cohort.objects.filter(Q(payments_frozen_at__isnull=True) | Q(payments_frozen_at__gt=at))


def cohort_destination_from_frozen() -> Cohort | None:
    return Cohort.objects.filter(start_year=FROZEN_COHORT_DESTINATION_YEAR).first()


def _add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last_day))


def partnership_challenge_deadline(*, cohort: Cohort, now: dt.datetime | None = None) -> dt.datetime:
    """Later of (academic year start + 2 months − 1 day) and (now + 14 days)."""
    now = now if now is not None else clock.now()
    early = dt.datetime.combine(
        _add_months(cohort.academic_year_start_date, 2) - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC
    )
    return max(early, now + dt.timedelta(days=14))


# ---------------------------------------------------------------------------------------------------------
# Partnerships
# ---------------------------------------------------------------------------------------------------------


def partnership_list(*, lead_provider: LeadProvider) -> QuerySet[Partnership]:
    """The provider's ordinary partnerships, challenged or not, any cohort, in one query per page.

    `last_updated_at` is the API's `updated_at`: the newest of partnership, school and delivery partner.
    """
    return (
        Partnership.objects.filter(lead_provider=lead_provider, relationship=False)
        .select_related("school", "cohort", "delivery_partner")
        .annotate(
            last_updated_at=Greatest("updated_at", "school__updated_at", "delivery_partner__updated_at")
        )
    )


def partnership_get(*, lead_provider: LeadProvider, partnership_id) -> Partnership | None:
    return partnership_list(lead_provider=lead_provider).filter(pk=partnership_id).first()


def partnership_confirmed_for(*, school: School, cohort: Cohort) -> Partnership | None:
    """The school's unchallenged ordinary partnership for the cohort (at most one, by constraint)."""
    return (
        Partnership.objects.filter(
            school=school, cohort=cohort, relationship=False, status=PartnershipStatus.ACTIVE
        )
        .order_by("created_at", "pk")
        .first()
    )


# ---------------------------------------------------------------------------------------------------------
# Schools
# ---------------------------------------------------------------------------------------------------------

PROGRAMME_CHOICE_API = {
    ProgrammeChoice.FULL_INDUCTION_PROGRAMME: "provider_led",
    ProgrammeChoice.SCHOOL_FUNDED_FIP: "provider_led",
    ProgrammeChoice.CORE_INDUCTION_PROGRAMME: "school_led",
    ProgrammeChoice.DESIGN_OUR_OWN: "school_led",
    ProgrammeChoice.NO_EARLY_CAREER_TEACHERS: "no_early_career_teachers",
    ProgrammeChoice.NOT_YET_KNOWN: "not_yet_known",
}


def school_cohort_year(value: str | None) -> int | None:
    """`filter[cohort]` of the schools endpoints: a single year; anything else matches nothing."""
    if value is None or not re.fullmatch(r"\s*\d{1,4}\s*", value):
        return None
    return int(value)


def school_list(*, cohort: Cohort | None) -> QuerySet[School]:
    """Schools for one cohort: every eligible school, plus any school with an unchallenged
    ordinary partnership in that cohort. No cohort (unknown or empty year) lists nothing.

    Annotated, in the same query: `in_partnership`, `cohort_choice`, `last_updated_at`.
    """
    if cohort is None:
        return School.objects.none()
    confirmed = Partnership.objects.filter(
        school=OuterRef("pk"), cohort=cohort, relationship=False, status=PartnershipStatus.ACTIVE
    )
    any_active = Partnership.objects.filter(
        school=OuterRef("pk"), cohort=cohort, status=PartnershipStatus.ACTIVE
    )
    school_cohort = SchoolCohort.objects.filter(school=OuterRef("pk"), cohort=cohort)
    return School.objects.filter(SchoolQuerySet.eligible_q() | Q(Exists(confirmed))).annotate(
        in_partnership=Exists(any_active),
        cohort_choice=Subquery(school_cohort.values("induction_programme_choice")[:1]),
        last_updated_at=Greatest(
            "updated_at", Coalesce(Subquery(school_cohort.values("updated_at")[:1]), "updated_at")
        ),
    )
