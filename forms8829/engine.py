"""The pure Form 8829 engine: one home, one tax year, in and out as frozen dataclasses.

`compute_form(HomeYearInput) -> FormResult` implements /work/shared/spec/form8829-rules.md line by
line (regular method, Part I-IV) or the Simplified Method Worksheet (Rev. Proc. 2013-13). Every
amount is a `Decimal`; every rounding goes through `forms8829.money`; every year-dependent number
comes from `forms8829.rules`. Choices the IRS leaves open are marked "project rule" in a comment
and in a note of the result. Chaining years (line 43/44 -> next line 25/31) is the caller's job.

Pure Python: this module must not import Django (tests/forms8829/test_engine_is_pure.py).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from forms8829.money import (
    HUNDRED,
    ONE,
    ZERO,
    cents,
    fmt_decimal,
    fmt_money,
    fmt_whole_dollars,
    percent2,
    percent_of,
    quantize,
)
from forms8829.rules import (
    FILING_STATUSES,
    MID_MONTH,
    MONTHS_IN_YEAR,
    TABLE_A7A_YEARS_2_TO_39,
    YearRules,
    rules_for,
    table_a7a_rate,
)

_ZERO_CENTS = cents(ZERO)  # "0.00": results print with 2 decimals even when nothing is due

REGULAR = "regular"
SIMPLIFIED = "simplified"
METHODS = (REGULAR, SIMPLIFIED)


class InvalidInputError(ValueError):
    """An input the form cannot be computed from; the message names the field and the limit."""


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    """One Form 8829 line: column (a) direct and column (b) indirect."""

    direct: Decimal = ZERO
    indirect: Decimal = ZERO


_NO_AMOUNTS = Columns(_ZERO_CENTS, _ZERO_CENTS)


@dataclass(frozen=True)
class Expenses:
    """The home-year's bills after part-year proration, by ledger category.

    Indirect bills with their own business-use percent are already reduced to their business part
    and put in `.direct` by the caller (rules §2 exception). Internet/phone are not here.
    """

    mortgage_interest: Decimal = ZERO  # indirect only (never column (a))
    mortgage_insurance: Decimal = ZERO  # mortgage interest only in the years the table says
    real_estate_taxes: Columns = Columns()
    insurance: Columns = Columns()
    rent: Columns = Columns()
    repairs: Columns = Columns()
    utilities: Columns = Columns()
    other: Columns = Columns()


@dataclass(frozen=True)
class Taxpayer:
    filing_status: str  # single | married_joint | married_separate | head_of_household
    itemizes: bool
    state_local_income_or_sales_tax: Decimal = ZERO  # Line 11 Worksheet line 1
    other_real_estate_taxes: Decimal = ZERO  # worksheet line 3
    personal_property_taxes: Decimal = ZERO  # worksheet line 4
    modified_agi: Decimal | None = None  # 2025+ SALT phase-down (None = no reduction)


@dataclass(frozen=True)
class Areas:
    total: Decimal  # line 2 (square feet, or rooms for the rooms method)
    exclusive: Decimal  # day-weighted area used exclusively and regularly (incl. storage)
    daycare: Decimal = ZERO  # day-weighted area used (not exclusively) for daycare


@dataclass(frozen=True)
class Daycare:
    hours_used: Decimal  # line 4
    hours_available: Decimal | None = None  # line 5 if daycare started/stopped (24 x days)


@dataclass(frozen=True)
class Improvement:
    description: str
    cost: Decimal
    placed_in_service: date


@dataclass(frozen=True)
class Depreciation:
    """Part III inputs; owners only (renters pass None)."""

    cost_basis: Decimal
    land_value: Decimal
    fmv_at_first_business_use: Decimal
    first_business_use: date  # starts recovery year 1 and picks the Table A-7a month column
    business_use_end: date | None = None  # business use stops during THIS year (stop-year rule)
    # All improvements placed in service up to the year end; those placed in service before
    # first_business_use are part of cost_basis and are skipped here.
    improvements: tuple[Improvement, ...] = ()


@dataclass(frozen=True)
class HomeYearInput:
    year: int
    home_name: str
    method: str  # "regular" | "simplified"
    taxpayer: Taxpayer
    areas: Areas
    gross_income_limit: Decimal  # line 8 / simplified worksheet line 1 (may be negative)
    expenses: Expenses = Expenses()
    daycare: Daycare | None = None
    casualty_losses: Columns = Columns()  # line 9
    excess_casualty_losses: Decimal = ZERO  # line 29
    mortgage_interest_schedule_a_limit: Decimal | None = None  # itemizers; excess to line 16(b)
    carryover_operating_in: Decimal = ZERO  # line 25 / simplified 6a
    carryover_casualty_depreciation_in: Decimal = ZERO  # line 31 / simplified 6b
    depreciation: Depreciation | None = None
    internet_business: Decimal = ZERO  # Schedule C, beside the form (already business share)
    phone_business: Decimal = ZERO
    # 12 values: per month the largest area in qualified use (0 if < 15 days); capped and averaged
    simplified_monthly_areas: tuple[Decimal, ...] | None = None
    daycare_exclusive_300_plus: bool = False  # simplified 3b = 1.0: 300+ sq ft only for daycare


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleCOther:
    """Internet and phone business shares: Schedule C amounts beside the form (no line 8 limit)."""

    internet: Decimal = ZERO
    phone: Decimal = ZERO


@dataclass(frozen=True)
class Line11Worksheet:
    """i8829 Line 11 Worksheet, kept when an itemizer's state and local taxes exceed the cap."""

    line_1_state_local_income_or_sales_tax: Decimal
    line_2_real_estate_taxes_this_home: Decimal
    line_3_other_real_estate_taxes: Decimal
    line_4_personal_property_taxes: Decimal
    line_5_total_taxes: Decimal
    line_6_business_part_of_line_2: Decimal
    line_7_taxes_other_than_business_part: Decimal
    line_8_salt_cap: Decimal
    line_9_cap_left_for_business_part: Decimal
    line_10_to_form_line_11a: Decimal
    line_11_to_form_line_17a: Decimal


