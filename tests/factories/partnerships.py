import datetime as dt

import factory
from factory.django import DjangoModelFactory

from partnerships.models import (
    Cohort,
    DeliveryPartner,
    InductionProgramme,
    LeadProvider,
    LeadProviderToken,
    Partnership,
    ProviderRelationship,
    School,
    SchoolCohort,
    TrainingProgramme,
)


def cohort(year: int) -> Cohort:
    """Cohorts are reference data loaded by migration; tests use the real rows."""
    return Cohort.objects.get(start_year=year)


class LeadProviderFactory(DjangoModelFactory):
    class Meta:
        model = LeadProvider
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Lead provider {n}")


class LeadProviderTokenFactory(DjangoModelFactory):
    """Use `LeadProviderTokenFactory.issue(lead_provider)` to get (token, raw value)."""

    class Meta:
        model = LeadProviderToken

    lead_provider = factory.SubFactory(LeadProviderFactory)
    label = "test"
    digest = factory.Sequence(lambda n: LeadProviderToken.digest_of(f"test-token-{n}"))

    @classmethod
    def issue(cls, lead_provider, raw: str | None = None) -> tuple[LeadProviderToken, str]:
        import secrets

        raw = raw or secrets.token_urlsafe(32)
        token = cls(lead_provider=lead_provider, digest=LeadProviderToken.digest_of(raw))
        return token, raw


class DeliveryPartnerFactory(DjangoModelFactory):
    class Meta:
        model = DeliveryPartner

    name = factory.Sequence(lambda n: f"Delivery partner {n}")


class ProviderRelationshipFactory(DjangoModelFactory):
    class Meta:
        model = ProviderRelationship

    lead_provider = factory.SubFactory(LeadProviderFactory)
    delivery_partner = factory.SubFactory(DeliveryPartnerFactory)
    cohort = factory.LazyFunction(lambda: cohort(2024))


class SchoolFactory(DjangoModelFactory):
    """An eligible, open English state school by default."""

    class Meta:
        model = School

    urn = factory.Sequence(lambda n: f"{100000 + n}")
    name = factory.Sequence(lambda n: f"School {n}")
    school_type_code = 1
    school_status_code = 1
    administrative_district_code = "E09000001"
    primary_contact_email = factory.Sequence(lambda n: f"head{n}@school.example.com")

    class Params:
        cip_only = factory.Trait(school_type_code=10)
        closed = factory.Trait(school_status_code=2)
        welsh = factory.Trait(administrative_district_code="W06000001")


class SchoolCohortFactory(DjangoModelFactory):
    class Meta:
        model = SchoolCohort
        django_get_or_create = ("school", "cohort")

    school = factory.SubFactory(SchoolFactory)
    cohort = factory.LazyFunction(lambda: cohort(2024))
    induction_programme_choice = "full_induction_programme"


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    lead_provider = factory.SubFactory(LeadProviderFactory)
    school = factory.SubFactory(SchoolFactory)
    cohort = factory.LazyFunction(lambda: cohort(2024))
    delivery_partner = factory.SubFactory(DeliveryPartnerFactory)
    challenge_deadline = factory.LazyFunction(lambda: dt.datetime(2024, 10, 31, tzinfo=dt.UTC))

    class Params:
        challenged = factory.Trait(
            status="challenged",
            challenge_reason="mistake",
            challenged_at=factory.LazyFunction(lambda: dt.datetime(2024, 9, 20, tzinfo=dt.UTC)),
        )

    @factory.post_generation
    def with_relationship(obj, create, extracted, **kwargs):
        """The provider must be allowed to work with the delivery partner."""
        if create and extracted is not False:
            ProviderRelationship.objects.get_or_create(
                lead_provider=obj.lead_provider, delivery_partner=obj.delivery_partner, cohort=obj.cohort
            )


class InductionProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = InductionProgramme

    school_cohort = factory.SubFactory(SchoolCohortFactory)
    training_programme = TrainingProgramme.FULL_INDUCTION_PROGRAMME
    partnership = None
