"""Form 8829 for the harder cases (docs/tax-rules.md), table-driven against the engine's entry
point, each example's arithmetic written out by hand from the IRS text it cites."""

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

TEN_PERCENT = Areas(total=D("2000"), exclusive=D("200"))
OWNER = Depreciation(
    cost_basis=D("250000"),
    land_value=D("50000"),
    fmv_at_first_business_use=D("300000"),
    first_business_use=date(2019, 3, 10),
)


def taxpayer(**fields) -> Taxpayer:
    return Taxpayer(**{"filing_status": "single", "itemizes": True, **fields})


def regular(**overrides) -> HomeYearInput:
    fields = {
        "year": 2024,
        "home_name": "12 Elm St",
        "method": "regular",
        "taxpayer": taxpayer(),
        "areas": TEN_PERCENT,
        "gross_income_limit": D("100000"),
    }
    fields.update(overrides)
    return HomeYearInput(**fields)


def has_note(result, text: str) -> bool:
    return any(text in note for note in result.notes)


# --- Line 11 Worksheet: used above $10,000 ($5,000 MFS), whole-year lines 2 and 3 (i8829) ------


@pytest.mark.parametrize(
    ("case", "fields", "ws", "line_11", "line_17"),
    [
        pytest.param(
            # Home used half the year: this form's taxes 2,000 of 4,000 paid in the year; state
            # tax 7,000. WS5 = 7,000 + 4,000 = 11,000 > 10,000 (with the period's 2,000 it would
            # be 9,000 and the business part would escape the cap on line 11(b)).
            # WS6 = 10% x 2,000 = 200; WS7 = 10,800; WS9 = max(0, 10,000 - 10,800) = 0;
            # WS10 = 0 -> 11(a); WS11 = 200 -> 17(a).
            "part-year",
            {
                "taxpayer": taxpayer(state_local_income_or_sales_tax=D("7000")),
                "expenses": Expenses(real_estate_taxes=Columns(indirect=D("2000"))),
                "real_estate_taxes_paid_in_year": D("4000"),
            },
            ("7000.00", "4000.00", "0.00", "11000.00", "200.00", "10000.00", "0.00"),
            ("0.00", "0.00"),
            ("200.00", "0.00"),
            id="part-year-whole-year-line-2",
        ),
        pytest.param(
            # The user's other home paid 5,000 and 300 more is typed in: WS3 = 5,300.
            # WS5 = 0 + 6,000 + 5,300 = 11,300; WS6 = 600; WS7 = 10,700; WS9 = 0 -> 0 / 600.
            "other-homes",
            {
                "taxpayer": taxpayer(other_real_estate_taxes=D("300")),
                "expenses": Expenses(real_estate_taxes=Columns(indirect=D("6000"))),
                "other_homes_real_estate_taxes": D("5000"),
            },
            ("0.00", "6000.00", "5300.00", "11300.00", "600.00", "10000.00", "0.00"),
            ("0.00", "0.00"),
            ("600.00", "0.00"),
            id="other-homes-on-line-3",
        ),
        pytest.param(
            # 2025, no MAGI: cap 40,000, yet 25,000 + 8,500 = 33,500 > 10,000 uses the worksheet
            # (2025 i8829 line 11). WS6 = 850; WS7 = 32,650; WS9 = 7,350; WS10 = 850 -> 11(a),
            # line 11(b) empty.
            "2025",
            {
                "year": 2025,
                "taxpayer": taxpayer(state_local_income_or_sales_tax=D("25000")),
                "expenses": Expenses(real_estate_taxes=Columns(indirect=D("8500"))),
            },
            ("25000.00", "8500.00", "0.00", "33500.00", "850.00", "40000.00", "7350.00"),
            ("850.00", "0.00"),
            ("0.00", "0.00"),
            id="2025-above-10000-below-the-cap",
        ),
        pytest.param(
            # MFS 2024: 3,000 + 2,500 = 5,500 > 5,000; cap 10,000 / 2 = 5,000. WS6 = 250;
            # WS7 = 5,250; WS9 = 0 -> 0 / 250.
            "mfs",
            {
                "taxpayer": taxpayer(
                    filing_status="married_separate", state_local_income_or_sales_tax=D("3000")
                ),
                "expenses": Expenses(real_estate_taxes=Columns(indirect=D("2500"))),
            },
            ("3000.00", "2500.00", "0.00", "5500.00", "250.00", "5000.00", "0.00"),
            ("0.00", "0.00"),
            ("250.00", "0.00"),
            id="mfs-above-5000",
        ),
    ],
)
def test_line_11_worksheet(case, fields, ws, line_11, line_17) -> None:
    r = compute_form(regular(**fields))
    w = r.line_11_worksheet
    assert w is not None
    got = (
        w.line_1_state_local_income_or_sales_tax,
        w.line_2_real_estate_taxes_this_home,
        w.line_3_other_real_estate_taxes,
        w.line_5_total_taxes,
        w.line_6_business_part_of_line_2,
        w.line_8_salt_cap,
        w.line_9_cap_left_for_business_part,
    )
    assert got == tuple(D(x) for x in ws)
    assert r.line_11_real_estate_taxes == Columns(*(D(x) for x in line_11))
    assert r.line_17_excess_real_estate_taxes == Columns(*(D(x) for x in line_17))
    assert has_note(r, "line 11(b) left empty (i8829 line 11)")
    if case in ("part-year", "other-homes"):
        assert has_note(r, "whole-year amounts")


