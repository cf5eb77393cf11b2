"""Reads that turn the stored ledger into engine inputs, one per home and year.

Aggregation happens in SQL: bills are summed by (year, home, category, scope, business-use
percent, the use of the office area a direct bill names) in one query, both what counts for the
form (business-use days) and the whole year's totals the Line 11 Worksheet and the Schedule A
fraction need; only bills whose service period straddles a boundary of business use are fetched
one by one, to be prorated per bill to the cent (docs/tax-rules.md §3). The whole
ledger of a user,
for any number of years, is read in a constant number of queries.

Where each bill goes (engine field, column, business share) is `forms8829.lines`; the SQL
conditions that find the bills in a column or behind a line (`bills_landing_q`), used by the
review, the support CSV and the admin's filters, are built here from the same table.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import and_, or_

from django.db.models import Case, IntegerField, Prefetch, Q, Sum, Value, When

from forms8829 import businesses, engine, lines
from forms8829.money import ZERO, cents, percent2
from forms8829.periods import (
    ALL_USES,
    FAR_FUTURE,
    FAR_PAST,
    AreaPeriod,
    Interval,
    business_use,
    clip,
    day_weighted_area,
    days_in_year,
    days_of_use,
    prorate,
    simplified_monthly_areas,
    year_interval,
)
from ledger.models import Bill, Business, Home, OfficeArea, TaxYear, TaxYearHome

# Bump when the engine's arithmetic changes, so stored unfiled forms are recomputed and filed
# forms of earlier rules are compared with what the current rules give (forms8829.chain).
# 2: the harder cases of docs/tax-rules.md (SALT for married filing separately, whole-year Line
# 11 Worksheet, Schedule A fraction, mortgage insurance phase-out, casualty carried apart, old
# homes, restarts, daycare-area direct bills, land FMV, net qualified disaster loss).
# 3: businesses (docs/tax-rules.md §6a): the form a home's businesses use, the deduction
# allocated among them, employees' office areas left out.
ENGINE_VERSION = "3"

EXCLUSIVE_USES = ("exclusive", "storage")
DAYCARE_USE = "daycare"
# What places a bill on the form (`_Sums.add`), beside its amount.
_BILL_KEYS = ("tax_year", "home_id", "category", "scope", "business_use_percent", "office_area_id")
# Business use that stops and starts again within this many days is more often a typing slip.
SHORT_GAP_DAYS = 7


@dataclass
class _Sums:
    """Running sums of one home-year's bills, by engine field (`forms8829.lines`)."""

    columns: dict[str, list[Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: [ZERO, ZERO])
    )
    amounts: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    # Direct bills (column (a), no share of their own) of a daycare area not used exclusively,
    # and those that name no office area: multiplied by line 6 (Pub 587), the unnamed ones only
    # when the home has such an area that year.
    daycare_direct: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    unnamed_direct: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    # Internet and phone business shares by the office area the bill names (None: none), so
    # each goes to the business that uses that area (docs/tax-rules.md §6a).
    beside_by_area: dict[tuple[str, int | None], Decimal] = field(
        default_factory=lambda: defaultdict(lambda: ZERO)
    )
    notes: list[str] = field(default_factory=list)

    def add(
        self,
        category: str,
        scope: str,
        percent: Decimal | None,
        amount: Decimal,
        area_use: str | None = None,
        area_id: int | None = None,
    ) -> None:
        where = lines.spot(category, scope, percent is not None)
        if not where.counts:
            self.notes.append(
                f"{Bill.Category(category).label} bills without a business-use percent "
                f"(${amount:,.2f}) count nothing; give their business share."
            )
            return
        if where.share:
            # Project rule: bills with the same percent are summed in SQL, then the share is
            # rounded once per percent.
            amount = cents(amount * percent / 100)
        if where.line.one_amount:
            self.amounts[where.line.engine_field] += amount
            if where.line.schedule_c_line:
                self.beside_by_area[where.line.engine_field, area_id] += amount
        elif where.column == lines.COLUMN_A and not where.share and area_use not in EXCLUSIVE_USES:
            by_area = self.daycare_direct if area_use == DAYCARE_USE else self.unnamed_direct
            by_area[where.line.engine_field] += amount
        else:
            self.columns[where.line.engine_field][where.column == lines.COLUMN_B] += amount

    def floor_refunds(self) -> None:
        """Refunds (bills of kind refund, summed negative) beyond the year's bills of their line
        count nothing more: no engine input goes below zero (project rule). The excess is noted:
        a refund of a bill deducted in an earlier year is income then, not a negative expense."""
        labels = {line.engine_field: line.label for line in lines.BILL_LINES.values()}
        for table in (self.amounts, self.daycare_direct, self.unnamed_direct, self.columns):
            for name, value in table.items():
                pair = value if isinstance(value, list) else [value]
                excess = -sum((v for v in pair if v < 0), ZERO)
                if not excess:
                    continue
                if isinstance(value, list):
                    table[name] = [max(v, ZERO) for v in value]
                else:
                    table[name] = ZERO
                self.notes.append(
                    f"Refunds of {labels.get(name, name).lower()} exceed this year's bills by "
                    f"${excess:,.2f}: the line counts zero, not less (project rule); if the "
                    "refunded bill was deducted in an earlier year, the excess is income."
                )

    def expenses(self, *, unnamed_are_daycare: bool) -> tuple[engine.Expenses, engine.Expenses]:
        """(the form's expenses, the daycare area's direct expenses)."""
        columns = {name: list(pair) for name, pair in self.columns.items()}
        daycare = dict(self.daycare_direct)
        for name, amount in self.unnamed_direct.items():
            if unnamed_are_daycare:
                daycare[name] = daycare.get(name, ZERO) + amount
            else:
                columns.setdefault(name, [ZERO, ZERO])[0] += amount
        one_amounts = {
            line.engine_field: self.amounts[line.engine_field]
            for line in lines.BILL_LINES.values()
            if line.one_amount and not line.schedule_c_line
        }
        return (
            engine.Expenses(
                **one_amounts,
                **{name: engine.Columns(direct=a, indirect=b) for name, (a, b) in columns.items()},
            ),
            engine.Expenses(
                **{name: engine.Columns(direct=amount) for name, amount in daycare.items()}
            ),
        )

    def schedule_c(self) -> dict[str, Decimal]:
        """The business shares beside the form, by engine.HomeYearInput field."""
        return {line.engine_field: self.amounts[line.engine_field] for line in lines.SCHEDULE_C}


