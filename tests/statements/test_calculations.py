"""Statement money: the worked examples to the penny, rounding edges and properties.

Pure tests: no database, no Django.
"""

from decimal import Decimal, getcontext, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statements.calculations import (
    DECLARATION_TYPES,
    ECT_COURSE,
    MENTOR_COURSE,
    Band,
    Contract,
    Layout,
    MentorContract,
    StatementInputs,
    TypeCounts,
    band_allocation,
    calculate_statement,
    counts_from_rows,
    fee_per_declaration,
    order_bands,
    revised_target,
    service_fee,
)
from statements.money import PENNY, format_gbp, money_context, round_money

D = Decimal
ECT, MENTOR = ECT_COURSE, MENTOR_COURSE


# --------------------------------------------------------------------------------------------------
# The combined worked example (cohort 2023): set-up
# --------------------------------------------------------------------------------------------------

BANDS_8_1 = (
    Band("A", None, 2, D("1000.00")),
    Band("B", 3, 4, D("900.00")),
    Band("C", 5, 6, D("800.00")),
    Band("D", 7, 8, D("700.00"), output_payment_percentage=100, service_fee_percentage=0),
)


def contract_8_1(**overrides):
    values = {
        "recruitment_target": 4,
        "set_up_fee": D("70.00"),
        "uplift_amount": D("100.00"),
        "monthly_service_fee": None,
        "bands": BANDS_8_1,
        "uplift_target": D("0.33"),
    }
    values.update(overrides)
    return Contract(**values)


# (course, declaration type, line item state, uplift flag, count), as a GROUP BY would return them.
S1_ROWS = [
    (ECT, "started", "paid", True, 1),  # declaration 1
    (ECT, "started", "paid", False, 1),  # declaration 2
    (MENTOR, "started", "paid", False, 1),  # declaration 3
]
S2_ROWS = [
    (ECT, "started", "awaiting_clawback", True, 1),  # declaration 1
    (ECT, "started", "eligible", True, 2),  # declaration 4, declaration 5
    (MENTOR, "started", "eligible", True, 1),  # declaration 6
    (MENTOR, "started", "eligible", False, 1),  # declaration 7
    (ECT, "retained-1", "eligible", True, 1),  # declaration 8: uplift flag, but not started
    (ECT, "retained-1", "eligible", False, 1),  # declaration 9
    (MENTOR, "retained-1", "eligible", False, 1),  # declaration 10
    (ECT, "started", "voided", False, 1),  # declaration 11
    (ECT, "started", "ineligible", True, 1),  # declaration 12
]


def inputs_8_1(contract=None, **overrides):
    values = {
        "contract": contract or contract_8_1(),
        "mentor_contract": None,
        "mentor_funding": False,
        "vat_chargeable": True,
        "current": counts_from_rows(S2_ROWS),
        "previous": counts_from_rows(S1_ROWS),
        "adjustments_total": D("250.00") + D("-30.50"),
        "reconcile_amount": D("0"),
        "voided_count": {ECT: 1},  # declaration 11
        "clawed_back_count": {},
    }
    values.update(overrides)
    return StatementInputs(**values)


# --------------------------------------------------------------------------------------------------
# Money helpers
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("0.005"), D("0.01")),
        (D("0.004999999"), D("0.00")),
        (D("2.675"), D("2.68")),
        (D("2.665"), D("2.67")),  # half-up, not banker's rounding
        (D("-0.005"), D("-0.01")),
        (D("-2.675"), D("-2.68")),
        (D("52.41379310344827586206896551724137931034"), D("52.41")),
        (D("1030.5"), D("1030.50")),
        (7, D("7.00")),
        ("12.345", D("12.35")),
    ],
)
def test_round_money_half_up(amount, expected):
    rounded = round_money(amount)
    assert rounded == expected
    assert rounded.as_tuple().exponent == -2


