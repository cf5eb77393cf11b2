"""Hand-checked cases, one per rule of docs/tax-rules.md §1-§6 (plus money and the year table)."""

from datetime import date
from decimal import Decimal as D

import pytest

from forms8829.engine import (
    Areas,
    Columns,
    Daycare,
    Depreciation,
    Expenses,
    HomeYearInput,
    Improvement,
    InvalidInputError,
    Taxpayer,
    compute_form,
)
from forms8829.money import (
    cents,
    fmt_money,
    fmt_whole_dollars,
    percent2,
    percent_of,
    quantize,
    whole_dollars,
)
from forms8829.rules import (
    TABLE_A7,
    TABLE_A7A,
    YEAR_RULES,
    UnsupportedYearError,
    recovery_table,
    rules_for,
    table_a7a_rate,
)

ITEMIZER = Taxpayer(filing_status="single", itemizes=True)
STANDARD = Taxpayer(filing_status="single", itemizes=False)
TEN_PERCENT = Areas(total=D("2000"), exclusive=D("200"))
# Building 200,000 x 10% = 20,000 business basis.
OWNER = Depreciation(
    cost_basis=D("250000"),
    land_value=D("50000"),
    fmv_at_first_business_use=D("300000"),
    first_business_use=date(2019, 3, 10),
)


def regular(**overrides) -> HomeYearInput:
    fields = {
        "year": 2024,
        "home_name": "12 Elm St",
        "method": "regular",
        "taxpayer": ITEMIZER,
        "areas": TEN_PERCENT,
        "gross_income_limit": D("100000"),
    }
    fields.update(overrides)
    return HomeYearInput(**fields)


def simplified(**overrides) -> HomeYearInput:
    fields = {"method": "simplified", "gross_income_limit": D("10000")}
    fields.update(overrides)
    return regular(**fields)


def has_note(result, text: str) -> bool:
    return any(text in note for note in result.notes)


# --- money -------------------------------------------------------------------------------------


def test_money_rounds_half_up_never_half_even() -> None:
    assert cents(D("2.675")) == D("2.68")
    assert cents(D("2.665")) == D("2.67")
    assert whole_dollars(D("170.5")) == D("171")
    assert whole_dollars(D("171.49")) == D("171")
    assert percent2(D("17.125")) == D("17.13")
    assert quantize(D("0.342465"), 4) == D("0.3425")
    assert percent_of(D("9200"), D("1.605")) == D("147.66")


def test_money_formats() -> None:
    assert fmt_money(D("1234.5")) == "1234.50"
    assert fmt_money(D("-0.001")) == "0.00"
    assert fmt_money(D("1E+3")) == "1000.00"
    assert fmt_whole_dollars(D("171.25")) == "171"


def test_money_refuses_float() -> None:
    with pytest.raises(TypeError, match="float"):
        cents(1.005)


# --- year table --------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2017, 2027])
def test_unsupported_year_is_refused_with_the_range(year: int) -> None:
    message = f"Tax year {year} is not supported; supported years are 2018-2026."
    with pytest.raises(UnsupportedYearError) as caught:
        compute_form(regular(year=year))
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)
    with pytest.raises(UnsupportedYearError, match=message):
        rules_for(year)


def test_year_table_covers_2018_to_2026() -> None:
    assert sorted(YEAR_RULES) == list(range(2018, 2027))
    leap = {y for y, r in YEAR_RULES.items() if r.hours_in_year == D("8784")}
    assert leap == {2020, 2024}
    mip = {y for y, r in YEAR_RULES.items() if r.mortgage_insurance_is_interest}
    assert mip == {2018, 2019, 2020, 2021, 2026}
    assert all(r.simplified_rate == D("5") for r in YEAR_RULES.values())
    assert all(r.simplified_max_area == D("300") for r in YEAR_RULES.values())


