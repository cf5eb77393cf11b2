"""The year-end review's data: the forms laid out for display, drill-down targets, what is missing,
chart data and the carryover chain.

Reads only: the forms come from `forms8829.chain` (the engine's stored output, never recomputed
here), the rest are SQL aggregates over the ledger in a constant number of queries whatever the
number of bills. No tax arithmetic: values are the engine's, formatted for people. Where a bill
goes on the form is `forms8829.lines` (docs/tax-rules.md §2; docs/ledger-format.md §1); the
review's links, the bill changelist's filters and totals and the support CSV all ask it, so they
agree.

Must not import the admin; the admin (interface.admin_ledger, review.views) imports this.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    When,
)
from django.db.models.functions import ExtractMonth
from django.utils.html import escape
from django.utils.safestring import mark_safe

from forms8829 import businesses as business_kinds
from forms8829 import lines as bill_lines
from forms8829 import worksheet as pub587
from forms8829.chain import (
    FormError,
    MethodComparison,
    YearForms,
    chain_compute,
    method_comparison,
)
from forms8829.periods import Interval, clip, year_interval
from forms8829.render import FORM_8829, SIMPLIFIED_WORKSHEET, Line, layout
from forms8829.selectors import (
    AreaMethods,
    area_methods,
    column_bills_q,
    employee_businesses,
    home_business_use,
    home_restarts,
    office_areas_prefetch,
)
from ledger.checks import bill_warnings, home_warnings, year_warnings
from ledger.models import Bill, Business, Home, OfficeArea, Receipt, TaxYear, TaxYearHome
from ledger.statement_models import BillSchedule
from review import charts
from review.links import (
    add_url,
    area_method_url,
    bill_list_url,
    change_url,
    review_url,
    year_grid_url,
)

C = Bill.Category
MISSING_RECEIPTS_SHOWN = 12
# Recurring payees with months without a bill listed on the review, the rest behind a link.
MISSING_MONTHS_SHOWN = 10
MONTHS = tuple(calendar.month_abbr[m] for m in range(1, 13))

# ---------------------------------------------------------------------------------------------
# Formatting: money as money, the other kinds as the form prints them.
# ---------------------------------------------------------------------------------------------


def money(value) -> str:
    """$1,234.56 (a negative amount as -$1,234.56); None as an em dash."""
    if value is None:
        return "—"
    amount = Decimal(value)
    text = f"${abs(amount):,.2f}"
    return f"-{text}" if amount < 0 else text


def line_value(value: str | None, kind: str, *, rooms: bool = False) -> str:
    """One stored line value as a person reads it (the stored string keeps its decimals)."""
    if value is None:
        return "—"
    if kind == "money":
        return money(value)
    if kind == "area":
        return f"{Decimal(value):,.2f} {'rooms' if rooms else 'sq ft'}"
    if kind in ("percent", "rate"):
        return f"{value}%"
    if kind == "hours":
        return f"{Decimal(value):,.2f} h"
    return value


# ---------------------------------------------------------------------------------------------
# Where a bill goes on the form (`forms8829.lines`): drill-down targets shared by the review, the
# bill changelist's "Form 8829 line" filter and the support CSV.
# ---------------------------------------------------------------------------------------------

LINE_TITLES = {line.number: line.title for part in FORM_8829 for line in part.lines}
SOME_YEARS = " (in the years they count)"  # mortgage insurance premiums (docs/tax-rules.md §2)


def _drill_targets() -> dict[str, str]:
    targets: dict[str, str] = {}
    for entry in bill_lines.BILL_LINES.values():
        if entry.schedule_c_line:
            targets[entry.category] = f"Schedule C: {entry.label.lower()} (business share)"
        elif entry.per_column:
            (number,) = entry.lines
            for column in entry.columns:
                targets[f"{number}{column}"] = f"{number}({column}) {LINE_TITLES[number]}"
        elif entry.lines[0] not in targets:
            first, *others = entry.lines
            sharing = [e for e in bill_lines.BILL_LINES.values() if e.lines == entry.lines]
            names = ", ".join(e.label + (SOME_YEARS if e.counts_if else "") for e in sharing)
            targets[first] = f"{'/'.join(entry.lines)} {names.capitalize()}"
            for number in others:
                targets[number] = f"{number} {LINE_TITLES[number]} (same bills as {first})"
    return targets


# The values of the bill changelist's `form_line` filter, in form order.
DRILL_TARGETS: dict[str, str] = _drill_targets()


def drill_url(*, year: int, home_id: int, target: str) -> str:
    return bill_list_url(tax_year=year, home__id__exact=home_id, form_line=target, counted="yes")


def bill_form_line(where: bill_lines.Spot, form_lines: dict | None, year: int) -> str:
    """The line(s) a counted bill feeds, as printed ("21(b)", "10(b)/16(b)", "Schedule C ...")."""
    if where.line.schedule_c_line:
        return f"Schedule C ({where.line.label.lower()})"
    if form_lines is None:
        return "not on the form (simplified method)"
    if not bill_lines.deductible_in(where.line.category, year):
        return f"not deductible in {year}"
    candidates = where.cells
    used = [k for k in candidates if form_lines.get(k) not in (None, "0.00")] or candidates[:1]
    return "/".join(f"{k[:-1]}({k[-1]})" for k in used)


# ---------------------------------------------------------------------------------------------
# The review's data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    url: str | None = None


@dataclass(frozen=True)
class LineRow:
    number: str
    title: str
    columns: bool
    cells: tuple[Cell, ...]  # (a, b) or (amount,)
    kind: str


@dataclass(frozen=True)
class PartView:
    title: str
    rows: tuple[LineRow, ...]
    rows_html: str = ""  # the rows' <tr>s, made once in Python (`_rows_html`), not per cell


KEY_LINES = ("36", "43", "44")  # the form's rows shown in bold


def _cell_html(cell: Cell, title: str) -> str:
    text = escape(cell.text)
    if cell.url:
        text = f'<a href="{escape(cell.url)}"{title}>{text}</a>'
    return f'<td class="num">{text}</td>'


def _rows_html(rows: tuple[LineRow, ...], home_pk: int) -> str:
    """The Form 8829 table's rows of one part: a line's number, title and cells (two columns
    or one amount), each linked to what is behind it. Escaped here: the template shows it as
    it is."""
    out = []
    bills = ' title="The bills behind this amount"'
    for row in rows:
        number = escape(row.number)
        if row.columns:
            cells = "".join(_cell_html(cell, bills) for cell in row.cells)
        else:
            cells = '<td class="empty"></td>' + _cell_html(row.cells[0], "")
        out.append(
            f'<tr class="{"key" if row.number in KEY_LINES else ""}" '
            f'id="h{home_pk}-line-{number}"><td class="line">{number}</td>'
            f"<td>{escape(row.title)}</td>{cells}</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


@dataclass(frozen=True)
class Statement:
    """A "See attached" item: a title, optional table, optional text."""

    title: str
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Note:
    text: str
    project_rule: bool


@dataclass(frozen=True)
class MethodRow:
    """One method of the comparison: this year's deduction and the carryovers it leaves."""

    method: str
    used: bool
    better: bool
    deduction: str
    carryover_operating_out: str
    carryover_casualty_depreciation_out: str


