"""Pub 587's *Worksheet To Figure the Deduction for Business Use of Your Home*, as a layout of
the Form 8829 arithmetic (docs/tax-rules.md §6a).

Farmers (Schedule F) and partners (Schedule E) cannot use Form 8829 (Form 8829 instructions, Who
Cannot Use Form 8829); Pub 587 gives them this worksheet. Its tiers, limit and carryovers are
Form 8829's: worksheet lines 5-10 are Form 8829 lines 9-14 and lines 13-42 are lines 15-44.
Where the two differ, the worksheet starts from the business's gross income (line 4) and
subtracts the business expenses that are not from the use of the home (line 11), where Form
8829's line 8 starts from Schedule C's tentative profit; so the engine's limit for a worksheet
home is line 4 less line 11, and lines 12 and 13 print the steps. Part 1 has no daycare lines:
line 3 is the business percentage the form applies (Form 8829 line 7).

Line numbers and wording: Pub 587 (2018 and later editions: line 15, excess real estate taxes,
was added after the SALT cap, moving each later line down one). Pure Python: no Django.
"""

from __future__ import annotations

# (worksheet line, the Form 8829 line it equals or None, two columns, the worksheet's words)
LINES: tuple[tuple[str, str | None, bool, str], ...] = (
    ("1", "1", False, "Area used regularly and exclusively for business"),
    ("2", "2", False, "Total area of home"),
    ("3", "7", False, "Percentage of home used for business"),
    ("4", None, False, "Gross income from business"),
    ("5", "9", True, "Casualty losses"),
    ("6", "10", True, "Deductible mortgage interest"),
    ("7", "11", True, "Real estate taxes"),
    ("8", "12", True, "Total of lines 5 through 7"),
    ("9", "13", False, "Multiply line 8, column (b), by line 3"),
    ("10", "14", False, "Add line 8, column (a), and line 9"),
    ("11", None, False, "Business expenses not from business use of home"),
    ("12", None, False, "Add lines 10 and 11"),
    ("13", "15", False, "Deduction limit. Subtract line 12 from line 4"),
    ("14", "16", True, "Excess mortgage interest"),
    ("15", "17", True, "Excess real estate taxes"),
    ("16", "18", True, "Insurance"),
    ("17", "19", True, "Rent"),
    ("18", "20", True, "Repairs and maintenance"),
    ("19", "21", True, "Utilities"),
    ("20", "22", True, "Other expenses"),
    ("21", "23", True, "Add lines 14 through 20"),
    ("22", "24", False, "Multiply line 21, column (b), by line 3"),
    ("23", "25", False, "Carryover of operating expenses from prior year"),
    ("24", "26", False, "Add line 21, column (a), line 22, and line 23"),
    ("25", "27", False, "Allowable operating expenses. Enter the smaller of line 13 or line 24"),
    ("26", "28", False, "Limit on excess casualty losses and depreciation. Line 13 minus line 25"),
    ("27", "29", False, "Excess casualty losses"),
    ("28", "30", False, "Depreciation of your home from line 40 below"),
    ("29", "31", False, "Carryover of excess casualty losses and depreciation from prior year"),
    ("30", "32", False, "Add lines 27 through 29"),
    ("31", "33", False, "Allowable excess casualty losses and depreciation (smaller of 26 or 30)"),
    ("32", "34", False, "Add lines 10, 25, and 31"),
    ("33", "35", False, "Casualty losses included on lines 10 and 31 (to Form 4684)"),
    ("34", "36", False, "Allowable expenses for business use of your home (line 32 minus 33)"),
    ("35", "37", False, "Smaller of adjusted basis or fair market value of home"),
    ("36", "38", False, "Basis of land"),
    ("37", "39", False, "Basis of building (line 35 minus line 36)"),
    ("38", "40", False, "Business basis of building (line 37 times line 3)"),
    ("39", "41", False, "Depreciation percentage"),
    ("40", "42", False, "Depreciation allowable (line 38 times line 39)"),
    ("41", "43", False, "Operating expenses: line 24 minus line 25 (carryover to next year)"),
    ("42", "44", False, "Excess casualty losses and depreciation: line 30 minus line 31"),
)
DEDUCTION_LINE = "34"  # the worksheet's allowable expenses (Form 8829 line 36)


def form_keys() -> dict[str, str]:
    """Each worksheet cell's key ("5a", "13") and the Form 8829 cell it equals ("9a", "15")."""
    keys = {}
    for number, form_line, two_columns, _ in LINES:
        if form_line is not None:
            for suffix in ("a", "b") if two_columns else ("",):
                keys[f"{number}{suffix}"] = f"{form_line}{suffix}"
    return keys


def worksheet_lines(
    form_lines: dict[str, str | None], gross_income: str, other_expenses: str, line_12: str
) -> dict[str, str | None]:
    """The worksheet's lines (keys "5a"/"5b" for its two columns) from the Form 8829 `lines`
    output of the same computation and the worksheet's own lines 4, 11 and 12."""
    own = {"4": gross_income, "11": other_expenses, "12": line_12}
    mapped = {key: form_lines.get(form_key) for key, form_key in form_keys().items()}
    # In the worksheet's order: lines 4, 11 and 12 are its own.
    return {
        key: own[number] if number in own else mapped[key]
        for number, _, two_columns, _ in LINES
        for key in ((f"{number}a", f"{number}b") if two_columns else (number,))
    }