@pytest.mark.parametrize("amount", [D("-0"), D("-0.00"), D("-0.004"), D("-0.001")])
def test_round_money_never_returns_negative_zero(amount):
    rounded = round_money(amount)
    assert rounded == 0
    assert not rounded.is_signed()
    assert str(rounded) == "0.00"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("1236.6"), "£1,236.60"),
        (D("-140"), "-£140.00"),
        (D("0"), "£0.00"),
        (D("-0"), "£0.00"),
        (D("-0.00"), "£0.00"),
        (D("-0.004"), "£0.00"),
        (D("0.005"), "£0.01"),
        (D("-0.005"), "-£0.01"),
        (D("1234567.895"), "£1,234,567.90"),
        (D("999.995"), "£1,000.00"),
        (D("-1000000"), "-£1,000,000.00"),
        (D("52.41379310344827586206896551724137931034"), "£52.41"),
    ],
)
def test_format_gbp(amount, expected):
    assert format_gbp(amount) == expected


def test_money_refuses_float():
    with pytest.raises(TypeError):
        round_money(0.1)
    with pytest.raises(TypeError):
        Band("A", None, 2, 1000.0)


def test_calculation_leaves_the_global_decimal_context_alone():
    precision = getcontext().prec
    calculate_statement(inputs_8_1())
    with money_context():
        assert getcontext().prec >= 40
    assert getcontext().prec == precision


@pytest.mark.parametrize(("target", "expected"), [(4503, 6755), (4, 6), (1, 2), (3, 5), (0, 0), (2000, 3000)])
def test_revised_target_rounds_halves_away_from_zero(target, expected):
    assert revised_target(target) == expected


# --------------------------------------------------------------------------------------------------
# Contracts and bands
# --------------------------------------------------------------------------------------------------


def test_more_than_four_bands_is_rejected():
    bands = (*BANDS_8_1, Band("E", 9, 10, D("600.00")))
    with pytest.raises(ValueError, match="at most 4 bands"):
        contract_8_1(bands=bands)
    with pytest.raises(ValueError):
        order_bands(bands)


def test_bands_are_ordered_null_min_first_then_min_then_max_and_lettered():
    shuffled = (
        Band("?", 7, 8, D("700.00")),
        Band("?", 3, 4, D("900.00")),
        Band("?", None, 2, D("1000.00")),
        Band("?", 5, 6, D("800.00")),
    )
    contract = contract_8_1(bands=shuffled)
    assert [(band.letter, band.min, band.max) for band in contract.bands] == [
        ("A", None, 2),
        ("B", 3, 4),
        ("C", 5, 6),
        ("D", 7, 8),
    ]
    assert contract.revised_target == 6


@pytest.mark.parametrize(
    ("letter", "started", "retained"),
    [
        ("A", D("120.00"), D("90.00")),
        ("B", D("108.00"), D("81.00")),
        ("C", D("96.00"), D("72.00")),
        ("D", D("140.00"), D("105.00")),
    ],
)
def test_fee_per_declaration_8_1(letter, started, retained):
    band = {band.letter: band for band in contract_8_1().bands}[letter]
    assert fee_per_declaration("started", band) == started
    assert fee_per_declaration("completed", band) == started
    for declaration_type in ("retained-1", "retained-2", "retained-3", "retained-4"):
        assert fee_per_declaration(declaration_type, band) == retained
    for declaration_type in ("extended-1", "extended-2", "extended-3"):
        assert fee_per_declaration(declaration_type, band) == retained


def test_fee_per_declaration_rejects_unknown_type():
    with pytest.raises(ValueError):
        fee_per_declaration("retained-5", BANDS_8_1[0])


def test_service_fee_8_1_is_calculated_per_band_over_29():
    fee = service_fee(contract_8_1())
    assert round_money(fee) == D("50.00")
    assert fee == D("50")  # 730/29 + 720/29 + 0 + 0


def test_monthly_service_fee_zero_counts_as_set():
    contract = contract_8_1(monthly_service_fee=D("0"))
    assert service_fee(contract) == 0
    calc = calculate_statement(inputs_8_1(contract))
    assert calc.service_fee == 0
    assert calc.total_ex_vat == D("980.50")


def test_monthly_service_fee_is_used_as_is():
    assert service_fee(contract_8_1(monthly_service_fee=D("1234.56"))) == D("1234.56")


# --------------------------------------------------------------------------------------------------
# Band allocation
# --------------------------------------------------------------------------------------------------