@dataclass(frozen=True)
class HomeYear:
    """One home that needs a form in one year, with the engine input (carry-ins left at zero)."""

    year: int
    home: Home
    tax_year: TaxYear
    inputs: TaxYearHome | None
    engine_input: engine.HomeYearInput
    business_days: int
    receives_carryover: bool | None
    notes: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        return self.engine_input.method


def fingerprint(engine_input: engine.HomeYearInput) -> str:
    """The year's own ledger data: the engine input without the carry-ins from the chain."""
    own = replace(
        engine_input, carryover_operating_in=ZERO, carryover_casualty_depreciation_in=ZERO
    )
    return hashlib.sha256(f"{ENGINE_VERSION}:{own!r}".encode()).hexdigest()


def chain_fingerprint(engine_input: engine.HomeYearInput) -> str:
    return hashlib.sha256(f"{ENGINE_VERSION}:{engine_input!r}".encode()).hexdigest()


def office_areas_prefetch() -> Prefetch:
    """A home's office areas with their businesses: what `area_periods` reads (one query)."""
    return Prefetch("office_areas", queryset=OfficeArea.objects.select_related("business"))


def qualifying_areas(home: Home) -> list[OfficeArea]:
    """The home's office areas (prefetched with `office_areas_prefetch`) that can give a
    deduction: an employee's are left out (docs/tax-rules.md §6a)."""
    return [a for a in home.office_areas.all() if a.business.kind != Business.Kind.EMPLOYEE]


