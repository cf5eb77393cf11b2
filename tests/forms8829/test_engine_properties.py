"""Hypothesis properties: no negative line, the limit holds, carryovers are conserved (operating,
and the casualty and depreciation parts of lines 31/44 each)."""

from dataclasses import fields, replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms8829 import businesses
from forms8829.engine import (
    Areas,
    Columns,
    Daycare,
    Depreciation,
    Expenses,
    FormResult,
    HomeYearInput,
    Improvement,
    Taxpayer,
    compute_form,
)
from forms8829.rules import FILING_STATUSES, rules_for

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
ZERO = Decimal("0")


def money(max_value: int = 50_000) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=max_value, places=2)


def maybe_zero(strategy: st.SearchStrategy[Decimal]) -> st.SearchStrategy[Decimal]:
    return st.one_of(st.just(ZERO), strategy)


columns = st.builds(Columns, maybe_zero(money()), maybe_zero(money()))
direct_only = st.builds(Columns, maybe_zero(money(5_000)), st.just(ZERO))
incomes = st.decimals(min_value=-5_000, max_value=120_000, places=2)


@st.composite
def dates_in(draw, first: date, last: date) -> date:
    return first + timedelta(days=draw(st.integers(0, (last - first).days)))


@st.composite
def depreciations(draw, year: int) -> Depreciation | None:
    if draw(st.booleans()):
        return None  # renter
    basis = draw(money(900_000))
    fmv = draw(money(900_000))
    land = draw(st.decimals(min_value=0, max_value=min(basis, fmv), places=2))
    land_fmv = draw(st.one_of(st.none(), money(900_000)))
    first_use = draw(dates_in(date(1980, 1, 1), date(year, 12, 31)))
    end = None
    if draw(st.booleans()) and draw(st.booleans()):
        end = draw(dates_in(max(first_use, date(year, 1, 1)), date(year, 12, 31)))
    improvements = draw(
        st.lists(
            st.builds(
                Improvement,
                st.just("improvement"),
                money(80_000),
                dates_in(date(1980, 1, 1), date(year, 12, 31)),
            ),
            max_size=2,
        )
    )
    restart = first_use.year == year and draw(st.booleans())
    return Depreciation(
        basis, land, fmv, first_use, end, tuple(improvements), land_fmv=land_fmv, restart=restart
    )


@st.composite
def earlier_placements(draw, year: int, current: Depreciation | None):
    """A placing in service that ended this year before the current one began (a restart)."""
    if current is None or not current.restart or current.first_business_use.day == 1:
        return ()
    if current.first_business_use <= date(year, 1, 2) or not draw(st.booleans()):
        return ()
    end = draw(dates_in(date(year, 1, 1), current.first_business_use - timedelta(days=2)))
    start = draw(dates_in(date(1980, 1, 1), end))
    basis = draw(money(900_000))
    return (Depreciation(basis, ZERO, basis, start, end),)


@st.composite
def home_years(
    draw,
    year: int | None = None,
    carryover_operating_in: Decimal | None = None,
    carryover_casualty_depreciation_in: Decimal | None = None,
    carryover_casualty_in: Decimal | None = None,
) -> HomeYearInput:
    if year is None:
        year = draw(st.integers(2018, 2026))
    total = draw(st.integers(100, 5_000))
    exclusive = draw(st.integers(0, total))
    daycare_area = draw(st.sampled_from([0, draw(st.integers(0, total - exclusive))]))
    daycare = None
    if daycare_area:
        hours_in_year = int(rules_for(year).hours_in_year)
        daycare = Daycare(Decimal(draw(st.integers(0, hours_in_year))))
    method = draw(st.sampled_from(["regular", "regular", "simplified"]))
    monthly = draw(st.one_of(st.none(), st.lists(st.integers(0, 600), min_size=12, max_size=12)))
    taxpayer = Taxpayer(
        filing_status=draw(st.sampled_from(FILING_STATUSES)),
        itemizes=draw(st.booleans()),
        state_local_income_or_sales_tax=draw(maybe_zero(money())),
        other_real_estate_taxes=draw(maybe_zero(money(5_000))),
        personal_property_taxes=draw(maybe_zero(money(5_000))),
        modified_agi=draw(st.one_of(st.none(), money(1_000_000))),
        adjusted_gross_income=draw(st.one_of(st.none(), money(200_000))),
        net_qualified_disaster_loss=draw(st.booleans()),
    )
    expenses = Expenses(
        mortgage_interest=draw(maybe_zero(money())),
        mortgage_insurance=draw(maybe_zero(money(3_000))),
        real_estate_taxes=draw(columns),
        insurance=draw(columns),
        rent=draw(columns),
        repairs=draw(columns),
        utilities=draw(columns),
        other=draw(columns),
    )
    if carryover_operating_in is None:
        carryover_operating_in = draw(maybe_zero(money(20_000)))
    if carryover_casualty_depreciation_in is None:
        carryover_casualty_depreciation_in = draw(maybe_zero(money(20_000)))
    if carryover_casualty_in is None:
        carryover_casualty_in = draw(
            st.decimals(min_value=0, max_value=carryover_casualty_depreciation_in, places=2)
        )
    depreciation = draw(depreciations(year))
    interest_paid = None
    if draw(st.booleans()):
        interest_paid = expenses.mortgage_interest + draw(maybe_zero(money()))
    return HomeYearInput(
        year=year,
        home_name="home",
        method=method,
        taxpayer=taxpayer,
        areas=Areas(Decimal(total), Decimal(exclusive), Decimal(daycare_area)),
        gross_income_limit=draw(incomes),
        expenses=expenses,
        daycare=daycare,
        casualty_losses=draw(columns),
        excess_casualty_losses=draw(maybe_zero(money(10_000))),
        mortgage_interest_schedule_a_limit=draw(st.one_of(st.none(), money())),
        carryover_operating_in=carryover_operating_in,
        carryover_casualty_depreciation_in=carryover_casualty_depreciation_in,
        carryover_casualty_in=carryover_casualty_in,
        depreciation=depreciation,
        earlier_placements=draw(earlier_placements(year, depreciation)),
        daycare_direct=Expenses(repairs=draw(direct_only), other=draw(direct_only)),
        mortgage_interest_paid_in_year=interest_paid,
        real_estate_taxes_paid_in_year=draw(st.one_of(st.none(), money())),
        other_homes_real_estate_taxes=draw(maybe_zero(money(20_000))),
        internet_business=draw(maybe_zero(money(3_000))),
        phone_business=draw(maybe_zero(money(3_000))),
        simplified_monthly_areas=None if monthly is None else tuple(Decimal(m) for m in monthly),
        daycare_exclusive_300_plus=draw(st.booleans()),
    )