def test_worksheet_not_used_at_10000_exactly() -> None:
    r = compute_form(
        regular(
            taxpayer=taxpayer(state_local_income_or_sales_tax=D("6000")),
            expenses=Expenses(real_estate_taxes=Columns(indirect=D("4000"))),
        )
    )
    assert r.line_11_worksheet is None
    assert r.line_11_real_estate_taxes == Columns(D("0"), D("4000"))


# --- MAGI in the phase-down band must be final (project rule) ----------------------------------


@pytest.mark.parametrize(
    ("year", "status", "magi", "noted"),
    [
        (2025, "single", D("550000"), True),  # 500,000 < 550,000 < 600,000
        (2025, "single", D("500000"), True),  # the threshold itself: the next dollar counts
        (2025, "single", D("600001"), False),  # floor reached
        (2025, "single", D("450000"), False),
        (2025, "married_separate", D("300000"), True),  # 250,000 to 350,000
        (2026, "married_joint", D("520000"), True),  # 505,000 to 606,333.33
        (2024, "single", D("550000"), False),  # no phase-down before 2025
    ],
)
def test_magi_in_the_phase_down_band_must_be_final(year, status, magi, noted) -> None:
    r = compute_form(regular(year=year, taxpayer=taxpayer(filing_status=status, modified_agi=magi)))
    assert has_note(r, "it must be your final MAGI") is noted
    assert r.magi_must_be_final is noted


# --- Schedule A mortgage interest limit: a fraction of ALL interest paid (Pub 936) -------------


@pytest.mark.parametrize(
    ("interest", "paid_in_year", "limit", "line_10b", "line_16b"),
    [
        # Part-year: 5,000 of the 10,000 paid in the year; 8,000 deductible = 80% ->
        # 10(b) 4,000, 16(b) 1,000 (a whole-year limit against the part would give 5,000 / 0).
        ("5000", "10000", "8000", "4000.00", "1000.00"),
        # Full year: the fraction x all of it is the limit itself.
        ("10000", None, "8000", "8000.00", "2000.00"),
        ("10000", "10000", "12000", "10000.00", "0.00"),
        # 3,333.33 x 7,000 / 10,000 = 2,333.331 -> 2,333.33; the rest 1,000.00.
        ("3333.33", "10000", "7000", "2333.33", "1000.00"),
        ("5000", "10000", None, "5000.00", "0.00"),
    ],
)
def test_schedule_a_limit_is_a_fraction(interest, paid_in_year, limit, line_10b, line_16b) -> None:
    r = compute_form(
        regular(
            expenses=Expenses(mortgage_interest=D(interest)),
            mortgage_interest_paid_in_year=None if paid_in_year is None else D(paid_in_year),
            mortgage_interest_schedule_a_limit=None if limit is None else D(limit),
        )
    )
    assert r.line_10_deductible_mortgage_interest == Columns(D("0"), D(line_10b))
    assert r.line_16_excess_mortgage_interest == Columns(D("0"), D(line_16b))


# --- Mortgage insurance premiums phase out with AGI (Schedule A instructions) -----------------