def _in_year(area: OfficeArea, year: int) -> bool:
    """The office area is in use on some day of `year`."""
    return clip((area.start or FAR_PAST, area.end or FAR_FUTURE), year_interval(year)) is not None


def employee_businesses(homes, year: int) -> list[str]:
    """The names of the employee businesses whose office areas are in use in `year` in any of
    `homes` (prefetched with `office_areas_prefetch`): they give no deduction (§6a)."""
    return sorted(
        {
            a.business.name
            for home in homes
            for a in home.office_areas.all()
            if a.business.kind == Business.Kind.EMPLOYEE and _in_year(a, year)
        }
    )


def area_periods(home: Home, *, rooms: bool | None = None) -> list[AreaPeriod]:
    """The home's qualifying office areas as periods; rooms counted for the rooms method (or
    `rooms`)."""
    with_rooms = home.area_method == Home.AreaMethod.ROOMS if rooms is None else rooms
    return [
        AreaPeriod(
            area=a.area,
            rooms=Decimal(a.rooms or 0) if with_rooms else ZERO,
            use=a.use,
            start=a.start,
            end=a.end,
            business=a.business_id,
        )
        for a in qualifying_areas(home)
    ]


@dataclass(frozen=True)
class AreaMethods:
    """A home's business percentage measured both ways (Pub 587: square feet, or rooms when the
    rooms are about the same size), over the year's days of business use, as line 3 prints it."""

    current: str  # Home.AreaMethod
    square_feet: Decimal
    rooms: Decimal

    @property
    def larger(self) -> str:
        """The method with the larger percentage (square feet on a tie)."""
        if self.rooms > self.square_feet:
            return Home.AreaMethod.ROOMS
        return Home.AreaMethod.SQUARE_FEET


def area_methods(home: Home, year: int) -> AreaMethods | None:
    """Both percentages, when the home's office areas in use that year all carry both measures
    (and the home its rooms); else None. Office areas prefetched: no query."""
    in_year = [a for a in qualifying_areas(home) if _in_year(a, year)]
    if not home.total_rooms or not in_year or any(not a.rooms for a in in_year):
        return None
    occupied = occupancy(home)

    def percent(rooms: bool, total: Decimal) -> Decimal:
        periods = area_periods(home, rooms=rooms)
        used = day_weighted_area(periods, occupied, year, uses=ALL_USES, rooms=rooms)
        return percent2(used / total * 100)

    return AreaMethods(
        current=home.area_method,
        square_feet=percent(False, home.total_area),
        rooms=percent(True, Decimal(home.total_rooms)),
    )


def occupancy(home: Home) -> Interval:
    return (home.occupied_from or FAR_PAST, home.occupied_to or FAR_FUTURE)


def home_business_use(home: Home) -> list[Interval]:
    return business_use(area_periods(home), occupancy(home))


def homes_in_use(homes) -> dict[int, list[Interval]]:
    """The business use of each of `homes` (office areas prefetched) that has any."""
    return {home.pk: intervals for home in homes if (intervals := home_business_use(home))}