@pytest.mark.parametrize(
    ("recovery_year", "month", "rate"),
    [
        (1, 1, "2.461"),
        (1, 5, "1.605"),
        (1, 12, "0.107"),
        (2, 7, "2.564"),
        (39, 12, "2.564"),
        (40, 1, "0.107"),
        (40, 3, "0.535"),
        (40, 12, "2.461"),
        (41, 6, "0"),
        (0, 6, "0"),
    ],
)
def test_table_a7a_as_printed(recovery_year: int, month: int, rate: str) -> None:
    assert table_a7a_rate(recovery_year, month) == D(rate)
    assert TABLE_A7A.rate(recovery_year, month) == D(rate)


@pytest.mark.parametrize(
    ("recovery_year", "month", "rate"),
    [
        (1, 1, "3.042"),  # 11.5 / 12 x 100 / 31.5
        (1, 6, "1.720"),
        (1, 12, "0.132"),
        (2, 4, "3.175"),
        (7, 12, "3.175"),
        (8, 1, "3.175"),
        (8, 2, "3.174"),
        (9, 1, "3.174"),
        (9, 6, "3.175"),
        (31, 7, "3.174"),
        (32, 1, "1.720"),
        (32, 6, "3.042"),
        (32, 7, "3.175"),
        (32, 12, "3.174"),
        (33, 6, "0"),
        (33, 7, "0.132"),
        (33, 8, "0.398"),
        (33, 12, "1.456"),
        (34, 12, "0"),
    ],
)
def test_table_a7_as_printed(recovery_year: int, month: int, rate: str) -> None:
    """Pub 946 Table A-7 (31.5-year nonresidential real property, mid-month)."""
    assert TABLE_A7.rate(recovery_year, month) == D(rate)


@pytest.mark.parametrize("table", [TABLE_A7, TABLE_A7A], ids=["A-7", "A-7a"])
def test_each_table_column_recovers_100_percent(table) -> None:
    for month in range(1, 13):
        total = sum(table.rate(year, month) for year in range(1, table.recovery_years + 1))
        assert total == D("100.000"), month


@pytest.mark.parametrize(
    ("placed", "table"),
    [
        (date(1993, 5, 13), TABLE_A7A),
        (date(1993, 5, 12), TABLE_A7),
        (date(1987, 1, 1), TABLE_A7),
        (date(1986, 12, 31), None),  # ACRS
    ],
)
def test_the_table_follows_the_day_business_use_began(placed, table) -> None:
    assert recovery_table(placed) is table


@pytest.mark.parametrize(
    ("year", "status", "magi", "cap"),
    [
        (2018, "single", None, "10000"),
        (2024, "married_separate", D("900000"), "5000"),
        (2025, "single", None, "40000"),
        (2025, "single", D("500000"), "40000"),
        (2025, "single", D("550000"), "25000"),
        (2025, "single", D("600000"), "10000"),
        # Married filing separately: the full amount is phased down (30% above the MFS
        # threshold, half the single one), floored at 10,000, and only then halved.
        (2024, "married_separate", None, "5000"),  # 10,000 / 2
        (2025, "married_separate", None, "20000"),  # 40,000 / 2
        (2025, "married_separate", D("275000"), "16250"),  # (40,000 - 0.30 x 25,000) / 2
        (2025, "married_separate", D("300000"), "12500"),  # (40,000 - 15,000) / 2, not 5,000
        (2025, "married_separate", D("350000"), "5000"),  # (40,000 - 30,000 = floor) / 2
        (2025, "married_separate", D("400000"), "5000"),  # floor 10,000 / 2
        (2026, "single", D("515000"), "37400"),
        (2026, "married_separate", D("262500"), "18700"),  # (40,400 - 0.30 x 10,000) / 2
        (2026, "married_separate", D("290000"), "14575"),  # (40,400 - 0.30 x 37,500) / 2
        (2026, "married_joint", D("2000000"), "10000"),
    ],
)
def test_salt_cap_by_year_and_magi(year, status, magi, cap) -> None:
    assert rules_for(year).salt_cap_for(status, magi) == D(cap)


# --- §2 placement ------------------------------------------------------------------------------


