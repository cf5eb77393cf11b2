"""Where a bill lands: one table from a bill's category, scope and own business share to its
Form 8829 line and column, or to Schedule C beside the form, with the engine input it feeds
(docs/tax-rules.md §2; docs/ledger-format.md §1).

Everything that places a bill asks this table: the selectors sum bills into the engine fields
named here and build their SQL conditions from it; the review's drill-down links, the bill
changelist's filters and totals, the support CSV and the PDF take their lines, columns and
categories from it. Category and scope codes are the ledger's `Bill.Category` and `Bill.Scope`
values (tests/forms8829/test_lines.py checks that they agree); line titles stay in
`forms8829.render`, colours in `review.charts`.

Pure Python: must not import Django (tests/forms8829/test_engine_is_pure.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from forms8829.rules import UnsupportedYearError, rules_for

DIRECT, INDIRECT = "direct", "indirect"  # Bill.Scope
SCOPES = (DIRECT, INDIRECT)
COLUMN_A, COLUMN_B = "a", "b"  # (a) direct, (b) indirect


@dataclass(frozen=True)
class BillLine:
    """Where the bills of one category go."""

    category: str
    label: str  # what the form calls the expense
    lines: tuple[str, ...]  # the Form 8829 lines it feeds, in form order; () beside the form
    # Per column, the cells of the form output ("lines" keys) a counted bill can end up in, the
    # usual one first. Which of several it is depends on the taxpayer (itemizing, the Schedule A
    # mortgage interest limit, the Line 11 Worksheet), not on the bill.
    cells: dict[str, tuple[str, ...]]
    engine_field: str  # an engine.Expenses field; beside the form, an engine.HomeYearInput field
    schedule_c_line: str | None = None  # beside the form; counts only its business-use share
    counts_if: str | None = None  # a YearRules flag: deductible on the form only where it is true

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.cells)

    @property
    def one_amount(self) -> bool:
        """The engine takes one amount (column (b) or beside the form), not two columns."""
        return self.columns != (COLUMN_A, COLUMN_B)

    @property
    def per_column(self) -> bool:
        """Each column of its line is filled by its bills alone, so a cell traces to its bills."""
        return len(self.lines) == 1 and all(len(cells) == 1 for cells in self.cells.values())


def _one_line(category: str, line: str, engine_field: str, label: str) -> BillLine:
    return BillLine(
        category,
        label,
        (line,),
        {COLUMN_A: (f"{line}a",), COLUMN_B: (f"{line}b",)},
        engine_field,
    )


# In form order. Mortgage interest is never a direct expense (i8829 lines 9-11); itemizers put it
# on line 10(b), its excess over the Schedule A limit and a standard-deduction filer's all of it on
# line 16(b). Mortgage insurance premiums count as mortgage interest in the years the rules say.
# Real estate taxes go on line 11, or line 17 for standard-deduction filers; the Line 11 Worksheet
# moves indirect ones to column (a) of lines 11 and 17. Internet and telephone are Schedule C
# expenses beside the form (Schedule C line 25), never Form 8829 lines.
BILL_LINES: dict[str, BillLine] = {
    line.category: line
    for line in (
        BillLine(
            "mortgage_interest",
            "Mortgage interest",
            ("10", "16"),
            {COLUMN_B: ("10b", "16b")},
            "mortgage_interest",
        ),
        BillLine(
            "mortgage_insurance",
            "Mortgage insurance premiums",
            ("10", "16"),
            {COLUMN_B: ("10b", "16b")},
            "mortgage_insurance",
            counts_if="mortgage_insurance_is_interest",
        ),
        BillLine(
            "real_estate_tax",
            "Real estate taxes",
            ("11", "17"),
            {COLUMN_A: ("11a", "17a"), COLUMN_B: ("11b", "17b", "11a", "17a")},
            "real_estate_taxes",
        ),
        _one_line("insurance", "18", "insurance", "Insurance"),
        _one_line("rent", "19", "rent", "Rent"),
        _one_line("repairs", "20", "repairs", "Repairs and maintenance"),
        _one_line("utilities", "21", "utilities", "Utilities"),
        _one_line("other", "22", "other", "Other expenses"),
        BillLine("internet", "Internet", (), {}, "internet_business", schedule_c_line="25"),
        BillLine("phone", "Telephone", (), {}, "phone_business", schedule_c_line="25"),
    )
}
SCHEDULE_C = tuple(line for line in BILL_LINES.values() if line.schedule_c_line)
SCHEDULE_C_CATEGORIES = tuple(line.category for line in SCHEDULE_C)


@dataclass(frozen=True)
class Spot:
    """Where one bill lands."""

    line: BillLine
    column: str | None  # None beside the form
    share: bool  # only its business-use percent of the amount counts
    counts: bool  # False: beside the form without its business share, it counts nothing

    @property
    def cells(self) -> tuple[str, ...]:
        return self.line.cells.get(self.column, ())


def spot(category: str, scope: str, has_share: bool) -> Spot:
    """Where a bill of `category` and `scope` lands, with or without its own business-use
    percent (docs/tax-rules.md §2)."""
    line = BILL_LINES[category]
    if line.schedule_c_line:
        # Only the business share counts, whatever the scope; without it, nothing (flagged).
        return Spot(line, None, share=has_share, counts=has_share)
    if COLUMN_A not in line.cells:
        # Never direct: column (b) whatever the scope, and an own share does not apply.
        return Spot(line, COLUMN_B, share=False, counts=True)
    if scope == DIRECT:
        return Spot(line, COLUMN_A, share=False, counts=True)
    # An indirect bill with its own business share puts only that part in column (a)
    # (docs/tax-rules.md §2; the i8829 example: $800 electric bill, $300 for lighting, 10% office
    # -> $30 on line 21(a)).
    return Spot(line, COLUMN_A if has_share else COLUMN_B, share=has_share, counts=True)


def deductible_in(category: str, year: int | None) -> bool:
    """Whether the category's bills are deductible on the form in `year` (None: some year)."""
    flag = BILL_LINES[category].counts_if
    if flag is None or year is None:
        return True
    try:
        return getattr(rules_for(year), flag)
    except UnsupportedYearError:
        return False


# Drill-down targets name the bills behind a place on the form: a cell its category's bills alone
# fill ("21b"), a whole line when the taxpayer decides which of two lines and columns the bills
# land in ("10" and "16" list the same bills), or a category beside the form ("internet").
FORM_LINES = tuple(dict.fromkeys(number for line in BILL_LINES.values() for number in line.lines))


def target_of(cell: str) -> str:
    """The drill-down target of a bill-fed cell of the form ("21b" -> "21b", "11a" -> "11")."""
    number = cell[:-1]
    per_column = all(line.per_column for line in BILL_LINES.values() if number in line.lines)
    return cell if per_column else number


def behind(target: str, where: Spot, year: int | None = None) -> bool:
    """Whether a bill that lands at `where` is behind the drill-down target in `year`."""
    line = where.line
    if line.schedule_c_line:
        return where.counts and target == line.category
    if not deductible_in(line.category, year):
        return False
    number, column = target, None
    if target[-1:] in (COLUMN_A, COLUMN_B):
        number, column = target[:-1], target[-1]
    return number in line.lines and column in (None, where.column)
