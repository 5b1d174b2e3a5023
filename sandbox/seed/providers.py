"""Lead providers, delivery partners, provider relationships, their live tokens and the sandbox admin."""

import os
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.crypto import salted_hmac

from config.actors import acting_as
from partnerships.models import Cohort, DeliveryPartner, LeadProvider, ProviderRelationship
from partnerships.services import token_issue

from .common import ACTOR, RELATIONSHIP_YEARS, create_missing, sid, utc

LEAD_PROVIDERS = (
    "Ambition Institute",
    "Best Practice Network",
    "Education Development Trust",
    "Teach First",
    "UCL Early Career Teacher Education",
)

DELIVERY_PARTNERS = (
    "Northern Lights Teaching School Hub",
    "Pennine Learning Partnership",
    "Severn Vale Teaching Alliance",
    "Thames Gateway Teaching School Hub",
    "Cathedral Schools Trust",
    "Fenland Teaching Partnership",
    "Coastal Learning Alliance",
    "Peak District Teaching School Hub",
    "Solent Teaching Partnership",
    "Marches Learning Hub",
    "East Midlands Teacher Development",
    "Kent and Medway Teaching School Hub",
)

# Each provider works with three delivery partners; the last two partners work for several providers.
PROVIDER_PARTNERS = {
    provider: (
        DELIVERY_PARTNERS[2 * index],
        DELIVERY_PARTNERS[2 * index + 1],
        DELIVERY_PARTNERS[10 + index % 2],
    )
    for index, provider in enumerate(LEAD_PROVIDERS)
}

TOKEN_LABEL = "sandbox"
ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@sandbox.example.com"
ADMIN_PASSWORD_ENV = "SANDBOX_ADMIN_PASSWORD"


def seed_lead_providers() -> dict[str, LeadProvider]:
    create_missing(LeadProvider, [LeadProvider(name=name) for name in LEAD_PROVIDERS], ["name"], audited=True)
    return {provider.name: provider for provider in LeadProvider.objects.filter(name__in=LEAD_PROVIDERS)}


def delivery_partner_id(name: str):
    return sid("delivery-partner", name)


def seed_delivery_partners() -> None:
    partners = [
        DeliveryPartner(id=delivery_partner_id(name), name=name, created_at=utc(2021, 4, 1 + index))
        for index, name in enumerate(DELIVERY_PARTNERS)
    ]
    create_missing(DeliveryPartner, partners, ["id"], audited=True)


def seed_provider_relationships(providers: dict[str, LeadProvider], cohorts: dict[int, Cohort]) -> None:
    relationships = [
        ProviderRelationship(
            lead_provider=providers[provider],
            delivery_partner_id=delivery_partner_id(partner),
            cohort=cohorts[year],
            created_at=utc(year, 4, 1),
        )
        for provider, partners in PROVIDER_PARTNERS.items()
        for partner in partners
        for year in RELATIONSHIP_YEARS
    ]
    # The live-row key: a discarded relationship does not count (its discarded_at is set).
    create_missing(
        ProviderRelationship,
        relationships,
        ["lead_provider_id", "delivery_partner_id", "cohort_id", "discarded_at"],
        audited=True,
    )


@dataclass(frozen=True)
class IssuedToken:
    lead_provider: LeadProvider
    token: str


def issue_tokens(providers: dict[str, LeadProvider]) -> list[IssuedToken]:
    """A fresh live token per provider: only digests are stored, so earlier values cannot be shown again."""
    issued = []
    for name in LEAD_PROVIDERS:
        provider = providers[name]
        _, raw = token_issue(lead_provider=provider, label=TOKEN_LABEL, actor=ACTOR)
        issued.append(IssuedToken(provider, raw))
    return issued


@dataclass(frozen=True)
class AdminLogin:
    username: str
    email: str
    password: str | None  # None: changed by hand since the seed set it, so not known


def seed_admin() -> AdminLogin:
    """A superuser in the `finance` group. Its password is set once, when the user is created (or when
    SANDBOX_ADMIN_PASSWORD names another), and never rotated: it is derived from SECRET_KEY and the user,
    so every run can print it again. A password changed by hand since is left alone and not shown."""
    chosen = os.environ.get(ADMIN_PASSWORD_ENV)
    user_model = get_user_model()
    with acting_as(ACTOR):
        user, created = user_model.objects.get_or_create(
            username=ADMIN_USERNAME, defaults={"email": ADMIN_EMAIL}
        )
        password = chosen or _derived_password(user)
        if created or (chosen and not user.check_password(chosen)):
            user.set_password(password)
        elif not user.check_password(password):
            password = None
        user.email = ADMIN_EMAIL
        user.is_staff = True
        user.is_superuser = True
        user.is_active = True
        user.save()
        finance, _ = Group.objects.get_or_create(name="finance")
        user.groups.add(finance)
    return AdminLogin(ADMIN_USERNAME, ADMIN_EMAIL, password)


def _derived_password(user) -> str:
    joined = int(user.date_joined.timestamp() * 1_000_000)
    return salted_hmac("sandbox.admin-password", f"{user.pk}:{joined}", algorithm="sha256").hexdigest()[:20]
