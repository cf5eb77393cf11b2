"""The pure Form 8829 engine: one home, one tax year, in and out as frozen dataclasses.

`compute_form(HomeYearInput) -> FormResult` implements Form 8829 and its instructions line by line
(regular method, Parts I-IV) or the Simplified Method Worksheet (Rev. Proc. 2013-13), as
docs/tax-rules.md states the rules, each with the IRS text it comes from. Every
amount is a `Decimal`; every rounding goes through `forms8829.money`; every year-dependent number
comes from `forms8829.rules`. Choices the IRS leaves open are marked "project rule" in a comment
and in a note of the result. Chaining years (line 43/44 -> next line 25/31) is the caller's job.

Pure Python: this module must not import Django (tests/forms8829/test_engine_is_pure.py).
"""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from forms8829.businesses import (
    FORM_8829,
    WORKSHEET,
    BusinessPart,
    BusinessUse,
    form_of,
    problems,
)
from forms8829.money import (
    HUNDRED,
    ONE,
    ZERO,
    allocate,
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
    MARRIED_SEPARATE,
    MID_MONTH,
    MONTHS_IN_YEAR,
    TABLE_A7,
    YearRules,
    recovery_table,
    rules_for,
)
from forms8829.worksheet import worksheet_lines

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
    and put in `.direct` by the caller (docs/tax-rules.md §2, the own-share exception).
    Internet/phone are not here.
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
    # Mortgage insurance premiums phase out with AGI (None = no reduction), in the years they count.
    adjusted_gross_income: Decimal | None = None
    # A standard-deduction filer who increases the standard deduction by a net qualified disaster
    # loss keeps casualty losses on line 9 (i8829, taxpayers claiming the standard deduction).
    net_qualified_disaster_loss: bool = False


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
    """Part III inputs of one placing in service of the home; owners only (renters pass None).

    The first placing in service is the first day of business use; business use that stops and
    starts again is a new placing in service (Treas. Reg. 1.168(i)-4) with its own basis: the
    adjusted basis and FMV on the restart day, and the land's value then.
    """

    cost_basis: Decimal  # cost (first use) or adjusted basis (restart), land included
    land_value: Decimal
    fmv_at_first_business_use: Decimal  # FMV on the day this placing in service began
    first_business_use: date  # starts recovery year 1, picks the table and its month column
    business_use_end: date | None = None  # business use stops during THIS year (stop-year rule)
    # All improvements placed in service up to the year end; those placed in service before
    # first_business_use are part of cost_basis and are skipped here.
    improvements: tuple[Improvement, ...] = ()
    land_fmv: Decimal | None = (
        None  # line 38: the land's FMV on that day, when lower than its basis
    )
    restart: bool = False  # a placing in service after business use stopped and started again


