"""Pure date arithmetic: business-use days, day-weighted areas, simplified monthly areas."""

from datetime import date
from decimal import Decimal as D

from forms8829 import engine
from forms8829.periods import (
    FAR_FUTURE,
    FAR_PAST,
    AreaPeriod,
    business_use,
    day_weighted_area,
    days_of_use,
    last_business_day,
    merge,
    prorate,
    simplified_monthly_areas,
)

ALWAYS = (FAR_PAST, FAR_FUTURE)


def area(size, start, end=None, use="exclusive"):
    return AreaPeriod(area=D(size), rooms=D(0), use=use, start=start, end=end)


def simplified_line_2(periods, year=2024):
    """Run the months through the engine's worksheet (caps at 300, averages) for line 2."""
    months = simplified_monthly_areas(periods, ALWAYS, year)
    result = engine.compute_form(
        engine.HomeYearInput(
            year=year,
            home_name="Home",
            method=engine.SIMPLIFIED,
            taxpayer=engine.Taxpayer(filing_status="single", itemizes=False),
            areas=engine.Areas(total=D("2000"), exclusive=D("100")),
            gross_income_limit=D("10000"),
            simplified_monthly_areas=months,
        )
    )
    return months, result.simplified_worksheet.line_2_allowable_square_footage


def test_pub_587_simplified_example_420_sq_ft_from_july_20():
    months, line_2 = simplified_line_2([area("420", date(2024, 7, 20))])
    assert months[6] == 0  # July: 12 days, fewer than 15
    assert months[7:] == (D("420"),) * 5
    assert line_2 == D("125.00")


def test_pub_587_simplified_example_100_sq_ft_from_april_20_raised_to_330_on_august_5():
    periods = [
        area("100", date(2024, 4, 20), date(2024, 8, 4)),
        area("330", date(2024, 8, 5)),
    ]
    months, line_2 = simplified_line_2(periods)
    assert months[3] == 0 and months[4:7] == (D("100"),) * 3
    assert months[7] == D("330")  # the largest area in use during August
    assert line_2 == D("150.00")


def test_business_use_needs_an_area_and_occupancy():
    periods = [area("100", date(2024, 1, 1), date(2024, 3, 31)), area("50", date(2024, 4, 1))]
    occupancy = (date(2019, 1, 1), date(2024, 9, 30))
    assert business_use(periods, occupancy) == [(date(2024, 1, 1), date(2024, 9, 30))]
    assert last_business_day(business_use(periods, occupancy), 2024) == date(2024, 9, 30)
    assert last_business_day(business_use(periods, ALWAYS), 2024) is None


def test_merge_joins_adjacent_and_overlapping_days():
    got = merge(
        [
            (date(2024, 3, 1), date(2024, 3, 10)),
            (date(2024, 1, 1), date(2024, 2, 29)),
            (date(2024, 3, 5), date(2024, 3, 20)),
            (date(2024, 5, 1), date(2024, 5, 2)),
        ]
    )
    assert got == [(date(2024, 1, 1), date(2024, 3, 20)), (date(2024, 5, 1), date(2024, 5, 2))]


def test_day_weighted_area_over_business_days_only():
    periods = [area("200", date(2024, 7, 1))]  # half a year: the average is over its own days
    assert day_weighted_area(periods, ALWAYS, 2024, uses=("exclusive",)) == D("200.00")
    periods = [area("100", date(2024, 1, 1), date(2024, 1, 31)), area("300", date(2024, 2, 1))]
    # (31 x 100 + 335 x 300) / 366 = 283.06
    assert day_weighted_area(periods, ALWAYS, 2024, uses=("exclusive",)) == D("283.06")
    # Two areas at once add up.
    both = [area("100", date(2024, 1, 1)), area("50", date(2024, 1, 1), use="storage")]
    assert day_weighted_area(both, ALWAYS, 2024, uses=("exclusive", "storage")) == D("150.00")


def test_days_of_use_by_kind():
    periods = [area("100", date(2023, 1, 1)), area("80", date(2024, 10, 1), use="daycare")]
    assert days_of_use(periods, ALWAYS, 2024, uses=("daycare",)) == 92
    assert days_of_use(periods, ALWAYS, 2024, uses=("exclusive",)) == 366


def test_prorate_rounds_half_up_per_bill():
    in_use = [(date(2024, 3, 16), FAR_FUTURE)]
    assert prorate(D("100.00"), (date(2024, 3, 1), date(2024, 3, 31)), in_use) == D("51.61")
    # 0.25 x 16/32 = 0.125 -> 0.13 (half up, not half even)
    assert prorate(D("0.25"), (date(2024, 2, 29), date(2024, 3, 31)), in_use) == D("0.13")
    assert prorate(D("80"), (date(2024, 2, 1), date(2024, 2, 29)), in_use) == D("0.00")
