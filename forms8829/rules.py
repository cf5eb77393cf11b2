"""Year-specific numbers for Form 8829, in one table keyed by tax year.

Holds the SALT caps (and the 2025+ phase-down), whether mortgage insurance premiums count as
mortgage interest, the simplified-method rate and area cap, the hours in the year, and Pub 946
Table A-7a exactly as printed. The engine reads every year-dependent number from here; no magic
numbers in the arithmetic. Pure Python: this module must not import Django.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from forms8829.money import ONE, ZERO, cents

FIRST_SUPPORTED_YEAR = 2018  # the 44-line layout (TCJA added line 17 in 2018)
LAST_SUPPORTED_YEAR = 2026

SINGLE = "single"
MARRIED_JOINT = "married_joint"
MARRIED_SEPARATE = "married_separate"
HEAD_OF_HOUSEHOLD = "head_of_household"
FILING_STATUSES = (SINGLE, MARRIED_JOINT, MARRIED_SEPARATE, HEAD_OF_HOUSEHOLD)

MONTHS_IN_YEAR = 12
# Rev. Proc. 2013-13: a month counts for the simplified method only with 15+ days of qualified
# use. The caller applies it when it builds `simplified_monthly_areas`.
SIMPLIFIED_MIN_QUALIFIED_DAYS = 15


class UnsupportedYearError(ValueError):
    """A tax year outside the rule table."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"Tax year {year} is not supported; supported years are "
            f"{FIRST_SUPPORTED_YEAR}-{LAST_SUPPORTED_YEAR}."
        )


@dataclass(frozen=True)
class YearRules:
    year: int
    hours_in_year: Decimal  # Form 8829 line 5 for a full year: 8,760 (8,784 in a leap year)
    mortgage_insurance_is_interest: bool  # premiums count as mortgage interest (lines 10/16)
    # IRC 164(b)(6)-(7): the applicable limitation amount (Line 11 Worksheet line 8), before the
    # married-filing-separately halving: $10,000 in 2018-2024, $40,000 in 2025, $40,400 in 2026.
    salt_cap: Decimal
    # 2025+: the cap is reduced by `salt_phase_down_rate` of modified AGI above the threshold
    # (the MFS threshold is half), never below `salt_floor`; married filing separately then
    # halves the result (IRC 164(b)(7)(B); the 2025 Schedule A SALT worksheet). None = no
    # phase-down that year.
    salt_phase_down_threshold: Decimal | None = None
    salt_phase_down_threshold_mfs: Decimal | None = None
    salt_phase_down_rate: Decimal = Decimal("0.30")
    salt_floor: Decimal = Decimal("10000")
    # i8829 line 11: the Line 11 Worksheet is used whenever the year's state and local taxes
    # (worksheet line 5) exceed $10,000 ($5,000 MFS), in every year, also when the cap is higher.
    salt_worksheet_threshold: Decimal = Decimal("10000")
    salt_worksheet_threshold_mfs: Decimal = Decimal("5000")
    # IRC 163(h)(3)(E)(ii); Schedule A instructions, Mortgage Insurance Premiums Deduction
    # Worksheet: in the years premiums count, they are reduced by 10% for each $1,000 ($500
    # MFS), or part of one, of AGI above $100,000 ($50,000 MFS).
    mortgage_insurance_agi_threshold: Decimal = Decimal("100000")
    mortgage_insurance_agi_threshold_mfs: Decimal = Decimal("50000")
    mortgage_insurance_agi_step: Decimal = Decimal("1000")
    mortgage_insurance_agi_step_mfs: Decimal = Decimal("500")
    mortgage_insurance_reduction_per_step: Decimal = Decimal("0.10")
    simplified_rate: Decimal = Decimal("5")  # Simplified Method Worksheet line 3a, $ per sq ft
    simplified_max_area: Decimal = Decimal("300")  # square feet, per month

    def salt_cap_for(self, filing_status: str, modified_agi: Decimal | None) -> Decimal:
        """The state and local tax cap for this filer (Line 11 Worksheet line 8).

        The full applicable amount is phased down (30% of MAGI above the threshold; the MFS
        threshold is half), floored at $10,000, and only then halved for married filing
        separately: MFS 2025 at MAGI $300,000 -> (40,000 - 0.30 x 50,000) / 2 = 12,500.
        """
        mfs = filing_status == MARRIED_SEPARATE
        cap = self.salt_cap
        threshold = self.salt_phase_down_threshold_mfs if mfs else self.salt_phase_down_threshold
        if threshold is not None and modified_agi is not None:
            reduction = cents(max(ZERO, modified_agi - threshold) * self.salt_phase_down_rate)
            cap = max(self.salt_floor, cap - reduction)
        return cents(cap / MFS_DIVISOR) if mfs else cap

    def salt_phase_down_band(self, filing_status: str) -> tuple[Decimal, Decimal] | None:
        """The MAGI range over which the cap is being reduced (threshold to where the floor is
        reached), or None in a year without a phase-down."""
        mfs = filing_status == MARRIED_SEPARATE
        threshold = self.salt_phase_down_threshold_mfs if mfs else self.salt_phase_down_threshold
        if threshold is None:
            return None
        return threshold, threshold + (self.salt_cap - self.salt_floor) / self.salt_phase_down_rate

    def salt_worksheet_threshold_for(self, filing_status: str) -> Decimal:
        """Above this total of state and local taxes the Line 11 Worksheet is used (i8829)."""
        if filing_status == MARRIED_SEPARATE:
            return self.salt_worksheet_threshold_mfs
        return self.salt_worksheet_threshold

    def mortgage_insurance_reduction(
        self, filing_status: str, adjusted_gross_income: Decimal | None
    ) -> Decimal:
        """The phased-out fraction of mortgage insurance premiums (0 to 1): 10% for each step
        of AGI, or part of one, above the threshold. AGI not given: no reduction."""
        if adjusted_gross_income is None:
            return ZERO
        mfs = filing_status == MARRIED_SEPARATE
        threshold = (
            self.mortgage_insurance_agi_threshold_mfs
            if mfs
            else self.mortgage_insurance_agi_threshold
        )
        step = self.mortgage_insurance_agi_step_mfs if mfs else self.mortgage_insurance_agi_step
        over = adjusted_gross_income - threshold
        if over <= 0:
            return ZERO
        steps = (over / step).to_integral_value(rounding=ROUND_CEILING)  # "or part of one"
        return min(ONE, steps * self.mortgage_insurance_reduction_per_step)