def allocation_table(results):
    return [(r.letter, r.cap, r.prior, r.add, r.sub, r.net) for r in results]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        pytest.param(
            (3, 0, 4, 1),
            [("A", 2, 2, 0, 0, 0), ("B", 2, 1, 1, 0, 1), ("C", 2, 0, 2, 0, 2), ("D", 2, 0, 1, 1, 0)],
            id="8.1-started",
        ),
        pytest.param(
            (0, 0, 3, 0),
            [("A", 2, 0, 2, 0, 2), ("B", 2, 0, 1, 0, 1), ("C", 2, 0, 0, 0, 0), ("D", 2, 0, 0, 0, 0)],
            id="8.1-retained-1",
        ),
        pytest.param(
            (3, 0, 0, 2),
            [("A", 2, 2, 0, 1, -1), ("B", 2, 1, 0, 1, -1), ("C", 2, 0, 0, 0, 0), ("D", 2, 0, 0, 0, 0)],
            id="8.1-clawback-exceeding-additions",
        ),
        pytest.param(
            (0, 0, 10, 0),
            [("A", 2, 0, 2, 0, 2), ("B", 2, 0, 2, 0, 2), ("C", 2, 0, 2, 0, 2), ("D", 2, 0, 2, 0, 2)],
            id="8.1-overflow",
        ),
        pytest.param(
            (3, 5, 1, 0),
            [("A", 2, 0, 1, 0, 1), ("B", 2, 0, 0, 0, 0), ("C", 2, 0, 0, 0, 0), ("D", 2, 0, 0, 0, 0)],
            id="negative-prior-pot-clamped",
        ),
        pytest.param(
            (3, 0, 1, 9),
            [("A", 2, 2, 0, 2, -2), ("B", 2, 1, 1, 2, -1), ("C", 2, 0, 0, 0, 0), ("D", 2, 0, 0, 0, 0)],
            id="clawbacks-beyond-prior-fill-ignored",
        ),
    ],
)
def test_band_allocation(counts, expected):
    assert allocation_table(band_allocation(contract_8_1().bands, *counts)) == expected


def test_band_allocation_with_null_and_zero_min_starts_at_one():
    bands = order_bands([Band("?", 0, 2, D("10")), Band("?", 3, 5, D("10"))])
    assert [result.cap for result in band_allocation(bands, 0, 0, 0, 0)] == [2, 3]


# --------------------------------------------------------------------------------------------------
# The combined worked example, line by line
# --------------------------------------------------------------------------------------------------


def test_counts_from_rows_8_1():
    current = counts_from_rows(S2_ROWS)
    assert current[ECT] == TypeCounts(
        billable={"started": 2, "retained-1": 2},
        refundable={"started": 1},
        uplift_billable=2,
        uplift_refundable=1,
    )
    assert current[MENTOR] == TypeCounts(billable={"started": 2, "retained-1": 1}, uplift_billable=1)


def test_counts_from_rows_accepts_mappings_and_adds_repeated_keys():
    rows = [
        {
            "course_identifier": ECT,
            "declaration_type": "started",
            "line_state": "payable",
            "has_uplift": None,
            "count": 2,
        },
        {
            "course_identifier": ECT,
            "declaration_type": "started",
            "line_state": "paid",
            "has_uplift": True,
            "count": 3,
        },
        {
            "course_identifier": ECT,
            "declaration_type": "completed",
            "line_state": "clawed_back",
            "has_uplift": True,
            "count": 1,
        },
    ]
    counts = counts_from_rows(rows)
    assert counts[ECT] == TypeCounts(billable={"started": 5}, refundable={"completed": 1}, uplift_billable=3)
    assert counts[MENTOR] == TypeCounts()


@pytest.mark.parametrize(
    "row",
    [
        ("npq-leadership", "started", "eligible", False, 1),
        (ECT, "retained-5", "eligible", False, 1),
        (ECT, "started", "submitted", False, 1),
    ],
)
def test_counts_from_rows_rejects_unknown_values(row):
    with pytest.raises(ValueError):
        counts_from_rows([row])


def cells(row):
    return [(cell.letter, cell.count, cell.fee, cell.subtotal) for cell in row.bands]