def method_rows(comparison: MethodComparison | None, used: str) -> tuple[MethodRow, ...]:
    if comparison is None:
        return ()
    return tuple(
        MethodRow(
            option.method,
            option.method == used,
            option.method == comparison.better,
            money(option.deduction),
            money(option.carryover_operating_out),
            money(option.carryover_casualty_depreciation_out),
        )
        for option in (comparison.regular, comparison.simplified)
    )


@dataclass(frozen=True)
class BusinessRow:
    """A business's part of one home's deduction, and where it goes (docs/tax-rules.md §6a)."""

    name: str
    kind: str
    share_percent: str
    allocated_by: str
    deduction: str
    goes_to: str
    internet: str
    phone: str
    internet_phone_go_to: str
    beside: bool  # it has internet or phone shares


@dataclass(frozen=True)
class HomeReview:
    form: object  # ComputedForm
    home: Home
    method: str
    parts: tuple[PartView, ...]
    worksheet: tuple[LineRow, ...]
    statements: tuple[Statement, ...]
    notes: tuple[Note, ...]
    schedule_c: tuple[tuple[str, str, str | None], ...]  # (label, amount, drill url)
    deduction: str
    comparison: tuple[MethodRow, ...]
    bills_total: Decimal
    chart_months_svg: str
    chart_share_svg: str
    carry: dict[str, str]
    # Lines 31, 33 and 44 split into casualty losses and depreciation (Part IV keeps them apart).
    casualty_parts: dict[str, dict[str, str]] | None = None
    # Square feet and rooms side by side, when the office areas carry both (Pub 587).
    area_methods: AreaMethods | None = None
    area_method_url: str | None = None
    form_title: str = "Form 8829"  # or Pub 587's worksheet, or the simplified one
    deduction_label: str = "Schedule C line 30"
    businesses: tuple[BusinessRow, ...] = ()  # shown when they are several, or not Schedule C


@dataclass(frozen=True)
class MissingItem:
    kind: str
    text: str
    url: str
    link_text: str
    extra_url: str | None = None
    extra_link_text: str = ""
    count: int = 1  # how many problems the item stands for (the heading's count sums them)


@dataclass(frozen=True)
class ChainRow:
    year: int
    home: str
    method: str
    filed: bool
    review_url: str
    current: bool
    line_25: str
    line_31: str
    line_27: str
    line_33: str
    line_43: str
    line_44: str