def _use_conditions(in_use: dict[int, list[Interval]]) -> tuple[Q, Q, Q]:
    """(bills counted in full, bills whose service period touches business use, bills to
    prorate one by one: touching but not within it) as SQL conditions, for the homes of
    `homes_in_use`. Homes with the same days of use share one condition, and a bound of "no
    start" or "no end" is left out rather than compared, so a row is tested a few times only (the
    conditions run on every bill of the years read, `bill_rows`). A service period has both its
    dates or neither, and ends on or after it starts (`Bill`'s constraints)."""
    by_days: dict[tuple[Interval, ...], list[int]] = defaultdict(list)
    for home_id, intervals in in_use.items():
        by_days[tuple(intervals)].append(home_id)

    def bounded(start_field: str, end_field: str, s, e, *, always: Q) -> Q:
        """`start_field` on or after `s` and `end_field` on or before `e`, open bounds left out;
        none left: `always`. (A date compared is not null: on SQL's NULL a comparison is not
        true, and Django adds the IS NOT NULL under a negation.)"""
        parts = [Q(**{f"{start_field}__gte": s})] if s > FAR_PAST else []
        if e < FAR_FUTURE:
            parts.append(Q(**{f"{end_field}__lte": e}))
        return reduce(and_, parts) if parts else always

    has_period, any_day = Q(service_start__isnull=False), Q(paid_on__isnull=False)
    full, touching, straddling = [], [], []
    for intervals, home_ids in by_days.items():
        home = Q(home_id__in=home_ids)
        inside = reduce(
            or_,
            (
                bounded("service_start", "service_end", s, e, always=has_period)
                for s, e in intervals
            ),
        )
        # Touching [s, e]: the service period starts on or before e and ends on or after s.
        touches = reduce(
            or_,
            (
                bounded("service_end", "service_start", s, e, always=has_period)
                for s, e in intervals
            ),
        )
        paid_in_use = reduce(
            or_, (bounded("paid_on", "paid_on", s, e, always=any_day) for s, e in intervals)
        )
        full.append(home & (inside | (Q(service_start__isnull=True) & paid_in_use)))
        touching.append(home & touches)
        straddling.append(home & touches & ~inside)
    return reduce(or_, full), reduce(or_, touching), reduce(or_, straddling)


def bill_count_filters(in_use: dict[int, list[Interval]]) -> tuple[Q, Q]:
    """(bills counted in full, bills to prorate one by one) as SQL conditions, for the homes of
    `homes_in_use`."""
    if not in_use:
        return Q(pk__in=[]), Q(pk__in=[])
    full, _, straddling = _use_conditions(in_use)
    return full, straddling


def bills_landing_q(wanted: Callable[[lines.Spot], bool]) -> Q:
    """The bills whose spot in `forms8829.lines` is `wanted`, as one SQL condition on their
    category, scope and whether they have their own business-use percent."""
    parts = [
        Q(category__in=categories, scope=scope, business_use_percent__isnull=not share)
        for scope in lines.SCOPES
        for share in (False, True)
        if (categories := [c for c in lines.BILL_LINES if wanted(lines.spot(c, scope, share))])
    ]
    return reduce(or_, parts) if parts else Q(pk__in=[])


def column_bills_q(column: str) -> Q:
    """The bills that land in column (a) or (b) of their Form 8829 line (docs/tax-rules.md §2)."""
    return bills_landing_q(lambda where: where.column == column)


def bills_behind_q(target: str, *, year: int | None = None) -> Q:
    """The bills behind a drill-down target (`forms8829.lines.behind`); business use aside."""
    return bills_landing_q(lambda where: lines.behind(target, where, year))


def _load(owner, years: list[int]):
    tax_years = {
        ty.year: ty
        for ty in TaxYear.objects.owned_by(owner)
        .filter(year__in=years)
        .prefetch_related("homes__business_shares__business")
    }
    homes = list(
        Home.objects.owned_by(owner)
        .prefetch_related(office_areas_prefetch(), "improvements")
        .order_by("id")
    )
    return tax_years, homes


# How a bill counts (`bill_rows`): not at all, in full, or prorated by its service period.
_COUNTS_NOT, _COUNTS_IN_FULL, _COUNTS_PRORATED = 0, 1, 2


