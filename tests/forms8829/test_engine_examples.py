"""The worked examples of docs/tax-rules.md (§8), table-driven against the engine's entry point."""

from datetime import date
from decimal import Decimal as D
from functools import cache

import pytest

from forms8829.engine import (
    Areas,
    Columns,
    Daycare,
    Depreciation,
    Expenses,
    FormResult,
    HomeYearInput,
    Taxpayer,
    compute_form,
)

ITEMIZER = Taxpayer(filing_status="single", itemizes=True)


def regular(**overrides) -> HomeYearInput:
    fields = {
        "year": 2024,
        "home_name": "12 Elm St",
        "method": "regular",
        "taxpayer": ITEMIZER,
        "areas": Areas(total=D("2000"), exclusive=D("200")),
        "gross_income_limit": D("100000"),
    }
    fields.update(overrides)
    return HomeYearInput(**fields)


def value(result: FormResult, path: str):
    obj = result
    for name in path.split("."):
        obj = getattr(obj, name)
    return obj


# Pub 587 deduction limit: 20% business use, line 8 4,000, interest and taxes 3,000
# business part, operating 800 business part, depreciation 1,600.
PUB_587_DEDUCTION_LIMIT = regular(
    areas=Areas(total=D("1000"), exclusive=D("200")),
    gross_income_limit=D("4000"),
    expenses=Expenses(
        mortgage_interest=D("10000"),
        real_estate_taxes=Columns(indirect=D("5000")),
        utilities=Columns(indirect=D("4000")),
    ),
    # 312,012.50 building x 20% = 62,402.50 x 2.564% = 1,600.00
    depreciation=Depreciation(
        cost_basis=D("362012.50"),
        land_value=D("50000"),
        fmv_at_first_business_use=D("400000"),
        first_business_use=date(2020, 1, 15),
    ),
)

DAYCARE_PUB_587 = regular(
    year=2023,
    areas=Areas(total=D("3200"), exclusive=D("0"), daycare=D("1600")),
    daycare=Daycare(hours_used=D("3000")),
    daycare_direct=Expenses(repairs=Columns(direct=D("500"))),  # painting the daycare room
)

EXAMPLES = [
    pytest.param(
        PUB_587_DEDUCTION_LIMIT,
        {
            "line_7_business_percentage": D("20.00"),
            "line_14_line_12a_plus_line_13": D("3000.00"),
            "line_15_income_left_after_line_14": D("1000.00"),
            "line_24_line_23b_times_line_7": D("800.00"),
            "line_27_allowable_operating_expenses": D("800.00"),
            "line_28_limit_on_casualty_and_depreciation": D("200.00"),
            "line_42_depreciation_allowable": D("1600.00"),
            "line_33_allowable_casualty_and_depreciation": D("200.00"),
            "line_36_allowable_expenses": D("4000.00"),
            "line_43_operating_carryover": D("0.00"),
            "line_44_casualty_depreciation_carryover": D("1400.00"),
            "schedule_c_line_30": D("4000.00"),
        },
        id="pub587-deduction-limit",
    ),
    pytest.param(
        # Pub 587 depreciation: business use began in May, 8% of the home, building $115,000.
        regular(
            areas=Areas(total=D("100"), exclusive=D("8")),
            depreciation=Depreciation(
                cost_basis=D("125000"),
                land_value=D("10000"),
                fmv_at_first_business_use=D("130000"),
                first_business_use=date(2024, 5, 10),
            ),
        ),
        {
            "line_7_business_percentage": D("8.00"),
            "line_39_building_basis": D("115000.00"),
            "line_40_business_basis": D("9200.00"),
            "line_41_depreciation_percentage": D("1.605"),
            "line_42_depreciation_allowable": D("147.66"),
        },
        id="pub587-depreciation-may",
    ),
    pytest.param(
        regular(areas=Areas(total=D("1200"), exclusive=D("240"))),
        {"line_3_area_percentage": D("20.00"), "line_7_business_percentage": D("20.00")},
        id="pub587-240-of-1200-sq-ft",
    ),
    pytest.param(
        regular(areas=Areas(total=D("4"), exclusive=D("1"))),
        {"line_3_area_percentage": D("25.00"), "line_7_business_percentage": D("25.00")},
        id="pub587-1-of-4-rooms",
    ),
    pytest.param(
        # i8829: 12 hours x 250 weekdays + 8 hours x 50 Saturdays.
        regular(
            year=2023,
            areas=Areas(total=D("2000"), exclusive=D("0"), daycare=D("400")),
            daycare=Daycare(hours_used=D(12 * 250 + 8 * 50)),
        ),
        {
            "line_4_daycare_hours_used": D("3400"),
            "line_5_daycare_hours_available": D("8760"),
            "line_6_daycare_fraction": D("0.3881"),
            "line_7_business_percentage": D("7.76"),
        },
        id="i8829-daycare-3400-hours",
    ),
    pytest.param(
        DAYCARE_PUB_587,
        {
            "line_1_business_area": D("1600"),
            "line_3_area_percentage": D("50.00"),
            "line_4_daycare_hours_used": D("3000"),
            "line_5_daycare_hours_available": D("8760"),
            "line_6_daycare_fraction": D("0.3425"),
            "line_7_business_percentage": D("17.13"),
            "line_20_repairs_and_maintenance.direct": D("171.25"),
            "line_20_repairs_and_maintenance.indirect": D("0.00"),
        },
        id="pub587-daycare",
    ),
]