@dataclass(frozen=True)
class ImprovementDepreciation:
    """One row of the "See attached" statement for improvements made after business use began."""

    description: str
    cost: Decimal
    placed_in_service: date
    business_basis: Decimal  # cost x line 7
    recovery_year: int
    rate: Decimal  # Table A-7a percent from its own month (stop-year rule applied), 3 decimals
    depreciation: Decimal


@dataclass(frozen=True)
class SimplifiedWorksheet:
    """Simplified Method Worksheet (Pub 587 / Schedule C instructions)."""

    line_1_gross_income_limit: Decimal
    line_2_allowable_square_footage: Decimal
    line_3a_rate: Decimal
    line_3b_daycare_fraction: Decimal
    line_3c_rate_times_fraction: Decimal
    line_4_deduction_before_limit: Decimal
    line_5_allowable_deduction: Decimal  # to Schedule C line 30
    line_6a_operating_carryover: Decimal  # from the last Form 8829, untouched
    line_6b_casualty_depreciation_carryover: Decimal  # from the last Form 8829, untouched


@dataclass(frozen=True)
class FormResult:
    """One home's Form 8829 (regular method) or Simplified Method Worksheet for one year.

    For a simplified year every `line_*` field is None and `simplified_worksheet` is set.
    Lines 4-6 are None without daycare; lines 37-42 are None for renters.
    """

    year: int
    home_name: str
    method: str
    schedule_c_line_30: Decimal  # line 36, or simplified worksheet line 5
    schedule_c_other: ScheduleCOther
    carryover_operating_out: Decimal  # line 43; simplified year: the carry-in untouched
    carryover_casualty_depreciation_out: Decimal  # line 44; simplified year: carry-in untouched
    depreciation_allowable: Decimal  # line 42; 0 in a simplified year
    depreciation_allowed: Decimal  # project rule: max(0, line 33 - line 29); 0 when simplified
    notes: tuple[str, ...] = ()
    simplified_worksheet: SimplifiedWorksheet | None = None
    line_11_worksheet: Line11Worksheet | None = None
    improvement_statement: tuple[ImprovementDepreciation, ...] = ()
    # Part I
    line_1_business_area: Decimal | None = None
    line_2_total_area: Decimal | None = None
    line_3_area_percentage: Decimal | None = None
    line_4_daycare_hours_used: Decimal | None = None
    line_5_daycare_hours_available: Decimal | None = None
    line_6_daycare_fraction: Decimal | None = None
    line_7_business_percentage: Decimal | None = None
    # Part II
    line_8_gross_income_limit: Decimal | None = None
    line_9_casualty_losses: Columns | None = None
    line_10_deductible_mortgage_interest: Columns | None = None
    line_11_real_estate_taxes: Columns | None = None
    line_12_total_lines_9_to_11: Columns | None = None
    line_13_line_12b_times_line_7: Decimal | None = None
    line_14_line_12a_plus_line_13: Decimal | None = None
    line_15_income_left_after_line_14: Decimal | None = None
    line_16_excess_mortgage_interest: Columns | None = None
    line_17_excess_real_estate_taxes: Columns | None = None
    line_18_insurance: Columns | None = None
    line_19_rent: Columns | None = None
    line_20_repairs_and_maintenance: Columns | None = None
    line_21_utilities: Columns | None = None
    line_22_other_expenses: Columns | None = None
    line_23_total_lines_16_to_22: Columns | None = None
    line_24_line_23b_times_line_7: Decimal | None = None
    line_25_operating_carryover_in: Decimal | None = None
    line_26_operating_expenses_total: Decimal | None = None
    line_27_allowable_operating_expenses: Decimal | None = None
    line_28_limit_on_casualty_and_depreciation: Decimal | None = None
    line_29_excess_casualty_losses: Decimal | None = None
    line_30_depreciation: Decimal | None = None
    line_31_casualty_depreciation_carryover_in: Decimal | None = None
    line_32_total_lines_29_to_31: Decimal | None = None
    line_33_allowable_casualty_and_depreciation: Decimal | None = None
    line_34_total_lines_14_27_33: Decimal | None = None
    line_35_casualty_loss_portion: Decimal | None = None
    line_36_allowable_expenses: Decimal | None = None
    # Part III (owners only)
    line_37_smaller_of_basis_or_fmv: Decimal | None = None
    line_38_land_value: Decimal | None = None
    line_39_building_basis: Decimal | None = None
    line_40_business_basis: Decimal | None = None
    line_41_depreciation_percentage: Decimal | None = None
    line_42_depreciation_allowable: Decimal | None = None
    # Part IV
    line_43_operating_carryover: Decimal | None = None
    line_44_casualty_depreciation_carryover: Decimal | None = None

    def as_output_lines(self, whole_dollars: bool = False) -> dict[str, str | None] | None:
        """The `lines` object of ledger-format.md §2; None for a simplified year.

        whole_dollars renders each money line half up to whole dollars ("171"); areas, hours,
        percents and line 6 keep their decimals. It is a rendering, not a second computation.
        """
        if self.method != REGULAR:
            return None
        out: dict[str, str | None] = {}
        for key, field_name, column, kind in _FORM_LINES:
            value = getattr(self, field_name)
            if value is not None and column is not None:
                value = getattr(value, column)
            out[key] = _format(value, kind, whole_dollars)
        return out

    def simplified_output(self, whole_dollars: bool = False) -> dict[str, str] | None:
        """The `simplified_worksheet` object of ledger-format.md §2; None for a regular year."""
        ws = self.simplified_worksheet
        if ws is None:
            return None
        return {
            key: _format(getattr(ws, field_name), kind, whole_dollars)
            for key, field_name, kind in _SIMPLIFIED_LINES
        }

    def as_output(self, whole_dollars: bool = False) -> dict:
        """The whole per-home JSON object of ledger-format.md §2 (`form8829 --json`)."""
        money = fmt_whole_dollars if whole_dollars else fmt_money
        return {
            "year": self.year,
            "home": self.home_name,
            "method": self.method,
            "lines": self.as_output_lines(whole_dollars),
            "schedule_c_line_30": money(self.schedule_c_line_30),
            "schedule_c_other": {
                "internet": money(self.schedule_c_other.internet),
                "phone": money(self.schedule_c_other.phone),
            },
            "simplified_worksheet": self.simplified_output(whole_dollars),
            "notes": list(self.notes),
        }


