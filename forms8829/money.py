"""Money helpers for the Form 8829 engine: the one place that rounds.

Every rounding is explicit `Decimal.quantize(..., ROUND_HALF_UP)`; never float, never `round()`
(which rounds half to even). Pure Python: this module must not import Django.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

Number = Decimal | int | str


def _decimal(x: Number) -> Decimal:
    # A float already carries a binary rounding error; refuse it rather than hide it.
    if isinstance(x, float | bool):
        raise TypeError(f"money needs a Decimal, int or str, not {type(x).__name__}")
    return x if isinstance(x, Decimal) else Decimal(x)


def quantize(x: Number, places: int) -> Decimal:
    """Round to `places` decimals, half up."""
    return _decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def cents(x: Number) -> Decimal:
    """Round to cents (0.01), half up."""
    return quantize(x, 2)


def whole_dollars(x: Number) -> Decimal:
    """Round to whole dollars, half up (the IRS whole-dollar convention)."""
    return quantize(x, 0)


def percent2(x: Number) -> Decimal:
    """Round a percentage to 2 decimals (17.125 -> 17.13), half up."""
    return quantize(x, 2)


def percent_of(amount: Number, percent: Number) -> Decimal:
    """`amount` x `percent`% rounded to cents (e.g. the business part at a printed line 7)."""
    return cents(_decimal(amount) * _decimal(percent) / HUNDRED)


def fmt_decimal(x: Number, places: int) -> str:
    """Fixed-point text with exactly `places` decimals, never exponent notation or "-0.00"."""
    q = quantize(x, places)
    if q.is_zero():
        q = q.copy_abs()
    return format(q, "f")


def fmt_money(x: Number) -> str:
    """Money as text with 2 decimals: Decimal("1234.5") -> "1234.50"."""
    return fmt_decimal(x, 2)


def fmt_whole_dollars(x: Number) -> str:
    """Money as whole dollars, half up: Decimal("171.25") -> "171"."""
    return fmt_decimal(x, 0)


def allocate(total: Decimal, weights: list[Decimal] | tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    """`total` (cents) split in proportion to `weights`, to the cent, the parts adding up to
    `total` exactly: each part rounded down to the cent, then the cents left over go one each to
    the largest remainders (ties: the first). All-zero weights split evenly."""
    total = cents(total)
    if not weights:
        return ()
    weights = [_decimal(w) for w in weights]
    if sum(weights) <= 0:
        weights = [ONE] * len(weights)
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [e.quantize(CENT, rounding=ROUND_DOWN if total >= 0 else ROUND_UP) for e in exact]
    left = int((total - sum(parts)) / CENT)
    step = CENT if left >= 0 else -CENT
    order = sorted(range(len(parts)), key=lambda i: (-abs(exact[i] - parts[i]), i))
    for i in order[: abs(left)]:
        parts[i] += step
    return tuple(parts)