def test_standard_deduction_filer_uses_lines_16_17_and_29() -> None:
    r = compute_form(
        regular(
            taxpayer=STANDARD,
            gross_income_limit=D("5000"),
            expenses=Expenses(
                mortgage_interest=D("10000"), real_estate_taxes=Columns(indirect=D("4000"))
            ),
            casualty_losses=Columns(indirect=D("1000")),
        )
    )
    assert r.line_9_casualty_losses == Columns(D("0"), D("0"))
    assert r.line_10_deductible_mortgage_interest == Columns(D("0"), D("0"))
    assert r.line_11_real_estate_taxes == Columns(D("0"), D("0"))
    assert r.line_14_line_12a_plus_line_13 == D("0")
    assert r.line_16_excess_mortgage_interest == Columns(D("0"), D("10000"))
    assert r.line_17_excess_real_estate_taxes == Columns(D("0"), D("4000"))
    assert r.line_24_line_23b_times_line_7 == D("1400.00")
    assert r.line_27_allowable_operating_expenses == D("1400.00")
    assert r.line_29_excess_casualty_losses == D("100.00")
    assert r.line_33_allowable_casualty_and_depreciation == D("100.00")
    assert r.line_35_casualty_loss_portion == D("100.00")
    assert r.line_36_allowable_expenses == D("1400.00")
    assert has_note(r, "line 29")


@pytest.mark.parametrize(
    ("limit", "line_10b", "line_16b"),
    [(None, "10000", "0"), (D("8000"), "8000", "2000"), (D("12000"), "10000", "0")],
)
def test_schedule_a_limit_excess_goes_to_line_16b(limit, line_10b, line_16b) -> None:
    r = compute_form(
        regular(
            expenses=Expenses(mortgage_interest=D("10000")),
            mortgage_interest_schedule_a_limit=limit,
        )
    )
    assert r.line_10_deductible_mortgage_interest == Columns(D("0"), D(line_10b))
    assert r.line_16_excess_mortgage_interest == Columns(D("0"), D(line_16b))
    assert r.line_13_line_12b_times_line_7 == percent_of(D(line_10b), D("10"))
    assert r.line_24_line_23b_times_line_7 == percent_of(D(line_16b), D("10"))


@pytest.mark.parametrize(
    ("year", "taxpayer", "state_tax", "home_tax", "ws_8", "line_11a", "line_17a"),
    [
        # 2,000 + 8,500 = 10,500 > 10,000: WS6 850, WS7 9,650, WS9 350 -> 350 / 500.
        (2024, ITEMIZER, "2000", "8500", "10000", "350", "500"),
        # 2025 MAGI 550,000: cap 40,000 - 30% x 50,000 = 25,000; WS7 24,500 -> 500 / 500.
        (
            2025,
            Taxpayer("single", True, modified_agi=D("550000")),
            "15500",
            "10000",
            "25000",
            "500",
            "500",
        ),
        # 2025 MFS MAGI 300,000: (40,000 - 15,000) / 2 = 12,500; 7,000 > 5,000 uses the
        # worksheet; WS6 300, WS7 6,700, WS9 5,800 -> 300 / 0.
        (
            2025,
            Taxpayer("married_separate", True, modified_agi=D("300000")),
            "4000",
            "3000",
            "12500",
            "300",
            "0",
        ),
        # 2025 MFS MAGI 350,000: (40,000 - 30,000) / 2 = 5,000; WS7 6,700, WS9 0 -> 0 / 300.
        (
            2025,
            Taxpayer("married_separate", True, modified_agi=D("350000")),
            "4000",
            "3000",
            "5000",
            "0",
            "300",
        ),
    ],
)
def test_line_11_worksheet_above_the_cap(
    year, taxpayer, state_tax, home_tax, ws_8, line_11a, line_17a
) -> None:
    taxpayer = Taxpayer(
        taxpayer.filing_status,
        True,
        state_local_income_or_sales_tax=D(state_tax),
        modified_agi=taxpayer.modified_agi,
    )
    r = compute_form(
        regular(
            year=year,
            taxpayer=taxpayer,
            expenses=Expenses(real_estate_taxes=Columns(indirect=D(home_tax))),
        )
    )
    ws = r.line_11_worksheet
    assert ws is not None
    assert ws.line_8_salt_cap == D(ws_8)
    assert ws.line_6_business_part_of_line_2 == percent_of(D(home_tax), D("10"))
    assert r.line_11_real_estate_taxes == Columns(D(line_11a), D("0"))
    assert r.line_17_excess_real_estate_taxes == Columns(D(line_17a), D("0"))
    assert r.line_14_line_12a_plus_line_13 == D(line_11a)
    assert has_note(r, "Line 11 Worksheet")