# Output formats (ledger-format.md §2): money and areas 2 decimals, lines 3 and 7 percent with
# 2 decimals, line 6 with 4, line 41 with 3. Hours are printed like areas.
_MONEY, _AREA, _PERCENT, _FRACTION, _RATE, _UNIT_PRICE = (
    "money",
    "area",
    "percent",
    "fraction",
    "rate",
    "unit_price",
)
_PLACES = {_AREA: 2, _PERCENT: 2, _FRACTION: 4, _RATE: 3, _UNIT_PRICE: 2}


def _format(value: Decimal | None, kind: str, whole_dollars: bool) -> str | None:
    if value is None:
        return None
    if kind == _MONEY:
        return fmt_whole_dollars(value) if whole_dollars else fmt_money(value)
    return fmt_decimal(value, _PLACES[kind])


def _two_columns(number: str, field_name: str) -> tuple[tuple[str, str, str | None, str], ...]:
    return (
        (f"{number}a", field_name, "direct", _MONEY),
        (f"{number}b", field_name, "indirect", _MONEY),
    )


# (output key, FormResult field, Columns attribute or None, format)
_FORM_LINES: tuple[tuple[str, str, str | None, str], ...] = (
    ("1", "line_1_business_area", None, _AREA),
    ("2", "line_2_total_area", None, _AREA),
    ("3", "line_3_area_percentage", None, _PERCENT),
    ("4", "line_4_daycare_hours_used", None, _AREA),
    ("5", "line_5_daycare_hours_available", None, _AREA),
    ("6", "line_6_daycare_fraction", None, _FRACTION),
    ("7", "line_7_business_percentage", None, _PERCENT),
    ("8", "line_8_gross_income_limit", None, _MONEY),
    *_two_columns("9", "line_9_casualty_losses"),
    *_two_columns("10", "line_10_deductible_mortgage_interest"),
    *_two_columns("11", "line_11_real_estate_taxes"),
    *_two_columns("12", "line_12_total_lines_9_to_11"),
    ("13", "line_13_line_12b_times_line_7", None, _MONEY),
    ("14", "line_14_line_12a_plus_line_13", None, _MONEY),
    ("15", "line_15_income_left_after_line_14", None, _MONEY),
    *_two_columns("16", "line_16_excess_mortgage_interest"),
    *_two_columns("17", "line_17_excess_real_estate_taxes"),
    *_two_columns("18", "line_18_insurance"),
    *_two_columns("19", "line_19_rent"),
    *_two_columns("20", "line_20_repairs_and_maintenance"),
    *_two_columns("21", "line_21_utilities"),
    *_two_columns("22", "line_22_other_expenses"),
    *_two_columns("23", "line_23_total_lines_16_to_22"),
    ("24", "line_24_line_23b_times_line_7", None, _MONEY),
    ("25", "line_25_operating_carryover_in", None, _MONEY),
    ("26", "line_26_operating_expenses_total", None, _MONEY),
    ("27", "line_27_allowable_operating_expenses", None, _MONEY),
    ("28", "line_28_limit_on_casualty_and_depreciation", None, _MONEY),
    ("29", "line_29_excess_casualty_losses", None, _MONEY),
    ("30", "line_30_depreciation", None, _MONEY),
    ("31", "line_31_casualty_depreciation_carryover_in", None, _MONEY),
    ("32", "line_32_total_lines_29_to_31", None, _MONEY),
    ("33", "line_33_allowable_casualty_and_depreciation", None, _MONEY),
    ("34", "line_34_total_lines_14_27_33", None, _MONEY),
    ("35", "line_35_casualty_loss_portion", None, _MONEY),
    ("36", "line_36_allowable_expenses", None, _MONEY),
    ("37", "line_37_smaller_of_basis_or_fmv", None, _MONEY),
    ("38", "line_38_land_value", None, _MONEY),
    ("39", "line_39_building_basis", None, _MONEY),
    ("40", "line_40_business_basis", None, _MONEY),
    ("41", "line_41_depreciation_percentage", None, _RATE),
    ("42", "line_42_depreciation_allowable", None, _MONEY),
    ("43", "line_43_operating_carryover", None, _MONEY),
    ("44", "line_44_casualty_depreciation_carryover", None, _MONEY),
)

_SIMPLIFIED_LINES = (
    ("1", "line_1_gross_income_limit", _MONEY),
    ("2", "line_2_allowable_square_footage", _AREA),
    ("3a", "line_3a_rate", _UNIT_PRICE),
    ("3b", "line_3b_daycare_fraction", _FRACTION),
    ("3c", "line_3c_rate_times_fraction", _UNIT_PRICE),
    ("4", "line_4_deduction_before_limit", _MONEY),
    ("5", "line_5_allowable_deduction", _MONEY),
    ("6a", "line_6a_operating_carryover", _MONEY),
    ("6b", "line_6b_casualty_depreciation_carryover", _MONEY),
)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def compute_form(inp: HomeYearInput) -> FormResult:
    """Form 8829 (or the simplified worksheet) for one home and one tax year.

    Raises UnsupportedYearError for a year outside the rule table and InvalidInputError (both
    ValueError) for inputs the form cannot be computed from.
    """
    rules = rules_for(inp.year)
    _validate(inp, rules)
    notes: list[str] = []
    schedule_c_other = ScheduleCOther(
        internet=cents(inp.internet_business), phone=cents(inp.phone_business)
    )
    if schedule_c_other.internet or schedule_c_other.phone:
        notes.append(
            "Internet and phone business shares are Schedule C expenses beside Form 8829 "
            "(not Form 8829 lines, not limited by the gross income limit)."
        )
    if inp.method == SIMPLIFIED:
        return _compute_simplified(inp, rules, schedule_c_other, notes)
    return _compute_regular(inp, rules, schedule_c_other, notes)