def test_8_1_output_rows():
    calc = calculate_statement(inputs_8_1())
    rows = {row.declaration_type: row for row in calc.output_rows}
    assert list(rows) == ["started", "retained-1", "retained-2", "retained-3", "retained-4", "completed"]
    assert [row.label for row in calc.output_rows] == [
        "Started",
        "Retained 1",
        "Retained 2",
        "Retained 3",
        "Retained 4",
        "Completed",
    ]
    assert cells(rows["started"]) == [
        ("A", 0, D("120"), D("0")),
        ("B", 1, D("108"), D("108")),
        ("C", 2, D("96"), D("192")),
        ("D", 1, D("140"), D("140")),
    ]
    assert rows["started"].total == D("440.00")
    assert cells(rows["retained-1"]) == [
        ("A", 2, D("90"), D("180")),
        ("B", 1, D("81"), D("81")),
        ("C", 0, D("72"), D("0")),
        ("D", 0, D("105"), D("0")),
    ]
    assert rows["retained-1"].total == D("261.00")
    for declaration_type in ("retained-2", "retained-3", "retained-4", "completed"):
        assert rows[declaration_type].total == 0
        assert rows[declaration_type].count == 0
    assert allocation_table(calc.banded.allocations["started"]) == [
        ("A", 2, 2, 0, 0, 0),
        ("B", 2, 1, 1, 0, 1),
        ("C", 2, 0, 2, 0, 2),
        ("D", 2, 0, 1, 1, 0),
    ]


def test_8_1_clawback_rows_and_uplift_table():
    calc = calculate_statement(inputs_8_1())
    assert [(r.label, r.count, r.fee, r.subtotal) for r in calc.clawback_rows] == [
        ("Clawback for Started (Band: D)", 1, D("-140.00"), D("-140.00")),
        ("Uplift clawbacks", 1, D("-100.00"), D("-100.00")),
    ]
    assert (calc.uplift.participants, calc.uplift.fee, calc.uplift.payments) == (3, D("100.00"), D("300.00"))


def test_8_1_lines_and_totals():
    calc = calculate_statement(inputs_8_1())
    assert calc.layout == Layout.COMBINED == "combined"
    assert calc.mentor is None
    expected = {
        "output_fee": D("701.00"),
        "service_fee": D("50.00"),
        "uplift_fees": D("300.00"),
        "clawback_deductions": D("140.00"),
        "uplift_clawback": D("-100.00"),
        "clawbacks_total": D("-240.00"),
        "additional_adjustments": D("219.50"),
        "reconcile_amount": D("0.00"),
        "total_ex_vat": D("1030.50"),
        "vat": D("206.10"),
        "total": D("1236.60"),
    }
    for name, amount in expected.items():
        assert round_money(getattr(calc, name)) == amount, name
        assert getattr(calc, name) == amount, name  # exact, not just after rounding
    assert format_gbp(calc.total) == "£1,236.60"
    assert [(label, round_money(amount)) for label, amount in calc.summary_lines()] == [
        ("Output payment", D("701.00")),
        ("Service fee", D("50.00")),
        ("Uplift fees", D("300.00")),
        ("Clawbacks", D("-240.00")),
        ("Additional adjustments", D("219.50")),
        ("Total excluding VAT", D("1030.50")),
        ("VAT", D("206.10")),
        ("Total", D("1236.60")),
    ]


def test_8_1_counts():
    counts = calculate_statement(inputs_8_1()).counts
    assert (counts.started, counts.retained, counts.completed, counts.extended) == (4, 3, 0, 0)
    assert (counts.voided, counts.clawed_back) == (1, 0)
    # Once S2 is paid declaration 1 is clawed_back, and it is counted.
    paid = calculate_statement(inputs_8_1(clawed_back_count={ECT: 1})).counts
    assert paid.clawed_back == 1


def test_8_1_s1_alone():
    calc = calculate_statement(
        inputs_8_1(current=counts_from_rows(S1_ROWS), previous={}, adjustments_total=D("0"), voided_count={})
    )
    started = next(row for row in calc.output_rows if row.declaration_type == "started")
    assert cells(started)[:2] == [("A", 2, D("120"), D("240")), ("B", 1, D("108"), D("108"))]
    figures = (calc.output_fee, calc.uplift_fees, calc.service_fee, calc.total_ex_vat, calc.vat, calc.total)
    assert [round_money(amount) for amount in figures] == [
        D("348.00"),
        D("100.00"),
        D("50.00"),
        D("498.00"),
        D("99.60"),
        D("597.60"),
    ]


