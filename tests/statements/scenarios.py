"""The worked examples of the statement calculation built in the database, shared by service, admin and
browser tests."""

import datetime as dt
from decimal import Decimal

from statements.models import Adjustment, StatementLineItem
from tests.factories.partnerships import cohort
from tests.factories.statements import (
    CallOffContractFactory,
    MentorCallOffContractFactory,
    StatementFactory,
    make_declaration,
    put_on,
)


def build_8_1(lead_provider):
    """The combined worked example: returns (S1 paid "March 2024", S2 open "April 2024") for cohort 2023."""
    c2023 = cohort(2023)
    contract = CallOffContractFactory(lead_provider=lead_provider, cohort=c2023)
    s1 = StatementFactory(
        lead_provider=lead_provider, cohort=c2023, year=2024, month=3, paid=True, call_off_contract=contract
    )
    s2 = StatementFactory(
        lead_provider=lead_provider, cohort=c2023, year=2024, month=4, call_off_contract=contract
    )
    d1 = put_on(s1, line_state="paid", declaration_state="awaiting_clawback", sparsity_uplift=True)
    StatementLineItem.objects.create(statement=s2, declaration=d1, kind="clawback", state="awaiting_clawback")
    put_on(s1, line_state="paid")  # declaration 2
    put_on(s1, line_state="paid", course_identifier="ecf-mentor")  # declaration 3
    put_on(s2, pupil_premium_uplift=True)  # declaration 4
    put_on(s2, pupil_premium_uplift=True)  # declaration 5
    put_on(s2, course_identifier="ecf-mentor", sparsity_uplift=True)  # declaration 6
    put_on(s2, course_identifier="ecf-mentor")  # declaration 7
    put_on(s2, declaration_type="retained-1", pupil_premium_uplift=True)  # declaration 8
    put_on(s2, declaration_type="retained-1")  # declaration 9
    put_on(s2, declaration_type="retained-1", course_identifier="ecf-mentor")  # declaration 10
    put_on(s2, line_state="voided")  # declaration 11
    put_on(s2, line_state="ineligible", sparsity_uplift=True)  # declaration 12
    Adjustment.objects.create(statement=s2, payment_type="Backdated service fee", amount=Decimal("250.00"))
    Adjustment.objects.create(statement=s2, payment_type="Correction", amount=Decimal("-30.50"))
    return s1, s2


def build_8_2(lead_provider):
    """The split worked example: returns (S1 paid "January 2026", S2 open "April 2026") for cohort 2025."""
    c2025 = cohort(2025)
    contract = CallOffContractFactory(
        lead_provider=lead_provider,
        cohort=c2025,
        set_up_fee=Decimal("0"),
        uplift_amount=None,
        uplift_target=None,
        monthly_service_fee=Decimal("1000.00"),
        bands=[("A", None, 2, "1000.00"), ("B", 3, 4, "900.00"), ("C", 5, 6, "800.00")],
    )
    mentor_contract = MentorCallOffContractFactory(lead_provider=lead_provider, cohort=c2025)
    common = {
        "lead_provider": lead_provider,
        "cohort": c2025,
        "call_off_contract": contract,
        "mentor_call_off_contract": mentor_contract,
    }
    s1 = StatementFactory(year=2026, month=1, paid=True, **common)
    s2 = StatementFactory(year=2026, month=4, **common)
    put_on(s1, line_state="paid")  # E1
    m1 = put_on(
        s1,
        line_state="paid",
        declaration_state="awaiting_clawback",
        declaration_type="completed",
        course_identifier="ecf-mentor",
    )
    StatementLineItem.objects.create(statement=s2, declaration=m1, kind="clawback", state="awaiting_clawback")
    put_on(s2)  # E2
    put_on(s2)  # E3
    put_on(s2, declaration_type="retained-1")  # E4
    for _ in range(3):
        put_on(s2, course_identifier="ecf-mentor")  # M2–M4
    put_on(s2, declaration_type="completed", course_identifier="ecf-mentor")  # M5
    Adjustment.objects.create(statement=s2, payment_type="Extra", amount=Decimal("100.00"))
    return s1, s2


TODAY_AFTER_8_1_DEADLINE = dt.date(2024, 4, 2)
TODAY_AFTER_8_2_DEADLINE = dt.date(2026, 4, 2)
__all__ = ["build_8_1", "build_8_2", "make_declaration"]