@pytest.mark.parametrize(
    ("year", "status", "agi", "line_10b", "line_16b", "note"),
    [
        # 2026, AGI 104,500: 4,500 over = 5 steps of 1,000 or part of one -> 50% of 1,200.
        (2026, "single", D("104500"), "10600.00", "600.00", "phase out with AGI"),
        (2026, "single", D("109001"), "10000.00", "1200.00", "phase out with AGI"),  # 10 steps
        (2026, "single", D("109000"), "10120.00", "1080.00", "phase out with AGI"),  # 9 steps
        (2021, "single", D("100000"), "11200.00", "0.00", "counted as mortgage interest"),
        # MFS: 2,100 over 50,000 = 5 steps of 500 (4.2, part of one) -> 50%.
        (2021, "married_separate", D("52100"), "10600.00", "600.00", "phase out with AGI"),
        (2026, "single", None, "11200.00", "0.00", "No AGI given"),
        (2023, "single", D("104500"), "10000.00", "0.00", "not deductible in 2023"),
    ],
)
def test_mortgage_insurance_phase_out(year, status, agi, line_10b, line_16b, note) -> None:
    r = compute_form(
        regular(
            year=year,
            taxpayer=taxpayer(filing_status=status, adjusted_gross_income=agi),
            expenses=Expenses(mortgage_interest=D("10000"), mortgage_insurance=D("1200")),
        )
    )
    assert r.line_10_deductible_mortgage_interest.indirect == D(line_10b)
    assert r.line_16_excess_mortgage_interest.indirect == D(line_16b)
    assert has_note(r, note)


def test_standard_deduction_puts_all_premiums_on_line_16b() -> None:
    r = compute_form(
        regular(
            year=2026,
            taxpayer=taxpayer(itemizes=False, adjusted_gross_income=D("104500")),
            expenses=Expenses(mortgage_interest=D("10000"), mortgage_insurance=D("1200")),
        )
    )
    assert r.line_10_deductible_mortgage_interest.indirect == D("0")
    assert r.line_16_excess_mortgage_interest.indirect == D("11200.00")


# --- Net qualified disaster loss: standard-deduction filers keep casualty on line 9 -----------


@pytest.mark.parametrize(
    ("disaster", "line_9b", "line_14", "line_29"),
    [
        (True, "1000.00", "100.00", "0.00"),  # line 13 = 10% x 1,000
        (False, "0.00", "0.00", "100.00"),  # the business part goes on line 29 instead
    ],
)
def test_net_qualified_disaster_loss(disaster, line_9b, line_14, line_29) -> None:
    r = compute_form(
        regular(
            taxpayer=taxpayer(itemizes=False, net_qualified_disaster_loss=disaster),
            casualty_losses=Columns(indirect=D("1000")),
        )
    )
    assert r.line_9_casualty_losses.indirect == D(line_9b)
    assert r.line_14_line_12a_plus_line_13 == D(line_14)
    assert r.line_29_excess_casualty_losses == D(line_29)
    assert r.line_35_casualty_loss_portion == D("100.00")


# --- Casualty losses carried on line 31: casualty first, depreciation last (Pub 587) ----------


def test_casualty_carried_in_is_allowed_before_depreciation() -> None:
    # Line 31 = 1,512.80, of it 1,000 casualty; line 30 = 512.80 (20,000 x 2.564%); line 28 =
    # 1,200. Line 32 = 2,025.60; line 33 = 1,200: casualty 1,000 first, then 200 depreciation.
    # Line 35 = 0 + 1,000; line 36 = line 34 - line 35 = 1,200 - 1,000 = 200.
    # Line 44 = 825.60, all depreciation.
    r = compute_form(
        regular(
            gross_income_limit=D("1200"),
            depreciation=OWNER,
            carryover_casualty_depreciation_in=D("1512.80"),
            carryover_casualty_in=D("1000"),
        )
    )
    assert r.line_33_allowable_casualty_and_depreciation == D("1200.00")
    assert (r.casualty_allowed, r.depreciation_allowed) == (D("1000.00"), D("200.00"))
    assert r.line_35_casualty_loss_portion == D("1000.00")
    assert r.line_36_allowable_expenses == D("200.00")
    assert r.line_44_casualty_depreciation_carryover == D("825.60")
    assert r.carryover_casualty_out == D("0.00")
    assert r.as_output()["casualty_and_depreciation"] == {
        "carryover_in": {"casualty": "1000.00", "depreciation": "512.80"},
        "allowed": {"casualty": "1000.00", "depreciation": "200.00"},
        "carryover_out": {"casualty": "0.00", "depreciation": "825.60"},
    }