MFS_DIVISOR = Decimal("2")  # IRC 164(b)(7): married filing separately, half the amount
_HOURS = Decimal("8760")
_HOURS_LEAP = Decimal("8784")
_TCJA_CAP = Decimal("10000")
_MIP_COUNTS = True  # mortgage insurance premiums count as mortgage interest
_MIP_LEFT_OUT = False  # not deductible that year: left out with a note

# year: (year, hours in year, mortgage insurance, SALT cap, 2025+ phase-down)
YEAR_RULES: dict[int, YearRules] = {
    2018: YearRules(2018, _HOURS, _MIP_COUNTS, _TCJA_CAP),
    2019: YearRules(2019, _HOURS, _MIP_COUNTS, _TCJA_CAP),
    2020: YearRules(2020, _HOURS_LEAP, _MIP_COUNTS, _TCJA_CAP),
    2021: YearRules(2021, _HOURS, _MIP_COUNTS, _TCJA_CAP),
    2022: YearRules(2022, _HOURS, _MIP_LEFT_OUT, _TCJA_CAP),
    2023: YearRules(2023, _HOURS, _MIP_LEFT_OUT, _TCJA_CAP),
    2024: YearRules(2024, _HOURS_LEAP, _MIP_LEFT_OUT, _TCJA_CAP),
    2025: YearRules(
        2025,
        _HOURS,
        _MIP_LEFT_OUT,
        Decimal("40000"),
        salt_phase_down_threshold=Decimal("500000"),
        salt_phase_down_threshold_mfs=Decimal("250000"),
    ),
    2026: YearRules(
        2026,
        _HOURS,
        _MIP_COUNTS,
        Decimal("40400"),
        salt_phase_down_threshold=Decimal("505000"),
        salt_phase_down_threshold_mfs=Decimal("252500"),
    ),
}


def rules_for(year: int) -> YearRules:
    """The rules of `year`; UnsupportedYearError (a ValueError) outside 2018-2026."""
    try:
        return YEAR_RULES[year]
    except KeyError:
        raise UnsupportedYearError(year) from None


# Pub 946 Table A-7a (nonresidential real property, 39 years, straight line, mid-month),
# percent by month placed in service. Printed values, never a formula (January year 1 is 2.461).
TABLE_A7A_YEAR_1: dict[int, Decimal] = {
    1: Decimal("2.461"),
    2: Decimal("2.247"),
    3: Decimal("2.033"),
    4: Decimal("1.819"),
    5: Decimal("1.605"),
    6: Decimal("1.391"),
    7: Decimal("1.177"),
    8: Decimal("0.963"),
    9: Decimal("0.749"),
    10: Decimal("0.535"),
    11: Decimal("0.321"),
    12: Decimal("0.107"),
}
TABLE_A7A_YEARS_2_TO_39 = Decimal("2.564")  # also the full-year rate for the stop-year rule
TABLE_A7A_YEAR_40: dict[int, Decimal] = {
    1: Decimal("0.107"),
    2: Decimal("0.321"),
    3: Decimal("0.535"),
    4: Decimal("0.749"),
    5: Decimal("0.963"),
    6: Decimal("1.177"),
    7: Decimal("1.391"),
    8: Decimal("1.605"),
    9: Decimal("1.819"),
    10: Decimal("2.033"),
    11: Decimal("2.247"),
    12: Decimal("2.461"),
}
RECOVERY_YEARS = 40  # 39 years plus the mid-month tail; nothing after year 40
MID_MONTH = Decimal("0.5")  # mid-month convention: the month placed in service / stopped is half


