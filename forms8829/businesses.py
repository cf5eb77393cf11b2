"""Which return a home's deduction goes on, and each business's part of it (docs/tax-rules.md §6a).

Pub 587 "Where To Deduct" and the Form 8829 instructions ("Who Cannot Use Form 8829"):

- a sole proprietor or a statutory employee (Schedule C) figures the deduction on Form 8829, one
  per home; line 36 goes to Schedule C line 30;
- a farmer (Schedule F) and a partner paying partnership expenses the partnership agreement
  requires (Schedule E) cannot use Form 8829: they use Pub 587's *Worksheet To Figure the
  Deduction for Business Use of Your Home*, the same tiers, limit and carryovers with its own
  line numbers (`forms8829.worksheet`); the deduction goes to Schedule F line 32 ("Business Use
  of Home") or to Schedule E line 28 as unreimbursed partnership expenses ("UPE");
- an employee (Form W-2) deducts nothing on the federal return from 2018 on: IRC §67(g) suspended
  miscellaneous itemized deductions for 2018-2025 and P.L. 119-21 made that permanent.

A home used by several businesses of the same form has one form; its deduction is allocated
among them (default: each business's share of the business area, project rule; the user may
set the shares). The values of `kind` are those of `ledger.models.Business.Kind` (a test pins
them). Pure Python: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from forms8829.lines import SCHEDULE_C
from forms8829.money import ZERO

SOLE_PROPRIETOR = "sole_proprietor"
STATUTORY_EMPLOYEE = "statutory_employee"
FARM = "farm"
PARTNER = "partner"
EMPLOYEE = "employee"
KINDS = (SOLE_PROPRIETOR, STATUTORY_EMPLOYEE, FARM, PARTNER, EMPLOYEE)

FORM_8829 = "form_8829"
WORKSHEET = "pub587_worksheet"
FORM_TITLES = {
    FORM_8829: "Form 8829",
    WORKSHEET: "Pub 587 Worksheet To Figure the Deduction for Business Use of Your Home",
}


@dataclass(frozen=True)
class Destination:
    """Where a business of one kind reports the deduction and its internet and phone shares."""

    form: str  # the form that figures the deduction: FORM_8829 | WORKSHEET
    line: str  # the schedule and line, short: "Schedule C line 30"
    deduction: str  # where the deduction (line 36 / worksheet line 34 / simplified line 5) goes
    internet_phone: str  # where the business shares of internet and telephone go
    citation: str


# Internet and telephone business shares: Schedule C's utilities line (forms8829.lines).
(_SCHEDULE_C_UTILITIES,) = {line.schedule_c_line for line in SCHEDULE_C}
_ON_SCHEDULE_C = f"Schedule C (Form 1040), line {_SCHEDULE_C_UTILITIES} (utilities)"

DESTINATIONS = {
    SOLE_PROPRIETOR: Destination(
        FORM_8829,
        "Schedule C line 30",
        "Schedule C (Form 1040), line 30",
        _ON_SCHEDULE_C,
        "Form 8829 instructions, line 36; Pub 587, Where To Deduct, Self-Employed Persons",
    ),
    STATUTORY_EMPLOYEE: Destination(
        FORM_8829,
        "Schedule C line 30",
        "Schedule C (Form 1040), line 30",
        _ON_SCHEDULE_C,
        "Form 8829 instructions (statutory employees file Schedule C); Pub 587, Where To Deduct",
    ),
    FARM: Destination(
        WORKSHEET,
        "Schedule F line 32",
        'Schedule F (Form 1040), line 32, "Business Use of Home"',
        "Schedule F (Form 1040), line 30 (utilities)",
        "Form 8829 instructions, Who Cannot Use Form 8829; Pub 587, Where To Deduct, Schedule F",
    ),
    PARTNER: Destination(
        WORKSHEET,
        "Schedule E line 28",
        'Schedule E (Form 1040), line 28, as unreimbursed partnership expenses ("UPE")',
        'Schedule E (Form 1040), line 28, as unreimbursed partnership expenses ("UPE")',
        "Form 8829 instructions, Who Cannot Use Form 8829; Pub 587, Where To Deduct, Partners; "
        "Schedule E instructions, line 28",
    ),
}

EMPLOYEE_EXPLANATION = (
    "An employee (Form W-2) cannot deduct the business use of a home on the federal return for "
    "2018 and later years: it was a miscellaneous itemized deduction, suspended by IRC §67(g) "
    "for 2018 through 2025 and permanently by P.L. 119-21 (2025). This business's office areas "
    "are left out of every form (Pub 587, Where To Deduct; Form 8829 instructions, Who Cannot "
    "Use Form 8829). A statutory employee (box 13 of Form W-2 checked) files Schedule C: mark "
    "the business as one."
)


@dataclass(frozen=True)
class BusinessUse:
    """A business that uses the home in the year (engine input)."""

    name: str
    kind: str
    area: Decimal  # its day-weighted business area in the year: the default allocation weight
    share_percent: Decimal | None = None  # the user's share of the home's deduction, if set
    internet: Decimal = ZERO  # its business shares of internet and telephone (beside the form)
    phone: Decimal = ZERO


@dataclass(frozen=True)
class BusinessPart:
    """A business's part of one home's deduction (engine output)."""

    name: str
    kind: str
    share_percent: Decimal  # 2 decimals
    deduction: Decimal  # its part of line 36 / worksheet line 34 / simplified line 5
    casualty: Decimal  # its part of line 35 / worksheet line 33 (Form 4684)
    internet: Decimal
    phone: Decimal
    allocated_by: str  # "area" | "user" | "only business"

    @property
    def destination(self) -> Destination:
        return DESTINATIONS[self.kind]


def form_of(businesses: tuple[BusinessUse, ...]) -> str:
    """The form for a home used by `businesses` (none: one Schedule C business, Form 8829)."""
    forms = {DESTINATIONS[b.kind].form for b in businesses if b.kind in DESTINATIONS}
    return forms.pop() if len(forms) == 1 else FORM_8829


def problems(businesses: tuple[BusinessUse, ...]) -> list[str]:
    """What keeps the home's businesses from sharing one form, in words for the user."""
    out = []
    unknown = sorted({b.kind for b in businesses if b.kind not in DESTINATIONS})
    if unknown:
        out.append(
            f"business kind {', '.join(unknown)} has no form here (an employee's office areas "
            "are left out; the other kinds are " + ", ".join(DESTINATIONS) + ")"
        )
    names = [b.name for b in businesses]
    if len(set(names)) != len(names):
        out.append("two businesses of the home have the same name")
    by_form: dict[str, list[str]] = {}
    for b in businesses:
        if b.kind in DESTINATIONS:
            by_form.setdefault(DESTINATIONS[b.kind].form, []).append(b.name)
    if len(by_form) > 1:
        out.append(
            "the home is used in the same year by businesses that figure the deduction on "
            "different forms ("
            + "; ".join(f"{', '.join(n)}: {FORM_TITLES[f]}" for f, n in sorted(by_form.items()))
            + "). The ledger computes one form per home and year and cannot split one home "
            "between the two yet; ask a preparer to figure this year"
        )
    given = [b.share_percent for b in businesses if b.share_percent is not None]
    if given and len(given) != len(businesses):
        missing = [b.name for b in businesses if b.share_percent is None]
        out.append(f"the shares of the home's deduction leave out {', '.join(missing)}")
    elif given and sum(given) != 100:
        out.append(f"the shares of the home's deduction add up to {sum(given)}%, not 100%")
    return out


def mixed_form_years(
    areas: list[tuple[str, str, date | None, date | None]],
) -> dict[int, list[str]]:
    """Early check for the admin: the years in which a home's office areas, given as (business
    name, kind, start, end), belong to businesses that figure the deduction on different forms
    (the case `problems` refuses), with those businesses' names. Open dates reach no further
    than the other areas' years."""
    known = [a for a in areas if a[1] in DESTINATIONS]
    years = [d.year for _, _, start, end in known for d in (start, end) if d is not None]
    if not years:
        return {}
    first, last = min(years), max(years)
    out: dict[int, list[str]] = {}
    for year in range(first, last + 1):
        using = {
            name: DESTINATIONS[kind].form
            for name, kind, start, end in known
            if (start is None or start.year <= year) and (end is None or end.year >= year)
        }
        if len(set(using.values())) > 1:
            out[year] = sorted(using)
    return out