@dataclass(frozen=True)
class HomeYearInput:
    year: int
    home_name: str
    method: str  # "regular" | "simplified"
    taxpayer: Taxpayer
    areas: Areas
    gross_income_limit: Decimal  # line 8 / simplified worksheet line 1 (may be negative)
    expenses: Expenses = Expenses()
    # Direct bills of an office area used (not exclusively) for daycare: multiplied by line 6
    # before column (a) (Pub 587, daycare facility; i8829 line 7). Only the .direct amounts count.
    daycare_direct: Expenses = Expenses()
    daycare: Daycare | None = None
    casualty_losses: Columns = Columns()  # line 9
    excess_casualty_losses: Decimal = ZERO  # line 29
    # Itemizers: the deductible part of ALL the mortgage interest paid on this home in the year
    # (Pub 936); the same fraction of the business-use period's interest goes on line 10(b).
    mortgage_interest_schedule_a_limit: Decimal | None = None
    mortgage_interest_paid_in_year: Decimal | None = None  # all of it (None: expenses' amount)
    # Line 11 Worksheet lines 2 and 3 are whole-year totals: every real estate tax paid on this
    # home in the year (None: the expenses' amounts), and those of the user's other homes.
    real_estate_taxes_paid_in_year: Decimal | None = None
    other_homes_real_estate_taxes: Decimal = ZERO
    carryover_operating_in: Decimal = ZERO  # line 25 / simplified 6a
    carryover_casualty_depreciation_in: Decimal = ZERO  # line 31 / simplified 6b
    carryover_casualty_in: Decimal = ZERO  # the casualty part of line 31 (the rest depreciation)
    depreciation: Depreciation | None = None  # the placing in service on lines 37-41
    # Placings in service of this home that ended earlier this year (business use stopped and
    # started again): each with the stop-year rule, added to line 42 with a statement.
    earlier_placements: tuple[Depreciation, ...] = ()
    internet_business: Decimal = ZERO  # Schedule C, beside the form (already business share)
    phone_business: Decimal = ZERO
    # 12 values: per month the largest area in qualified use (0 if < 15 days); capped and averaged
    simplified_monthly_areas: tuple[Decimal, ...] | None = None
    daycare_exclusive_300_plus: bool = False  # simplified 3b = 1.0: 300+ sq ft only for daycare
    # The businesses that use the home this year (docs/tax-rules.md §6a); none: one Schedule C
    # business. Their kinds pick the form; the deduction is allocated among them. Given, their
    # internet and phone shares add up to internet_business and phone_business.
    businesses: tuple[BusinessUse, ...] = ()
    # Pub 587 worksheet line 11 (farmers, partners): business expenses not from the use of the
    # home; gross_income_limit is then the worksheet's line 4 (gross income), and the limit
    # the tiers use is line 4 less line 11. Form 8829's line 8 is already net of them.
    other_business_expenses: Decimal = ZERO


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
class PlacementDepreciation:
    """The home's own depreciation this year from one placing in service (improvements aside):
    its line 37-41 values. The one on lines 37-41 is the last; one that ended earlier in the year
    (business use stopped and started again) is an attached statement row added to line 42."""

    placed_in_service: date
    business_use_end: date | None  # stopped this year
    restart: bool
    table: str  # the depreciation table, or why there is none
    recovery_year: int
    line_37: Decimal
    line_38: Decimal
    line_39: Decimal
    line_40: Decimal
    line_41: Decimal
    depreciation: Decimal  # line 40 x line 41


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
    # Line 33 allows casualty losses first and depreciation last (Pub 587): the depreciation part
    # of line 33 (what the depreciation ledger counts as allowed) and the casualty part.
    depreciation_allowed: Decimal
    casualty_allowed: Decimal
    carryover_casualty_in: Decimal  # the casualty part of line 31 (simplified: of 6b)
    carryover_casualty_out: Decimal  # the casualty part of line 44 (simplified: 6b untouched)
    notes: tuple[str, ...] = ()
    simplified_worksheet: SimplifiedWorksheet | None = None
    line_11_worksheet: Line11Worksheet | None = None
    improvement_statement: tuple[ImprovementDepreciation, ...] = ()
    placements: tuple[PlacementDepreciation, ...] = ()  # the home's placings in service this year
    # The SALT cap depends on a MAGI within the phase-down range: it must be the final figure.
    magi_must_be_final: bool = False
    # FORM_8829, or Pub 587's worksheet for farmers and partners (docs/tax-rules.md §6a)
    form: str = FORM_8829
    businesses: tuple[BusinessPart, ...] = ()  # each business's part of the deduction
    worksheet_gross_income: Decimal | None = None  # worksheet line 4
    worksheet_other_expenses: Decimal | None = None  # worksheet line 11
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
        """The `lines` object of docs/ledger-format.md §3; None for a simplified year.

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
        """The `simplified_worksheet` object (docs/ledger-format.md §3); None for a regular year."""
        ws = self.simplified_worksheet
        if ws is None:
            return None
        return {
            key: _format(getattr(ws, field_name), kind, whole_dollars)
            for key, field_name, kind in _SIMPLIFIED_LINES
        }

    def worksheet_output(self, whole_dollars: bool = False) -> dict[str, str | None] | None:
        """The `worksheet` object: Pub 587's worksheet lines (farmers and partners, regular
        method); None for a Form 8829 home or a simplified year."""
        if self.form != WORKSHEET or self.method != REGULAR:
            return None
        money = fmt_whole_dollars if whole_dollars else fmt_money
        gross = self.worksheet_gross_income or ZERO
        other = self.worksheet_other_expenses or ZERO
        return worksheet_lines(
            self.as_output_lines(whole_dollars) or {},
            money(gross),
            money(other),
            money(self.line_14_line_12a_plus_line_13 + other),
        )

    def businesses_output(self, whole_dollars: bool = False) -> list[dict]:
        """The `businesses` list: each business's part of the deduction and where it goes."""
        money = fmt_whole_dollars if whole_dollars else fmt_money
        return [
            {
                "name": part.name,
                "kind": part.kind,
                "share_percent": fmt_decimal(part.share_percent, 2),
                "allocated_by": part.allocated_by,
                "deduction": money(part.deduction),
                "deduction_goes_to": part.destination.deduction,
                "casualty_losses": money(part.casualty),
                "internet": money(part.internet),
                "phone": money(part.phone),
                "internet_phone_go_to": part.destination.internet_phone,
            }
            for part in self.businesses
        ]

    def as_output(self, whole_dollars: bool = False) -> dict:
        """The whole per-home JSON object of docs/ledger-format.md §3 (`form8829 --json`)."""
        money = fmt_whole_dollars if whole_dollars else fmt_money
        return {
            "year": self.year,
            "home": self.home_name,
            "method": self.method,
            "form": self.form,
            "lines": self.as_output_lines(whole_dollars),
            "worksheet": self.worksheet_output(whole_dollars),
            "businesses": self.businesses_output(whole_dollars),
            "schedule_c_line_30": money(self.schedule_c_line_30),
            "schedule_c_other": {
                "internet": money(self.schedule_c_other.internet),
                "phone": money(self.schedule_c_other.phone),
            },
            "simplified_worksheet": self.simplified_output(whole_dollars),
            "casualty_and_depreciation": self.casualty_depreciation_parts(whole_dollars),
            "notes": list(self.notes),
        }

    def casualty_depreciation_parts(self, whole_dollars: bool = False) -> dict:
        """Lines 31, 33 and 44 (simplified: 6b) split into their casualty and depreciation
        parts, which Part IV keeps apart (docs/ledger-format.md, form output)."""
        money = fmt_whole_dollars if whole_dollars else fmt_money
        carry_in = self.carryover_casualty_depreciation_in_total()
        allowed = self.casualty_allowed + self.depreciation_allowed
        carry_out = self.carryover_casualty_depreciation_out

        def parts(total: Decimal, casualty: Decimal) -> dict[str, str]:
            return {"casualty": money(casualty), "depreciation": money(total - casualty)}

        return {
            "carryover_in": parts(carry_in, self.carryover_casualty_in),
            "allowed": parts(allowed, self.casualty_allowed),
            "carryover_out": parts(carry_out, self.carryover_casualty_out),
        }

    def carryover_casualty_depreciation_in_total(self) -> Decimal:
        """Line 31 (simplified: worksheet line 6b)."""
        if self.simplified_worksheet is not None:
            return self.simplified_worksheet.line_6b_casualty_depreciation_carryover
        return self.line_31_casualty_depreciation_carryover_in


