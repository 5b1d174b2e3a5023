"""Pure statement payment calculation: the combined layout (ECTs and mentors share bands, cohorts before
2025) and the split layout (banded ECTs plus a flat fee per mentor declaration, `mentor_funding` cohorts).

No Django and no database here: selectors turn line items into grouped count rows, `counts_from_rows` turns
those rows into `TypeCounts`, and `calculate_statement` does the arithmetic. Every figure is an exact Decimal
; rounding happens only when presenting (`statements.money.round_money` / `format_gbp`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum, StrEnum
from typing import Any

from statements.money import ZERO, divide, money_context, to_decimal

ECT_COURSE = "ecf-induction"
MENTOR_COURSE = "ecf-mentor"
COURSES = (ECT_COURSE, MENTOR_COURSE)

RETAINED_TYPES = ("retained-1", "retained-2", "retained-3", "retained-4")
EXTENDED_TYPES = ("extended-1", "extended-2", "extended-3")
# The order of declaration types on a statement; clawback rows within a band follow it.
DECLARATION_TYPES = ("started", *RETAINED_TYPES, "completed", *EXTENDED_TYPES)
# Output payments table rows; the extended types are shown as one aggregated row.
OUTPUT_ROW_TYPES = ("started", *RETAINED_TYPES, "completed")
EXTENDED_ROW = "extended"
MENTOR_TYPES = ("started", "completed")

# Line item states.
BILLABLE_STATES = frozenset({"eligible", "payable", "paid"})
REFUNDABLE_STATES = frozenset({"awaiting_clawback", "clawed_back"})
IGNORED_STATES = frozenset({"voided", "ineligible"})

# P(t): the share of the per-participant price each declaration type pays.
OUTPUT_PROPORTIONS: Mapping[str, Decimal] = {
    "started": Decimal("0.20"),
    "completed": Decimal("0.20"),
    **{declaration_type: Decimal("0.15") for declaration_type in RETAINED_TYPES + EXTENDED_TYPES},
}
MENTOR_PROPORTION = Decimal("0.5")  # split layout: half the mentor price per started or completed
VAT_RATE = Decimal("0.2")  # when the provider is VAT-chargeable
REVISED_TARGET_MULTIPLIER = Decimal("1.5")  # revised target = 150% of the recruitment target
SERVICE_FEE_PAYMENTS = 29  # the service fee is paid in 29 monthly instalments
BAND_LETTERS = "ABCD"  # ECF's output calculation supports at most four bands


class Layout(StrEnum):
    COMBINED = "combined"  # mentor_funding = false
    SPLIT = "split"  # mentor_funding = true


def humanise_type(declaration_type: str) -> str:
    """`retained-1` → `Retained 1`, `started` → `Started`."""
    return declaration_type.replace("-", " ").capitalize()


def revised_target(recruitment_target: int) -> int:
    """Recruitment target × 1.5, halves rounded away from zero like Ruby (4503 → 6755)."""
    revised = (Decimal(recruitment_target) * REVISED_TARGET_MULTIPLIER).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return int(revised)


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A participant band of a call-off contract. `letter` is reassigned by `Contract`."""

    letter: str
    min: int | None
    max: int
    per_participant: Decimal
    output_payment_percentage: int = 60
    service_fee_percentage: int = 40

    def __post_init__(self) -> None:
        if self.max is None:
            raise ValueError("Every band used in a calculation needs a max.")
        object.__setattr__(self, "per_participant", to_decimal(self.per_participant))

    @property
    def effective_min(self) -> int:
        """A band starting at null or 0 starts at 1."""
        return max(1, self.min or 0)

    @property
    def capacity(self) -> int:
        """How many participants the band holds: `cap = max − emin + 1`; an inverted band holds nothing rather than a negative count."""
        return max(0, self.max - self.effective_min + 1)


def band_sort_key(band: Band) -> tuple[bool, int, int]:
    """Bands in order: by min ascending with null first, then max ascending."""
    return (band.min is not None, band.min or 0, band.max)


