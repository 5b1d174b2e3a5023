"""The sandbox data set behind `manage.py seed_sandbox`, built per area.

Deterministic (uuid5 ids from fixed names, seeded generators) and idempotent: every area plans its rows
first and inserts only those missing, so a second run adds nothing except a fresh token per provider.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from config import clock
from partnerships.models import Cohort

from .common import COHORT_YEARS, RELATIONSHIP_YEARS
from .contracts import seed_contracts, seed_statements
from .declarations import seed_adjustments, seed_declarations_and_payments
from .participants import seed_participants
from .providers import (
    AdminLogin,
    IssuedToken,
    issue_tokens,
    seed_admin,
    seed_delivery_partners,
    seed_lead_providers,
    seed_provider_relationships,
)
from .schools import school_specs, seed_partnerships, seed_schools


@dataclass(frozen=True)
class SeedResult:
    tokens: list[IssuedToken]
    admin: AdminLogin


def seed(today: dt.date | None = None) -> SeedResult:
    today = today or clock.today()
    with transaction.atomic():
        cohorts = {
            cohort.start_year: cohort for cohort in Cohort.objects.filter(start_year__in=RELATIONSHIP_YEARS)
        }
        missing = sorted(set(RELATIONSHIP_YEARS) - cohorts.keys())
        if missing:
            raise LookupError(f"Reference cohorts missing: {missing}. Run `manage.py migrate` first.")
        providers = seed_lead_providers()
        seed_delivery_partners()
        seed_provider_relationships(providers, cohorts)
        specs = school_specs()
        seed_schools(specs)
        world = seed_partnerships(specs, providers, cohorts)
        participants = seed_participants(world)
        seed_contracts(providers, cohorts)
        seed_statements(providers, cohorts, today)
        admin = seed_admin()
        seed_declarations_and_payments(participants.people, providers, admin.email, today)
        seed_adjustments(providers, cohorts, today)
        tokens = issue_tokens(providers)
    return SeedResult(tokens=tokens, admin=admin)


__all__ = ["COHORT_YEARS", "SeedResult", "seed"]
