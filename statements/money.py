"""Money helpers for statements: exact arithmetic, rounding only for presentation.

Pure standard library on purpose: the statement calculation imports this module and must stay testable
without Django or a database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

PENNY = Decimal("0.01")
ZERO = Decimal("0")

# The service fee divides by 29 and needs at least 28 significant digits.
DIVISION_PRECISION = 40
# Sums and products of figures carrying up to 40 significant digits stay exact at this precision, so a
# total is the exact sum of its lines whatever order they are added in.
CALCULATION_PRECISION = 80


@contextmanager
def money_context() -> Iterator[None]:
    """Run statement arithmetic with enough precision that additions and products are exact.

    Uses `decimal.localcontext`, so the global (thread) context is never changed.
    """
    with localcontext() as context:
        context.prec = CALCULATION_PRECISION
        context.rounding = ROUND_HALF_EVEN
        yield


def divide(dividend: Decimal, divisor: Decimal | int) -> Decimal:
    """Divide with DIVISION_PRECISION significant digits (at least 28, as the service fee needs)."""
    with localcontext() as context:
        context.prec = DIVISION_PRECISION
        context.rounding = ROUND_HALF_EVEN
        return Decimal(dividend) / Decimal(divisor)


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Accept Decimal, int or a decimal string; refuse float so binary fractions never reach a total."""
    if isinstance(value, float):
        raise TypeError("Money must be a Decimal, int or str, never a float.")
    if isinstance(value, bool):
        raise TypeError("Money must be a Decimal, int or str, not a bool.")
    return value if isinstance(value, Decimal) else Decimal(value)


def round_money(amount: Decimal | int | str) -> Decimal:
    """Round to the penny, half-up. Negative zero comes back as plain zero."""
    with localcontext() as context:
        context.prec = CALCULATION_PRECISION
        rounded = to_decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP)
    # -0.004 rounds to -0.00, which must display and store as 0.00.
    return rounded.copy_abs() if rounded.is_zero() else rounded


def format_gbp(amount: Decimal | int | str) -> str:
    """Pounds with thousands separators, e.g. `£1,236.60`, `-£140.00`; any zero shows as `£0.00`."""
    rounded = round_money(amount)
    sign = "-" if rounded < 0 else ""
    return f"{sign}£{rounded.copy_abs():,.2f}"