# --------------------------------------------------------------------------------------------
# Regular method
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PartOne:
    line_1: Decimal
    line_2: Decimal
    line_3: Decimal
    line_4: Decimal | None
    line_5: Decimal | None
    line_6: Decimal | None
    line_7: Decimal
    direct_factor: Decimal | None  # line 6 when all the business area is non-exclusive daycare


def _has_direct_amounts(inp: HomeYearInput) -> bool:
    exp = inp.expenses
    columns = (
        exp.real_estate_taxes,
        exp.insurance,
        exp.rent,
        exp.repairs,
        exp.utilities,
        exp.other,
    )
    return any(c.direct != 0 for c in (*columns, inp.casualty_losses))


def _part_one(inp: HomeYearInput, rules: YearRules, notes: list[str]) -> _PartOne:
    areas = inp.areas
    line_2 = quantize(areas.total, 2)  # L2 total area of home
    exclusive = quantize(areas.exclusive, 2)
    daycare_area = quantize(areas.daycare, 2)
    if inp.daycare is None or daycare_area.is_zero():
        if inp.daycare is not None:
            notes.append(
                "Daycare hours were given but no area is used for daycare; lines 4-6 left blank."
            )
        line_1 = exclusive  # L1 business area
        line_3 = percent2(line_1 / line_2 * HUNDRED)  # L3 line 1 / line 2
        line_7 = line_3  # L7 business percentage (no daycare)
        return _PartOne(line_1, line_2, line_3, None, None, None, line_7, None)

    # With daycare, lines 1-6 describe the daycare area (alone, when there is an exclusive area).
    line_1 = daycare_area  # L1 area used for daycare
    line_3 = percent2(line_1 / line_2 * HUNDRED)  # L3 line 1 / line 2
    line_4 = quantize(inp.daycare.hours_used, 2)  # L4 daycare hours used
    hours_available = inp.daycare.hours_available
    if hours_available is None:
        line_5 = rules.hours_in_year  # L5 full year: 8,760 (8,784 in a leap year)
    else:
        line_5 = quantize(hours_available, 2)  # L5 24 x days available (started/stopped in year)
        notes.append(
            f"Daycare started or stopped during the year: line 5 = {fmt_decimal(line_5, 2)} hours."
        )
    line_6 = quantize(line_4 / line_5, 4)  # L6 line 4 / line 5, 4 decimals
    if exclusive.is_zero():
        line_7 = percent2(line_3 * line_6)  # L7 daycare not used exclusively: line 6 x line 3
        # project rule: every column (a) amount (lines 9, 11, 17-22) is a direct expense of the
        # daycare area, so it is multiplied by line 6 (Pub 587 daycare example).
        if _has_direct_amounts(inp):
            notes.append(
                f"Project rule: all the business area is daycare not used exclusively, so direct "
                f"expenses are multiplied by line 6 ({fmt_decimal(line_6, 4)}) before column (a)."
            )
        return _PartOne(line_1, line_2, line_3, line_4, line_5, line_6, line_7, line_6)

    # i8829 special computation: exclusive part as a percent + the daycare part x line 6.
    exclusive_percent = percent2(exclusive / line_2 * HUNDRED)
    line_7 = percent2(exclusive_percent + line_3 * line_6)  # L7 special computation
    notes.append(
        f"Line 7: See attached computation. Exclusive area {fmt_decimal(exclusive, 2)} / "
        f"{fmt_decimal(line_2, 2)} = {fmt_decimal(exclusive_percent, 2)}%; daycare area "
        f"{fmt_decimal(line_3, 2)}% x line 6 {fmt_decimal(line_6, 4)}; line 7 = "
        f"{fmt_decimal(line_7, 2)}%."
    )
    # project rule: with both kinds of area a direct bill is not tied to one of them, so
    # direct expenses count in full.
    if _has_direct_amounts(inp):
        notes.append(
            "Project rule: with both exclusive and daycare areas, direct expenses are taken in "
            "full (not multiplied by line 6)."
        )
    return _PartOne(line_1, line_2, line_3, line_4, line_5, line_6, line_7, None)


def _line_11_worksheet(
    taxpayer: Taxpayer, tax_direct: Decimal, tax_indirect: Decimal, line_7: Decimal, cap: Decimal
) -> Line11Worksheet:
    ws_1 = cents(taxpayer.state_local_income_or_sales_tax)  # WS1 state/local income or sales tax
    ws_2 = tax_direct + tax_indirect  # WS2 real estate taxes on this home
    ws_3 = cents(taxpayer.other_real_estate_taxes)  # WS3 other real estate taxes
    ws_4 = cents(taxpayer.personal_property_taxes)  # WS4 personal property taxes
    ws_5 = ws_1 + ws_2 + ws_3 + ws_4  # WS5 add lines 1-4
    # WS6 line 2 x Form 8829 line 7; project rule: a direct (column (a)) tax is business in full.
    ws_6 = tax_direct + percent_of(tax_indirect, line_7)
    ws_7 = ws_5 - ws_6  # WS7 line 5 - line 6
    ws_8 = cap  # WS8 SALT cap
    ws_9 = max(_ZERO_CENTS, ws_8 - ws_7)  # WS9 line 8 - line 7, not below 0
    ws_10 = min(ws_6, ws_9)  # WS10 smaller of 6 and 9 -> Form 8829 line 11(a)
    ws_11 = ws_6 - ws_10  # WS11 line 6 - line 10 -> Form 8829 line 17(a)
    return Line11Worksheet(ws_1, ws_2, ws_3, ws_4, ws_5, ws_6, ws_7, ws_8, ws_9, ws_10, ws_11)