def test_8_1_clawback_exceeding_additions():
    previous = {ECT: TypeCounts(billable={"started": 3})}
    current = {ECT: TypeCounts(refundable={"started": 2})}
    calc = calculate_statement(inputs_8_1(current=current, previous=previous))
    assert calc.clawback_deductions == D("228.00")
    assert [(r.label, r.count, r.fee, r.subtotal) for r in calc.clawback_rows] == [
        ("Clawback for Started (Band: A)", 1, D("-120"), D("-120")),
        ("Clawback for Started (Band: B)", 1, D("-108"), D("-108")),
        ("Uplift clawbacks", 0, D("-100"), D("0")),
    ]
    assert [r.net for r in calc.banded.allocations["started"]] == [-1, -1, 0, 0]


def test_8_1_overflow_is_neither_paid_nor_counted():
    calc = calculate_statement(
        inputs_8_1(current={MENTOR: TypeCounts(billable={"started": 10})}, previous={}, voided_count={})
    )
    assert calc.counts.started == 8
    assert calc.output_fee == D("928.00")


def test_clawback_rows_are_ordered_by_band_then_type():
    current = {
        ECT: TypeCounts(
            billable={"started": 3, "completed": 3, "retained-2": 3},
            refundable={"started": 3, "completed": 3, "retained-2": 3},
        )
    }
    calc = calculate_statement(inputs_8_1(current=current, previous={}))
    assert [row.label for row in calc.clawback_rows] == [
        "Clawback for Started (Band: A)",
        "Clawback for Retained 2 (Band: A)",
        "Clawback for Completed (Band: A)",
        "Clawback for Started (Band: B)",
        "Clawback for Retained 2 (Band: B)",
        "Clawback for Completed (Band: B)",
        "Uplift clawbacks",
    ]


def test_extended_row_aggregates_the_three_extended_types_only_when_non_zero():
    calc = calculate_statement(inputs_8_1())
    assert "extended" not in [row.declaration_type for row in calc.output_rows]

    current = {ECT: TypeCounts(billable={"extended-1": 1, "extended-2": 3, "extended-3": 2})}
    calc = calculate_statement(inputs_8_1(current=current, previous={}))
    extended = calc.output_rows[-1]
    assert (extended.declaration_type, extended.label) == ("extended", "Extended")
    # Each type is banded on its own: extended-1 → A1; extended-2 → A2 B1; extended-3 → A2.
    assert cells(extended) == [
        ("A", 5, D("90"), D("450")),
        ("B", 1, D("81"), D("81")),
        ("C", 0, D("72"), D("0")),
        ("D", 0, D("105"), D("0")),
    ]
    assert extended.total == calc.output_fee == D("531")
    assert calc.counts.extended == 6


def test_uplift_amount_none_gives_zero_uplift_figures():
    calc = calculate_statement(inputs_8_1(contract_8_1(uplift_amount=None)))
    assert (calc.uplift.participants, calc.uplift.fee, calc.uplift.payments) == (0, 0, 0)
    assert calc.uplift_fees == 0
    assert calc.uplift_clawback == 0
    uplift_row = calc.clawback_rows[-1]
    assert (uplift_row.label, uplift_row.count) == ("Uplift clawbacks", 0)
    assert uplift_row.fee == uplift_row.subtotal == 0
    assert calc.clawbacks_total == D("-140.00")
    assert calc.total_ex_vat == D("1030.50") - D("300.00") + D("100.00")
    snapshot = calc.to_json_dict()
    assert snapshot["banded"]["uplift_clawback"] == "0"
    assert snapshot["banded"]["clawback_rows"][-1]["fee"] == "0"


def test_no_vat_when_not_chargeable():
    calc = calculate_statement(inputs_8_1(vat_chargeable=False))
    assert calc.vat == 0
    assert calc.total == calc.total_ex_vat == D("1030.50")


def test_reconcile_amount_is_added_to_the_total():
    calc = calculate_statement(inputs_8_1(reconcile_amount=D("-30.50")))
    assert calc.total_ex_vat == D("1000.00")
    assert calc.total == D("1200.00")


def json_leaves(value):
    if isinstance(value, dict):
        assert all(isinstance(key, str) for key in value)
        for item in value.values():
            yield from json_leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_leaves(item)
    else:
        yield value