def bill_rows(*, owner, years: list[int], in_use: dict[int, list[Interval]]):
    """The reads of `years`' bills behind the engine inputs (`ledger_inputs`), for the homes of
    `homes_in_use`: (the sums grouped by `_BILL_KEYS` and how the bills count, the bills to
    prorate one by one, newest first), as plain rows.

    One GROUP BY, over the years' rows of the (owner, tax year, ...) index, decides how each
    bill counts in a CASE; only when some bills straddle a start or end of business use (a
    group counted `_COUNTS_PRORATED`) are they read one by one, from their years and homes only."""
    if not years or not in_use:
        return [], []
    full, touching, straddling = _use_conditions(in_use)
    bills = Bill.objects.owned_by(owner).filter(tax_year__in=years)
    # A bill that touches business use without counting in full straddles it (the WHENs are
    # tried in order). A direct bill's office area is grouped by its id (its use is known from
    # the homes read).
    counts = Case(
        When(full, then=Value(_COUNTS_IN_FULL)),
        When(touching, then=Value(_COUNTS_PRORATED)),
        default=Value(_COUNTS_NOT),
        output_field=IntegerField(),
    )
    # One year read (a year's form, a write's recompute of one open year) is not grouped by
    # its year, which every row holds: a key fewer for each bill to be sorted by (SQLite,
    # 100,000 bills: 3-5% of the query).
    one_year = len(years) == 1
    keys = [key for key in _BILL_KEYS if not (one_year and key == "tax_year")]
    grouped = list(
        bills.annotate(counts=counts)
        .values(*keys, "counts")
        .annotate(total=Sum(Bill.signed_amount()))  # a group has a bill: never NULL
        .order_by()
    )
    if one_year:
        for row in grouped:
            row["tax_year"] = years[0]
    to_prorate = [row for row in grouped if row["counts"] == _COUNTS_PRORATED]
    if not to_prorate:
        return grouped, []
    prorated = bills.filter(
        straddling,
        tax_year__in={row["tax_year"] for row in to_prorate},
        home_id__in={row["home_id"] for row in to_prorate},
    ).values(*_BILL_KEYS, "amount", "kind", "service_start", "service_end", "paid_on", "id")
    # Sorted here, not by the database: a few rows.
    return grouped, sorted(prorated.order_by(), key=lambda b: (b["paid_on"], b["id"]), reverse=True)


def ledger_inputs(*, owner, years: list[int]) -> dict[int, list[HomeYear]]:
    """Engine inputs for every home in business use, for each of `years` that has a tax year."""
    tax_years, homes = _load(owner, years)
    years = sorted(tax_years)
    in_use = homes_in_use(homes)
    sums: dict[tuple[int, int], _Sums] = defaultdict(_Sums)
    # Whole-year totals per (year, home) and category, business use aside: the Line 11 Worksheet
    # and the Schedule A mortgage interest fraction take every bill paid in the year, of every
    # home of the user (i8829 line 11; Pub 936).
    paid: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    area_uses = {area.pk: area.use for home in homes for area in home.office_areas.all()}
    if years and in_use:
        grouped, straddling = bill_rows(owner=owner, years=years, in_use=in_use)
        for row in grouped:
            key = (row["tax_year"], row["home_id"])
            paid[key][row["category"]] += row["total"]
            if row["counts"] == _COUNTS_IN_FULL:
                sums[key].add(
                    row["category"],
                    row["scope"],
                    row["business_use_percent"],
                    row["total"],
                    area_uses.get(row["office_area_id"]),
                    row["office_area_id"],
                )
        for bill in straddling:
            counted = prorate(
                bill["amount"],
                (bill["service_start"], bill["service_end"]),
                in_use[bill["home_id"]],
            )
            if bill["kind"] == Bill.Kind.REFUND:
                counted = -counted
            sums[bill["tax_year"], bill["home_id"]].add(
                bill["category"],
                bill["scope"],
                bill["business_use_percent"],
                counted,
                area_uses.get(bill["office_area_id"]),
                bill["office_area_id"],
            )

    result: dict[int, list[HomeYear]] = {}
    for year in years:
        tax_year = tax_years[year]
        per_home = {tyh.home_id: tyh for tyh in tax_year.homes.all()}
        paid_in_year = {home_id: paid[y, home_id] for (y, home_id) in list(paid) if y == year}
        result[year] = [
            _home_year(
                year,
                tax_year,
                home,
                per_home.get(home.pk),
                in_use[home.pk],
                sums[year, home.pk],
                paid_in_year,
            )
            for home in homes
            if home.pk in in_use and any(clip(i, year_interval(year)) for i in in_use[home.pk])
        ]
    return result