# Output formats (docs/ledger-format.md §3): money and areas 2 decimals, lines 3 and 7 percent with
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
    form = form_of(inp.businesses)
    gross_income = inp.gross_income_limit
    if form == WORKSHEET:
        # Pub 587 worksheet: line 13's limit is line 4 less lines 10 and 11; the tiers below
        # take line 4 less line 11 where Form 8829 takes line 8 (forms8829.worksheet).
        inp = replace(inp, gross_income_limit=gross_income - inp.other_business_expenses)
    elif inp.other_business_expenses:
        notes.append(
            "Business expenses not from the use of the home are a Pub 587 worksheet line; "
            "Form 8829's line 8 is already net of them (Schedule C line 29), so they are not used."
        )
    result = _compute_method(inp, rules, notes)
    result = replace(result, form=form, businesses=_business_parts(inp, result))
    if form == WORKSHEET:
        result = replace(
            result,
            worksheet_gross_income=gross_income,
            worksheet_other_expenses=inp.other_business_expenses,
        )
    return result


def _compute_method(inp: HomeYearInput, rules: YearRules, notes: list[str]) -> FormResult:
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


def _business_parts(inp: HomeYearInput, result: FormResult) -> tuple[BusinessPart, ...]:
    """docs/tax-rules.md §6a: the home's deduction (and its casualty part) allocated among the
    businesses that use it, to the cent: by the user's shares when given, else by business area
    (project rule). Internet and phone stay with the business whose bills they are."""
    uses = inp.businesses
    if not uses:
        return ()
    by_user = uses[0].share_percent is not None
    weights = [u.share_percent if by_user else u.area for u in uses]
    whole = sum(weights, ZERO)
    deductions = allocate(result.schedule_c_line_30, weights)
    casualty = allocate(result.line_35_casualty_loss_portion or ZERO, weights)
    how = "only business" if len(uses) == 1 else ("user" if by_user else "area")
    return tuple(
        BusinessPart(
            name=u.name,
            kind=u.kind,
            share_percent=percent2(w / whole * HUNDRED) if whole else percent2(HUNDRED / len(uses)),
            deduction=d,
            casualty=c,
            internet=cents(u.internet),
            phone=cents(u.phone),
            allocated_by=how,
        )
        for u, w, d, c in zip(uses, weights, deductions, casualty, strict=True)
    )


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
    all_daycare: bool  # all the business area is daycare not used exclusively


def _has_amounts(expenses: Expenses) -> bool:
    columns = (
        expenses.real_estate_taxes,
        expenses.insurance,
        expenses.rent,
        expenses.repairs,
        expenses.utilities,
        expenses.other,
    )
    return any(c.direct != 0 for c in columns)


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
        return _PartOne(line_1, line_2, line_3, None, None, None, line_7, False)

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
        return _PartOne(line_1, line_2, line_3, line_4, line_5, line_6, line_7, True)

    # i8829 special computation: exclusive part as a percent + the daycare part x line 6.
    exclusive_percent = percent2(exclusive / line_2 * HUNDRED)
    line_7 = percent2(exclusive_percent + line_3 * line_6)  # L7 special computation
    notes.append(
        f"Line 7: See attached computation. Exclusive area {fmt_decimal(exclusive, 2)} / "
        f"{fmt_decimal(line_2, 2)} = {fmt_decimal(exclusive_percent, 2)}%; daycare area "
        f"{fmt_decimal(line_3, 2)}% x line 6 {fmt_decimal(line_6, 4)}; line 7 = "
        f"{fmt_decimal(line_7, 2)}%."
    )
    return _PartOne(line_1, line_2, line_3, line_4, line_5, line_6, line_7, False)


def _line_11_worksheet(
    taxpayer: Taxpayer,
    paid_in_year: Decimal,
    other_homes: Decimal,
    tax_direct: Decimal,
    tax_indirect: Decimal,
    line_7: Decimal,
    cap: Decimal,
) -> Line11Worksheet:
    ws_1 = cents(taxpayer.state_local_income_or_sales_tax)  # WS1 state/local income or sales tax
    ws_2 = cents(paid_in_year)  # WS2 all real estate taxes paid on this home in the year
    ws_3 = cents(other_homes) + cents(taxpayer.other_real_estate_taxes)  # WS3 other RE taxes
    ws_4 = cents(taxpayer.personal_property_taxes)  # WS4 personal property taxes
    ws_5 = ws_1 + ws_2 + ws_3 + ws_4  # WS5 add lines 1-4 (whole-year amounts)
    # WS6 the business part of line 2: this home's taxes for the days of business use x Form 8829
    # line 7 (project rule for part-year use; a full year gives line 2 x line 7). A direct
    # (column (a)) tax is business in full.
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
    placements: tuple[PlacementDepreciation, ...]