@dataclass(frozen=True)
class _PartThree:
    line_37: Decimal
    line_38: Decimal
    line_39: Decimal
    line_40: Decimal
    line_41: Decimal
    line_42: Decimal
    statement: tuple[ImprovementDepreciation, ...]


def _depreciation_rate(year: int, placed: date, stopped: date | None) -> Decimal:
    """Line 41 percent for `year`, 3 decimals: Table A-7a, or the stop-year proration."""
    recovery_year = year - placed.year + 1
    table_rate = table_a7a_rate(recovery_year, placed.month)
    if stopped is None:
        return table_rate
    # Stop year (Pub 946, disposition before the end of the recovery period): full-year rate x
    # months in service / 12, the stop month counted as half.
    if recovery_year == 1:
        # project rule: started and stopped in the same year, both months count as half.
        months = Decimal(stopped.month - placed.month)
    else:
        months = Decimal(stopped.month) - MID_MONTH
    prorated = quantize(TABLE_A7A_YEARS_2_TO_39 * months / MONTHS_IN_YEAR, 3)
    # Never more than the table gives for the year (year 40 is itself a partial year; after 40: 0).
    return min(table_rate, prorated)


def _part_three(inp: HomeYearInput, line_7: Decimal, notes: list[str]) -> _PartThree | None:
    dep = inp.depreciation
    if dep is None:
        return None  # renters: no Part III
    line_37 = cents(min(dep.cost_basis, dep.fmv_at_first_business_use))  # L37 smaller of basis/FMV
    line_38 = cents(dep.land_value)  # L38 land included on line 37
    line_39 = line_37 - line_38  # L39 basis of building
    line_40 = percent_of(line_39, line_7)  # L40 business basis: line 39 x line 7
    stopped = dep.business_use_end
    line_41 = _depreciation_rate(inp.year, dep.first_business_use, stopped)  # L41 percent
    if stopped is not None:
        notes.append(
            f"Business use stopped on {stopped.isoformat()}: line 41 is the full-year rate "
            f"prorated by months in service, the stop month counted as half (Pub 946)."
        )
    home_depreciation = percent_of(line_40, line_41)  # line 40 x printed line 41

    statement = []
    for imp in dep.improvements:
        if imp.placed_in_service < dep.first_business_use:
            continue  # before business use: part of the line 37 basis
        if imp.placed_in_service.year > inp.year:
            continue  # not yet in service
        if stopped is not None and imp.placed_in_service > stopped:
            continue  # placed in service after business use ended: personal
        basis = percent_of(imp.cost, line_7)  # business part of the improvement: cost x line 7
        rate = _depreciation_rate(inp.year, imp.placed_in_service, stopped)
        statement.append(
            ImprovementDepreciation(
                description=imp.description,
                cost=cents(imp.cost),
                placed_in_service=imp.placed_in_service,
                business_basis=basis,
                recovery_year=inp.year - imp.placed_in_service.year + 1,
                rate=rate,
                depreciation=percent_of(basis, rate),
            )
        )
    improvements_total = sum((row.depreciation for row in statement), _ZERO_CENTS)
    line_42 = home_depreciation + improvements_total  # L42 line 40 x line 41 + improvements
    if statement:
        notes.append(
            f"Line 42 includes {fmt_money(improvements_total)} depreciation of improvements placed "
            f"in service after business use began: See attached statement."
        )
    return _PartThree(line_37, line_38, line_39, line_40, line_41, line_42, tuple(statement))