@pytest.mark.parametrize(("inp", "expected"), EXAMPLES)
def test_worked_example(inp: HomeYearInput, expected: dict) -> None:
    result = compute_form(inp)
    assert {path: value(result, path) for path in expected} == expected


def test_pub587_daycare_direct_expense_is_171_in_whole_dollars() -> None:
    result = compute_form(DAYCARE_PUB_587)
    assert result.as_output_lines()["20a"] == "171.25"
    assert result.as_output_lines(whole_dollars=True)["20a"] == "171"
    assert any("multiplied by line 6" in note for note in result.notes)


# Three-year chain (docs/tax-rules.md §8): 200 of 2,000 sq ft, itemizer under the SALT cap,
# line 41 = 2.564%.
CHAIN_EXPENSES = Expenses(
    mortgage_interest=D("10000"),
    real_estate_taxes=Columns(indirect=D("4000")),
    insurance=Columns(indirect=D("1000")),
    repairs=Columns(indirect=D("2000")),
    utilities=Columns(indirect=D("3000")),
    other=Columns(direct=D("100")),
)
CHAIN_DEPRECIATION = Depreciation(
    cost_basis=D("250000"),
    land_value=D("50000"),
    fmv_at_first_business_use=D("300000"),
    first_business_use=date(2019, 3, 1),  # an earlier year: years 1-3 below are recovery 4-6
)
# year, L8, L25 in, L31 in, L27, L33, L36, L43, L44
CHAIN_TABLE = [
    (2022, "1500", "0", "0", "100", "0", "1500", "600", "512.80"),
    (2023, "1500", "600", "512.80", "100", "0", "1500", "1200", "1025.60"),
    (2024, "20000", "1200", "1025.60", "1900", "1538.40", "4838.40", "0", "0"),
]


@cache
def chain_results() -> tuple[FormResult, ...]:
    results = []
    operating, casualty_depreciation = D("0"), D("0")
    for year, line_8, *_ in CHAIN_TABLE:
        result = compute_form(
            regular(
                year=year,
                gross_income_limit=D(line_8),
                expenses=CHAIN_EXPENSES,
                depreciation=CHAIN_DEPRECIATION,
                carryover_operating_in=operating,
                carryover_casualty_depreciation_in=casualty_depreciation,
            )
        )
        operating = result.line_43_operating_carryover
        casualty_depreciation = result.line_44_casualty_depreciation_carryover
        results.append(result)
    return tuple(results)


@pytest.mark.parametrize("index", range(len(CHAIN_TABLE)), ids=["year-1", "year-2", "year-3"])
def test_three_year_chain(index: int) -> None:
    _, l8, l25, l31, l27, l33, l36, l43, l44 = CHAIN_TABLE[index]
    r = chain_results()[index]
    got = (
        r.line_8_gross_income_limit,
        r.line_25_operating_carryover_in,
        r.line_31_casualty_depreciation_carryover_in,
        r.line_27_allowable_operating_expenses,
        r.line_33_allowable_casualty_and_depreciation,
        r.line_36_allowable_expenses,
        r.line_43_operating_carryover,
        r.line_44_casualty_depreciation_carryover,
    )
    assert got == tuple(D(x) for x in (l8, l25, l31, l27, l33, l36, l43, l44))
    assert r.line_41_depreciation_percentage == D("2.564")
    assert r.line_42_depreciation_allowable == D("512.80")