def _depreciation_rate(year: int, placed: date, stopped: date | None) -> Decimal:
    """Line 41 percent for `year`, 3 decimals: the table of the placing in service (i8829 line
    41: Table A-7a, Table A-7, or none for ACRS property), or the stop-year proration."""
    table = recovery_table(placed)
    if table is None:
        return ZERO
    recovery_year = year - placed.year + 1
    table_rate = table.rate(recovery_year, placed.month)
    if stopped is None:
        return table_rate
    # Stop year (Pub 946, disposition before the end of the recovery period): full-year rate x
    # months in service / 12, the stop month counted as half.
    if recovery_year == 1:
        # project rule: started and stopped in the same year, both months count as half.
        months = Decimal(stopped.month - placed.month)
    else:
        months = Decimal(stopped.month) - MID_MONTH
    full_year = table.full_year_rate(recovery_year, placed.month)
    prorated = quantize(full_year * months / MONTHS_IN_YEAR, 3)
    # Never more than the table gives for the year (a last year is itself partial; after it: 0).
    return min(table_rate, prorated)


def _table_notes(dep: Depreciation, year: int, rate: Decimal, notes: list[str]) -> str:
    """What the placing in service's table is, as the statement prints it; notes for the cases
    where it is not Table A-7a or gives nothing."""
    placed = dep.first_business_use
    table = recovery_table(placed)
    recovery_year = year - placed.year + 1
    if table is None:
        notes.append(
            f"Business use began on {placed.isoformat()}, before 1987: the home is ACRS property "
            "(Pub 534), recovered in full long ago, so line 41 is 0 and the home gets no "
            "depreciation (i8829 line 41); improvements placed in service later keep their "
            "own schedules."
        )
        return "ACRS (before 1987): fully recovered"
    if table is TABLE_A7:
        notes.append(
            f"Business use began on {placed.isoformat()}, after 1986 and before May 13, 1993: "
            f"line 41 comes from {table.name}, recovery year {recovery_year} (i8829 line 41)."
        )
    last = table.last_recovery_year(placed.month)
    if recovery_year > last:
        notes.append(
            f"The recovery period of the home ({table.name}, placed in service "
            f"{placed.isoformat()}) ended in {placed.year + last - 1}: line 41 is 0 (i8829 "
            "line 41)."
        )
    return table.name


def _placement(
    inp: HomeYearInput, dep: Depreciation, line_7: Decimal, notes: list[str]
) -> tuple[PlacementDepreciation, list[ImprovementDepreciation]]:
    """One placing in service's depreciation this year: the home (lines 37-41 of it) and its
    improvements placed in service after it began (each with its own schedule)."""
    line_37 = cents(min(dep.cost_basis, dep.fmv_at_first_business_use))  # L37 smaller of the two
    line_38 = cents(dep.land_value)  # L38 land included on line 37
    if dep.land_fmv is not None and dep.land_fmv < dep.land_value:
        line_38 = cents(dep.land_fmv)  # L38 the land's FMV on that day, when lower (i8829)
        notes.append(
            f"Line 38 uses the land's fair market value on {dep.first_business_use.isoformat()} "
            f"({fmt_money(line_38)}), lower than its basis ({fmt_money(dep.land_value)}) "
            "(i8829 line 38)."
        )
    line_39 = line_37 - line_38  # L39 basis of building
    line_40 = percent_of(line_39, line_7)  # L40 business basis: line 39 x line 7
    stopped = dep.business_use_end
    line_41 = _depreciation_rate(inp.year, dep.first_business_use, stopped)  # L41 percent
    table = _table_notes(dep, inp.year, line_41, notes)
    if dep.restart:
        notes.append(
            f"Business use started again on {dep.first_business_use.isoformat()}: a new placing "
            f"in service (Treas. Reg. 1.168(i)-4) with its own basis (line 37 = the smaller of "
            f"the adjusted basis {fmt_money(dep.cost_basis)} and the fair market value "
            f"{fmt_money(dep.fmv_at_first_business_use)} on that day) and its own year-1 rate "
            "(Pub 946, Table A-7a)."
        )
    if stopped is not None:
        notes.append(
            f"Business use stopped on {stopped.isoformat()}: line 41 is the full-year rate "
            f"prorated by months in service, the stop month counted as half (Pub 946)."
        )
    placement = PlacementDepreciation(
        placed_in_service=dep.first_business_use,
        business_use_end=stopped,
        restart=dep.restart,
        table=table,
        recovery_year=inp.year - dep.first_business_use.year + 1,
        line_37=line_37,
        line_38=line_38,
        line_39=line_39,
        line_40=line_40,
        line_41=line_41,
        depreciation=percent_of(line_40, line_41),  # line 40 x printed line 41
    )
    statement = []
    for imp in dep.improvements:
        if imp.placed_in_service < dep.first_business_use:
            continue  # before this placing in service: part of its line 37 basis
        if imp.placed_in_service.year > inp.year:
            continue  # not yet in service
        if stopped is not None and imp.placed_in_service > stopped:
            continue  # placed in service after business use ended: personal
        basis = percent_of(imp.cost, line_7)  # business part of the improvement: cost x line 7
        rate = _depreciation_rate(inp.year, imp.placed_in_service, stopped)
        if rate.is_zero():
            continue  # ACRS property, or its recovery period is over
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
    return placement, statement