def _compute_regular(
    inp: HomeYearInput, rules: YearRules, schedule_c_other: ScheduleCOther, notes: list[str]
) -> FormResult:
    taxpayer = inp.taxpayer
    exp = inp.expenses

    # Part I: part of your home used for business
    part_one = _part_one(inp, rules, notes)
    line_7 = part_one.line_7
    factor = part_one.direct_factor

    def direct(amount: Decimal) -> Decimal:
        # project rule: x line 6 when all the business area is non-exclusive daycare
        return cents(amount) if factor is None else cents(amount * factor)

    def column(amounts: Columns) -> Columns:
        return Columns(direct=direct(amounts.direct), indirect=cents(amounts.indirect))

    # Part II: allowable deduction
    line_8 = cents(inp.gross_income_limit)  # L8 gross income limit

    # Mortgage interest: never column (a). Insurance premiums count only in the table's years.
    mortgage_insurance = cents(exp.mortgage_insurance)
    if rules.mortgage_insurance_is_interest:
        mortgage_interest = cents(exp.mortgage_interest) + mortgage_insurance
        if mortgage_insurance:
            notes.append(
                f"Mortgage insurance premiums of {fmt_money(mortgage_insurance)} are counted as "
                f"mortgage interest in {inp.year}."
            )
    else:
        mortgage_interest = cents(exp.mortgage_interest)
        if mortgage_insurance:
            notes.append(
                f"Mortgage insurance premiums of {fmt_money(mortgage_insurance)} are not "
                f"deductible in {inp.year} and are left out of Form 8829."
            )

    tax_direct = direct(exp.real_estate_taxes.direct)
    tax_indirect = cents(exp.real_estate_taxes.indirect)
    casualty = column(inp.casualty_losses)
    line_29 = cents(inp.excess_casualty_losses)  # L29 excess casualty losses (input)
    line_11_worksheet = None

    if taxpayer.itemizes:
        limit = inp.mortgage_interest_schedule_a_limit
        # L10(b) deductible mortgage interest, up to the Schedule A limit; the excess -> L16(b).
        # project rule: the limit applies to the interest plus premiums counted as interest.
        line_10b = mortgage_interest if limit is None else min(mortgage_interest, cents(limit))
        line_16b = mortgage_interest - line_10b  # L16(b) excess mortgage interest
        if line_16b:
            notes.append(
                f"Mortgage interest of {fmt_money(line_16b)} above the Schedule A limit goes on "
                f"line 16(b)."
            )
        line_9 = casualty  # L9 casualty losses
        cap = rules.salt_cap_for(taxpayer.filing_status, taxpayer.modified_agi)
        worksheet = _line_11_worksheet(taxpayer, tax_direct, tax_indirect, line_7, cap)
        if worksheet.line_5_total_taxes > cap:
            line_11_worksheet = worksheet
            line_11 = Columns(worksheet.line_10_to_form_line_11a, _ZERO_CENTS)  # L11(a) from WS10
            line_17 = Columns(worksheet.line_11_to_form_line_17a, _ZERO_CENTS)  # L17(a) from WS11
            notes.append(
                f"State and local taxes {fmt_money(worksheet.line_5_total_taxes)} exceed the "
                f"{inp.year} cap of {fmt_money(cap)}: real estate taxes from the Line 11 "
                f"Worksheet (line 11(a) {fmt_money(worksheet.line_10_to_form_line_11a)}, "
                f"line 17(a) {fmt_money(worksheet.line_11_to_form_line_17a)}). See attached."
            )
        else:
            line_11 = Columns(direct=tax_direct, indirect=tax_indirect)  # L11 within the cap
            line_17 = _NO_AMOUNTS  # L17 no excess real estate taxes
    else:
        # Standard deduction: interest -> 16(b), taxes -> 17, casualty losses -> 29.
        line_10b = _ZERO_CENTS
        line_16b = mortgage_interest  # L16(b) all mortgage interest
        line_11 = _NO_AMOUNTS
        line_17 = Columns(direct=tax_direct, indirect=tax_indirect)  # L17 all real estate taxes
        line_9 = _NO_AMOUNTS
        moved = casualty.direct + percent_of(casualty.indirect, line_7)
        line_29 = line_29 + moved  # L29 + business part of the casualty losses
        if moved:
            notes.append(
                f"Standard deduction: casualty losses ({fmt_money(moved)} business part) go on "
                f"line 29 instead of line 9."
            )
    line_10 = Columns(_ZERO_CENTS, line_10b)  # L10 deductible mortgage interest (b only)
    line_12 = Columns(  # L12 lines 9 + 10 + 11, per column
        direct=line_9.direct + line_10.direct + line_11.direct,
        indirect=line_9.indirect + line_10.indirect + line_11.indirect,
    )
    line_13 = percent_of(line_12.indirect, line_7)  # L13 line 12(b) x line 7
    line_14 = line_12.direct + line_13  # L14 line 12(a) + line 13 (never limited by line 8)
    line_15 = max(_ZERO_CENTS, line_8 - line_14)  # L15 line 8 - line 14, not below 0

    line_16 = Columns(_ZERO_CENTS, line_16b)  # L16 excess mortgage interest
    line_18 = column(exp.insurance)  # L18 insurance
    line_19 = column(exp.rent)  # L19 rent
    line_20 = column(exp.repairs)  # L20 repairs and maintenance
    line_21 = column(exp.utilities)  # L21 utilities
    line_22 = column(exp.other)  # L22 other expenses
    lines_16_to_22 = (line_16, line_17, line_18, line_19, line_20, line_21, line_22)
    line_23 = Columns(  # L23 lines 16 through 22, per column
        direct=sum((c.direct for c in lines_16_to_22), _ZERO_CENTS),
        indirect=sum((c.indirect for c in lines_16_to_22), _ZERO_CENTS),
    )
    line_24 = percent_of(line_23.indirect, line_7)  # L24 line 23(b) x line 7
    line_25 = cents(inp.carryover_operating_in)  # L25 prior-year operating carryover (line 43)
    line_26 = line_23.direct + line_24 + line_25  # L26 line 23(a) + 24 + 25
    line_27 = min(line_15, line_26)  # L27 allowable operating expenses
    line_28 = line_15 - line_27  # L28 limit on excess casualty losses and depreciation

    part_three = _part_three(inp, line_7, notes)
    line_30 = (
        _ZERO_CENTS if part_three is None else part_three.line_42
    )  # L30 depreciation from line 42
    line_31 = cents(inp.carryover_casualty_depreciation_in)  # L31 prior-year carryover (line 44)
    line_32 = line_29 + line_30 + line_31  # L32 lines 29 + 30 + 31
    line_33 = min(line_28, line_32)  # L33 allowable excess casualty losses and depreciation
    line_34 = line_14 + line_27 + line_33  # L34 lines 14 + 27 + 33
    # L35 casualty portion (project rule): casualty part of line 14 + min(line 33, line 29).
    casualty_in_line_14 = line_9.direct + percent_of(line_9.indirect, line_7)
    line_35 = casualty_in_line_14 + min(line_33, line_29)
    if line_35:
        notes.append(
            f"Project rule: line 35 = casualty part of line 14 ({fmt_money(casualty_in_line_14)}) "
            f"+ smaller of line 33 and line 29; carry it to Form 4684."
        )
    line_36 = line_34 - line_35  # L36 allowable expenses -> Schedule C line 30

    # Part IV: carryover of unallowed expenses
    line_43 = max(_ZERO_CENTS, line_26 - line_27)  # L43 operating expenses carried to next year
    line_44 = max(_ZERO_CENTS, line_32 - line_33)  # L44 casualty losses and depreciation carried

    # project rule: the depreciation deducted this year is what line 33 allowed beyond line 29.
    depreciation_allowed = max(_ZERO_CENTS, line_33 - line_29)

    return FormResult(
        year=inp.year,
        home_name=inp.home_name,
        method=REGULAR,
        schedule_c_line_30=line_36,
        schedule_c_other=schedule_c_other,
        carryover_operating_out=line_43,
        carryover_casualty_depreciation_out=line_44,
        depreciation_allowable=line_30,
        depreciation_allowed=depreciation_allowed,
        notes=tuple(notes),
        line_11_worksheet=line_11_worksheet,
        improvement_statement=() if part_three is None else part_three.statement,
        line_1_business_area=part_one.line_1,
        line_2_total_area=part_one.line_2,
        line_3_area_percentage=part_one.line_3,
        line_4_daycare_hours_used=part_one.line_4,
        line_5_daycare_hours_available=part_one.line_5,
        line_6_daycare_fraction=part_one.line_6,
        line_7_business_percentage=line_7,
        line_8_gross_income_limit=line_8,
        line_9_casualty_losses=line_9,
        line_10_deductible_mortgage_interest=line_10,
        line_11_real_estate_taxes=line_11,
        line_12_total_lines_9_to_11=line_12,
        line_13_line_12b_times_line_7=line_13,
        line_14_line_12a_plus_line_13=line_14,
        line_15_income_left_after_line_14=line_15,
        line_16_excess_mortgage_interest=line_16,
        line_17_excess_real_estate_taxes=line_17,
        line_18_insurance=line_18,
        line_19_rent=line_19,
        line_20_repairs_and_maintenance=line_20,
        line_21_utilities=line_21,
        line_22_other_expenses=line_22,
        line_23_total_lines_16_to_22=line_23,
        line_24_line_23b_times_line_7=line_24,
        line_25_operating_carryover_in=line_25,
        line_26_operating_expenses_total=line_26,
        line_27_allowable_operating_expenses=line_27,
        line_28_limit_on_casualty_and_depreciation=line_28,
        line_29_excess_casualty_losses=line_29,
        line_30_depreciation=line_30,
        line_31_casualty_depreciation_carryover_in=line_31,
        line_32_total_lines_29_to_31=line_32,
        line_33_allowable_casualty_and_depreciation=line_33,
        line_34_total_lines_14_27_33=line_34,
        line_35_casualty_loss_portion=line_35,
        line_36_allowable_expenses=line_36,
        line_37_smaller_of_basis_or_fmv=None if part_three is None else part_three.line_37,
        line_38_land_value=None if part_three is None else part_three.line_38,
        line_39_building_basis=None if part_three is None else part_three.line_39,
        line_40_business_basis=None if part_three is None else part_three.line_40,
        line_41_depreciation_percentage=None if part_three is None else part_three.line_41,
        line_42_depreciation_allowable=None if part_three is None else part_three.line_42,
        line_43_operating_carryover=line_43,
        line_44_casualty_depreciation_carryover=line_44,
    )