def test_casualty_part_of_line_44_is_kept_apart() -> None:
    # Line 29 = 1,000, line 30 = 512.80, line 28 = 300: line 33 = 300, all casualty; line 44 =
    # 1,212.80 = 700 casualty + 512.80 depreciation.
    r = compute_form(
        regular(gross_income_limit=D("300"), excess_casualty_losses=D("1000"), depreciation=OWNER)
    )
    assert (r.casualty_allowed, r.depreciation_allowed) == (D("300.00"), D("0.00"))
    assert r.line_44_casualty_depreciation_carryover == D("1212.80")
    assert r.carryover_casualty_out == D("700.00")
    assert has_note(r, "Line 44 carries 700.00 of casualty losses")


def test_simplified_year_keeps_the_parts() -> None:
    r = compute_form(
        regular(
            method="simplified",
            carryover_casualty_depreciation_in=D("900"),
            carryover_casualty_in=D("400"),
        )
    )
    assert r.carryover_casualty_out == D("400.00")
    assert r.as_output()["casualty_and_depreciation"]["carryover_out"] == {
        "casualty": "400.00",
        "depreciation": "500.00",
    }


# --- Land at its FMV when lower (i8829 line 38) -----------------------------------------------


@pytest.mark.parametrize(
    ("land_fmv", "line_38", "line_42"),
    [
        # 250,000 - 40,000 = 210,000 x 10% = 21,000 x 2.564% = 538.44.
        (D("40000"), "40000.00", "538.44"),
        (D("60000"), "50000.00", "512.80"),  # the basis is lower: kept
        (None, "50000.00", "512.80"),
    ],
)
def test_land_fmv_when_lower(land_fmv, line_38, line_42) -> None:
    dep = Depreciation(
        cost_basis=OWNER.cost_basis,
        land_value=OWNER.land_value,
        fmv_at_first_business_use=OWNER.fmv_at_first_business_use,
        first_business_use=OWNER.first_business_use,
        land_fmv=land_fmv,
    )
    r = compute_form(regular(depreciation=dep))
    assert r.line_38_land_value == D(line_38)
    assert r.line_42_depreciation_allowable == D(line_42)


# --- Business use that stops and starts again: a new placing in service -----------------------


def test_restart_in_the_same_year() -> None:
    # First placing in service 2019-03-10 stops 2024-03-15: recovery year 6, 2.564 x (3 - 0.5)
    # / 12 = 0.534166 -> 0.534; 20,000 x 0.534% = 106.80.
    # Restart 2024-09-01: adjusted basis 240,000 < FMV 260,000; land 50,000 -> 190,000 x 10% =
    # 19,000 x 0.749% (September, year 1) = 142.31. Line 42 = 142.31 + 106.80 = 249.11.
    # A 6,000 window placed in service in the gap (June) is in the restart's adjusted basis.
    first = Depreciation(
        cost_basis=OWNER.cost_basis,
        land_value=OWNER.land_value,
        fmv_at_first_business_use=OWNER.fmv_at_first_business_use,
        first_business_use=date(2019, 3, 10),
        business_use_end=date(2024, 3, 15),
        improvements=(Improvement("Window", D("6000"), date(2024, 6, 1)),),
    )
    restart = Depreciation(
        cost_basis=D("240000"),
        land_value=D("50000"),
        fmv_at_first_business_use=D("260000"),
        first_business_use=date(2024, 9, 1),
        improvements=(Improvement("Window", D("6000"), date(2024, 6, 1)),),
        restart=True,
    )
    r = compute_form(regular(depreciation=restart, earlier_placements=(first,)))
    assert (r.line_37_smaller_of_basis_or_fmv, r.line_38_land_value) == (D("240000"), D("50000"))
    assert r.line_40_business_basis == D("19000.00")
    assert r.line_41_depreciation_percentage == D("0.749")
    assert [p.depreciation for p in r.placements] == [D("106.80"), D("142.31")]
    assert r.placements[0].line_41 == D("0.534")
    assert r.line_42_depreciation_allowable == D("249.11")
    assert r.improvement_statement == ()
    assert has_note(r, "Business use started again on 2024-09-01")
    assert has_note(r, "earlier placing in service this year")


def test_restart_of_an_old_home_uses_table_a7a() -> None:
    # First used in 1990 (Table A-7), restarted in May 2024: the restart is placed in service
    # after May 12, 1993, so Table A-7a, May, year 1: 1.605%. 200,000 x 10% x 1.605% = 321.00.
    restart = Depreciation(
        cost_basis=D("250000"),
        land_value=D("50000"),
        fmv_at_first_business_use=D("300000"),
        first_business_use=date(2024, 5, 20),
        restart=True,
    )
    r = compute_form(regular(depreciation=restart))
    assert r.line_41_depreciation_percentage == D("1.605")
    assert r.line_42_depreciation_allowable == D("321.00")


