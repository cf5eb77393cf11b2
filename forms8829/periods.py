"""Pure date arithmetic behind the engine's inputs: business-use days, areas by day, proration.

Rules §3 (part-year use, office area that changes during the year, daycare days) and §6
(simplified method monthly areas). Plain dates and Decimals in, Decimals out; this module must
not import Django (a test enforces it).
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from forms8829.money import ZERO, cents, quantize

FAR_PAST = date(1900, 1, 1)
FAR_FUTURE = date(2999, 12, 31)  # "no end"; leaves room for day arithmetic
ONE_DAY = timedelta(days=1)
# Rev. Proc. 2013-13: a month counts only with at least 15 days of qualified use.
SIMPLIFIED_MIN_DAYS_IN_MONTH = 15

Interval = tuple[date, date]  # closed: both days included


@dataclass(frozen=True)
class AreaPeriod:
    """One office area of a home: its size and the days it is in qualified use."""

    area: Decimal
    rooms: Decimal
    use: str  # exclusive | daycare | storage
    start: date | None
    end: date | None
    business: int | None = None  # the id of the business that uses the area

    @property
    def interval(self) -> Interval:
        return (self.start or FAR_PAST, self.end or FAR_FUTURE)


def year_interval(year: int) -> Interval:
    return (date(year, 1, 1), date(year, 12, 31))


def clip(interval: Interval, bounds: Interval) -> Interval | None:
    start, end = max(interval[0], bounds[0]), min(interval[1], bounds[1])
    return (start, end) if start <= end else None


def days(interval: Interval) -> int:
    return (interval[1] - interval[0]).days + 1


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of closed intervals as sorted, disjoint, non-adjacent intervals."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + ONE_DAY:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def business_use(periods: Sequence[AreaPeriod], occupancy: Interval) -> list[Interval]:
    """Days on which the home is in business use: a qualified area is active and the owner
    occupies the home (docs/tax-rules.md §3)."""
    return merge(
        clipped for period in periods if (clipped := clip(period.interval, occupancy)) is not None
    )


def overlap_days(interval: Interval, intervals: Sequence[Interval]) -> int:
    return sum(days(c) for i in intervals if (c := clip(interval, i)) is not None)


def prorate(amount: Decimal, service: Interval, in_use: Sequence[Interval]) -> Decimal:
    """A bill with a service period counts amount x (its days in business use) / (its days),
    rounded to cents half up, per bill (docs/tax-rules.md §3)."""
    return cents(amount * overlap_days(service, in_use) / days(service))


def _daily_totals(
    periods: Sequence[AreaPeriod], occupancy: Interval, window: Interval, *, rooms: bool, uses
) -> list[tuple[Interval, Decimal]]:
    """Piecewise-constant total area (or rooms) in use within `window`, as (interval, total)."""
    bounds = clip(window, occupancy)
    if bounds is None:
        return []
    cuts = {bounds[0], bounds[1] + ONE_DAY}
    active = []
    for period in periods:
        if period.use not in uses:
            continue
        clipped = clip(period.interval, bounds)
        if clipped is not None:
            active.append((clipped, period.rooms if rooms else period.area))
            cuts.update({clipped[0], clipped[1] + ONE_DAY})
    edges = sorted(cuts)
    pieces = []
    for left, right in itertools.pairwise(edges):
        piece = (left, right - ONE_DAY)
        total = sum((size for (s, e), size in active if s <= left and right - ONE_DAY <= e), ZERO)
        pieces.append((piece, total))
    return pieces


ALL_USES = ("exclusive", "storage", "daycare")


def day_weighted_area(
    periods: Sequence[AreaPeriod],
    occupancy: Interval,
    year: int,
    *,
    uses: Sequence[str],
    rooms: bool = False,
) -> Decimal:
    """Line 1 when the office changes during the year (project rule, docs/tax-rules.md §3): the
    sum over the year's business-use days of the area in use that day, divided by their number,
    to 2 places."""
    in_use = [c for i in business_use(periods, occupancy) if (c := clip(i, year_interval(year)))]
    total_days = sum(days(i) for i in in_use)
    if total_days == 0:
        return ZERO
    weighted = ZERO
    for window in in_use:
        for piece, total in _daily_totals(periods, occupancy, window, rooms=rooms, uses=uses):
            weighted += total * days(piece)
    return quantize(weighted / total_days, 2)


def days_of_use(periods: Sequence[AreaPeriod], occupancy: Interval, year: int, *, uses) -> int:
    selected = [p for p in periods if p.use in uses]
    return sum(
        days(c) for i in business_use(selected, occupancy) if (c := clip(i, year_interval(year)))
    )


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def simplified_monthly_areas(
    periods: Sequence[AreaPeriod], occupancy: Interval, year: int
) -> tuple[Decimal, ...]:
    """Rules §6: for each month the largest area in qualified use during the month, or 0 when
    the month has fewer than 15 days of qualified use. The engine caps each at 300 sq ft."""
    months = []
    for month in range(1, 13):
        last = calendar.monthrange(year, month)[1]
        window = (date(year, month, 1), date(year, month, last))
        pieces = _daily_totals(periods, occupancy, window, rooms=False, uses=ALL_USES)
        used_days = sum(days(piece) for piece, total in pieces if total > 0)
        largest = max((total for _, total in pieces), default=ZERO)
        months.append(largest if used_days >= SIMPLIFIED_MIN_DAYS_IN_MONTH else ZERO)
    return tuple(months)


def last_business_day(in_use: Sequence[Interval], year: int) -> date | None:
    """The day business use stops in `year`, or None when it continues to the year end."""
    in_year = [c for i in in_use if (c := clip(i, year_interval(year)))]
    if not in_year or in_year[-1][1] == date(year, 12, 31):
        return None
    return in_year[-1][1]