def test_to_json_dict_renders_exact_decimal_strings():
    calc = calculate_statement(inputs_8_1())
    snapshot = calc.to_json_dict()
    assert snapshot["layout"] == "combined"
    assert snapshot["mentor"] is None
    assert D(snapshot["total"]) == D("1236.60")
    assert D(snapshot["vat"]) == calc.vat
    assert snapshot["banded"]["clawback_rows"][0]["label"] == "Clawback for Started (Band: D)"
    assert snapshot["banded"]["allocations"]["started"][3] == {
        "letter": "D",
        "cap": 2,
        "prior": 0,
        "add": 1,
        "sub": 1,
        "net": 0,
    }
    for leaf in json_leaves(snapshot):
        assert leaf is None or isinstance(leaf, str | int | bool)
        if isinstance(leaf, str) and leaf[:1].isdigit():
            assert "E" not in leaf

    # A calculated, non-terminating service fee keeps every digit.
    variant = calculate_statement(inputs_8_1(contract_8_1(set_up_fee=D("0")))).to_json_dict()
    assert len(variant["banded"]["service_fee"]) > 30
    assert (
        D(variant["banded"]["service_fee"])
        == calculate_statement(inputs_8_1(contract_8_1(set_up_fee=D("0")))).service_fee
    )


# --------------------------------------------------------------------------------------------------
# The split worked example (cohort 2025)
# --------------------------------------------------------------------------------------------------

BANDS_8_2 = (
    Band("A", None, 2, D("1000.00")),
    Band("B", 3, 4, D("900.00")),
    Band("C", 5, 6, D("800.00")),
)


SERVICE_FEE_8_2 = D("1000.00")


def inputs_8_2(monthly_service_fee=SERVICE_FEE_8_2):
    previous = [
        (ECT, "started", "paid", False, 1),  # E1
        (MENTOR, "completed", "paid", False, 1),  # M1
    ]
    current = [
        (ECT, "started", "eligible", False, 2),  # E2, E3
        (ECT, "retained-1", "eligible", False, 1),  # E4
        (MENTOR, "completed", "awaiting_clawback", False, 1),  # M1
        (MENTOR, "started", "eligible", False, 3),  # M2–M4
        (MENTOR, "completed", "eligible", False, 1),  # M5
    ]
    return StatementInputs(
        contract=Contract(
            recruitment_target=4,
            set_up_fee=D("0"),
            uplift_amount=None,
            monthly_service_fee=monthly_service_fee,
            bands=BANDS_8_2,
        ),
        mentor_contract=MentorContract(recruitment_target=10, payment_per_participant=D("1000.00")),
        mentor_funding=True,
        vat_chargeable=True,
        current=counts_from_rows(current),
        previous=counts_from_rows(previous),
        adjustments_total=D("100.00"),
        reconcile_amount=D("0"),
    )


def test_8_2_ect_part():
    calc = calculate_statement(inputs_8_2())
    assert calc.layout == Layout.SPLIT
    ect = calc.banded
    rows = {row.declaration_type: row for row in ect.output_rows}
    assert cells(rows["started"]) == [
        ("A", 1, D("120"), D("120")),
        ("B", 1, D("108"), D("108")),
        ("C", 0, D("96"), D("0")),
    ]
    assert rows["started"].total == D("228.00")
    assert rows["retained-1"].total == D("90.00")
    assert [r.prior for r in ect.allocations["started"]] == [1, 0, 0]
    expected = {
        "output_fee": D("318.00"),
        "service_fee": D("1000.00"),
        "uplift_fees": D("0.00"),
        "clawbacks_total": D("0.00"),
        "additional_adjustments": D("100.00"),
        "total_ex_vat": D("1418.00"),
        "vat": D("283.60"),
        "total": D("1701.60"),
    }
    for name, amount in expected.items():
        assert getattr(ect, name) == amount, name
    assert [row.label for row in ect.clawback_rows] == ["Uplift clawbacks"]


