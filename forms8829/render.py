"""The layout of Form 8829 (parts, line numbers, titles, columns) and plain-text rendering.

One description of the form serves the `form8829` command's table, the year-end review page and
the PDF. Works on the form output contract (docs/ledger-format.md §3); must not import Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from forms8829.businesses import FORM_TITLES, WORKSHEET
from forms8829.money import fmt_whole_dollars
from forms8829.worksheet import LINES as WORKSHEET_LINES


@dataclass(frozen=True)
class Line:
    number: str  # "1" .. "44"
    title: str
    columns: bool = False  # has (a) direct and (b) indirect
    kind: str = "money"  # money | area | percent | fraction | rate | hours


@dataclass(frozen=True)
class Part:
    title: str
    lines: tuple[Line, ...]


FORM_8829 = (
    Part(
        "Part I — Part of Your Home Used for Business",
        (
            Line(
                "1",
                "Area used regularly and exclusively for business, daycare or storage",
                kind="area",
            ),
            Line("2", "Total area of home", kind="area"),
            Line("3", "Divide line 1 by line 2 (percentage)", kind="percent"),
            Line("4", "Daycare: hours used during the year", kind="hours"),
            Line("5", "Total hours available for use during the year", kind="hours"),
            Line("6", "Divide line 4 by line 5 (decimal)", kind="fraction"),
            Line("7", "Business percentage", kind="percent"),
        ),
    ),
    Part(
        "Part II — Figure Your Allowable Deduction",
        (
            Line("8", "Gross income limit (Schedule C line 29 plus gains, minus losses)"),
            Line("9", "Casualty losses", columns=True),
            Line("10", "Deductible mortgage interest", columns=True),
            Line("11", "Real estate taxes", columns=True),
            Line("12", "Add lines 9, 10 and 11", columns=True),
            Line("13", "Multiply line 12, column (b), by line 7"),
            Line("14", "Add line 12, column (a), and line 13"),
            Line("15", "Subtract line 14 from line 8 (not less than zero)"),
            Line("16", "Excess mortgage interest", columns=True),
            Line("17", "Excess real estate taxes", columns=True),
            Line("18", "Insurance", columns=True),
            Line("19", "Rent", columns=True),
            Line("20", "Repairs and maintenance", columns=True),
            Line("21", "Utilities", columns=True),
            Line("22", "Other expenses", columns=True),
            Line("23", "Add lines 16 through 22", columns=True),
            Line("24", "Multiply line 23, column (b), by line 7"),
            Line("25", "Carryover of prior year operating expenses"),
            Line("26", "Add line 23, column (a), line 24 and line 25"),
            Line("27", "Allowable operating expenses: smaller of line 15 or line 26"),
            Line("28", "Limit on excess casualty losses and depreciation: line 15 minus line 27"),
            Line("29", "Excess casualty losses"),
            Line("30", "Depreciation of your home from line 42"),
            Line("31", "Carryover of prior year excess casualty losses and depreciation"),
            Line("32", "Add lines 29 through 31"),
            Line("33", "Allowable excess casualty losses and depreciation: smaller of 28 or 32"),
            Line("34", "Add lines 14, 27 and 33"),
            Line("35", "Casualty loss portion of lines 14 and 33 (to Form 4684)"),
            Line("36", "Allowable expenses for business use of your home (Schedule C line 30)"),
        ),
    ),
    Part(
        "Part III — Depreciation of Your Home",
        (
            Line("37", "Smaller of adjusted basis or fair market value"),
            Line("38", "Value of land included on line 37"),
            Line("39", "Basis of building: line 37 minus line 38"),
            Line("40", "Business basis of building: line 39 times line 7"),
            Line("41", "Depreciation percentage", kind="rate"),
            Line("42", "Depreciation allowable: line 40 times line 41 (plus improvements)"),
        ),
    ),
    Part(
        "Part IV — Carryover of Unallowed Expenses to Next Year",
        (
            Line("43", "Operating expenses: line 26 minus line 27"),
            Line("44", "Excess casualty losses and depreciation: line 32 minus line 33"),
        ),
    ),
)

SIMPLIFIED_WORKSHEET = (
    Line("1", "Gross income limit"),
    Line("2", "Allowable square footage (average of monthly areas, at most 300)", kind="area"),
    Line("3a", "Simplified method amount per square foot"),
    Line("3b", "Daycare fraction (1.0 unless daycare is not exclusive)", kind="fraction"),
    Line("3c", "Line 3a times line 3b"),
    Line("4", "Line 2 times line 3c"),
    Line("5", "Allowable deduction: smaller of line 1 or line 4 (Schedule C line 30)"),
    Line("6a", "Carryover of prior year operating expenses (kept for a later regular year)"),
    Line("6b", "Carryover of prior year casualty losses and depreciation (kept)"),
)

_FORM_LINE_KINDS = {line.number: line.kind for part in FORM_8829 for line in part.lines}
_WORKSHEET_PARTS = (
    ("Part 1 — Part of Your Home Used for Business", "1", "3"),
    ("Part 2 — Figure Your Allowable Deduction", "4", "34"),
    ("Part 3 — Depreciation of Your Home", "35", "40"),
    ("Part 4 — Carryover of Unallowed Expenses to Next Year", "41", "42"),
)
# Pub 587's worksheet (farmers, partners): its lines and words from forms8829.worksheet, each
# printed as the Form 8829 line it equals.
PUB587_WORKSHEET = tuple(
    Part(
        title,
        tuple(
            Line(number, words, two, _FORM_LINE_KINDS.get(form_line, "money"))
            for number, form_line, two, words in WORKSHEET_LINES
            if int(first) <= int(number) <= int(last)
        ),
    )
    for title, first, last in _WORKSHEET_PARTS
)

MONEY_LINES = frozenset(
    line.number for part in FORM_8829 for line in part.lines if line.kind == "money"
)
WORKSHEET_MONEY_LINES = frozenset(
    line.number for part in PUB587_WORKSHEET for line in part.lines if line.kind == "money"
)
BUSINESS_MONEY = ("deduction", "casualty_losses", "internet", "phone")
SIMPLIFIED_MONEY_LINES = frozenset({"1", "3a", "3c", "4", "5", "6a", "6b"})


def _keys(line: Line) -> tuple[str, ...]:
    return (f"{line.number}a", f"{line.number}b") if line.columns else (line.number,)


def whole_dollar_output(output: dict) -> dict:
    """The IRS whole-dollar view of a stored form: each money line rounded half up. A
    rendering of the computed cents, not a second computation (docs/tax-rules.md §1)."""

    def dollars(value):
        return None if value is None else fmt_whole_dollars(Decimal(value))

    lines = output.get("lines")
    if lines is not None:
        lines = {
            key: dollars(value) if key.rstrip("ab") in MONEY_LINES else value
            for key, value in lines.items()
        }
    worksheet = output.get("simplified_worksheet")
    if worksheet is not None:
        worksheet = {
            key: dollars(value) if key in SIMPLIFIED_MONEY_LINES else value
            for key, value in worksheet.items()
        }
    other = {k: dollars(v) for k, v in output.get("schedule_c_other", {}).items()}
    pub587_lines = output.get("worksheet")
    if pub587_lines is not None:
        pub587_lines = {
            key: dollars(value) if key.rstrip("ab") in WORKSHEET_MONEY_LINES else value
            for key, value in pub587_lines.items()
        }
    parts = [
        {**part, **{k: dollars(part[k]) for k in BUSINESS_MONEY}}
        for part in output.get("businesses") or []
    ]
    return {
        **output,
        "lines": lines,
        "worksheet": pub587_lines,
        "businesses": parts,
        "simplified_worksheet": worksheet,
        "schedule_c_line_30": dollars(output.get("schedule_c_line_30")),
        "schedule_c_other": other,
    }


def _cell(value) -> str:
    return "—" if value is None else str(value)


def layout(output: dict) -> tuple[str, tuple[Part, ...], dict]:
    """(title, parts, values) of a stored form's regular-method layout: Form 8829, or Pub 587's
    worksheet for a farm or a partnership (docs/tax-rules.md §6a)."""
    if output.get("form") == WORKSHEET and output.get("worksheet") is not None:
        return FORM_TITLES[WORKSHEET], PUB587_WORKSHEET, output["worksheet"]
    return "Form 8829", FORM_8829, output.get("lines") or {}


def form_as_text(output: dict) -> str:
    """The form as an aligned plain-text table (the `form8829` command without --json)."""
    name, parts, lines = layout(output)
    title = f"{name} — {output['year']} — {output['home']} ({output['method']} method)"
    rows = [title, "=" * len(title)]
    if output.get("lines") is not None:
        for part in parts:
            rows += ["", part.title]
            for line in part.lines:
                if line.columns:
                    a, b = (_cell(lines.get(k)) for k in _keys(line))
                    rows.append(f"{line.number:>4}  {line.title:<72} (a) {a:>12}  (b) {b:>12}")
                else:
                    rows.append(
                        f"{line.number:>4}  {line.title:<72} {_cell(lines.get(line.number)):>33}"
                    )
    else:
        worksheet = output.get("simplified_worksheet") or {}
        rows += ["", "Simplified Method Worksheet"]
        for line in SIMPLIFIED_WORKSHEET:
            rows.append(
                f"{line.number:>4}  {line.title:<72} {_cell(worksheet.get(line.number)):>33}"
            )
    other = output.get("schedule_c_other", {})
    parts = output.get("businesses") or []
    if len(parts) > 1 or output.get("form") == WORKSHEET:
        rows += ["", "Where the deduction goes (Pub 587, Where To Deduct):"]
        for part in parts:
            rows.append(
                f"  {part['name']}: {part['deduction']} ({part['share_percent']}%) to "
                f"{part['deduction_goes_to']}"
            )
            if Decimal(part["internet"]) or Decimal(part["phone"]):
                rows.append(
                    f"    internet {part['internet']}, phone {part['phone']} to "
                    f"{part['internet_phone_go_to']}"
                )
    else:
        rows += [
            "",
            f"Schedule C line 30: {output.get('schedule_c_line_30')}",
            f"Beside the form (Schedule C): internet {other.get('internet')}, "
            f"phone {other.get('phone')}",
        ]
    notes = output.get("notes") or []
    if notes:
        rows += ["", "Notes:"] + [f"  - {note}" for note in notes]
    return "\n".join(rows)