def order_bands(bands: Iterable[Band]) -> tuple[Band, ...]:
    """Sort bands and letter them A–D; more than four bands is a contract the calculation cannot pay."""
    ordered = sorted(bands, key=band_sort_key)
    if len(ordered) > len(BAND_LETTERS):
        raise ValueError(f"A contract may have at most {len(BAND_LETTERS)} bands, got {len(ordered)}.")
    return tuple(replace(band, letter=letter) for band, letter in zip(ordered, BAND_LETTERS, strict=False))


def _optional_decimal(value: Decimal | int | str | None) -> Decimal | None:
    return None if value is None else to_decimal(value)


@dataclass(frozen=True)
class Contract:
    """Call-off contract. `bands` are ordered and lettered on construction."""

    recruitment_target: int
    set_up_fee: Decimal
    uplift_amount: Decimal | None
    monthly_service_fee: Decimal | None
    bands: tuple[Band, ...]
    uplift_target: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "bands", order_bands(self.bands))
        object.__setattr__(self, "set_up_fee", to_decimal(self.set_up_fee))
        object.__setattr__(self, "uplift_amount", _optional_decimal(self.uplift_amount))
        object.__setattr__(self, "monthly_service_fee", _optional_decimal(self.monthly_service_fee))
        object.__setattr__(self, "uplift_target", _optional_decimal(self.uplift_target))

    @property
    def revised_target(self) -> int:
        return revised_target(self.recruitment_target)


@dataclass(frozen=True)
class MentorContract:
    """Mentor call-off contract for mentor_funding cohorts."""

    recruitment_target: int | None
    payment_per_participant: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "payment_per_participant", to_decimal(self.payment_per_participant))


def _check_type_keys(counts: Mapping[str, int]) -> dict[str, int]:
    unknown = set(counts) - set(DECLARATION_TYPES)
    if unknown:
        raise ValueError(f"Unknown declaration types: {sorted(unknown)}")
    if any(count < 0 for count in counts.values()):
        raise ValueError("Line item counts cannot be negative.")
    return dict(counts)


@dataclass(frozen=True)
class TypeCounts:
    """Line item counts of one course on one statement (or over the previous statements).

    `billable` / `refundable` are keyed by declaration type; the uplift counts are billable / refundable
    `started` line items whose declaration has an uplift flag.
    """

    billable: Mapping[str, int] = field(default_factory=dict)
    refundable: Mapping[str, int] = field(default_factory=dict)
    uplift_billable: int = 0
    uplift_refundable: int = 0

    def __post_init__(self) -> None:
        # Copies, so a caller mutating its dict cannot change a frozen input afterwards.
        object.__setattr__(self, "billable", _check_type_keys(self.billable))
        object.__setattr__(self, "refundable", _check_type_keys(self.refundable))

    def billable_count(self, declaration_type: str) -> int:
        return self.billable.get(declaration_type, 0)

    def refundable_count(self, declaration_type: str) -> int:
        return self.refundable.get(declaration_type, 0)

    def __add__(self, other: TypeCounts) -> TypeCounts:
        return TypeCounts(
            billable=_sum_maps(self.billable, other.billable),
            refundable=_sum_maps(self.refundable, other.refundable),
            uplift_billable=self.uplift_billable + other.uplift_billable,
            uplift_refundable=self.uplift_refundable + other.uplift_refundable,
        )


def _sum_maps(*maps: Mapping[str, int]) -> dict[str, int]:
    total: dict[str, int] = {}
    for counts in maps:
        for key, count in counts.items():
            total[key] = total.get(key, 0) + count
    return total


ROW_FIELDS = ("course_identifier", "declaration_type", "line_state", "has_uplift", "count")