def test_8_2_mentor_part():
    mentor = calculate_statement(inputs_8_2()).mentor
    assert [(r.label, r.count, r.fee, r.total) for r in mentor.output_rows] == [
        ("Started", 3, D("500.00"), D("1500.00")),
        ("Completed", 1, D("500.00"), D("500.00")),
    ]
    assert [(r.label, r.count, r.fee, r.subtotal) for r in mentor.clawback_rows] == [
        ("Clawback for Completed", 1, D("-500.00"), D("-500.00")),
    ]
    assert mentor.output_fee == D("2000.00")
    assert mentor.clawbacks_total == D("-500.00")
    assert mentor.total_ex_vat == D("1500.00")
    assert mentor.vat == D("300.00")
    assert mentor.total == D("1800.00")


def test_8_2_statement_totals_and_summary():
    calc = calculate_statement(inputs_8_2())
    assert calc.vat == D("583.60")
    assert calc.total == D("3501.60")
    assert calc.total_ex_vat == D("2918.00")
    assert [(label, round_money(amount)) for label, amount in calc.summary_lines()] == [
        ("ECTs output payment", D("318.00")),
        ("Mentors output payment", D("2000.00")),
        ("Service fee", D("1000.00")),
        ("ECT clawbacks", D("0.00")),
        ("Mentor clawbacks", D("-500.00")),
        ("Additional adjustments", D("100.00")),
        ("VAT", D("583.60")),
        ("Total", D("3501.60")),
    ]
    assert calc.declarations_summary() == (
        ("Started", 2, 3),
        ("Retained", 1, None),
        ("Completed", 0, 1),
        ("Extended", 0, None),
        ("Clawed back", 0, 0),
        ("Voided", 0, 0),
    )
    assert format_gbp(calc.total) == "£3,501.60"
    snapshot = calc.to_json_dict()
    assert snapshot["layout"] == "split"
    assert D(snapshot["mentor"]["clawbacks_total"]) == D("-500")


def test_8_2_calculated_service_fee_variant():
    calc = calculate_statement(inputs_8_2(monthly_service_fee=None))
    assert round_money(calc.service_fee) == D("52.41")
    assert calc.service_fee != D("52.41")  # exact until presented
    with localcontext() as context:
        context.prec = 60
        assert abs(calc.service_fee - D(1520) / D(29)) < D("1E-35")


def test_split_without_mentor_contract_is_a_data_error():
    inputs = inputs_8_2()
    with pytest.raises(ValueError):
        calculate_statement(
            StatementInputs(
                contract=inputs.contract,
                mentor_contract=None,
                mentor_funding=True,
                current=inputs.current,
            )
        )


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------

money_amounts = st.decimals(
    min_value=D("-100000"), max_value=D("100000"), places=2, allow_nan=False, allow_infinity=False
)
prices = st.decimals(min_value=D("0"), max_value=D("5000"), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def contiguous_bands(draw):
    count = draw(st.integers(1, 4))
    first_min = draw(st.sampled_from([None, 0, 1]))
    start = max(1, first_min or 0)
    bands = []
    for index in range(count):
        size = draw(st.integers(1, 15))
        bands.append(
            Band(
                "?",
                first_min if index == 0 else start,
                start + size - 1,
                draw(prices),
                draw(st.integers(0, 100)),
                draw(st.integers(0, 100)),
            )
        )
        start += size
    draw(st.randoms()).shuffle(bands)  # the contract orders them
    return tuple(bands)


@st.composite
def contracts(draw):
    return Contract(
        recruitment_target=draw(st.integers(0, 80)),
        set_up_fee=draw(st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False)),
        uplift_amount=draw(st.none() | prices),
        monthly_service_fee=draw(st.none() | prices),
        bands=draw(contiguous_bands()),
    )


type_maps = st.dictionaries(st.sampled_from(DECLARATION_TYPES), st.integers(0, 40))
type_counts = st.builds(
    TypeCounts,
    billable=type_maps,
    refundable=type_maps,
    uplift_billable=st.integers(0, 10),
    uplift_refundable=st.integers(0, 10),
)
per_course = st.fixed_dictionaries({ECT: type_counts, MENTOR: type_counts})
course_ints = st.fixed_dictionaries({ECT: st.integers(0, 5), MENTOR: st.integers(0, 5)})


@st.composite
def statement_inputs(draw):
    return StatementInputs(
        contract=draw(contracts()),
        mentor_contract=MentorContract(recruitment_target=None, payment_per_participant=draw(prices)),
        mentor_funding=draw(st.booleans()),
        vat_chargeable=draw(st.booleans()),
        current=draw(per_course),
        previous=draw(per_course),
        adjustments_total=draw(money_amounts),
        reconcile_amount=draw(money_amounts),
        voided_count=draw(course_ints),
        clawed_back_count=draw(course_ints),
    )