@pytest.mark.parametrize(
    ("year", "taxpayer"),
    [
        # 1,000 + 8,500 = 9,500: not above $10,000, so no worksheet.
        (2024, Taxpayer("single", True, state_local_income_or_sales_tax=D("1000"))),
        (2025, Taxpayer("single", True, state_local_income_or_sales_tax=D("1500"))),
    ],
)
def test_taxes_within_the_cap_stay_on_line_11b(year, taxpayer) -> None:
    r = compute_form(
        regular(
            year=year,
            taxpayer=taxpayer,
            expenses=Expenses(real_estate_taxes=Columns(indirect=D("8500"))),
        )
    )
    assert r.line_11_worksheet is None
    assert r.line_11_real_estate_taxes == Columns(D("0"), D("8500"))
    assert r.line_17_excess_real_estate_taxes == Columns(D("0"), D("0"))


@pytest.mark.parametrize(
    ("year", "line_10b", "note"),
    [(2021, "11000", "are counted"), (2023, "10000", "left out"), (2026, "11000", "are counted")],
)
def test_mortgage_insurance_by_year(year, line_10b, note) -> None:
    r = compute_form(
        regular(
            year=year,
            expenses=Expenses(mortgage_interest=D("10000"), mortgage_insurance=D("1000")),
        )
    )
    assert r.line_10_deductible_mortgage_interest.indirect == D(line_10b)
    assert has_note(r, note)


def test_casualty_lines_9_29_and_35() -> None:
    r = compute_form(
        regular(
            gross_income_limit=D("1200"),
            casualty_losses=Columns(direct=D("300"), indirect=D("2000")),
            excess_casualty_losses=D("500"),
            depreciation=OWNER,
        )
    )
    assert r.line_9_casualty_losses == Columns(D("300"), D("2000"))
    assert r.line_14_line_12a_plus_line_13 == D("500.00")  # 300 + 10% of 2,000
    assert r.line_15_income_left_after_line_14 == D("700.00")
    assert r.line_30_depreciation == D("512.80")
    assert r.line_32_total_lines_29_to_31 == D("1012.80")
    assert r.line_33_allowable_casualty_and_depreciation == D("700.00")
    assert r.line_34_total_lines_14_27_33 == D("1200.00")
    assert r.line_35_casualty_loss_portion == D("1000.00")  # 500 in line 14 + 500 of line 33
    assert r.line_36_allowable_expenses == D("200.00")
    assert r.line_44_casualty_depreciation_carryover == D("312.80")
    assert r.depreciation_allowed == D("200.00")
    assert r.depreciation_allowable == D("512.80")


def test_internet_and_phone_go_beside_the_form() -> None:
    for inp in (regular(internet_business=D("420")), simplified(internet_business=D("420"))):
        r = compute_form(inp)
        assert r.as_output()["schedule_c_other"] == {"internet": "420.00", "phone": "0.00"}
        assert has_note(r, "Schedule C")
    assert compute_form(regular(internet_business=D("420"))).schedule_c_line_30 == D("0")


# --- §3 business area and daycare --------------------------------------------------------------


def test_exclusive_and_daycare_areas_use_the_special_computation() -> None:
    r = compute_form(
        regular(
            year=2023,
            areas=Areas(total=D("2000"), exclusive=D("200"), daycare=D("400")),
            daycare=Daycare(hours_used=D("4380")),
            expenses=Expenses(repairs=Columns(direct=D("100"))),
        )
    )
    assert r.line_1_business_area == D("400")  # the daycare area alone
    assert r.line_3_area_percentage == D("20.00")
    assert r.line_6_daycare_fraction == D("0.5000")
    assert r.line_7_business_percentage == D("20.00")  # 10.00% + 20.00% x 0.5
    assert r.line_20_repairs_and_maintenance.direct == D("100.00")  # taken in full
    assert has_note(r, "See attached computation")