def counts_from_rows(rows: Iterable[Sequence[Any] | Mapping[str, Any]]) -> dict[str, TypeCounts]:
    """Build per-course counts from grouped line item rows (the shape of a SQL GROUP BY).

     Each row is `(course_identifier, declaration_type, line_state, has_uplift, count)` or a mapping with
     those keys. Billable states count as billable, refundable states as refundable, voided and ineligible
     count for nothing. `has_uplift` (sparsity or pupil premium) only matters for `started`
    . Rows with the same key are added together. Both courses are always present in the result.
    """
    billable: dict[str, dict[str, int]] = {course: {} for course in COURSES}
    refundable: dict[str, dict[str, int]] = {course: {} for course in COURSES}
    uplift_billable = dict.fromkeys(COURSES, 0)
    uplift_refundable = dict.fromkeys(COURSES, 0)

    for row in rows:
        if isinstance(row, Mapping):
            course, declaration_type, line_state, has_uplift, count = (row[name] for name in ROW_FIELDS)
        else:
            course, declaration_type, line_state, has_uplift, count = row
        if course not in billable:
            raise ValueError(f"Unknown course identifier: {course!r}")
        if declaration_type not in OUTPUT_PROPORTIONS:
            raise ValueError(f"Unknown declaration type: {declaration_type!r}")
        count = int(count)
        counts_uplift = bool(has_uplift) and declaration_type == "started"
        if line_state in BILLABLE_STATES:
            by_type = billable[course]
            if counts_uplift:
                uplift_billable[course] += count
        elif line_state in REFUNDABLE_STATES:
            by_type = refundable[course]
            if counts_uplift:
                uplift_refundable[course] += count
        elif line_state in IGNORED_STATES:
            continue
        else:
            raise ValueError(f"Unknown line item state: {line_state!r}")
        by_type[declaration_type] = by_type.get(declaration_type, 0) + count

    return {
        course: TypeCounts(
            billable=billable[course],
            refundable=refundable[course],
            uplift_billable=uplift_billable[course],
            uplift_refundable=uplift_refundable[course],
        )
        for course in COURSES
    }


def _check_course_keys(mapping: Mapping[str, Any], name: str) -> None:
    unknown = set(mapping) - set(COURSES)
    if unknown:
        raise ValueError(f"{name}: unknown course identifiers {sorted(unknown)}")


@dataclass(frozen=True)
class StatementInputs:
    """Everything the calculation of one statement needs.

    `current`: counts on the statement; `previous`: counts over all previous statements of the same LP and
    cohort. `voided_count` / `clawed_back_count`: declarations on the statement whose declaration
    state is voided / clawed_back, per course.
    """

    contract: Contract
    mentor_contract: MentorContract | None = None
    mentor_funding: bool = False
    vat_chargeable: bool = True
    current: Mapping[str, TypeCounts] = field(default_factory=dict)
    previous: Mapping[str, TypeCounts] = field(default_factory=dict)
    adjustments_total: Decimal = ZERO
    reconcile_amount: Decimal = ZERO
    voided_count: Mapping[str, int] = field(default_factory=dict)
    clawed_back_count: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("current", "previous", "voided_count", "clawed_back_count"):
            _check_course_keys(getattr(self, name), name)
            object.__setattr__(self, name, dict(getattr(self, name)))
        object.__setattr__(self, "adjustments_total", to_decimal(self.adjustments_total))
        object.__setattr__(self, "reconcile_amount", to_decimal(self.reconcile_amount))


# --------------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BandResult:
    """One band's allocation for one declaration type."""

    letter: str
    cap: int
    prior: int
    add: int
    sub: int
    net: int