def exact_sum(*amounts):
    # Far more precision than any figure here needs, so this sum is mathematically exact.
    with localcontext() as context:
        context.prec = 300
        return sum(amounts, D(0))


@settings(deadline=None, max_examples=300)
@given(
    bands=contiguous_bands(),
    prev_billable=st.integers(0, 80),
    prev_refundable=st.integers(0, 80),
    cur_billable=st.integers(0, 80),
    cur_refundable=st.integers(0, 80),
)
def test_band_allocation_properties(bands, prev_billable, prev_refundable, cur_billable, cur_refundable):
    ordered = order_bands(bands)
    results = band_allocation(ordered, prev_billable, prev_refundable, cur_billable, cur_refundable)
    assert [r.letter for r in results] == list("ABCD"[: len(ordered)])
    for result in results:
        assert result.prior >= 0 and result.add >= 0 and result.sub >= 0
        assert result.prior + result.add <= result.cap
        assert result.prior + result.net >= 0
        assert result.net <= result.add
    total_cap = sum(r.cap for r in results)
    total_prior = sum(r.prior for r in results)
    total_add = sum(r.add for r in results)
    total_sub = sum(r.sub for r in results)
    assert total_prior == min(max(prev_billable - prev_refundable, 0), total_cap)
    assert total_add == min(cur_billable, total_cap - total_prior) <= cur_billable
    assert total_sub == min(cur_refundable, total_add + total_prior) <= cur_refundable


@settings(deadline=None, max_examples=200)
@given(inputs=statement_inputs())
def test_statement_properties(inputs):
    calc = calculate_statement(inputs)
    banded = calc.banded
    lines = (
        banded.output_fee,
        banded.service_fee,
        banded.uplift_fees,
        banded.clawbacks_total,
        banded.additional_adjustments,
        banded.reconcile_amount,
    )
    assert banded.total_ex_vat == exact_sum(*lines)
    assert banded.total == exact_sum(banded.total_ex_vat, banded.vat)
    assert calc.total == exact_sum(calc.total_ex_vat, calc.vat)
    assert banded.output_fee == exact_sum(*(row.total for row in banded.output_rows))
    assert banded.clawbacks_total == exact_sum(*(row.subtotal for row in banded.clawback_rows))
    assert banded.clawback_deductions >= 0
    assert banded.clawbacks_total <= 0
    counts = banded.counts
    assert counts.started + counts.retained + counts.completed + counts.extended == sum(
        row.count for row in banded.output_rows
    )
    for row in banded.output_rows:
        assert row.total == exact_sum(*(cell.subtotal for cell in row.bands))
    if inputs.contract.uplift_amount is None:
        assert banded.uplift_fees == banded.uplift_clawback == banded.uplift.participants == 0
    expected_vat = D("0.2") if inputs.vat_chargeable else D("0")
    with localcontext() as context:
        context.prec = 300
        assert banded.vat == banded.total_ex_vat * expected_vat
    assert round_money(calc.total).as_tuple().exponent == -2

    if inputs.mentor_funding:
        mentor = calc.mentor
        assert calc.layout == Layout.SPLIT
        assert mentor.total_ex_vat == exact_sum(mentor.output_fee, mentor.clawbacks_total)
        assert mentor.total == exact_sum(mentor.total_ex_vat, mentor.vat)
        assert calc.total_ex_vat == exact_sum(banded.total_ex_vat, mentor.total_ex_vat)
        assert calc.vat == exact_sum(banded.vat, mentor.vat)
        assert calc.total == exact_sum(banded.total, mentor.total)
        assert mentor.output_fee == exact_sum(*(row.total for row in mentor.output_rows))
    else:
        assert calc.layout == Layout.COMBINED and calc.mentor is None
        assert (calc.total_ex_vat, calc.vat, calc.total) == (banded.total_ex_vat, banded.vat, banded.total)

    for leaf in json_leaves(calc.to_json_dict()):
        assert leaf is None or isinstance(leaf, str | int | bool)


def test_penny_constant():
    assert D("0.01") == PENNY