@dataclass(frozen=True)
class Restart:
    """Business use of a home that stops and starts again: ending it is a disposition and the
    restart a new placing in service with its own basis (Treas. Reg. 1.168(i)-4(b), (c)), given
    on the office area that starts it."""

    stopped: date  # the last day of the period before
    restarted: date  # the first day of the new period
    area: OfficeArea | None  # the office area carrying its basis, None while not given

    @property
    def gap_days(self) -> int:
        return (self.restarted - self.stopped).days - 1

    @property
    def short(self) -> bool:
        """A gap of a few days is more often a typing slip than a real stop."""
        return self.gap_days <= SHORT_GAP_DAYS


def home_restarts(home: Home, in_use: list[Interval] | None = None) -> list[Restart]:
    """The restarts of business use of a home (office areas prefetched), in order."""
    in_use = home_business_use(home) if in_use is None else in_use
    areas = list(home.office_areas.all())
    restarts = []
    for before, after in itertools.pairwise(in_use):
        given = [
            a
            for a in areas
            if a.start is not None
            and before[1] < a.start <= after[1]
            and a.restart_adjusted_basis is not None
            and a.restart_fmv is not None
        ]
        area = min(given, key=lambda a: a.start) if given else None
        restarts.append(Restart(stopped=before[1], restarted=after[0], area=area))
    return restarts


def _placements(home: Home, in_use: list[Interval], year: int, notes: list[str]):
    """Part III inputs for `year`: the placings in service of the home that year, the last one
    current (lines 37-41) and any that ended earlier in the year. Each period of business use
    is a placing in service; one that starts again after a gap needs its own basis (`Restart`)."""
    if not home.is_owned:
        return None, ()
    if home.cost_basis is None:
        notes.append("Owned home without a cost basis: no depreciation until it is given.")
        return None, ()
    improvements = tuple(
        engine.Improvement(
            description=i.description, cost=i.cost, placed_in_service=i.placed_in_service
        )
        for i in home.improvements.all()
        if i.placed_in_service <= date(year, 12, 31)
    )
    restarts = home_restarts(home, in_use)
    placements = []
    for index, interval in enumerate(in_use):
        in_year = clip(interval, year_interval(year))
        if in_year is None:
            continue
        stops = in_year[1] if in_year[1] < date(year, 12, 31) else None
        if index == 0:
            placements.append(
                engine.Depreciation(
                    cost_basis=home.cost_basis,
                    land_value=home.land_value or ZERO,
                    fmv_at_first_business_use=(
                        home.fmv_at_first_business_use
                        if home.fmv_at_first_business_use is not None
                        else home.cost_basis
                    ),
                    first_business_use=interval[0],
                    business_use_end=stops,
                    improvements=improvements,
                    land_fmv=home.land_fmv_at_first_business_use,
                )
            )
            continue
        restart = restarts[index - 1]
        if restart.short and restart.restarted.year == year:
            notes.append(
                f"Business use stopped on {restart.stopped.isoformat()} and started again on "
                f"{restart.restarted.isoformat()}, after a gap of {restart.gap_days} day(s): the "
                "restart is a new placing in service. If the gap is a typing slip, correct the "
                "office areas' dates."
            )
        area = restart.area
        if area is None:
            notes.append(
                f"Business use started again on {interval[0].isoformat()} after a gap: a new "
                "placing in service with its own basis (Treas. Reg. 1.168(i)-4). Give the "
                "adjusted basis and the fair market value on that day on the office area that "
                "starts it; until then the restart gets no depreciation."
            )
            continue
        placements.append(
            engine.Depreciation(
                cost_basis=area.restart_adjusted_basis,
                land_value=(
                    area.restart_land_value
                    if area.restart_land_value is not None
                    else home.land_value or ZERO
                ),
                fmv_at_first_business_use=area.restart_fmv,
                first_business_use=interval[0],
                business_use_end=stops,
                improvements=improvements,
                land_fmv=area.restart_land_fmv,
                restart=True,
            )
        )
    if not placements:
        return None, ()
    return placements[-1], tuple(placements[:-1])