def band_allocation(
    bands: Sequence[Band],
    prev_billable: int,
    prev_refundable: int,
    cur_billable: int,
    cur_refundable: int,
) -> list[BandResult]:
    """Allocate one declaration type's counts to bands (already in A–D order), as the public service does:
    previous statements' net counts fill the bands first, this statement's billables fill the room left, and
    its clawbacks come off from the top band down."""
    caps = [band.capacity for band in bands]
    count = len(caps)
    prior = [0] * count
    add = [0] * count
    sub = [0] * count
    net = [0] * count

    # Step 1: previous statements' net fill, clamped at 0 for inconsistent data.
    pot = max(prev_billable - prev_refundable, 0)
    for index in range(count):
        prior[index] = min(pot, caps[index])
        pot -= prior[index]

    # Step 2: this statement's billables fill the remaining room; overflow is neither paid nor counted.
    pot = max(cur_billable, 0)
    for index in range(count):
        add[index] = min(pot, caps[index] - prior[index])
        pot -= add[index]
        net[index] = add[index]

    # Step 3: clawbacks first cancel this statement's additions, from the top band down.
    pot = max(cur_refundable, 0)
    for index in reversed(range(count)):
        take = min(net[index], pot)
        net[index] -= take
        sub[index] = take
        pot -= take

    # Step 4: what is left is charged against the prior fill, top band down, skipping empty bands;
    # anything beyond the prior fill is ignored.
    if pot > 0:
        for index in reversed(range(count)):
            if prior[index] == 0:
                continue
            take = min(pot, prior[index])
            pot -= take
            net[index] = -take
            sub[index] += take

    return [
        BandResult(letter=band.letter, cap=caps[i], prior=prior[i], add=add[i], sub=sub[i], net=net[i])
        for i, band in enumerate(bands)
    ]


def fee_per_declaration(declaration_type: str, band: Band) -> Decimal:
    """The output fee of one participant of a type in a band: `P(t) × per_participant × output_payment_percentage / 100` (exact)."""
    try:
        proportion = OUTPUT_PROPORTIONS[declaration_type]
    except KeyError:
        raise ValueError(f"Unknown declaration type: {declaration_type!r}") from None
    with money_context():
        return proportion * band.per_participant * to_decimal(band.output_payment_percentage) / 100


def service_fee(contract: Contract) -> Decimal:
    """The monthly service fee. `monthly_service_fee` wins whenever set, 0 included; else the band formula,
    each band's amount divided by 29 before summing, with the set-up fee taken off band A per participant.
    """
    if contract.monthly_service_fee is not None:
        return contract.monthly_service_fee
    target = contract.recruitment_target
    total = ZERO
    with money_context():
        for band in contract.bands:
            lower = max((band.min or 0) - 1, 0)
            upper = band.max
            if target < lower:
                participants = 0
            elif target <= upper:
                participants = target - lower
            else:
                participants = upper - lower
            # An upper of 0 has no participants; skipping the division avoids dividing by zero.
            set_up = divide(contract.set_up_fee, upper) if lower == 0 and upper else ZERO
            per_participant = band.per_participant * to_decimal(band.service_fee_percentage) / 100 - set_up
            total += divide(participants * per_participant, SERVICE_FEE_PAYMENTS)
    return total


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BandCell:
    letter: str
    count: int
    fee: Decimal
    subtotal: Decimal


@dataclass(frozen=True)
class OutputRow:
    """A row of the output payments table. `declaration_type` is `extended` for the aggregate."""

    declaration_type: str
    label: str
    bands: tuple[BandCell, ...]
    total: Decimal

    @property
    def count(self) -> int:
        return sum(cell.count for cell in self.bands)


@dataclass(frozen=True)
class ClawbackRow:
    """A clawbacks table row; fee and subtotal are negative."""

    label: str
    count: int
    fee: Decimal
    subtotal: Decimal
    declaration_type: str | None = None
    band: str | None = None


@dataclass(frozen=True)
class UpliftRow:
    """Uplift table: all zero when the contract has no uplift_amount."""

    participants: int
    fee: Decimal
    payments: Decimal


@dataclass(frozen=True)
class DeclarationCounts:
    """The output payments table's counts: starts/retained/completed/extended are band additions (overflow
    excluded)."""

    started: int
    retained: int
    completed: int
    extended: int
    clawed_back: int
    voided: int