@dataclass
class YearReview:
    tax_year: TaxYear
    year: int
    forms: YearForms | None
    homes: list[HomeReview] = field(default_factory=list)
    missing: list[MissingItem] = field(default_factory=list)
    chain: list[ChainRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    attention: list[str] = field(default_factory=list)  # said at the top, before the forms

    @property
    def filed(self) -> bool:
        return self.tax_year.filed

    @property
    def missing_count(self) -> int:
        return sum(item.count for item in self.missing)


def year_review(*, tax_year: TaxYear, all_missing: bool = False) -> YearReview:
    """Everything the review page shows for one tax year of the year's owner. `all_missing`:
    every recurring payee with months without a bill, not the first `MISSING_MONTHS_SHOWN`."""
    owner = tax_year.owner
    year = tax_year.year
    review = YearReview(tax_year=tax_year, year=year, forms=None)
    try:
        chain = chain_compute(owner=owner)
        current = next(yf for yf in chain if yf.year == year)
        comparisons = {
            c.home_name: c for c in method_comparison(owner=owner, year=year, current=current)
        }
    except FormError as exc:
        review.error = " ".join(exc.messages)
        return review
    review.forms = current
    review.tax_year = current.tax_year

    homes = list(
        Home.objects.owned_by(owner).prefetch_related(office_areas_prefetch()).order_by("id")
    )
    year_homes = {
        tyh.home_id: tyh.pk for tyh in TaxYearHome.objects.filter(tax_year=current.tax_year)
    }
    schedules = list(BillSchedule.objects.owned_by(owner).order_by("payee", "id"))
    bills = _year_bills(owner=owner, year=year, payees={s.payee for s in schedules})
    monthly, totals = bills.monthly, bills.totals
    homes_by_id = {home.pk: home for home in homes}
    for form in current.forms:
        review.homes.append(
            _home_review(
                form,
                year=year,
                tax_year_home_id=year_homes.get(form.home_id),
                comparison=comparisons.get(form.output["home"]),
                monthly=monthly.get(form.home_id, {}),
                bills_total=totals.get(form.home_id, Decimal("0")),
                home=homes_by_id.get(form.home_id, form.home),
            )
        )
    review.attention = _attention(current) + _employees(homes, year)
    review.missing = _missing(
        owner=owner,
        tax_year=current.tax_year,
        chain=chain,
        homes=homes,
        used_home_ids=[f.home_id for f in current.forms],
        year_homes=year_homes,
        bills=bills,
        schedules=schedules,
        all_missing=all_missing,
    )
    review.warnings = [w for yf in chain for w in yf.warnings]
    review.chain = _chain_rows(chain, year)
    return review


class _Month(Func):
    """The month of a date column, natively on each database (Django's ExtractMonth calls a
    Python function per row on SQLite; dates are stored there as YYYY-MM-DD)."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra):
        return ExtractMonth(*self.source_expressions).as_sql(compiler, connection, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="CAST(SUBSTR(%(expressions)s, 6, 2) AS INTEGER)"
        )


@dataclass
class _YearBills:
    """What the review needs of the year's bills, from one GROUP BY over them."""

    monthly: dict[int, dict[int, dict[str, Decimal]]]  # home -> month -> category -> total
    totals: dict[int, Decimal]  # home -> its Form 8829 costs (Schedule C amounts aside)
    without_receipt: int
    without_receipt_by_month: dict[int, int]
    unshared: int  # internet and phone bills without a business-use percent
    early_rent: int  # rent paid before the home was lived in
    # Payments of recurring payees (internet, utilities, a schedule's): home, payee, month,
    # category, in that order.
    paid: list[tuple[int, str, int, str]]
    categories: dict[int, set[str]]  # home -> the categories it has bills of


def _year_bills(*, owner, year: int, payees: set[str]) -> _YearBills:
    """The year's bills read once: grouped by home, month, category and (for the payments of
    recurring payees) payee, with their signed sum and the counts the review's checks need."""
    recurring = Q(category__in=(C.INTERNET, C.UTILITIES))
    if payees:
        recurring |= Q(payee__in=payees)
    zero = Decimal("0")
    rows = (
        Bill.objects.owned_by(owner)
        .filter(tax_year=year)
        .annotate(
            month=_Month("paid_on"),
            recurring_payee=Case(
                When(recurring & Q(kind=Bill.Kind.PAYMENT), then=F("payee")),
                default=None,
                output_field=CharField(),
            ),
        )
        .values("home_id", "month", "category", "recurring_payee")
        .annotate(
            total=Sum(Bill.signed_amount(), default=zero),
            without_receipt=Count(
                "id", filter=~Q(Exists(Receipt.objects.filter(bill_id=OuterRef("pk"))))
            ),
            unshared=Count(
                "id",
                filter=Q(
                    category__in=bill_lines.SCHEDULE_C_CATEGORIES,
                    business_use_percent__isnull=True,
                ),
            ),
            early_rent=Count("id", filter=Q(category=C.RENT, home__occupied_from__gt=F("paid_on"))),
        )
        .order_by()
    )
    result = _YearBills({}, {}, 0, {}, 0, 0, [], {})
    paid = set()
    for row in rows:
        home_id, month, category, total = (
            row["home_id"],
            row["month"],
            row["category"],
            row["total"],
        )
        months = result.monthly.setdefault(home_id, {}).setdefault(month, {})
        months[category] = months.get(category, zero) + total
        if category not in bill_lines.SCHEDULE_C_CATEGORIES:
            result.totals[home_id] = result.totals.get(home_id, zero) + total
        result.without_receipt += row["without_receipt"]
        by_month = result.without_receipt_by_month
        by_month[month] = by_month.get(month, 0) + row["without_receipt"]
        result.unshared += row["unshared"]
        result.early_rent += row["early_rent"]
        result.categories.setdefault(home_id, set()).add(category)
        if row["recurring_payee"] is not None:
            paid.add((home_id, row["recurring_payee"], month, category))
    result.paid = sorted(paid)
    return result


def _rows(lines: dict, layout: tuple[Line, ...], links: dict[str, str], rooms: bool):
    rows = []
    for line in layout:
        keys = (f"{line.number}a", f"{line.number}b") if line.columns else (line.number,)
        cells = tuple(
            Cell(line_value(lines.get(k), line.kind, rooms=rooms), links.get(k)) for k in keys
        )
        rows.append(LineRow(line.number, line.title, line.columns, cells, line.kind))
    return tuple(rows)


def _links(form, lines: dict, year: int, tax_year_home_id: int | None) -> dict[str, str]:
    """Drill-down targets of the form's cells: bills behind expense lines, inputs behind 8/9/29."""
    links = {}

    def nonzero(key):
        return lines.get(key) not in (None, "0.00")

    for number in bill_lines.FORM_LINES:
        for col in (bill_lines.COLUMN_A, bill_lines.COLUMN_B):
            key = f"{number}{col}"
            if nonzero(key):
                target = bill_lines.target_of(key)
                links[key] = drill_url(year=year, home_id=form.home_id, target=target)
    if tax_year_home_id is not None:
        inputs = change_url(TaxYearHome, tax_year_home_id)
        for key in ("8", "9a", "9b", "29"):
            links[key] = inputs
    home = change_url(Home, form.home_id)
    for key in ("2", "37", "38"):
        if lines.get(key) is not None:
            links[key] = home
    return links


def pub587_links(links: dict[str, str]) -> dict[str, str]:
    """Form 8829 cells' drill-down links under the worksheet's line numbers."""
    return {
        key: links[form_key] for key, form_key in pub587.form_keys().items() if form_key in links
    }


def attached_statements(form) -> tuple[Statement, ...]:
    statements = []
    details = form.details or {}
    improvements = details.get("improvement_statement") or []
    if improvements:
        statements.append(
            Statement(
                "Line 42: depreciation of improvements placed in service after business use "
                "began (See attached statement)",
                (
                    "Improvement",
                    "Placed in service",
                    "Cost",
                    "Business basis",
                    "Year",
                    "Rate",
                    "Amount",
                ),
                tuple(
                    (
                        i["description"],
                        i["placed_in_service"],
                        money(i["cost"]),
                        money(i["business_basis"]),
                        str(i["recovery_year"]),
                        f"{i['rate']}%",
                        money(i["depreciation"]),
                    )
                    for i in improvements
                ),
            )
        )
    worksheet = details.get("line_11_worksheet")
    if worksheet:
        rows = []
        for key, value in worksheet.items():
            _, number, *words = key.split("_")
            title = " ".join(words).capitalize().replace("Salt", "SALT").replace(" 11a", " 11(a)")
            rows.append((number, title.replace(" 17a", " 17(a)"), money(value)))
        statements.append(
            Statement(
                "Line 11 Worksheet (state and local taxes above the cap)",
                ("Line", "Worksheet line", "Amount"),
                tuple(rows),
            )
        )
    placements = details.get("placements") or []
    if len(placements) > 1:
        statements.append(
            Statement(
                "Line 42: each placing in service of the home this year (business use stopped "
                "and started again: a new placing in service, Treas. Reg. 1.168(i)-4)",
                ("Placed in service", "Stopped", "Table", "Line 37", "Line 38", "Rate", "Amount"),
                tuple(
                    (
                        p["placed_in_service"],
                        p["business_use_end"] or "—",
                        p["table"],
                        money(p["line_37"]),
                        money(p["line_38"]),
                        f"{p['line_41']}%",
                        money(p["depreciation"]),
                    )
                    for p in placements
                ),
            )
        )
    parts = form.output.get("casualty_and_depreciation")
    if parts and any(
        Decimal(parts[key]["casualty"]) for key in ("carryover_in", "allowed", "carryover_out")
    ):
        statements.append(
            Statement(
                "Lines 31, 33 and 44: casualty losses and depreciation kept apart (line 33 "
                "allows casualty losses first, depreciation last: Pub 587)",
                ("Line", "Casualty losses", "Depreciation"),
                tuple(
                    (label, money(parts[key]["casualty"]), money(parts[key]["depreciation"]))
                    for key, label in CASUALTY_PARTS
                ),
            )
        )
    for note in form.output.get("notes") or []:
        if "See attached computation" in note:
            statements.append(Statement("Line 7: daycare special computation", text=note))
    return tuple(statements)


CASUALTY_PARTS = (
    ("carryover_in", "31 carried in"),
    ("allowed", "33 allowed"),
    ("carryover_out", "44 carried out"),
)


def _attention(current: YearForms) -> list[str]:
    """What must be said before the forms: a MAGI in the SALT phase-down range must be final."""
    if not any((f.details or {}).get("magi_must_be_final") for f in current.forms):
        return []
    magi = current.tax_year.modified_agi
    return [
        f"Modified AGI ${magi:,.2f} is within the {current.year} SALT phase-down range, where the "
        "cap on state and local taxes depends on it: enter your final MAGI (the IRS worksheet "
        "figures it with this deduction included)."
    ]


def _employees(homes, year: int) -> list[str]:
    """docs/tax-rules.md §6a: an employee's office gives no form; say why, citing the law."""
    names = employee_businesses(homes, year)
    if not names:
        return []
    return [f"{', '.join(names)}: {business_kinds.EMPLOYEE_EXPLANATION}"]


def business_rows(output: dict) -> tuple[BusinessRow, ...]:
    """The allocation box's rows: shown for several businesses, or one that is not on Schedule C
    (a single Schedule C business is the usual page: "Schedule C line 30")."""
    parts = output.get("businesses") or []
    single_schedule_c = len(parts) == 1 and (
        business_kinds.DESTINATIONS[parts[0]["kind"]].form == business_kinds.FORM_8829
    )
    if not parts or single_schedule_c:
        return ()
    return tuple(
        BusinessRow(
            name=p["name"],
            kind=Business.Kind(p["kind"]).label,
            share_percent=p["share_percent"],
            allocated_by=p["allocated_by"],
            deduction=money(p["deduction"]),
            goes_to=p["deduction_goes_to"],
            internet=money(p["internet"]),
            phone=money(p["phone"]),
            internet_phone_go_to=p["internet_phone_go_to"],
            beside=bool(Decimal(p["internet"]) or Decimal(p["phone"])),
        )
        for p in parts
    )


def _deduction_label(output: dict) -> str:
    parts = output.get("businesses") or []
    if len(parts) > 1:
        return "Split by business"
    kind = parts[0]["kind"] if parts else business_kinds.SOLE_PROPRIETOR
    return business_kinds.DESTINATIONS[kind].line


def form_notes(form) -> tuple[Note, ...]:
    """The form's notes; those that state a project rule are marked (rules: keep them visible).
    The daycare computation note is shown as an attached statement instead."""
    return tuple(
        Note(n, "project rule" in n.lower())
        for n in form.output.get("notes") or []
        if "See attached computation" not in n
    )


def _home_review(
    form, *, year, tax_year_home_id, comparison, monthly, bills_total, home
) -> HomeReview:
    output = form.output
    lines = output.get("lines")
    rooms = form.home.area_method == Home.AreaMethod.ROOMS
    parts: tuple[PartView, ...] = ()
    worksheet: tuple[LineRow, ...] = ()
    form_title, layout_parts, values = layout(output)
    if lines is not None:
        links = _links(form, lines, year, tax_year_home_id)
        if layout_parts is not FORM_8829:  # Pub 587's worksheet: the same cells, renumbered
            links = pub587_links(links)
        parts = tuple(
            PartView(part.title, rows, _rows_html(rows, form.home_id))
            for part in layout_parts
            for rows in (_rows(values, part.lines, links, rooms),)
        )
        carry = {
            "25": lines.get("25"),
            "31": lines.get("31"),
            "27": lines.get("27"),
            "33": lines.get("33"),
            "43": lines.get("43"),
            "44": lines.get("44"),
        }
    else:
        worksheet = _rows(output.get("simplified_worksheet") or {}, SIMPLIFIED_WORKSHEET, {}, rooms)
        carry = {
            "25": str(form.carryover_operating_in),
            "31": str(form.carryover_casualty_depreciation_in),
            "27": None,
            "33": None,
            "43": str(form.carryover_operating_out),
            "44": str(form.carryover_casualty_depreciation_out),
        }
    other = output.get("schedule_c_other") or {}  # the engine keys it by bill category
    schedule_c = tuple(
        (
            f"{entry.label} (business share)",
            money(other.get(entry.category)),
            drill_url(year=year, home_id=form.home_id, target=entry.category)
            if other.get(entry.category) not in (None, "0.00")
            else None,
        )
        for entry in bill_lines.SCHEDULE_C
    )
    notes = form_notes(form)
    deduction = Decimal(output.get("schedule_c_line_30") or "0")
    rows = business_rows(output)
    if lines is None:
        form_title = "Simplified Method Worksheet"
    return HomeReview(
        form_title=form_title,
        deduction_label=_deduction_label(output),
        businesses=rows,
        form=form,
        home=form.home,
        method=form.method,
        parts=parts,
        worksheet=worksheet,
        statements=attached_statements(form),
        notes=notes,
        schedule_c=schedule_c,
        deduction=money(deduction),
        comparison=method_rows(comparison, form.method),
        bills_total=bills_total,
        chart_months_svg=charts.monthly_bills_svg(
            monthly=monthly,
            categories=[(c.value, c.label) for c in Bill.Category],
            title=f"{year} bills of {form.home.name} by month and category",
        ),
        chart_share_svg=charts.deductible_share_svg(
            deductible=deduction,
            total=bills_total + Decimal((lines or {}).get("42") or "0"),
            deductible_label="line 36" if lines is not None else "worksheet line 5",
            total_label="(bills paid + line 42)" if lines is not None else "(bills paid)",
            title=f"Deductible share of {form.home.name}'s {year} costs",
        ),
        carry={k: money(v) if v is not None else "—" for k, v in carry.items()},
        casualty_parts=_casualty_parts(output),
        area_methods=(methods := area_methods(home, year)),
        area_method_url=(
            area_method_url(tax_year_id=form.tax_year_id, home_id=home.pk)
            if methods is not None and methods.larger != methods.current
            else None
        ),
    )


def _casualty_parts(output: dict) -> dict[str, dict[str, str]] | None:
    parts = output.get("casualty_and_depreciation")
    if not parts:
        return None
    return {key: {k: money(v) for k, v in parts[key].items()} for key, _ in CASUALTY_PARTS}


# ---------------------------------------------------------------------------------------------
# What is missing
# ---------------------------------------------------------------------------------------------


def business_months(intervals: list[Interval], year: int) -> set[int]:
    """Months of `year` with at least one day of business use."""
    months: set[int] = set()
    for interval in intervals:
        clipped = clip(interval, year_interval(year))
        if clipped is not None:
            months.update(range(clipped[0].month, clipped[1].month + 1))
    return months


def _missing(
    *,
    owner,
    tax_year,
    chain,
    homes,
    used_home_ids,
    year_homes,
    bills: _YearBills,
    schedules,
    all_missing: bool = False,
) -> list[MissingItem]:
    year = tax_year.year
    items: list[MissingItem] = []
    year_bills = Bill.objects.owned_by(owner).filter(tax_year=year)
    homes_by_id = {h.pk: h for h in homes}

    # Bills without a receipt: the first few by date, and the filtered changelist for all.
    count = bills.without_receipt
    # The first few by date lie in the first months that have any (a bill's tax year is its
    # payment's): only those months' bills are read for them.
    months, seen = sorted(m for m, n in bills.without_receipt_by_month.items() if n), 0
    last_month = 12
    for last_month in months:
        seen += bills.without_receipt_by_month[last_month]
        if seen >= MISSING_RECEIPTS_SHOWN:
            break
    first_month = months[0] if months else 1
    since = dt.date(year, first_month, 1)
    until = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    without = year_bills.filter(paid_on__range=(since, until)).exclude(
        Exists(Receipt.objects.filter(bill_id=OuterRef("pk")))
    )
    if count:
        all_url = bill_list_url(tax_year=year, has_receipt="no")
        for bill in without.select_related("home").order_by("paid_on", "id")[
            :MISSING_RECEIPTS_SHOWN
        ]:
            items.append(
                MissingItem(
                    "receipt",
                    f"{bill.paid_on:%b %d} {bill.payee}, {money(bill.amount)} "
                    f"({bill.get_category_display()}, {bill.home.name})",
                    change_url(Bill, bill.pk),
                    "attach a receipt",
                )
            )
        if count > MISSING_RECEIPTS_SHOWN:
            items.append(
                MissingItem(
                    "receipt",
                    f"… and {count - MISSING_RECEIPTS_SHOWN} more bills of {year} without a "
                    f"receipt ({count} in all)",
                    all_url,
                    "list them",
                    count=count - MISSING_RECEIPTS_SHOWN,
                )
            )

    items.extend(
        _missing_months(
            bills=bills,
            schedules=schedules,
            homes_by_id=homes_by_id,
            year=year,
            tax_year_id=tax_year.pk,
            shown=None if all_missing else MISSING_MONTHS_SHOWN,
        )
    )

    # Office areas without a start date (counted as in use since ever: docs/tax-rules.md §3).
    for home in homes:
        for area in home.office_areas.all():
            if area.start is None and (area.end is None or area.end.year >= year):
                items.append(
                    MissingItem(
                        "area",
                        f"Office area '{area.name}' of {home.name} has no start date",
                        change_url(OfficeArea, area.pk),
                        "give its start date",
                    )
                )

    # Business use that stopped and started again: a new placing in service needs its basis;
    # a gap of a few days is more often a typing slip (docs/tax-rules.md §4).
    for home_id in used_home_ids:
        home = homes_by_id.get(home_id)
        if home is None or not home.is_owned:
            continue
        for restart in home_restarts(home):
            if restart.restarted.year != year:
                continue
            if restart.short:
                items.append(
                    MissingItem(
                        "gap",
                        f"{home.name}: business use stopped on {restart.stopped:%b %d} and "
                        f"started again on {restart.restarted:%b %d}, a gap of "
                        f"{restart.gap_days} day(s); if that is a typing slip, correct the "
                        "office areas' dates",
                        change_url(Home, home.pk),
                        "check the dates",
                    )
                )
            if restart.area is None:
                items.append(
                    MissingItem(
                        "restart",
                        f"{home.name}: business use started again on "
                        f"{restart.restarted:%b %d}, a new placing in service without its basis "
                        "(adjusted basis and fair market value on that day): no depreciation "
                        "for it",
                        change_url(Home, home.pk),
                        "give its basis",
                    )
                )

    # Owned homes used this year without a cost basis: no depreciation (Part III).
    for home_id in used_home_ids:
        home = homes_by_id.get(home_id)
        if home is not None and home.is_owned and home.cost_basis is None:
            items.append(
                MissingItem(
                    "basis",
                    f"{home.name} is owned but has no cost basis: no depreciation (lines 37-42)",
                    change_url(Home, home.pk),
                    "give its basis",
                )
            )

    # Homes in business use without the year's inputs (line 8 = 0).
    for home_id in used_home_ids:
        if home_id not in year_homes and home_id in homes_by_id:
            items.append(
                MissingItem(
                    "inputs",
                    f"{homes_by_id[home_id].name} has no {year} inputs (method, gross income "
                    "limit): line 8 is 0 and everything carries over",
                    change_url(TaxYear, tax_year.pk),
                    "add the home to the tax year",
                )
            )

    # Internet and phone bills without a business-use percent count nothing (docs/tax-rules.md §2).
    unshared_count = bills.unshared
    if unshared_count:
        items.append(
            MissingItem(
                "share",
                f"{unshared_count} internet or telephone bill(s) of {year} have no business-use "
                "percent and count nothing",
                bill_list_url(
                    tax_year=year,
                    category__in=",".join(bill_lines.SCHEDULE_C_CATEGORIES),
                    business_use_percent__isnull="True",
                ),
                "give their business share",
                count=unshared_count,
            )
        )

    # The early checks of the records (ledger.checks), in the words the admin used on entry.
    for home, warning in year_warnings(owner=owner, year=year, homes=homes, bills=bills.categories):
        items.append(
            MissingItem(
                "usual",
                warning,
                add_url(Bill, home=home.pk, paid_on=f"{year}-01-01"),
                "add a bill",
                year_grid_url(home=home.pk, year=year),
                "a year of monthly bills",
            )
        )
    for home_id in used_home_ids:
        home = homes_by_id.get(home_id)
        for warning in home_warnings(home) if home is not None else ():
            items.append(MissingItem("fmv", warning, change_url(Home, home.pk), "give it"))
    early_rent = year_bills.filter(category=C.RENT, home__occupied_from__gt=F("paid_on"))
    if not bills.early_rent:
        early_rent = early_rent.none()
    for bill in early_rent.select_related("home").order_by("paid_on")[:MISSING_RECEIPTS_SHOWN]:
        for warning in bill_warnings(bill):
            items.append(MissingItem("date", warning, change_url(Bill, bill.pk), "check it"))

    # A filed year the chain would now compute differently (an earlier, unfiled correction).
    for yf in chain:
        for warning in yf.warnings:
            items.append(
                MissingItem("chain", warning, review_url(yf.tax_year.pk), f"review {yf.year}")
            )
    return items


def _missing_months(
    *, bills: _YearBills, schedules, homes_by_id, year: int, tax_year_id: int, shown: int | None
) -> list[MissingItem]:
    """Months of business use without a bill: from a recurring bill's schedule (its months due),
    and, for internet and utilities payees without one, from their bills (a payee paid in two
    months or more is recurring). Refunds are not bills paid. No query of its own.

    One line a payee, its months listed; past `shown` lines (None: all), one more line says
    how many payees are left, linking to the review with all of them (`?missing=all`): a
    ledger with many recurring payees gets a short list, whose links are made for it only."""
    items: list = []  # a MissingItem, or the arguments of `_missing_month` that makes one
    months_in_use: dict[int, set[int]] = {}

    def in_use(home) -> set[int]:
        if home.pk not in months_in_use:
            months_in_use[home.pk] = business_months(home_business_use(home), year)
        return months_in_use[home.pk]

    schedules = [
        schedule
        for schedule in schedules
        if schedule.home_id in homes_by_id and schedule.due_months(year)
    ]
    scheduled = {(schedule.home_id, schedule.payee.casefold()) for schedule in schedules}
    paid: dict[tuple[int, str], set[int]] = {}
    categories: dict[tuple[int, str], str] = {}
    payees: set[str] = {schedule.payee for schedule in schedules}
    for home_id, payee, month, category in bills.paid:
        if payee not in payees and category not in (C.INTERNET, C.UTILITIES):
            continue  # a payee of a schedule not due this year
        key = (home_id, payee.casefold() if (home_id, payee.casefold()) in scheduled else payee)
        paid.setdefault(key, set()).add(month)
        categories.setdefault(key, category)
    for schedule in schedules:
        home = homes_by_id[schedule.home_id]
        due = set(schedule.due_months(year)) & in_use(home)
        gaps = sorted(due - paid.get((schedule.home_id, schedule.payee.casefold()), set()))
        if gaps:
            amount = f", ${schedule.amount:,.2f}" if schedule.amount is not None else ""
            items.append(
                (
                    home,
                    schedule.payee,
                    schedule.category,
                    gaps,
                    year,
                    f"recurring, due day {schedule.expected_day}{amount}",
                    {
                        "paid_on": schedule.due_day(year, gaps[0]),
                        "amount": schedule.amount,
                        "scope": schedule.scope,
                        "business_use_percent": schedule.business_use_percent,
                    },
                )
            )
    for (home_id, payee), months in paid.items():
        if (home_id, payee.casefold()) in scheduled or len(months) < 2:
            continue  # a schedule said it, or a one-off bill is not a recurring payee
        category = categories[(home_id, payee)]
        home = homes_by_id.get(home_id)
        if home is None or category not in (C.INTERNET, C.UTILITIES):
            continue
        gaps = sorted(in_use(home) - months)
        if gaps:
            day = min(15, calendar.monthrange(year, gaps[0])[1])
            items.append(
                (home, payee, category, gaps, year, "", {"paid_on": dt.date(year, gaps[0], day)})
            )
    rest = 0 if shown is None else max(0, len(items) - shown)
    made = [_missing_month(*args[:-1], **args[-1]) for args in items[: len(items) - rest]]
    if rest:
        made.append(
            MissingItem(
                "month",
                f"… and {rest} more payees with months of {year} without a bill "
                f"({len(items)} payees in all)",
                f"{review_url(tax_year_id)}?missing=all#missing",
                "show them all",
                count=rest,
            )
        )
    return made


def _missing_month(home, payee, category, gaps, year, what, *, paid_on, **bill) -> MissingItem:
    label = Bill.Category(category).label + (f", {what}" if what else "")
    add_bill = add_url(
        Bill,
        home=home.pk,
        payee=payee,
        category=category,
        paid_on=paid_on.isoformat(),
        **{k: v for k, v in bill.items() if v is not None},
    )
    return MissingItem(
        "month",
        f"{payee} ({label}, {home.name}): no bill paid in "
        f"{', '.join(MONTHS[m - 1] for m in gaps)} {year} while the home was in business use",
        add_bill,
        "add a bill",
        bill_list_url(tax_year=year, home__id__exact=home.pk, payee=payee),
        "this payee's bills",
    )


# ---------------------------------------------------------------------------------------------
# The carryover chain across all years
# ---------------------------------------------------------------------------------------------


def _chain_rows(chain: list[YearForms], current_year: int) -> list[ChainRow]:
    rows = []
    for yf in chain:
        url = review_url(yf.tax_year.pk)
        if not yf.forms:
            rows.append(
                ChainRow(
                    yf.year,
                    "no home office (carryovers kept)",
                    "—",
                    yf.filed,
                    url,
                    yf.year == current_year,
                    money(yf.carry_in.operating),
                    money(yf.carry_in.casualty_depreciation),
                    "—",
                    "—",
                    money(yf.carry_out.operating),
                    money(yf.carry_out.casualty_depreciation),
                )
            )
        for form in yf.forms:
            lines = form.output.get("lines")
            regular = lines is not None
            rows.append(
                ChainRow(
                    yf.year,
                    form.output["home"],
                    form.method,
                    yf.filed,
                    url,
                    yf.year == current_year,
                    money(form.carryover_operating_in),
                    money(form.carryover_casualty_depreciation_in),
                    money(lines["27"]) if regular else "— (kept)",
                    money(lines["33"]) if regular else "— (kept)",
                    money(form.carryover_operating_out),
                    money(form.carryover_casualty_depreciation_out),
                )
            )
    return rows


# ---------------------------------------------------------------------------------------------
# Filing confirmation and the bill changelist's totals
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilingRow:
    home: str
    method: str
    line_36: str
    line_43: str
    line_44: str


def filing_rows(forms: YearForms) -> list[FilingRow]:
    """What filing freezes: each home's deduction and carryovers out."""
    return [
        FilingRow(
            f.output["home"],
            f.method,
            money(f.deduction),
            money(f.carryover_operating_out),
            money(f.carryover_casualty_depreciation_out),
        )
        for f in forms.forms
    ]


def category_form_line(category: str) -> str:
    """The form line of a category, as printed in the bill changelist's totals ("11 / 17")."""
    entry = bill_lines.BILL_LINES[category]
    if entry.schedule_c_line:
        return "Schedule C"
    printed = " / ".join(entry.lines)
    return printed + SOME_YEARS if entry.counts_if else printed


@dataclass(frozen=True)
class TotalRow:
    category: str
    form_line: str
    column_a: str
    column_b: str
    total: str
    bills: int


@dataclass(frozen=True)
class BillTotals:
    rows: list[TotalRow]
    total: str
    bills: int


def bill_totals(queryset) -> BillTotals:
    """Totals of the filtered bills per category and per form line column, in one query."""
    zero = Decimal("0")
    rows = list(
        queryset.order_by()
        .values("category")
        .annotate(
            a=Sum(Bill.signed_amount(), filter=column_bills_q(bill_lines.COLUMN_A), default=zero),
            b=Sum(Bill.signed_amount(), filter=column_bills_q(bill_lines.COLUMN_B), default=zero),
            total=Sum(Bill.signed_amount(), default=zero),
            n=Count("id", distinct=True),
        )
        .order_by("category")
    )
    order = list(Bill.Category.values)
    rows.sort(key=lambda r: order.index(r["category"]))
    result = []
    for row in rows:
        schedule_c = row["category"] in bill_lines.SCHEDULE_C_CATEGORIES
        result.append(
            TotalRow(
                Bill.Category(row["category"]).label,
                category_form_line(row["category"]),
                "—" if schedule_c else money(row["a"]),
                "—" if schedule_c else money(row["b"]),
                money(row["total"]),
                row["n"],
            )
        )
    # A handful of aggregated rows (one per category), not bills.
    return BillTotals(
        result,
        money(sum((r["total"] for r in rows), zero)),
        sum(r["n"] for r in rows),
    )