# The engine's fields for the shares beside the form, and BusinessUse's names for them.
_BESIDE_FIELDS = {"internet_business": "internet", "phone_business": "phone"}


def _business_uses(
    home: Home, periods: list[AreaPeriod], year: int, tyh, sums: _Sums, notes: list[str]
) -> tuple[businesses.BusinessUse, ...]:
    """The businesses whose qualifying office areas are in use in `year`, each with its
    day-weighted area (the default allocation weight), the share the user set, and the internet
    and phone shares of the bills that name its office areas; bills that name none go to the
    business with the largest area (project rule)."""
    rooms = home.area_method == Home.AreaMethod.ROOMS
    occupied = occupancy(home)
    in_year = [a for a in qualifying_areas(home) if _in_year(a, year)]
    used: dict[int, Business] = {}
    for area in in_year:
        used.setdefault(area.business_id, area.business)
    if not used:
        return ()
    weights = {
        pk: day_weighted_area(
            [p for p in periods if p.business == pk], occupied, year, uses=ALL_USES, rooms=rooms
        )
        for pk in used
    }
    main = max(used, key=lambda pk: (weights[pk], -pk))
    of_area = {a.pk: a.business_id for a in in_year}
    beside = {pk: dict.fromkeys(_BESIDE_FIELDS, ZERO) for pk in used}
    for (name, area_id), amount in sums.beside_by_area.items():
        beside[of_area.get(area_id, main)][name] += amount
    for name in _BESIDE_FIELDS:
        if sum((b[name] for b in beside.values()), ZERO) != sums.amounts[name]:
            # Refunds beyond the year's bills were floored (`_Sums.floor_refunds`): what is
            # left goes to the main business.
            for pk in beside:
                beside[pk][name] = sums.amounts[name] if pk == main else ZERO
    shares = {s.business_id: s.percent for s in tyh.business_shares.all()} if tyh else {}
    unused = (
        [s.business.name for s in tyh.business_shares.all() if s.business_id not in used]
        if tyh
        else []
    )
    if unused:
        notes.append(
            f"The split of this home's deduction names {', '.join(unused)}, which used no "
            f"office area here in {year}: left out."
        )
    shares = {pk: percent for pk, percent in shares.items() if pk in used}
    if len(used) > 1:
        notes.append(
            "Several businesses use this home (Pub 587, Where To Deduct): one form for the home, "
            "its deduction allocated among them "
            + ("by the shares you set." if shares else "by their business areas (project rule).")
        )
    return tuple(
        businesses.BusinessUse(
            name=business.name,
            kind=business.kind,
            area=weights[pk],
            share_percent=shares.get(pk),
            **{short: beside[pk][name] for name, short in _BESIDE_FIELDS.items()},
        )
        for pk, business in sorted(used.items())
    )