def _part_three(inp: HomeYearInput, line_7: Decimal, notes: list[str]) -> _PartThree | None:
    dep = inp.depreciation
    if dep is None:
        return None  # renters: no Part III
    placements, statement = [], []
    for earlier in inp.earlier_placements:
        placement, rows = _placement(inp, earlier, line_7, notes)
        placements.append(placement)
        statement += rows
    current, rows = _placement(inp, dep, line_7, notes)
    placements.append(current)
    statement += rows
    earlier_total = sum((p.depreciation for p in placements[:-1]), _ZERO_CENTS)
    improvements_total = sum((row.depreciation for row in statement), _ZERO_CENTS)
    # L42 line 40 x line 41, plus the placings in service that ended earlier this year and the
    # improvements placed in service after business use began ("See attached statement").
    line_42 = current.depreciation + earlier_total + improvements_total
    if earlier_total:
        notes.append(
            f"Line 42 includes {fmt_money(earlier_total)} depreciation of the home's earlier "
            f"placing in service this year (business use stopped and started again): See "
            f"attached statement."
        )
    if statement:
        notes.append(
            f"Line 42 includes {fmt_money(improvements_total)} depreciation of improvements placed "
            f"in service after business use began: See attached statement."
        )
    return _PartThree(
        current.line_37,
        current.line_38,
        current.line_39,
        current.line_40,
        current.line_41,
        line_42,
        tuple(statement),
        tuple(placements),
    )


@dataclass(frozen=True)
class _Mortgage:
    line_10b: Decimal
    line_16b: Decimal


def _mortgage(inp: HomeYearInput, rules: YearRules, notes: list[str]) -> _Mortgage:
    """Lines 10(b) and 16(b): mortgage interest (never column (a)) and, in the years they count,
    mortgage insurance premiums."""
    taxpayer = inp.taxpayer
    exp = inp.expenses
    interest = cents(exp.mortgage_interest)
    premiums = cents(exp.mortgage_insurance)
    if not rules.mortgage_insurance_is_interest:
        if premiums:
            notes.append(
                f"Mortgage insurance premiums of {fmt_money(premiums)} are not deductible in "
                f"{inp.year} and are left out of Form 8829."
            )
        premiums = _ZERO_CENTS
    elif premiums:
        notes.append(
            f"Mortgage insurance premiums of {fmt_money(premiums)} are counted as mortgage "
            f"interest in {inp.year}."
        )
    if not taxpayer.itemizes:
        # Standard deduction: all mortgage interest and premiums on line 16(b) (i8829).
        return _Mortgage(_ZERO_CENTS, interest + premiums)

    interest_10b = interest
    limit = inp.mortgage_interest_schedule_a_limit
    if limit is not None:
        paid = (
            interest
            if inp.mortgage_interest_paid_in_year is None
            else inp.mortgage_interest_paid_in_year
        )
        paid = cents(paid)
        if cents(limit) < paid:
            # The Schedule A limit is a part of all the interest paid in the year (Pub 936); the
            # same deductible fraction of this form's interest goes on line 10(b) (i8829 10, 16).
            interest_10b = cents(interest * cents(limit) / paid)
            notes.append(
                f"Schedule A limit: {fmt_money(limit)} of the {fmt_money(paid)} mortgage "
                f"interest paid in {inp.year} is deductible; the same fraction of this form's "
                f"{fmt_money(interest)} goes on line 10(b) ({fmt_money(interest_10b)}) and the "
                f"rest ({fmt_money(interest - interest_10b)}) on line 16(b) (i8829 lines 10 and "
                "16; Pub 936)."
            )
    premiums_excess = _ZERO_CENTS
    if premiums:
        reduction = rules.mortgage_insurance_reduction(
            taxpayer.filing_status, taxpayer.adjusted_gross_income
        )
        premiums_excess = cents(premiums * reduction)  # phased out with AGI -> line 16(b)
        if taxpayer.adjusted_gross_income is None:
            mfs = taxpayer.filing_status == MARRIED_SEPARATE
            threshold = (
                rules.mortgage_insurance_agi_threshold_mfs
                if mfs
                else rules.mortgage_insurance_agi_threshold
            )
            notes.append(
                f"No AGI given for {inp.year}: mortgage insurance premiums are not phased out "
                f"(they phase out with AGI above {fmt_money(threshold)}); give the year's AGI."
            )
        elif premiums_excess:
            agi = fmt_money(taxpayer.adjusted_gross_income)
            notes.append(
                f"Mortgage insurance premiums phase out with AGI {agi}: "
                f"{fmt_decimal(reduction * HUNDRED, 0)}% of {fmt_money(premiums)} "
                f"({fmt_money(premiums_excess)}) is not deductible on Schedule A and goes on line "
                "16(b) as excess (Schedule A instructions, mortgage insurance premiums; i8829 "
                "line 16)."
            )
    line_10b = interest_10b + premiums - premiums_excess  # L10(b) deductible mortgage interest
    line_16b = interest - interest_10b + premiums_excess  # L16(b) excess mortgage interest
    return _Mortgage(line_10b, line_16b)