def test_daycare_started_during_the_year_uses_24_hours_a_day() -> None:
    r = compute_form(
        regular(
            areas=Areas(total=D("2000"), exclusive=D("0"), daycare=D("400")),
            daycare=Daycare(hours_used=D("1200"), hours_available=D(24 * 100)),
        )
    )
    assert r.line_5_daycare_hours_available == D("2400")
    assert r.line_6_daycare_fraction == D("0.5000")
    assert r.line_7_business_percentage == D("10.00")


def test_no_daycare_leaves_lines_4_to_6_blank() -> None:
    lines = compute_form(regular()).as_output_lines()
    assert (lines["4"], lines["5"], lines["6"]) == (None, None, None)
    assert lines["7"] == "10.00"


# --- §4 depreciation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_use", "end", "rate", "line_42"),
    [
        (date(2024, 1, 2), None, "2.461", "492.20"),  # first year, January: the table, not 2.457
        (date(2019, 3, 10), date(2024, 6, 15), "1.175", "235.00"),  # 2.564 x 5.5 / 12
        (date(2024, 3, 10), date(2024, 9, 20), "1.282", "256.40"),  # same year: 2.564 x 6 / 12
        (date(2024, 3, 10), date(2024, 3, 20), "0.000", "0.00"),  # same month: both halves
        (date(1993, 5, 13), None, "2.564", "512.80"),  # Table A-7a from May 13, 1993
        # Before May 13, 1993 and after 1986: Table A-7 (31.5 years).
        (date(1993, 5, 12), None, "2.778", "555.60"),  # recovery year 32, May
        (date(1993, 3, 10), None, "2.249", "449.80"),  # recovery year 32, March
        (date(1992, 11, 1), None, "1.190", "238.00"),  # recovery year 33, November
        (date(1992, 3, 1), None, "0", "0.00"),  # recovery year 33, March: ended in year 32
        (date(1991, 5, 15), None, "0", "0.00"),  # after year 33: nothing
        (date(1985, 3, 1), None, "0", "0.00"),  # before 1987: ACRS, fully recovered
    ],
)
def test_line_41_by_recovery_year_and_stop_year(first_use, end, rate, line_42) -> None:
    depreciation = Depreciation(
        cost_basis=OWNER.cost_basis,
        land_value=OWNER.land_value,
        fmv_at_first_business_use=OWNER.fmv_at_first_business_use,
        first_business_use=first_use,
        business_use_end=end,
    )
    r = compute_form(regular(depreciation=depreciation))
    assert r.line_40_business_basis == D("20000.00")
    assert r.line_41_depreciation_percentage == D(rate)
    assert r.line_42_depreciation_allowable == D(line_42)
    assert r.line_30_depreciation == D(line_42)
    if end is not None:
        assert has_note(r, "Business use stopped")
    if first_use.year < 1987:
        assert has_note(r, "ACRS property (Pub 534)")
    elif first_use < date(1993, 5, 13):
        assert has_note(r, "Pub 946 Table A-7 (31.5-year")
        assert has_note(r, "ended in") == (rate == "0")