# --------------------------------------------------------------------------------------------
# Simplified method (Rev. Proc. 2013-13)
# --------------------------------------------------------------------------------------------


def _simplified_daycare_fraction(inp: HomeYearInput, rules: YearRules, notes: list[str]) -> Decimal:
    """Worksheet line 3b: 1.0, or the daycare hours fraction for daycare not used exclusively."""
    if inp.daycare_exclusive_300_plus:
        notes.append("300 or more square feet are used exclusively for daycare: line 3b is 1.0.")
        return ONE
    if inp.daycare is None or inp.areas.daycare == 0:
        return ONE
    available = inp.daycare.hours_available
    if available is None:
        available = rules.hours_in_year
    hours_fraction = quantize(inp.daycare.hours_used / available, 4)  # line 6 style, 4 decimals
    exclusive = inp.areas.exclusive
    if exclusive == 0:
        return hours_fraction
    # project rule (Pub 587 Daycare Facility Worksheet): the exclusive share of the business area
    # counts in full, the daycare share at the hours fraction.
    exclusive_share = quantize(exclusive / (exclusive + inp.areas.daycare), 4)
    line_3b = quantize(exclusive_share + (ONE - exclusive_share) * hours_fraction, 4)
    notes.append(
        f"Project rule: line 3b = exclusive share {fmt_decimal(exclusive_share, 4)} + daycare "
        f"share x hours fraction {fmt_decimal(hours_fraction, 4)} = {fmt_decimal(line_3b, 4)}."
    )
    return line_3b


def _compute_simplified(
    inp: HomeYearInput, rules: YearRules, schedule_c_other: ScheduleCOther, notes: list[str]
) -> FormResult:
    monthly = inp.simplified_monthly_areas
    if monthly is None:
        # project rule: without monthly areas every month uses the year's business area.
        monthly = (inp.areas.exclusive + inp.areas.daycare,) * MONTHS_IN_YEAR
        notes.append(
            "Project rule: no monthly areas given; every month uses the year's business area."
        )
    line_1 = cents(inp.gross_income_limit)  # WS1 gross income limit (as line 8)
    capped = [min(area, rules.simplified_max_area) for area in monthly]  # each month <= 300 sq ft
    line_2 = quantize(sum(capped, ZERO) / MONTHS_IN_YEAR, 2)  # WS2 average allowable sq ft
    line_3a = rules.simplified_rate  # WS3a $5 per square foot
    line_3b = _simplified_daycare_fraction(inp, rules, notes)  # WS3b daycare fraction or 1.0
    line_3c = cents(line_3a * line_3b)  # WS3c line 3a x line 3b
    line_4 = cents(line_2 * line_3c)  # WS4 line 2 x line 3c
    line_5 = max(_ZERO_CENTS, min(line_1, line_4))  # WS5 smaller of 1 and 4, not below 0
    line_6a = cents(inp.carryover_operating_in)  # WS6a operating carryover, untouched
    line_6b = cents(inp.carryover_casualty_depreciation_in)  # WS6b casualty/depreciation, untouched

    notes.append(
        "Simplified method: no depreciation this year (the recovery-year count goes on); "
        "mortgage interest and real estate taxes stay on Schedule A in full."
    )
    if line_4 > line_5:
        notes.append(
            f"Simplified method: {fmt_money(line_4 - line_5)} above the gross income limit is "
            f"not deductible and is not carried over."
        )
    if line_6a or line_6b:
        notes.append(
            "Carryovers from the last Form 8829 are shown on lines 6a/6b and kept for the next "
            "regular-method year."
        )
    worksheet = SimplifiedWorksheet(
        line_1_gross_income_limit=line_1,
        line_2_allowable_square_footage=line_2,
        line_3a_rate=line_3a,
        line_3b_daycare_fraction=line_3b,
        line_3c_rate_times_fraction=line_3c,
        line_4_deduction_before_limit=line_4,
        line_5_allowable_deduction=line_5,
        line_6a_operating_carryover=line_6a,
        line_6b_casualty_depreciation_carryover=line_6b,
    )
    return FormResult(
        year=inp.year,
        home_name=inp.home_name,
        method=SIMPLIFIED,
        schedule_c_line_30=line_5,
        schedule_c_other=schedule_c_other,
        carryover_operating_out=line_6a,
        carryover_casualty_depreciation_out=line_6b,
        depreciation_allowable=_ZERO_CENTS,
        depreciation_allowed=_ZERO_CENTS,
        notes=tuple(notes),
        simplified_worksheet=worksheet,
    )