@dataclass(frozen=True)
class BandedCalculation:
    """The banded calculation: all declarations (combined layout) or ECT ones only (split layout).

    `clawbacks_total` is the summary "Clawbacks" line: −clawback_deductions + uplift_clawback.
    """

    allocations: Mapping[str, tuple[BandResult, ...]]
    output_fee: Decimal
    service_fee: Decimal
    uplift_fees: Decimal
    clawback_deductions: Decimal
    uplift_clawback: Decimal
    clawbacks_total: Decimal
    additional_adjustments: Decimal
    reconcile_amount: Decimal
    total_ex_vat: Decimal
    vat: Decimal
    total: Decimal
    output_rows: tuple[OutputRow, ...]
    clawback_rows: tuple[ClawbackRow, ...]
    uplift: UpliftRow
    counts: DeclarationCounts


@dataclass(frozen=True)
class MentorRow:
    declaration_type: str
    label: str
    count: int
    fee: Decimal
    total: Decimal


@dataclass(frozen=True)
class MentorCounts:
    started: int
    completed: int
    clawed_back: int
    voided: int


@dataclass(frozen=True)
class MentorCalculation:
    """The flat-rate mentor part of the split layout. `total_ex_vat` is the "mentor total"."""

    output_rows: tuple[MentorRow, ...]
    clawback_rows: tuple[ClawbackRow, ...]
    output_fee: Decimal
    clawbacks_total: Decimal
    total_ex_vat: Decimal
    vat: Decimal
    total: Decimal
    counts: MentorCounts