@pytest.mark.parametrize(
    ("year", "rate", "improvement_depreciation", "line_42"),
    [(2024, "1.605", "19.26", "532.06"), (2025, "2.564", "30.77", "543.57")],
)
def test_improvement_after_business_use_began(
    year, rate, improvement_depreciation, line_42
) -> None:
    improvements = (
        Improvement("Kitchen before business use", D("30000"), date(2019, 1, 5)),
        Improvement("New roof", D("12000"), date(2024, 5, 10)),
    )
    depreciation = Depreciation(
        cost_basis=OWNER.cost_basis,
        land_value=OWNER.land_value,
        fmv_at_first_business_use=OWNER.fmv_at_first_business_use,
        first_business_use=date(2020, 3, 1),
        improvements=improvements,
    )
    r = compute_form(regular(year=year, depreciation=depreciation))
    [row] = r.improvement_statement
    assert row.description == "New roof"
    assert row.business_basis == D("1200.00")
    assert row.rate == D(rate)
    assert row.depreciation == D(improvement_depreciation)
    assert r.line_41_depreciation_percentage == D("2.564")
    assert r.line_42_depreciation_allowable == D(line_42)  # 512.80 + the roof
    assert has_note(r, "See attached statement")


def test_renter_has_no_part_iii() -> None:
    r = compute_form(regular(expenses=Expenses(rent=Columns(indirect=D("12000")))))
    lines = r.as_output_lines()
    assert [lines[str(n)] for n in range(37, 43)] == [None] * 6
    assert lines["30"] == "0.00"
    assert lines["19b"] == "12000.00"
    assert lines["36"] == "1200.00"
    assert r.depreciation_allowable == D("0")


# --- §5/§6 simplified method -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("monthly", "line_2", "line_4"),
    [
        # 420 sq ft from July 20: July has fewer than 15 days, Aug-Dec capped at 300.
        ((0,) * 7 + (420,) * 5, "125.00", "625.00"),
        # 100 sq ft from April 20 (April < 15 days), raised to 330 on August 5.
        ((0,) * 4 + (100,) * 3 + (330,) * 5, "150.00", "750.00"),
    ],
)
def test_simplified_pub587_examples(monthly, line_2, line_4) -> None:
    r = compute_form(simplified(simplified_monthly_areas=tuple(D(m) for m in monthly)))
    ws = r.simplified_worksheet
    assert ws.line_2_allowable_square_footage == D(line_2)
    assert ws.line_3a_rate == D("5")
    assert ws.line_3b_daycare_fraction == D("1")
    assert ws.line_3c_rate_times_fraction == D("5.00")
    assert ws.line_4_deduction_before_limit == D(line_4)
    assert ws.line_5_allowable_deduction == D(line_4)
    assert r.schedule_c_line_30 == D(line_4)
    assert r.as_output_lines() is None
    assert r.line_27_allowable_operating_expenses is None


@pytest.mark.parametrize(
    ("areas", "exclusive_300_plus", "line_3b", "line_3c", "line_4"),
    [
        (Areas(D("2000"), D("0"), D("200")), False, "0.3425", "1.71", "342.00"),
        (Areas(D("2000"), D("300"), D("200")), True, "1", "5.00", "1000.00"),
        # project rule: exclusive share .3333 + .6667 x .3425 = .56164475 -> .5616
        (Areas(D("2000"), D("100"), D("200")), False, "0.5616", "2.81", "562.00"),
    ],
)
def test_simplified_daycare_line_3b(areas, exclusive_300_plus, line_3b, line_3c, line_4) -> None:
    r = compute_form(
        simplified(
            year=2023,
            areas=areas,
            daycare=Daycare(hours_used=D("3000")),
            daycare_exclusive_300_plus=exclusive_300_plus,
            simplified_monthly_areas=(D("200"),) * 12,
        )
    )
    ws = r.simplified_worksheet
    assert ws.line_3b_daycare_fraction == D(line_3b)
    assert ws.line_3c_rate_times_fraction == D(line_3c)
    assert ws.line_4_deduction_before_limit == D(line_4)


def test_simplified_year_keeps_carryovers_untouched() -> None:
    r = compute_form(
        simplified(
            carryover_operating_in=D("600"),
            carryover_casualty_depreciation_in=D("512.80"),
            depreciation=OWNER,
            simplified_monthly_areas=(D("200"),) * 12,
        )
    )
    assert r.simplified_output() == {
        "1": "10000.00",
        "2": "200.00",
        "3a": "5.00",
        "3b": "1.0000",
        "3c": "5.00",
        "4": "1000.00",
        "5": "1000.00",
        "6a": "600.00",
        "6b": "512.80",
    }
    assert r.carryover_operating_out == D("600")
    assert r.carryover_casualty_depreciation_out == D("512.80")
    assert r.depreciation_allowable == D("0")
    assert r.depreciation_allowed == D("0")