def _magi_must_be_final(inp: HomeYearInput, rules: YearRules, notes: list[str]) -> bool:
    """A MAGI within the SALT phase-down range must be the final figure (project rule): the IRS
    worksheet iterates on it, the ledger takes it as given."""
    taxpayer = inp.taxpayer
    band = rules.salt_phase_down_band(taxpayer.filing_status)
    if band is None or not taxpayer.itemizes:
        return False
    low, high = band
    magi = taxpayer.modified_agi
    in_band = magi is not None and low <= magi <= high
    if in_band:
        notes.append(
            f"Modified AGI {fmt_money(magi)} is within the {inp.year} SALT phase-down range "
            f"({fmt_money(low)} to {fmt_money(high)}), where the cap depends on it: it must be "
            "your final MAGI. The IRS worksheet figures MAGI with this very deduction included; "
            "project rule: the ledger takes the final MAGI as given."
        )
    return in_band


def _compute_regular(
    inp: HomeYearInput, rules: YearRules, schedule_c_other: ScheduleCOther, notes: list[str]
) -> FormResult:
    taxpayer = inp.taxpayer
    exp = inp.expenses

    # Part I: part of your home used for business
    part_one = _part_one(inp, rules, notes)
    line_7 = part_one.line_7
    line_6 = part_one.line_6

    def direct(name: str) -> Decimal:
        """Column (a) of a line: direct bills in full, a daycare area's times line 6."""
        full = cents(getattr(exp, name).direct)
        daycare = getattr(inp.daycare_direct, name).direct
        if line_6 is None:
            return full + cents(daycare)
        return full + cents(daycare * line_6)

    def column(name: str) -> Columns:
        return Columns(direct=direct(name), indirect=cents(getattr(exp, name).indirect))

    if _has_amounts(inp.daycare_direct):
        if line_6 is None:
            notes.append(
                "Direct bills name a daycare area, but no area is used for daycare this year: "
                "they count in full."
            )
        else:
            notes.append(
                f"Direct expenses of the daycare area (not used exclusively) are multiplied by "
                f"line 6 ({fmt_decimal(line_6, 4)}) before column (a) (Pub 587, daycare "
                "facility)."
            )

    # Part II: allowable deduction
    line_8 = cents(inp.gross_income_limit)  # L8 gross income limit
    mortgage = _mortgage(inp, rules, notes)

    tax_direct = direct("real_estate_taxes")
    tax_indirect = cents(exp.real_estate_taxes.indirect)
    casualty_direct = cents(inp.casualty_losses.direct)
    if part_one.all_daycare and casualty_direct:
        # project rule: with only daycare areas not used exclusively, a direct casualty loss is
        # one of the daycare area, so it is multiplied by line 6 like its direct bills.
        casualty_direct = cents(inp.casualty_losses.direct * line_6)
        notes.append(
            f"Project rule: all the business area is daycare not used exclusively, so the direct "
            f"casualty loss is multiplied by line 6 ({fmt_decimal(line_6, 4)}) before line 9(a)."
        )
    casualty = Columns(casualty_direct, cents(inp.casualty_losses.indirect))
    line_29 = cents(inp.excess_casualty_losses)  # L29 excess casualty losses (input)
    line_11_worksheet = None
    magi_must_be_final = _magi_must_be_final(inp, rules, notes)

    if taxpayer.itemizes:
        line_9 = casualty  # L9 casualty losses
        cap = rules.salt_cap_for(taxpayer.filing_status, taxpayer.modified_agi)
        paid_in_year = inp.real_estate_taxes_paid_in_year
        if paid_in_year is None:
            paid_in_year = (
                exp.real_estate_taxes.direct
                + inp.daycare_direct.real_estate_taxes.direct
                + exp.real_estate_taxes.indirect
            )
        worksheet = _line_11_worksheet(
            taxpayer,
            paid_in_year,
            inp.other_homes_real_estate_taxes,
            tax_direct,
            tax_indirect,
            line_7,
            cap,
        )
        threshold = rules.salt_worksheet_threshold_for(taxpayer.filing_status)
        if worksheet.line_5_total_taxes > threshold:
            line_11_worksheet = worksheet
            line_11 = Columns(worksheet.line_10_to_form_line_11a, _ZERO_CENTS)  # L11(a) from WS10
            line_17 = Columns(worksheet.line_11_to_form_line_17a, _ZERO_CENTS)  # L17(a) from WS11
            notes.append(
                f"State and local taxes of {fmt_money(worksheet.line_5_total_taxes)} for the "
                f"whole year exceed {fmt_money(threshold)}: real estate taxes come from the Line "
                f"11 Worksheet (cap {fmt_money(cap)}), line 11(a) "
                f"{fmt_money(worksheet.line_10_to_form_line_11a)}, line 17(a) "
                f"{fmt_money(worksheet.line_11_to_form_line_17a)}, line 11(b) left empty "
                "(i8829 line 11). See attached."
            )
            if worksheet.line_3_other_real_estate_taxes or (
                worksheet.line_2_real_estate_taxes_this_home
                != cents(exp.real_estate_taxes.direct)
                + cents(inp.daycare_direct.real_estate_taxes.direct)
                + tax_indirect
            ):
                notes.append(
                    f"Line 11 Worksheet lines 2 and 3 are whole-year amounts: all the real estate "
                    f"taxes paid on this home in {inp.year} "
                    f"({fmt_money(worksheet.line_2_real_estate_taxes_this_home)}) and other real "
                    f"estate taxes ({fmt_money(worksheet.line_3_other_real_estate_taxes)}, your "
                    "other homes' included); line 6 is the business-use period's part."
                )
            if (
                rules.salt_phase_down_band(taxpayer.filing_status) is not None
                and taxpayer.modified_agi is None
            ):
                notes.append(
                    f"No modified AGI given for {inp.year}: the full cap of {fmt_money(cap)} is "
                    "used (it is reduced above the MAGI threshold)."
                )
        else:
            line_11 = Columns(direct=tax_direct, indirect=tax_indirect)  # L11 within the cap
            line_17 = _NO_AMOUNTS  # L17 no excess real estate taxes
    else:
        # Standard deduction: interest -> 16(b), taxes -> 17, casualty losses -> 29 (i8829).
        line_11 = _NO_AMOUNTS
        line_17 = Columns(direct=tax_direct, indirect=tax_indirect)  # L17 all real estate taxes
        if taxpayer.net_qualified_disaster_loss:
            line_9 = casualty  # L9 casualty losses: a net qualified disaster loss (i8829 line 9)
            if casualty.direct or casualty.indirect:
                notes.append(
                    "Standard deduction increased by a net qualified disaster loss: casualty "
                    "losses stay on line 9 (i8829, taxpayers claiming the standard deduction)."
                )
        else:
            line_9 = _NO_AMOUNTS
            moved = casualty.direct + percent_of(casualty.indirect, line_7)
            line_29 = line_29 + moved  # L29 + business part of the casualty losses
            if moved:
                notes.append(
                    f"Standard deduction: casualty losses ({fmt_money(moved)} business part) go "
                    f"on line 29 instead of line 9."
                )
    line_10 = Columns(_ZERO_CENTS, mortgage.line_10b)  # L10 deductible mortgage interest (b)
    line_12 = Columns(  # L12 lines 9 + 10 + 11, per column
        direct=line_9.direct + line_10.direct + line_11.direct,
        indirect=line_9.indirect + line_10.indirect + line_11.indirect,
    )
    line_13 = percent_of(line_12.indirect, line_7)  # L13 line 12(b) x line 7
    line_14 = line_12.direct + line_13  # L14 line 12(a) + line 13 (never limited by line 8)
    line_15 = max(_ZERO_CENTS, line_8 - line_14)  # L15 line 8 - line 14, not below 0

    line_16 = Columns(_ZERO_CENTS, mortgage.line_16b)  # L16 excess mortgage interest
    line_18 = column("insurance")  # L18 insurance
    line_19 = column("rent")  # L19 rent
    line_20 = column("repairs")  # L20 repairs and maintenance
    line_21 = column("utilities")  # L21 utilities
    line_22 = column("other")  # L22 other expenses
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
    # L33 allows casualty losses first (this year's line 29, then the casualty part of line 31)
    # and depreciation last (Pub 587: deduct depreciation last).
    casualty_in = cents(inp.carryover_casualty_in)
    casualty_available = line_29 + casualty_in
    casualty_allowed = min(line_33, casualty_available)
    depreciation_allowed = line_33 - casualty_allowed
    line_34 = line_14 + line_27 + line_33  # L34 lines 14 + 27 + 33
    # L35 casualty portion of lines 14 and 33 (to Form 4684), whatever year the loss came from.
    casualty_in_line_14 = line_9.direct + percent_of(line_9.indirect, line_7)
    line_35 = casualty_in_line_14 + casualty_allowed
    if line_35:
        notes.append(
            f"Line 35 = casualty part of line 14 ({fmt_money(casualty_in_line_14)}) + casualty "
            f"part of line 33 ({fmt_money(casualty_allowed)}: line 33 allows casualty losses "
            "before depreciation, Pub 587); carry it to Form 4684."
        )
    line_36 = line_34 - line_35  # L36 allowable expenses -> Schedule C line 30

    # Part IV: carryover of unallowed expenses
    line_43 = max(_ZERO_CENTS, line_26 - line_27)  # L43 operating expenses carried to next year
    line_44 = max(_ZERO_CENTS, line_32 - line_33)  # L44 casualty losses and depreciation carried
    casualty_out = casualty_available - casualty_allowed  # the casualty part of line 44
    if casualty_out:
        notes.append(
            f"Line 44 carries {fmt_money(casualty_out)} of casualty losses and "
            f"{fmt_money(line_44 - casualty_out)} of depreciation, kept apart for next year's "
            "line 33 (casualty first) and the depreciation ledger."
        )

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
        casualty_allowed=casualty_allowed,
        carryover_casualty_in=casualty_in,
        carryover_casualty_out=casualty_out,
        notes=tuple(notes),
        line_11_worksheet=line_11_worksheet,
        improvement_statement=() if part_three is None else part_three.statement,
        placements=() if part_three is None else part_three.placements,
        magi_must_be_final=magi_must_be_final,
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
        casualty_allowed=_ZERO_CENTS,
        carryover_casualty_in=cents(inp.carryover_casualty_in),
        carryover_casualty_out=cents(inp.carryover_casualty_in),  # 6b untouched, parts too
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
    trouble = problems(inp.businesses)
    if trouble:
        raise InvalidInputError("; ".join(trouble) + ".")
    _check("other_business_expenses", inp.other_business_expenses)
    if inp.businesses:
        for name in ("internet", "phone"):
            total = sum((getattr(b, name) for b in inp.businesses), ZERO)
            if cents(total) != cents(getattr(inp, f"{name}_business")):
                raise InvalidInputError(
                    f"the businesses' {name} shares add up to {total}, not {name}_business."
                )
        for b in inp.businesses:
            _check(f"{b.name} area", b.area)
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
    if taxpayer.adjusted_gross_income is not None:
        _check("taxpayer.adjusted_gross_income", taxpayer.adjusted_gross_income, minimum=None)

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
        _check(f"daycare_direct.{name}.direct", getattr(inp.daycare_direct, name).direct)
    if inp.daycare_direct.mortgage_interest or inp.daycare_direct.mortgage_insurance:
        raise InvalidInputError(
            "daycare_direct cannot hold mortgage interest or insurance: they are never direct."
        )
    if inp.mortgage_interest_paid_in_year is not None:
        paid = _check("mortgage_interest_paid_in_year", inp.mortgage_interest_paid_in_year)
        if paid < exp.mortgage_interest:
            raise InvalidInputError(
                f"mortgage_interest_paid_in_year ({paid}) cannot be less than the mortgage "
                f"interest of the business-use period ({exp.mortgage_interest})."
            )
    if inp.real_estate_taxes_paid_in_year is not None:
        _check("real_estate_taxes_paid_in_year", inp.real_estate_taxes_paid_in_year)
    _check("other_homes_real_estate_taxes", inp.other_homes_real_estate_taxes)
    _check("casualty_losses.direct", inp.casualty_losses.direct)
    _check("casualty_losses.indirect", inp.casualty_losses.indirect)
    _check("excess_casualty_losses", inp.excess_casualty_losses)
    if inp.mortgage_interest_schedule_a_limit is not None:
        _check("mortgage_interest_schedule_a_limit", inp.mortgage_interest_schedule_a_limit)
    _check("carryover_operating_in", inp.carryover_operating_in)
    total_in = _check("carryover_casualty_depreciation_in", inp.carryover_casualty_depreciation_in)
    if _check("carryover_casualty_in", inp.carryover_casualty_in) > total_in:
        raise InvalidInputError(
            f"carryover_casualty_in ({inp.carryover_casualty_in}) is a part of line 31 and cannot "
            f"exceed carryover_casualty_depreciation_in ({total_in})."
        )
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
        if inp.earlier_placements:
            raise InvalidInputError("earlier_placements need the current placing in service.")
        return
    _check_placement("depreciation", dep, inp.year)
    for i, earlier in enumerate(inp.earlier_placements):
        name = f"earlier_placements[{i}]"
        _check_placement(name, earlier, inp.year)
        end = earlier.business_use_end
        if end is None or end >= dep.first_business_use:
            raise InvalidInputError(
                f"{name}.business_use_end must fall in tax year {inp.year}, before the current "
                f"placing in service began ({dep.first_business_use.isoformat()})."
            )


def _check_placement(name: str, dep: Depreciation, year: int) -> None:
    basis = _check(f"{name}.cost_basis", dep.cost_basis)
    fmv = _check(f"{name}.fmv_at_first_business_use", dep.fmv_at_first_business_use)
    land = _check(f"{name}.land_value", dep.land_value)
    if dep.land_fmv is not None:
        land = min(land, _check(f"{name}.land_fmv", dep.land_fmv))
    if land > min(basis, fmv):
        raise InvalidInputError(
            f"{name}.land_value ({land}) cannot exceed line 37, the smaller of the cost "
            f"basis and the fair market value ({min(basis, fmv)})."
        )
    if dep.first_business_use.year > year:
        raise InvalidInputError(
            f"{name}.first_business_use ({dep.first_business_use.isoformat()}) is after "
            f"tax year {year}."
        )
    end = dep.business_use_end
    if end is not None and (end.year != year or end < dep.first_business_use):
        raise InvalidInputError(
            f"{name}.business_use_end ({end.isoformat()}) must fall in tax year {year} "
            f"and not before first_business_use ({dep.first_business_use.isoformat()})."
        )
    for i, imp in enumerate(dep.improvements):
        _check(f"{name}.improvements[{i}].cost", imp.cost)