# --------------------------------------------------------------------------------------------
# Input checks: answered in words naming the field and the limit
# --------------------------------------------------------------------------------------------


def _check(name: str, value: object, *, minimum: Decimal | None = ZERO) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidInputError(f"{name} must be a Decimal, not {type(value).__name__}.")
    value = Decimal(value)
    if not value.is_finite():
        raise InvalidInputError(f"{name} must be a finite amount, got {value}.")
    if minimum is not None and value < minimum:
        raise InvalidInputError(f"{name} must be {minimum} or more, got {value}.")
    return value


def _validate(inp: HomeYearInput, rules: YearRules) -> None:
    if inp.method not in METHODS:
        raise InvalidInputError(f"method must be one of {', '.join(METHODS)}, got {inp.method!r}.")
    taxpayer = inp.taxpayer
    if taxpayer.filing_status not in FILING_STATUSES:
        raise InvalidInputError(
            f"filing_status must be one of {', '.join(FILING_STATUSES)}, "
            f"got {taxpayer.filing_status!r}."
        )
    _check("taxpayer.state_local_income_or_sales_tax", taxpayer.state_local_income_or_sales_tax)
    _check("taxpayer.other_real_estate_taxes", taxpayer.other_real_estate_taxes)
    _check("taxpayer.personal_property_taxes", taxpayer.personal_property_taxes)
    if taxpayer.modified_agi is not None:
        _check("taxpayer.modified_agi", taxpayer.modified_agi, minimum=None)

    areas = inp.areas
    total = _check("areas.total", areas.total)
    if total.is_zero():
        raise InvalidInputError("areas.total (line 2) must be more than 0.")
    used = _check("areas.exclusive", areas.exclusive) + _check("areas.daycare", areas.daycare)
    if used > total:
        raise InvalidInputError(
            f"areas.exclusive + areas.daycare ({used}) cannot exceed the total area ({total})."
        )
    if areas.daycare != 0 and inp.daycare is None:
        raise InvalidInputError(
            "daycare hours (line 4) are required when an area is used for daycare."
        )
    if inp.daycare is not None:
        hours_used = _check("daycare.hours_used", inp.daycare.hours_used)
        available = rules.hours_in_year
        if inp.daycare.hours_available is not None:
            available = _check("daycare.hours_available", inp.daycare.hours_available)
            if available.is_zero() or available > rules.hours_in_year:
                raise InvalidInputError(
                    f"daycare.hours_available (line 5) must be more than 0 and at most "
                    f"{rules.hours_in_year} hours in {inp.year}, got {available}."
                )
        if hours_used > available:
            raise InvalidInputError(
                f"daycare.hours_used (line 4) {hours_used} cannot exceed the hours available "
                f"(line 5) {available}."
            )

    _check("gross_income_limit", inp.gross_income_limit, minimum=None)
    exp = inp.expenses
    _check("expenses.mortgage_interest", exp.mortgage_interest)
    _check("expenses.mortgage_insurance", exp.mortgage_insurance)
    for name in ("real_estate_taxes", "insurance", "rent", "repairs", "utilities", "other"):
        cols = getattr(exp, name)
        _check(f"expenses.{name}.direct", cols.direct)
        _check(f"expenses.{name}.indirect", cols.indirect)
    _check("casualty_losses.direct", inp.casualty_losses.direct)
    _check("casualty_losses.indirect", inp.casualty_losses.indirect)
    _check("excess_casualty_losses", inp.excess_casualty_losses)
    if inp.mortgage_interest_schedule_a_limit is not None:
        _check("mortgage_interest_schedule_a_limit", inp.mortgage_interest_schedule_a_limit)
    _check("carryover_operating_in", inp.carryover_operating_in)
    _check("carryover_casualty_depreciation_in", inp.carryover_casualty_depreciation_in)
    _check("internet_business", inp.internet_business)
    _check("phone_business", inp.phone_business)

    monthly = inp.simplified_monthly_areas
    if monthly is not None:
        if len(monthly) != MONTHS_IN_YEAR:
            raise InvalidInputError(
                f"simplified_monthly_areas needs 12 values, got {len(monthly)}."
            )
        for month, area in enumerate(monthly, start=1):
            _check(f"simplified_monthly_areas[{month}]", area)

    dep = inp.depreciation
    if dep is None:
        return
    basis = _check("depreciation.cost_basis", dep.cost_basis)
    fmv = _check("depreciation.fmv_at_first_business_use", dep.fmv_at_first_business_use)
    land = _check("depreciation.land_value", dep.land_value)
    if land > min(basis, fmv):
        raise InvalidInputError(
            f"depreciation.land_value ({land}) cannot exceed line 37, the smaller of the cost "
            f"basis and the fair market value ({min(basis, fmv)})."
        )
    if dep.first_business_use.year > inp.year:
        raise InvalidInputError(
            f"depreciation.first_business_use ({dep.first_business_use.isoformat()}) is after "
            f"tax year {inp.year}."
        )
    end = dep.business_use_end
    if end is not None and (end.year != inp.year or end < dep.first_business_use):
        raise InvalidInputError(
            f"depreciation.business_use_end ({end.isoformat()}) must fall in tax year {inp.year} "
            f"and not before first_business_use ({dep.first_business_use.isoformat()})."
        )
    for i, imp in enumerate(dep.improvements):
        _check(f"depreciation.improvements[{i}].cost", imp.cost)
