"""Call-off contracts with bands, 2025 mentor contracts and a monthly statement calendar per provider/cohort.

Statements are created `open`; `.runs` makes the past ones payable and pays them through the real runs.
"""

import datetime as dt
from decimal import Decimal

from partnerships.models import Cohort, LeadProvider
from statements.models import (
    CallOffContract,
    MentorCallOffContract,
    ParticipantBand,
    Statement,
    StatementStatus,
)
from statements.services import statements_bulk_create

from .common import ACTOR, COHORT_YEARS, create_missing, missing, pk_map, rng, sid, utc
from .providers import LEAD_PROVIDERS

VERSION = "0.0.1"
MENTOR_FUNDING_YEAR = 2025
# Months whose statement pays output fees (declarations attach to them); the others pay service fees only.
OUTPUT_MONTHS = frozenset({1, 4, 8, 10, 11})
FIRST_STATEMENT_MONTH = 11  # November of the cohort's start year
OPEN_AHEAD_DAYS = 366  # open cohorts get output statements at least a year past today


def seed_contracts(providers: dict[str, LeadProvider], cohorts: dict[int, Cohort]) -> None:
    random = rng("contracts")
    contracts, bands_by_key, mentor_contracts = [], {}, []
    for provider_index, name in enumerate(LEAD_PROVIDERS):
        provider = providers[name]
        for year in COHORT_YEARS:
            # Real targets run to thousands; the sandbox trains dozens per provider and cohort, so targets
            # of that order fill several bands on its statements, as a real year's declarations do.
            target = random.randrange(10, 16, 2)
            base = Decimal(random.randrange(900, 1200, 5))
            mentor_split = year >= MENTOR_FUNDING_YEAR
            contracts.append(
                CallOffContract(
                    lead_provider=provider,
                    cohort=cohorts[year],
                    version=VERSION,
                    recruitment_target=target,
                    set_up_fee=Decimal("149861.00") if year == 2021 else Decimal("0"),
                    uplift_target=None if mentor_split else Decimal("0.33"),
                    uplift_amount=None if mentor_split else Decimal("100.00"),
                    monthly_service_fee=None,
                    raw={"source": "seed_sandbox", "lead-provider-name": name, "cohort-start-year": year},
                    created_at=utc(year, 3, 1 + provider_index),
                )
            )
            a_max, b_max = round(target * 0.4), round(target * 0.8)
            c_max = round(target * 1.5) if mentor_split else target
            bands = [
                ("A", None, a_max, base, 60, 40),
                ("B", a_max + 1, b_max, base - 15, 60, 40),
                ("C", b_max + 1, c_max, base - 30, 60, 40),
            ]
            if not mentor_split:
                bands.append(("D", target + 1, round(target * 1.5), base - 30, 100, 0))
            bands_by_key[(provider.pk, cohorts[year].pk)] = bands
            if mentor_split:
                mentor_contracts.append(
                    MentorCallOffContract(
                        lead_provider=provider,
                        cohort=cohorts[year],
                        version=VERSION,
                        recruitment_target=round(target * 0.6),
                        payment_per_participant=Decimal("1000.00"),
                        created_at=utc(year, 3, 1 + provider_index),
                    )
                )
    key = ["lead_provider_id", "cohort_id", "version"]
    create_missing(CallOffContract, contracts, key, audited=True)
    create_missing(MentorCallOffContract, mentor_contracts, key, audited=True)

    contract_ids = pk_map(CallOffContract, key, version=VERSION)
    bands = [
        ParticipantBand(
            call_off_contract_id=contract_ids[(provider_id, cohort_id, VERSION)],
            band=letter,
            min=minimum,
            max=maximum,
            per_participant=price,
            output_payment_percentage=output,
            service_fee_percentage=service,
        )
        for (provider_id, cohort_id), rows in bands_by_key.items()
        for letter, minimum, maximum, price, output, service in rows
    ]
    create_missing(ParticipantBand, bands, ["call_off_contract_id", "band"], audited=True)


def _months(start: tuple[int, int]):
    year, month = start
    while True:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def statement_calendar(cohort: Cohort, today: dt.date) -> list[tuple[int, int, dt.date, dt.date, bool]]:
    """(year, month, deadline, payment date, output fee) from November of the start year.

    Frozen cohorts stop before their freeze (no output statement after it, so declarations are refused
    as in production); open cohorts run until an output statement whose deadline is a year past today.
    """
    rows = []
    for year, month in _months((cohort.start_year, FIRST_STATEMENT_MONTH)):
        deadline = dt.date(year, month, 1) - dt.timedelta(days=1)
        payment = dt.date(year, month, 25)
        output = month in OUTPUT_MONTHS
        if cohort.payments_frozen_at is not None:
            if payment >= cohort.payments_frozen_at.date():
                break
        elif deadline > today + dt.timedelta(days=OPEN_AHEAD_DAYS) and output:
            rows.append((year, month, deadline, payment, output))
            break
        rows.append((year, month, deadline, payment, output))
    return rows


def statement_id(provider: LeadProvider, cohort: Cohort, year: int, month: int):
    return sid("statement", provider.name, cohort.start_year, year, month)


def seed_statements(providers: dict[str, LeadProvider], cohorts: dict[int, Cohort], today: dt.date) -> None:
    key = ["lead_provider_id", "cohort_id", "version"]
    contract_ids = pk_map(CallOffContract, key, version=VERSION)
    mentor_contract_ids = pk_map(MentorCallOffContract, key, version=VERSION)
    statements = []
    for name in LEAD_PROVIDERS:
        provider = providers[name]
        for year in COHORT_YEARS:
            cohort = cohorts[year]
            for statement_year, month, deadline, payment, output in statement_calendar(cohort, today):
                statements.append(
                    Statement(
                        id=statement_id(provider, cohort, statement_year, month),
                        lead_provider=provider,
                        cohort=cohort,
                        year=statement_year,
                        month=month,
                        deadline_date=deadline,
                        payment_date=payment,
                        output_fee=output,
                        # Every statement starts open; the payment runs of `.runs` move the past ones on.
                        status=StatementStatus.OPEN,
                        created_at=utc(year, 10, 1),  # imported before the first statement's deadline
                        call_off_contract_id=contract_ids[(provider.pk, cohort.pk, VERSION)],
                        mentor_call_off_contract_id=(
                            mentor_contract_ids[(provider.pk, cohort.pk, VERSION)]
                            if cohort.mentor_funding
                            else None
                        ),
                    )
                )
    # (provider, cohort, year, month) is the table's own uniqueness; it also covers statements added by hand.
    statements_bulk_create(
        statements=missing(Statement, statements, ["lead_provider_id", "cohort_id", "year", "month"]),
        actor=ACTOR,
    )
