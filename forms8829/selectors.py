"""Reads that turn the stored ledger into engine inputs, one per home and year.

Aggregation happens in SQL: bills are summed by (year, home, category, scope, business-use
percent) in one query; only bills whose service period straddles a boundary of business use are
fetched one by one, to be prorated per bill to the cent (rules §3). The whole ledger of a user,
for any number of years, is read in a constant number of queries.

Where each bill goes (engine field, column, business share) is `forms8829.lines`; the SQL
conditions that find the bills in a column or behind a line (`bills_landing_q`), used by the
review, the support CSV and the admin's filters, are built here from the same table.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Q, Sum

from forms8829 import engine, lines
from forms8829.money import ZERO, cents
from forms8829.periods import (
    FAR_FUTURE,
    FAR_PAST,
    AreaPeriod,
    Interval,
    business_use,
    clip,
    day_weighted_area,
    days_in_year,
    days_of_use,
    last_business_day,
    prorate,
    simplified_monthly_areas,
    year_interval,
)
from ledger.models import Bill, Home, TaxYear, TaxYearHome

# Bump when the engine's arithmetic changes, so stored unfiled forms are recomputed.
ENGINE_VERSION = "1"


@dataclass
class _Sums:
    """Running sums of one home-year's bills, by engine field (`forms8829.lines`)."""

    columns: dict[str, list[Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: [ZERO, ZERO])
    )
    amounts: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    notes: list[str] = field(default_factory=list)

    def add(self, category: str, scope: str, percent: Decimal | None, amount: Decimal) -> None:
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
        else:
            self.columns[where.line.engine_field][where.column == lines.COLUMN_B] += amount

    def expenses(self) -> engine.Expenses:
        return engine.Expenses(
            **{
                line.engine_field: self.amounts[line.engine_field]
                for line in lines.BILL_LINES.values()
                if line.one_amount and not line.schedule_c_line
            },
            **{name: engine.Columns(direct=a, indirect=b) for name, (a, b) in self.columns.items()},
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


def area_periods(home: Home) -> list[AreaPeriod]:
    rooms_method = home.area_method == Home.AreaMethod.ROOMS
    return [
        AreaPeriod(
            area=a.area,
            rooms=Decimal(a.rooms or 0) if rooms_method else ZERO,
            use=a.use,
            start=a.start,
            end=a.end,
        )
        for a in home.office_areas.all()
    ]


def occupancy(home: Home) -> Interval:
    return (home.occupied_from or FAR_PAST, home.occupied_to or FAR_FUTURE)


def home_business_use(home: Home) -> list[Interval]:
    return business_use(area_periods(home), occupancy(home))


def homes_in_use(homes) -> dict[int, list[Interval]]:
    """The business use of each of `homes` (office areas prefetched) that has any."""
    return {home.pk: intervals for home in homes if (intervals := home_business_use(home))}


def bill_count_filters(in_use: dict[int, list[Interval]]) -> tuple[Q, Q]:
    """(bills counted in full, bills to prorate one by one) as SQL conditions, for the homes of
    `homes_in_use`."""
    if not in_use:
        return Q(pk__in=[]), Q(pk__in=[])
    full, straddling = [], []
    for home_id, intervals in in_use.items():
        inside = reduce(or_, (Q(service_start__gte=s, service_end__lte=e) for s, e in intervals))
        touching = reduce(or_, (Q(service_start__lte=e, service_end__gte=s) for s, e in intervals))
        paid_in_use = reduce(or_, (Q(paid_on__range=(s, e)) for s, e in intervals))
        home = Q(home_id=home_id)
        full.append(
            home
            & (
                (Q(service_start__isnull=False) & inside)
                | (Q(service_start__isnull=True) & paid_in_use)
            )
        )
        straddling.append(home & Q(service_start__isnull=False) & touching & ~inside)
    return reduce(or_, full), reduce(or_, straddling)


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
    """The bills that land in column (a) or (b) of their Form 8829 line (rules §2)."""
    return bills_landing_q(lambda where: where.column == column)


def bills_behind_q(target: str, *, year: int | None = None) -> Q:
    """The bills behind a drill-down target (`forms8829.lines.behind`); business use aside."""
    return bills_landing_q(lambda where: lines.behind(target, where, year))


def _load(owner, years: list[int]):
    tax_years = {
        ty.year: ty
        for ty in TaxYear.objects.owned_by(owner).filter(year__in=years).prefetch_related("homes")
    }
    homes = list(
        Home.objects.owned_by(owner).prefetch_related("office_areas", "improvements").order_by("id")
    )
    return tax_years, homes


def ledger_inputs(*, owner, years: list[int]) -> dict[int, list[HomeYear]]:
    """Engine inputs for every home in business use, for each of `years` that has a tax year."""
    tax_years, homes = _load(owner, years)
    years = sorted(tax_years)
    in_use = homes_in_use(homes)
    sums: dict[tuple[int, int], _Sums] = defaultdict(_Sums)
    if years and in_use:
        full, straddling = bill_count_filters(in_use)
        bills = Bill.objects.owned_by(owner).filter(tax_year__in=years)
        grouped = (
            bills.filter(full)
            .values("tax_year", "home_id", "category", "scope", "business_use_percent")
            .annotate(total=Sum("amount", default=ZERO), n=Count("id"))
            .order_by()
        )
        for row in grouped:
            sums[row["tax_year"], row["home_id"]].add(
                row["category"], row["scope"], row["business_use_percent"], row["total"]
            )
        # Few rows: only bills whose service period crosses a start or end of business use.
        for bill in bills.filter(straddling).values(
            "tax_year",
            "home_id",
            "category",
            "scope",
            "business_use_percent",
            "amount",
            "service_start",
            "service_end",
        ):
            counted = prorate(
                bill["amount"],
                (bill["service_start"], bill["service_end"]),
                in_use[bill["home_id"]],
            )
            sums[bill["tax_year"], bill["home_id"]].add(
                bill["category"], bill["scope"], bill["business_use_percent"], counted
            )

    result: dict[int, list[HomeYear]] = {}
    for year in years:
        tax_year = tax_years[year]
        per_home = {tyh.home_id: tyh for tyh in tax_year.homes.all()}
        result[year] = [
            _home_year(
                year, tax_year, home, per_home.get(home.pk), in_use[home.pk], sums[year, home.pk]
            )
            for home in homes
            if home.pk in in_use and any(clip(i, year_interval(year)) for i in in_use[home.pk])
        ]
    return result


def _home_year(year, tax_year, home, tyh, in_use, sums: _Sums) -> HomeYear:
    periods = area_periods(home)
    occupied = occupancy(home)
    rooms = home.area_method == Home.AreaMethod.ROOMS
    notes = list(sums.notes)
    business_days = sum(
        (c[1] - c[0]).days + 1 for i in in_use if (c := clip(i, year_interval(year)))
    )
    if business_days < days_in_year(year):
        notes.append(
            f"Part-year use (rules §3, project rule): {business_days} of {days_in_year(year)} "
            "days; bills with a service period count for their days in business use, others "
            "when paid on a day of business use."
        )
    areas = engine.Areas(
        total=Decimal(home.total_rooms or 0) if rooms else home.total_area,
        exclusive=day_weighted_area(
            periods, occupied, year, uses=("exclusive", "storage"), rooms=rooms
        ),
        daycare=day_weighted_area(periods, occupied, year, uses=("daycare",), rooms=rooms),
    )
    if len([p for p in periods if clip(p.interval, year_interval(year))]) > 1:
        notes.append(
            "Office area changed during the year (project rule): line 1 is the day-weighted "
            "average area over the days of business use."
        )
    daycare = None
    if areas.daycare > 0:
        daycare_days = days_of_use(periods, occupied, year, uses=("daycare",))
        hours = tyh.daycare_hours if tyh and tyh.daycare_hours is not None else ZERO
        if hours == 0:
            notes.append("A daycare area is in use but no daycare hours are given (line 4 = 0).")
        daycare = engine.Daycare(
            hours_used=hours,
            hours_available=Decimal(24 * daycare_days)
            if daycare_days < days_in_year(year)
            else None,
        )
    depreciation = None
    if home.is_owned:
        if home.cost_basis is None:
            notes.append("Owned home without a cost basis: no depreciation until it is given.")
        else:
            depreciation = engine.Depreciation(
                cost_basis=home.cost_basis,
                land_value=home.land_value or ZERO,
                fmv_at_first_business_use=(
                    home.fmv_at_first_business_use
                    if home.fmv_at_first_business_use is not None
                    else home.cost_basis
                ),
                first_business_use=in_use[0][0],
                business_use_end=last_business_day(in_use, year),
                improvements=tuple(
                    engine.Improvement(
                        description=i.description,
                        cost=i.cost,
                        placed_in_service=i.placed_in_service,
                    )
                    for i in home.improvements.all()
                    if i.placed_in_service <= date(year, 12, 31)
                ),
            )
    if tyh is None:
        notes.append(
            f"No {year} inputs for this home: regular method with a gross income limit of 0 "
            "(everything carries over). Add the home to the tax year."
        )
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
        ),
        areas=areas,
        gross_income_limit=tyh.gross_income_limit if tyh else ZERO,
        expenses=sums.expenses(),
        daycare=daycare,
        casualty_losses=engine.Columns(
            direct=tyh.casualty_losses_direct if tyh else ZERO,
            indirect=tyh.casualty_losses_indirect if tyh else ZERO,
        ),
        excess_casualty_losses=tyh.excess_casualty_losses if tyh else ZERO,
        mortgage_interest_schedule_a_limit=tyh.mortgage_interest_schedule_a_limit if tyh else None,
        depreciation=depreciation,
        **sums.schedule_c(),
        simplified_monthly_areas=simplified_monthly_areas(periods, occupied, year),
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