def line_values(result: FormResult) -> dict[str, Decimal]:
    """Every Form 8829 line amount, columns split into .direct/.indirect."""
    values = {}
    for f in fields(result):
        value = getattr(result, f.name)
        if not f.name.startswith("line_") or value is None or f.name == "line_11_worksheet":
            continue
        if isinstance(value, Columns):
            values[f"{f.name}.direct"] = value.direct
            values[f"{f.name}.indirect"] = value.indirect
        else:
            values[f.name] = value
    return values


@PROPERTY_SETTINGS
@given(home_years())
def test_no_negative_line_and_the_limit_holds(inp: HomeYearInput) -> None:
    r = compute_form(inp)
    if r.method == "simplified":
        ws = r.simplified_worksheet
        assert ZERO <= ws.line_5_allowable_deduction <= max(ZERO, ws.line_1_gross_income_limit)
        assert ws.line_5_allowable_deduction <= ws.line_4_deduction_before_limit
        assert ws.line_6a_operating_carryover == inp.carryover_operating_in
        assert ws.line_6b_casualty_depreciation_carryover == inp.carryover_casualty_depreciation_in
        assert r.depreciation_allowable == r.depreciation_allowed == ZERO
        assert line_values(r) == {}
        return

    # Only line 8 (gross income) may be negative; every other line is -0- or more.
    negative = {k: v for k, v in line_values(r).items() if v < 0}
    negative.pop("line_8_gross_income_limit", None)
    assert negative == {}

    line_8 = r.line_8_gross_income_limit
    line_14 = r.line_14_line_12a_plus_line_13
    assert r.line_27_allowable_operating_expenses <= r.line_15_income_left_after_line_14
    assert (
        r.line_33_allowable_casualty_and_depreciation
        <= r.line_28_limit_on_casualty_and_depreciation
    )
    deduction_above_line_14 = (
        r.line_27_allowable_operating_expenses + r.line_33_allowable_casualty_and_depreciation
    )
    assert deduction_above_line_14 <= max(ZERO, line_8 - line_14)
    assert r.line_35_casualty_loss_portion <= r.line_34_total_lines_14_27_33
    assert r.line_36_allowable_expenses <= max(line_8, line_14)
    assert r.schedule_c_line_30 == r.line_36_allowable_expenses
    assert r.line_43_operating_carryover == (
        r.line_26_operating_expenses_total - r.line_27_allowable_operating_expenses
    )
    assert r.line_44_casualty_depreciation_carryover == (
        r.line_32_total_lines_29_to_31 - r.line_33_allowable_casualty_and_depreciation
    )
    assert (
        r.depreciation_allowed
        <= r.line_30_depreciation + r.line_31_casualty_depreciation_carryover_in
    )
    assert (r.line_42_depreciation_allowable is None) == (inp.depreciation is None)