def _home_year(year, tax_year, home, tyh, in_use, sums: _Sums, paid_in_year) -> HomeYear:
    periods = area_periods(home)
    occupied = occupancy(home)
    rooms = home.area_method == Home.AreaMethod.ROOMS
    sums.floor_refunds()
    notes = list(sums.notes)
    business_days = sum(
        (c[1] - c[0]).days + 1 for i in in_use if (c := clip(i, year_interval(year)))
    )
    if business_days < days_in_year(year):
        notes.append(
            f"Part-year use (project rule; Pub 587, Part-Year Use): {business_days} of "
            f"{days_in_year(year)} days; bills with a service period count for their days in "
            "business use, others when paid on a day of business use."
        )
    areas = engine.Areas(
        total=Decimal(home.total_rooms or 0) if rooms else home.total_area,
        exclusive=day_weighted_area(periods, occupied, year, uses=EXCLUSIVE_USES, rooms=rooms),
        daycare=day_weighted_area(periods, occupied, year, uses=(DAYCARE_USE,), rooms=rooms),
    )
    if len([p for p in periods if clip(p.interval, year_interval(year))]) > 1:
        notes.append(
            "Office area changed during the year (project rule): line 1 is the day-weighted "
            "average area over the days of business use."
        )
    daycare = None
    if areas.daycare > 0:
        daycare_days = days_of_use(periods, occupied, year, uses=(DAYCARE_USE,))
        hours = tyh.daycare_hours if tyh and tyh.daycare_hours is not None else ZERO
        if hours == 0:
            notes.append("A daycare area is in use but no daycare hours are given (line 4 = 0).")
        daycare = engine.Daycare(
            hours_used=hours,
            hours_available=Decimal(24 * daycare_days)
            if daycare_days < days_in_year(year)
            else None,
        )
    expenses, daycare_direct = sums.expenses(unnamed_are_daycare=areas.daycare > 0)
    if areas.daycare > 0 and areas.exclusive > 0 and any(sums.unnamed_direct.values()):
        notes.append(
            "Project rule: direct bills that name no office area, in a home with a daycare area "
            "not used exclusively, are taken as that area's (times line 6); name the office "
            "area of a direct bill of the exclusive office to count it in full."
        )
    depreciation, earlier_placements = _placements(home, in_use, year, notes)
    if tyh is None:
        notes.append(
            f"No {year} inputs for this home: regular method with a gross income limit of 0 "
            "(everything carries over). Add the home to the tax year."
        )
    paid_here = paid_in_year.get(home.pk, {})
    uses = _business_uses(home, periods, year, tyh, sums, notes)
    schedule_a_limit = tyh.mortgage_interest_schedule_a_limit if tyh else None
    engine_input = engine.HomeYearInput(
        year=year,
        home_name=home.name,
        method=tyh.method if tyh else engine.REGULAR,
        taxpayer=engine.Taxpayer(
            filing_status=tax_year.filing_status,
            itemizes=tax_year.itemizes,
            state_local_income_or_sales_tax=tax_year.state_local_income_or_sales_tax,
            other_real_estate_taxes=tax_year.other_real_estate_taxes,
            personal_property_taxes=tax_year.personal_property_taxes,
            modified_agi=tax_year.modified_agi,
            adjusted_gross_income=tax_year.adjusted_gross_income,
            net_qualified_disaster_loss=tax_year.net_qualified_disaster_loss,
        ),
        areas=areas,
        gross_income_limit=tyh.gross_income_limit if tyh else ZERO,
        expenses=expenses,
        daycare_direct=daycare_direct,
        daycare=daycare,
        casualty_losses=engine.Columns(
            direct=tyh.casualty_losses_direct if tyh else ZERO,
            indirect=tyh.casualty_losses_indirect if tyh else ZERO,
        ),
        excess_casualty_losses=tyh.excess_casualty_losses if tyh else ZERO,
        mortgage_interest_schedule_a_limit=schedule_a_limit,
        mortgage_interest_paid_in_year=(
            None
            if schedule_a_limit is None
            else paid_here.get(Bill.Category.MORTGAGE_INTEREST, ZERO)
        ),
        real_estate_taxes_paid_in_year=paid_here.get(Bill.Category.REAL_ESTATE_TAX, ZERO),
        other_homes_real_estate_taxes=sum(
            (
                taxes.get(Bill.Category.REAL_ESTATE_TAX, ZERO)
                for home_id, taxes in paid_in_year.items()
                if home_id != home.pk
            ),
            ZERO,
        ),
        depreciation=depreciation,
        earlier_placements=earlier_placements,
        **sums.schedule_c(),
        simplified_monthly_areas=simplified_monthly_areas(periods, occupied, year),
        businesses=uses,
        other_business_expenses=tyh.other_business_expenses if tyh else ZERO,
    )
    return HomeYear(
        year=year,
        home=home,
        tax_year=tax_year,
        inputs=tyh,
        engine_input=engine_input,
        business_days=business_days,
        receives_carryover=tyh.receives_carryover if tyh else None,
        notes=tuple(notes),
    )