@dataclass(frozen=True)
class StatementCalculation:
    """A statement's figures, exact and unrounded.

    `banded` is the banded calculation (the ECT part in the split layout) and `mentor` the flat-rate part
    (split only). `total_ex_vat`, `vat` and `total` are the statement's own totals; the
    remaining line properties read from `banded`.
    """

    layout: Layout
    vat_rate: Decimal
    banded: BandedCalculation
    mentor: MentorCalculation | None
    total_ex_vat: Decimal
    vat: Decimal
    total: Decimal

    @property
    def output_fee(self) -> Decimal:
        return self.banded.output_fee

    @property
    def service_fee(self) -> Decimal:
        return self.banded.service_fee

    @property
    def uplift_fees(self) -> Decimal:
        return self.banded.uplift_fees

    @property
    def clawback_deductions(self) -> Decimal:
        return self.banded.clawback_deductions

    @property
    def uplift_clawback(self) -> Decimal:
        return self.banded.uplift_clawback

    @property
    def clawbacks_total(self) -> Decimal:
        return self.banded.clawbacks_total

    @property
    def additional_adjustments(self) -> Decimal:
        return self.banded.additional_adjustments

    @property
    def reconcile_amount(self) -> Decimal:
        return self.banded.reconcile_amount

    @property
    def output_rows(self) -> tuple[OutputRow, ...]:
        return self.banded.output_rows

    @property
    def clawback_rows(self) -> tuple[ClawbackRow, ...]:
        return self.banded.clawback_rows

    @property
    def uplift(self) -> UpliftRow:
        return self.banded.uplift

    @property
    def counts(self) -> DeclarationCounts:
        return self.banded.counts

    def summary_lines(self) -> tuple[tuple[str, Decimal], ...]:
        """The summary panel, in the order the statement page shows it. Figures unrounded."""
        banded = self.banded
        if self.mentor is None:
            return (
                ("Output payment", banded.output_fee),
                ("Service fee", banded.service_fee),
                ("Uplift fees", banded.uplift_fees),
                ("Clawbacks", banded.clawbacks_total),
                ("Additional adjustments", banded.additional_adjustments),
                ("Total excluding VAT", self.total_ex_vat),
                ("VAT", self.vat),
                ("Total", self.total),
            )
        return (
            ("ECTs output payment", banded.output_fee),
            ("Mentors output payment", self.mentor.output_fee),
            ("Service fee", banded.service_fee),
            ("ECT clawbacks", banded.clawbacks_total),
            ("Mentor clawbacks", self.mentor.clawbacks_total),
            ("Additional adjustments", banded.additional_adjustments),
            ("VAT", self.vat),
            ("Total", self.total),
        )

    def declarations_summary(self) -> tuple[tuple[str, int, int | None], ...]:
        """Split layout table: (label, ECTs, mentors); mentors None where the spec shows "-"."""
        if self.mentor is None:
            raise ValueError("The declarations summary belongs to the split layout.")
        ects, mentors = self.banded.counts, self.mentor.counts
        return (
            ("Started", ects.started, mentors.started),
            ("Retained", ects.retained, None),
            ("Completed", ects.completed, mentors.completed),
            ("Extended", ects.extended, None),
            ("Clawed back", ects.clawed_back, mentors.clawed_back),
            ("Voided", ects.voided, mentors.voided),
        )

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready copy for the paid-statement snapshot: Decimals as exact strings."""
        return _to_json(self)


def _decimal_string(value: Decimal) -> str:
    # Fixed-point notation and no "-0", so a snapshot never stores "1E+1" or "-0.00".
    if value.is_zero():
        value = value.copy_abs()
    return format(value, "f")


def _to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _decimal_string(value)
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {item.name: _to_json(getattr(value, item.name)) for item in fields(value)}
    if isinstance(value, Mapping):
        return {str(key): _to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    return value


# --------------------------------------------------------------------------------------------------
# Calculation
# --------------------------------------------------------------------------------------------------


def _counts_for(counts: Mapping[str, TypeCounts], courses: Sequence[str]) -> TypeCounts:
    total = TypeCounts()
    for course in courses:
        total = total + counts.get(course, TypeCounts())
    return total


def _banded_calculation(
    *,
    contract: Contract,
    current: TypeCounts,
    previous: TypeCounts,
    adjustments_total: Decimal,
    reconcile_amount: Decimal,
    voided: int,
    clawed_back: int,
    vat_rate: Decimal,
) -> BandedCalculation:
    """Bands, output fees, service fee, uplifts, clawbacks and totals for the given (already course-filtered)
    counts. Runs inside money_context."""
    bands = contract.bands
    allocations = {
        declaration_type: tuple(
            band_allocation(
                bands,
                previous.billable_count(declaration_type),
                previous.refundable_count(declaration_type),
                current.billable_count(declaration_type),
                current.refundable_count(declaration_type),
            )
        )
        for declaration_type in DECLARATION_TYPES
    }
    fees = {
        declaration_type: tuple(fee_per_declaration(declaration_type, band) for band in bands)
        for declaration_type in DECLARATION_TYPES
    }

    def additions(declaration_type: str, index: int) -> int:
        return allocations[declaration_type][index].add

    # Band allocation per declaration type, in type order.
    output_fee = sum(
        (additions(t, i) * fees[t][i] for t in DECLARATION_TYPES for i in range(len(bands))), ZERO
    )
    clawback_deductions = sum(
        (allocations[t][i].sub * fees[t][i] for t in DECLARATION_TYPES for i in range(len(bands))), ZERO
    )

    # The output payments table
    output_rows = []
    for declaration_type in OUTPUT_ROW_TYPES:
        cells = tuple(
            BandCell(
                letter=band.letter,
                count=additions(declaration_type, i),
                fee=fees[declaration_type][i],
                subtotal=additions(declaration_type, i) * fees[declaration_type][i],
            )
            for i, band in enumerate(bands)
        )
        output_rows.append(
            OutputRow(
                declaration_type=declaration_type,
                label=humanise_type(declaration_type),
                bands=cells,
                total=sum((cell.subtotal for cell in cells), ZERO),
            )
        )
    extended_count = sum(additions(t, i) for t in EXTENDED_TYPES for i in range(len(bands)))
    if extended_count:
        cells = tuple(
            BandCell(
                letter=band.letter,
                count=sum(additions(t, i) for t in EXTENDED_TYPES),
                fee=fees["extended-1"][i],
                subtotal=sum((additions(t, i) * fees[t][i] for t in EXTENDED_TYPES), ZERO),
            )
            for i, band in enumerate(bands)
        )
        output_rows.append(
            OutputRow(
                declaration_type=EXTENDED_ROW,
                label=humanise_type(EXTENDED_ROW),
                bands=cells,
                total=sum((cell.subtotal for cell in cells), ZERO),
            )
        )

    # Clawback rows: by band letter, then type order, only where something was subtracted.
    clawback_rows = []
    for i, band in enumerate(bands):
        for declaration_type in DECLARATION_TYPES:
            subtracted = allocations[declaration_type][i].sub
            if subtracted > 0:
                fee = fees[declaration_type][i]
                clawback_rows.append(
                    ClawbackRow(
                        label=f"Clawback for {humanise_type(declaration_type)} (Band: {band.letter})",
                        count=subtracted,
                        fee=ZERO - fee,
                        subtotal=ZERO - subtracted * fee,
                        declaration_type=declaration_type,
                        band=band.letter,
                    )
                )

    # Uplifts: a contract without uplift_amount pays no uplift, so every uplift figure is 0.
    if contract.uplift_amount is None:
        uplift_fee, uplift_added, uplift_subtracted = ZERO, 0, 0
    else:
        uplift_fee = contract.uplift_amount
        uplift_added, uplift_subtracted = current.uplift_billable, current.uplift_refundable
    uplift_fees = uplift_added * uplift_fee
    uplift_clawback = ZERO - uplift_subtracted * uplift_fee
    clawback_rows.append(
        ClawbackRow(
            label="Uplift clawbacks",
            count=uplift_subtracted,
            fee=ZERO - uplift_fee,
            subtotal=uplift_clawback,
        )
    )

    # Totals
    fee_for_service = service_fee(contract)
    clawbacks_total = ZERO - clawback_deductions + uplift_clawback
    total_ex_vat = (
        output_fee + fee_for_service + uplift_fees + clawbacks_total + adjustments_total + reconcile_amount
    )
    vat = total_ex_vat * vat_rate
    counts = DeclarationCounts(
        started=sum(result.add for result in allocations["started"]),
        retained=sum(result.add for t in RETAINED_TYPES for result in allocations[t]),
        completed=sum(result.add for result in allocations["completed"]),
        extended=extended_count,
        clawed_back=clawed_back,
        voided=voided,
    )
    return BandedCalculation(
        allocations=allocations,
        output_fee=output_fee,
        service_fee=fee_for_service,
        uplift_fees=uplift_fees,
        clawback_deductions=clawback_deductions,
        uplift_clawback=uplift_clawback,
        clawbacks_total=clawbacks_total,
        additional_adjustments=adjustments_total,
        reconcile_amount=reconcile_amount,
        total_ex_vat=total_ex_vat,
        vat=vat,
        total=total_ex_vat + vat,
        output_rows=tuple(output_rows),
        clawback_rows=tuple(clawback_rows),
        uplift=UpliftRow(participants=uplift_added, fee=uplift_fee, payments=uplift_fees),
        counts=counts,
    )


def _mentor_calculation(
    *,
    mentor_contract: MentorContract,
    current: TypeCounts,
    voided: int,
    clawed_back: int,
    vat_rate: Decimal,
) -> MentorCalculation:
    """The split layout's mentor part: a flat fee per started/completed; no bands, previous statements, service fee or uplift.

    Mentor declarations of other types are not paid in this layout and are ignored.
    """
    fee = MENTOR_PROPORTION * mentor_contract.payment_per_participant
    output_rows = tuple(
        MentorRow(
            declaration_type=declaration_type,
            label=humanise_type(declaration_type),
            count=current.billable_count(declaration_type),
            fee=fee,
            total=current.billable_count(declaration_type) * fee,
        )
        for declaration_type in MENTOR_TYPES
    )
    # As for bands, a clawback row is shown only when something was clawed back.
    clawback_rows = tuple(
        ClawbackRow(
            label=f"Clawback for {humanise_type(declaration_type)}",
            count=current.refundable_count(declaration_type),
            fee=ZERO - fee,
            subtotal=ZERO - current.refundable_count(declaration_type) * fee,
            declaration_type=declaration_type,
        )
        for declaration_type in MENTOR_TYPES
        if current.refundable_count(declaration_type) > 0
    )
    output_fee = sum((row.total for row in output_rows), ZERO)
    clawbacks_total = ZERO - sum(current.refundable_count(t) * fee for t in MENTOR_TYPES)
    total_ex_vat = output_fee + clawbacks_total
    vat = total_ex_vat * vat_rate
    return MentorCalculation(
        output_rows=output_rows,
        clawback_rows=clawback_rows,
        output_fee=output_fee,
        clawbacks_total=clawbacks_total,
        total_ex_vat=total_ex_vat,
        vat=vat,
        total=total_ex_vat + vat,
        counts=MentorCounts(
            started=current.billable_count("started"),
            completed=current.billable_count("completed"),
            clawed_back=clawed_back,
            voided=voided,
        ),
    )


def calculate_statement(inputs: StatementInputs) -> StatementCalculation:
    """Calculate one statement: combined layout or split layout by `mentor_funding`."""
    vat_rate = VAT_RATE if inputs.vat_chargeable else ZERO
    with money_context():
        if not inputs.mentor_funding:
            # Combined layout: ECT and mentor declarations share bands, uplift and totals.
            banded = _banded_calculation(
                contract=inputs.contract,
                current=_counts_for(inputs.current, COURSES),
                previous=_counts_for(inputs.previous, COURSES),
                adjustments_total=inputs.adjustments_total,
                reconcile_amount=inputs.reconcile_amount,
                voided=sum(inputs.voided_count.get(course, 0) for course in COURSES),
                clawed_back=sum(inputs.clawed_back_count.get(course, 0) for course in COURSES),
                vat_rate=vat_rate,
            )
            return StatementCalculation(
                layout=Layout.COMBINED,
                vat_rate=vat_rate,
                banded=banded,
                mentor=None,
                total_ex_vat=banded.total_ex_vat,
                vat=banded.vat,
                total=banded.total,
            )

        if inputs.mentor_contract is None:
            # A missing contract is a data error.
            raise ValueError("A mentor_funding statement needs a mentor call-off contract.")
        banded = _banded_calculation(
            contract=inputs.contract,
            current=_counts_for(inputs.current, (ECT_COURSE,)),
            previous=_counts_for(inputs.previous, (ECT_COURSE,)),
            adjustments_total=inputs.adjustments_total,
            reconcile_amount=inputs.reconcile_amount,
            voided=inputs.voided_count.get(ECT_COURSE, 0),
            clawed_back=inputs.clawed_back_count.get(ECT_COURSE, 0),
            vat_rate=vat_rate,
        )
        mentor = _mentor_calculation(
            mentor_contract=inputs.mentor_contract,
            current=_counts_for(inputs.current, (MENTOR_COURSE,)),
            voided=inputs.voided_count.get(MENTOR_COURSE, 0),
            clawed_back=inputs.clawed_back_count.get(MENTOR_COURSE, 0),
            vat_rate=vat_rate,
        )
        # Split layout: VAT and total are the sums of the two parts.
        return StatementCalculation(
            layout=Layout.SPLIT,
            vat_rate=vat_rate,
            banded=banded,
            mentor=mentor,
            total_ex_vat=banded.total_ex_vat + mentor.total_ex_vat,
            vat=banded.vat + mentor.vat,
            total=banded.total + mentor.total,
        )