# Areas, hours and percentages keep their own decimals; everything else is money in cents.
PERCENT_LIKE = (
    "line_1_",
    "line_2_",
    "line_3_",
    "line_4_",
    "line_5_",
    "line_6_",
    "line_7_",
    "line_41_",
)


@PROPERTY_SETTINGS
@given(home_years())
def test_every_amount_is_printed_in_cents(inp: HomeYearInput) -> None:
    r = compute_form(inp)
    amounts = [v for k, v in line_values(r).items() if not k.startswith(PERCENT_LIKE)]
    amounts += [r.schedule_c_line_30, r.carryover_operating_out, r.depreciation_allowed]
    assert all(a.as_tuple().exponent == -2 for a in amounts)


@st.composite
def with_businesses(draw, inp: HomeYearInput) -> HomeYearInput:
    """The input used by businesses of one kind of form (docs/tax-rules.md §6a): one to three
    Schedule C businesses, or a farm or partnership (Pub 587's worksheet, with its line 11)."""
    kind = draw(st.sampled_from(businesses.KINDS[:4]))
    count = 1 if kind in (businesses.FARM, businesses.PARTNER) else draw(st.integers(1, 3))
    uses = tuple(
        businesses.BusinessUse(
            name=f"Business {i}",
            kind=kind if i == 0 else draw(st.sampled_from(businesses.KINDS[:2])),
            area=draw(money(500)),
            internet=inp.internet_business if i == 0 else ZERO,
            phone=inp.phone_business if i == 0 else ZERO,
        )
        for i in range(count)
    )
    if count > 1 and draw(st.booleans()):  # the user's own shares, adding up to 100
        cut = draw(st.decimals(min_value=0, max_value=100, places=2))
        shares = [cut, Decimal(100) - cut] + [ZERO] * (count - 2)
        uses = tuple(replace(u, share_percent=p) for u, p in zip(uses, shares, strict=True))
    other = (
        draw(maybe_zero(money(20_000))) if businesses.form_of(uses) == "pub587_worksheet" else ZERO
    )
    return replace(inp, businesses=uses, other_business_expenses=other)


@settings(PROPERTY_SETTINGS, max_examples=100)  # each example is a chain of up to 6 years
@given(st.integers(1, 6), st.data())
def test_carryovers_are_conserved_over_a_chain(years: int, data: st.DataObject) -> None:
    """Allowed amounts + the final carryover = the eligible amounts of the regular years, for
    operating expenses, and for the casualty and the depreciation parts of lines 31/44 each,
    whatever kind of business uses the home each year (Form 8829 or Pub 587's worksheet), and
    the businesses' parts add up to each year's deduction.

    Simplified years pass the carryovers through untouched, so they neither add nor take.
    """
    operating_in = casualty_depreciation_in = casualty_in = ZERO
    eligible = {"operating": ZERO, "casualty": ZERO, "depreciation": ZERO}
    allowed = {"operating": ZERO, "casualty": ZERO, "depreciation": ZERO}
    first_year = data.draw(st.integers(2018, 2027 - years))
    for offset in range(years):
        inp = data.draw(
            home_years(first_year + offset, operating_in, casualty_depreciation_in, casualty_in)
        )
        inp = data.draw(with_businesses(inp))  # any kind of business, year by year
        r = compute_form(inp)
        assert sum(p.deduction for p in r.businesses) == r.schedule_c_line_30
        assert sum(p.casualty for p in r.businesses) == (r.line_35_casualty_loss_portion or ZERO)
        if r.method == "regular":
            eligible["operating"] += (
                r.line_23_total_lines_16_to_22.direct + r.line_24_line_23b_times_line_7
            )
            eligible["casualty"] += r.line_29_excess_casualty_losses
            eligible["depreciation"] += r.line_30_depreciation
            allowed["operating"] += r.line_27_allowable_operating_expenses
            allowed["casualty"] += r.casualty_allowed
            allowed["depreciation"] += r.depreciation_allowed
            assert r.casualty_allowed + r.depreciation_allowed == (
                r.line_33_allowable_casualty_and_depreciation
            )
            assert r.line_35_casualty_loss_portion >= r.casualty_allowed
            assert r.depreciation_allowable == r.line_30_depreciation
        else:
            assert (r.carryover_operating_out, r.carryover_casualty_depreciation_out) == (
                operating_in,
                casualty_depreciation_in,
            )
            assert r.carryover_casualty_out == casualty_in
        operating_in = r.carryover_operating_out
        casualty_depreciation_in = r.carryover_casualty_depreciation_out
        casualty_in = r.carryover_casualty_out
        assert ZERO <= casualty_in <= casualty_depreciation_in
    assert allowed["operating"] + operating_in == eligible["operating"]
    assert allowed["casualty"] + casualty_in == eligible["casualty"]
    assert (
        allowed["depreciation"] + (casualty_depreciation_in - casualty_in)
        == (eligible["depreciation"])
    )