@pytest.mark.parametrize(("income", "line_5"), [("300", "300.00"), ("-500", "0.00")])
def test_simplified_line_5_between_zero_and_line_1(income, line_5) -> None:
    r = compute_form(
        simplified(gross_income_limit=D(income), simplified_monthly_areas=(D("200"),) * 12)
    )
    assert r.simplified_worksheet.line_5_allowable_deduction == D(line_5)
    assert has_note(r, "not carried over")


def test_simplified_without_monthly_areas_uses_the_year_area() -> None:
    r = compute_form(simplified(areas=Areas(D("2000"), D("350"))))
    assert r.simplified_worksheet.line_2_allowable_square_footage == D("300.00")
    assert has_note(r, "Project rule")


# --- output ------------------------------------------------------------------------------------

OUTPUT_KEYS = (
    [str(n) for n in range(1, 9)]
    + [f"{n}{c}" for n in range(9, 13) for c in "ab"]
    + ["13", "14", "15"]
    + [f"{n}{c}" for n in range(16, 24) for c in "ab"]
    + [str(n) for n in range(24, 45)]
)


def test_output_lines_keys_and_formats() -> None:
    r = compute_form(
        regular(
            areas=Areas(total=D("100"), exclusive=D("8")),
            depreciation=Depreciation(
                cost_basis=D("125000"),
                land_value=D("10000"),
                fmv_at_first_business_use=D("130000"),
                first_business_use=date(2024, 5, 10),
            ),
        )
    )
    lines = r.as_output_lines()
    assert list(lines) == OUTPUT_KEYS
    assert (lines["1"], lines["2"], lines["3"], lines["7"]) == ("8.00", "100.00", "8.00", "8.00")
    assert (lines["41"], lines["42"], lines["8"]) == ("1.605", "147.66", "100000.00")
    whole = r.as_output_lines(whole_dollars=True)
    assert (whole["41"], whole["42"], whole["7"], whole["1"]) == ("1.605", "148", "8.00", "8.00")
    out = r.as_output()
    assert (out["year"], out["home"], out["method"]) == (2024, "12 Elm St", "regular")
    assert out["schedule_c_line_30"] == lines["36"]
    assert out["simplified_worksheet"] is None


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"method": "actual"}, "method must be one of regular, simplified"),
        ({"taxpayer": Taxpayer("married", True)}, "filing_status must be one of"),
        ({"expenses": Expenses(utilities=Columns(indirect=D("-1")))}, "utilities.indirect"),
        ({"expenses": Expenses(mortgage_interest=1.5)}, "must be a Decimal, not float"),
        ({"areas": Areas(D("0"), D("0"))}, "line 2"),
        ({"areas": Areas(D("100"), D("80"), D("30"))}, "cannot exceed the total area"),
        ({"areas": Areas(D("100"), D("0"), D("30"))}, "daycare hours (line 4) are required"),
        (
            {"areas": Areas(D("100"), D("0"), D("30")), "daycare": Daycare(D("9000"))},
            "cannot exceed the hours available",
        ),
        ({"simplified_monthly_areas": (D("1"),) * 11}, "needs 12 values"),
        (
            {"depreciation": Depreciation(D("100"), D("200"), D("300"), date(2020, 1, 1))},
            "land_value",
        ),
        (
            {"depreciation": Depreciation(D("300"), D("100"), D("300"), date(2025, 1, 1))},
            "after tax year 2024",
        ),
        (
            {
                "depreciation": Depreciation(
                    D("300"), D("100"), D("300"), date(2020, 1, 1), date(2023, 6, 1)
                )
            },
            "business_use_end",
        ),
    ],
)
def test_bad_input_is_named(overrides, message) -> None:
    with pytest.raises(InvalidInputError) as caught:
        compute_form(regular(**overrides))
    assert message in str(caught.value)
