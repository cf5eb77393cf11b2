"""Year-specific numbers for Form 8829, in one table keyed by tax year.

Holds the SALT caps (and the 2025+ phase-down), whether mortgage insurance premiums count as
mortgage interest, the simplified-method rate and area cap, the hours in the year, and Pub 946
Table A-7a exactly as printed. The engine reads every year-dependent number from here; no magic
numbers in the arithmetic. Pure Python: this module must not import Django.
"""

from dataclasses import dataclass
from decimal import Decimal

from forms8829.money import ZERO, cents

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
    salt_cap: Decimal  # Line 11 Worksheet line 8
    salt_cap_mfs: Decimal  # the same for married filing separately
    # 2025+: the cap is reduced by `salt_phase_down_rate` of modified AGI above the threshold,
    # never below the floor. None = no phase-down that year.
    salt_phase_down_threshold: Decimal | None = None
    salt_phase_down_threshold_mfs: Decimal | None = None
    salt_phase_down_rate: Decimal = Decimal("0.30")
    salt_floor: Decimal = Decimal("10000")
    salt_floor_mfs: Decimal = Decimal("5000")
    simplified_rate: Decimal = Decimal("5")  # Simplified Method Worksheet line 3a, $ per sq ft
    simplified_max_area: Decimal = Decimal("300")  # square feet, per month

    def salt_cap_for(self, filing_status: str, modified_agi: Decimal | None) -> Decimal:
        """The state and local tax cap for this filer (Line 11 Worksheet line 8)."""
        mfs = filing_status == MARRIED_SEPARATE
        cap = self.salt_cap_mfs if mfs else self.salt_cap
        threshold = self.salt_phase_down_threshold_mfs if mfs else self.salt_phase_down_threshold
        if threshold is None or modified_agi is None:
            return cap
        floor = self.salt_floor_mfs if mfs else self.salt_floor
        reduction = cents(max(ZERO, modified_agi - threshold) * self.salt_phase_down_rate)
        return max(floor, cap - reduction)


_HOURS = Decimal("8760")
_HOURS_LEAP = Decimal("8784")
_TCJA_CAP = Decimal("10000")
_TCJA_CAP_MFS = Decimal("5000")
_MIP_COUNTS = True  # mortgage insurance premiums count as mortgage interest
_MIP_LEFT_OUT = False  # not deductible that year: left out with a note

# year: (year, hours in year, mortgage insurance, SALT cap, SALT cap MFS, 2025+ phase-down)
YEAR_RULES: dict[int, YearRules] = {
    2018: YearRules(2018, _HOURS, _MIP_COUNTS, _TCJA_CAP, _TCJA_CAP_MFS),
    2019: YearRules(2019, _HOURS, _MIP_COUNTS, _TCJA_CAP, _TCJA_CAP_MFS),
    2020: YearRules(2020, _HOURS_LEAP, _MIP_COUNTS, _TCJA_CAP, _TCJA_CAP_MFS),
    2021: YearRules(2021, _HOURS, _MIP_COUNTS, _TCJA_CAP, _TCJA_CAP_MFS),
    2022: YearRules(2022, _HOURS, _MIP_LEFT_OUT, _TCJA_CAP, _TCJA_CAP_MFS),
    2023: YearRules(2023, _HOURS, _MIP_LEFT_OUT, _TCJA_CAP, _TCJA_CAP_MFS),
    2024: YearRules(2024, _HOURS_LEAP, _MIP_LEFT_OUT, _TCJA_CAP, _TCJA_CAP_MFS),
    2025: YearRules(
        2025,
        _HOURS,
        _MIP_LEFT_OUT,
        Decimal("40000"),
        Decimal("20000"),
        salt_phase_down_threshold=Decimal("500000"),
        salt_phase_down_threshold_mfs=Decimal("250000"),
    ),
    2026: YearRules(
        2026,
        _HOURS,
        _MIP_COUNTS,
        Decimal("40400"),
        Decimal("20200"),
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
    if not 1 <= month_placed_in_service <= MONTHS_IN_YEAR:
        raise ValueError(f"month must be 1-12, got {month_placed_in_service}")
    if recovery_year < 1 or recovery_year > RECOVERY_YEARS:
        return ZERO
    if recovery_year == 1:
        return TABLE_A7A_YEAR_1[month_placed_in_service]
    if recovery_year == RECOVERY_YEARS:
        return TABLE_A7A_YEAR_40[month_placed_in_service]
    return TABLE_A7A_YEARS_2_TO_39