def table_a7a_rate(recovery_year: int, month_placed_in_service: int) -> Decimal:
    """Table A-7a percent for a recovery year (1 = the year placed in service); 0 after 40."""
    _check_month(month_placed_in_service)
    if recovery_year < 1 or recovery_year > RECOVERY_YEARS:
        return ZERO
    if recovery_year == 1:
        return TABLE_A7A_YEAR_1[month_placed_in_service]
    if recovery_year == RECOVERY_YEARS:
        return TABLE_A7A_YEAR_40[month_placed_in_service]
    return TABLE_A7A_YEARS_2_TO_39


def _check_month(month: int) -> None:
    if not 1 <= month <= MONTHS_IN_YEAR:
        raise ValueError(f"month must be 1-12, got {month}")


def _row(text: str) -> tuple[Decimal, ...]:
    values = tuple(Decimal(v) for v in text.split())
    assert len(values) == MONTHS_IN_YEAR
    return values


# Pub 946 Table A-7 (nonresidential real property placed in service after 1986 and before
# May 13, 1993: 31.5 years, straight line, mid-month), percent by recovery year (rows) and month
# placed in service (columns 1-12), transcribed row by row as printed. Years 2-7 are 3.175 in
# every column; years 8-31 alternate 3.175 / 3.174 (an even year: 3.175 in the odd months); year
# 32 finishes the columns of January-June and year 33 those of July-December. Each column adds
# up to 100.000 (tests/forms8829/test_engine_rules.py checks it).
_A7_FULL_EVEN = _row("3.175 3.174 3.175 3.174 3.175 3.174 3.175 3.174 3.175 3.174 3.175 3.174")
_A7_FULL_ODD = _row("3.174 3.175 3.174 3.175 3.174 3.175 3.174 3.175 3.174 3.175 3.174 3.175")
TABLE_A7_ROWS: dict[int, tuple[Decimal, ...]] = {
    1: _row("3.042 2.778 2.513 2.249 1.984 1.720 1.455 1.190 0.926 0.661 0.397 0.132"),
    **{year: _row(" ".join(["3.175"] * MONTHS_IN_YEAR)) for year in range(2, 8)},
    **{year: _A7_FULL_EVEN if year % 2 == 0 else _A7_FULL_ODD for year in range(8, 32)},
    32: _row("1.720 1.984 2.249 2.513 2.778 3.042 3.175 3.174 3.175 3.174 3.175 3.174"),
    33: _row("0.000 0.000 0.000 0.000 0.000 0.000 0.132 0.398 0.661 0.927 1.190 1.456"),
}
TABLE_A7_FULL_YEAR = Decimal("3.175")  # years 2-7: the full-year rate of the stop-year rule


@dataclass(frozen=True)
class RecoveryTable:
    """The depreciation table of a placing in service, chosen by its date (i8829 line 41)."""

    name: str  # as the notes print it
    recovery_years: int  # the last recovery year with a rate; nothing after it

    def rate(self, recovery_year: int, month: int) -> Decimal:
        """The printed percent for a recovery year (1 = the year placed in service)."""
        _check_month(month)
        if recovery_year < 1 or recovery_year > self.recovery_years:
            return ZERO
        if self.recovery_years == RECOVERY_YEARS:
            return table_a7a_rate(recovery_year, month)
        return TABLE_A7_ROWS[recovery_year][month - 1]

    def last_recovery_year(self, month: int) -> int:
        """The last recovery year with a rate for property placed in service in `month`."""
        return max(y for y in range(1, self.recovery_years + 1) if self.rate(y, month) > 0)

    def full_year_rate(self, recovery_year: int, month: int) -> Decimal:
        """The rate of a whole year in service, which the stop-year rule prorates by months
        (Pub 946, property disposed of before the end of the recovery period)."""
        if self.recovery_years == RECOVERY_YEARS:
            return TABLE_A7A_YEARS_2_TO_39
        if 2 <= recovery_year < len(TABLE_A7_ROWS) - 1:
            return TABLE_A7_ROWS[recovery_year][month - 1]
        return TABLE_A7_FULL_YEAR


TABLE_A7A = RecoveryTable("Pub 946 Table A-7a (39-year nonresidential real property)", 40)
TABLE_A7 = RecoveryTable("Pub 946 Table A-7 (31.5-year nonresidential real property)", 33)
# i8829 line 41: business use that began after May 12, 1993 -> Table A-7a; after 1986 and
# before May 13, 1993 -> Table A-7; before 1987 -> ACRS (Pub 534), recovered in full long before
# the first supported year (ACRS real property was recovered over 15 to 19 years).
TABLE_A7A_FROM = date(1993, 5, 13)
TABLE_A7_FROM = date(1987, 1, 1)


def recovery_table(placed_in_service: date) -> RecoveryTable | None:
    """The table of a home (or improvement) placed in service on that day; None for ACRS
    property (placed in service before 1987), which has no depreciation left."""
    if placed_in_service >= TABLE_A7A_FROM:
        return TABLE_A7A
    if placed_in_service >= TABLE_A7_FROM:
        return TABLE_A7
    return None