# --- Direct bills of a daycare area not used exclusively (Pub 587) ---------------------------


def test_daycare_area_direct_bills_are_multiplied_by_line_6() -> None:
    # 200 sq ft exclusive + 400 sq ft daycare of 2,000; 4,380 of 8,760 hours -> line 6 = .5;
    # line 7 = 10% + 20% x .5 = 20%. Painting the office 100 (in full) + the daycare room 300
    # x .5 = 150 -> line 20(a) = 250.
    r = compute_form(
        regular(
            year=2023,
            areas=Areas(total=D("2000"), exclusive=D("200"), daycare=D("400")),
            daycare=Daycare(hours_used=D("4380")),
            expenses=Expenses(repairs=Columns(direct=D("100"))),
            daycare_direct=Expenses(repairs=Columns(direct=D("300"))),
        )
    )
    assert r.line_7_business_percentage == D("20.00")
    assert r.line_20_repairs_and_maintenance.direct == D("250.00")
    assert has_note(r, "multiplied by line 6 (0.5000)")


def test_daycare_direct_without_a_daycare_area_counts_in_full() -> None:
    r = compute_form(regular(daycare_direct=Expenses(repairs=Columns(direct=D("300")))))
    assert r.line_20_repairs_and_maintenance.direct == D("300.00")
    assert has_note(r, "no area is used for daycare")


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"carryover_casualty_depreciation_in": D("100"), "carryover_casualty_in": D("200")},
            "cannot exceed carryover_casualty_depreciation_in",
        ),
        (
            {
                "expenses": Expenses(mortgage_interest=D("500")),
                "mortgage_interest_paid_in_year": D("400"),
            },
            "cannot be less than the mortgage interest",
        ),
        ({"daycare_direct": Expenses(mortgage_interest=D("1"))}, "never direct"),
        (
            {
                "depreciation": OWNER,
                "earlier_placements": (OWNER,),
            },
            "earlier_placements[0].business_use_end",
        ),
        ({"earlier_placements": (OWNER,)}, "need the current placing in service"),
    ],
)
def test_bad_input_is_named(overrides, message) -> None:
    with pytest.raises(InvalidInputError) as caught:
        compute_form(regular(**overrides))
    assert message in str(caught.value)


# --- Homes first used for business before May 13, 1993 (Pub 946 Table A-7) ------------------


def test_table_a7_stop_year_and_improvements() -> None:
    # First used March 1990: 2018 is recovery year 29 (odd: March 3.174). Stopped June 15:
    # 3.174 x (6 - 0.5) / 12 = 1.45475 -> 1.455; 20,000 x 1.455% = 291.00.
    # A 10,000 addition placed in service July 1992 (also Table A-7): business basis 1,000,
    # recovery year 27 (odd: July 3.174), stopped June 15: 3.174 x 5.5 / 12 -> 1.455 -> 14.55.
    dep = Depreciation(
        cost_basis=OWNER.cost_basis,
        land_value=OWNER.land_value,
        fmv_at_first_business_use=OWNER.fmv_at_first_business_use,
        first_business_use=date(1990, 3, 1),
        business_use_end=date(2018, 6, 15),
        improvements=(Improvement("Addition", D("10000"), date(1992, 7, 1)),),
    )
    r = compute_form(regular(year=2018, depreciation=dep))
    assert r.line_41_depreciation_percentage == D("1.455")
    [row] = r.improvement_statement
    assert (row.recovery_year, row.rate, row.depreciation) == (27, D("1.455"), D("14.55"))
    assert r.line_42_depreciation_allowable == D("305.55")  # 291.00 + 14.55
    assert has_note(r, "Pub 946 Table A-7 (31.5-year")


def test_an_acrs_home_keeps_its_later_improvements() -> None:
    # First used in 1985 (ACRS: nothing left); a roof placed in service May 2010 (Table A-7a,
    # recovery year 15 in 2024: 2.564%): 12,000 x 10% x 2.564% = 30.77.
    dep = Depreciation(
        cost_basis=OWNER.cost_basis,
        land_value=OWNER.land_value,
        fmv_at_first_business_use=OWNER.fmv_at_first_business_use,
        first_business_use=date(1985, 3, 1),
        improvements=(Improvement("Roof", D("12000"), date(2010, 5, 1)),),
    )
    r = compute_form(regular(depreciation=dep))
    assert r.line_41_depreciation_percentage == D("0")
    assert r.line_42_depreciation_allowable == D("30.77")
    assert has_note(r, "ACRS property (Pub 534)")
