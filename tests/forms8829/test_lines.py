"""Where a bill lands is one table (`forms8829.lines`): walked for every category, scope and own
business share, the selectors, the engine's form, the review's drill-down, the support CSV and the
bill changelist's totals put the bill on the same line and column."""

import datetime as dt
import re
from dataclasses import fields
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest

from forms8829 import engine
from forms8829.lines import (
    BILL_LINES,
    COLUMN_A,
    COLUMN_B,
    DIRECT,
    FORM_LINES,
    SCOPES,
    deductible_in,
    spot,
)
from forms8829.render import FORM_8829
from forms8829.selectors import bills_behind_q, ledger_inputs
from ledger.models import Bill
from review.charts import CATEGORY_COLOURS, monthly_bills_svg
from review.page import DRILL_TARGETS, bill_totals, year_review
from review.support import bills_behind_lines
from tests.factories import (
    BillFactory,
    HomeFactory,
    OfficeAreaFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
)

# Every kind of bill the ledger accepts (mortgage bills are never direct: a database constraint).
KINDS = [
    (category, scope, share)
    for category in BILL_LINES
    for scope in SCOPES
    for share in (False, True)
    if not (category in Bill.NEVER_DIRECT and scope == DIRECT)
]
# Taxpayers whose bills of the same kind land on different lines (docs/tax-rules.md §2).
SITUATIONS = {
    "itemizer": (2021, {"itemizes": True}),
    "standard deduction": (2021, {"itemizes": False}),
    "itemizer above the SALT cap": (
        2021,
        {"itemizes": True, "state_local_income_or_sales_tax": Decimal("20000.00")},
    ),
    "premiums not deductible": (2024, {"itemizes": True}),
}
AMOUNT, PERCENT = Decimal("1000.00"), Decimal("10")
TWO_COLUMN_LINES = {line.number for part in FORM_8829 for line in part.lines if line.columns}


def test_the_table_has_every_category_and_scope_of_the_ledger():
    assert set(BILL_LINES) == set(Bill.Category.values)
    assert tuple(Bill.Scope.values) == SCOPES
    never_direct = {
        c for c, line in BILL_LINES.items() if line.lines and COLUMN_A not in line.cells
    }
    assert never_direct == set(Bill.NEVER_DIRECT)


def test_the_table_names_real_lines_and_engine_fields():
    on_form = [line for line in BILL_LINES.values() if not line.schedule_c_line]
    beside = [line for line in BILL_LINES.values() if line.schedule_c_line]
    assert {line.engine_field for line in on_form} == {f.name for f in fields(engine.Expenses)}
    inputs = {f.name for f in fields(engine.HomeYearInput)}
    assert {line.engine_field for line in beside} <= inputs
    for line in on_form:
        assert set(line.lines) <= TWO_COLUMN_LINES
        for column, cells in line.cells.items():
            assert column in (COLUMN_A, COLUMN_B) and cells
            assert {cell[:-1] for cell in cells} <= set(line.lines)
    for line in beside:
        assert line.lines == () and line.cells == {}
    assert set(FORM_LINES) == {"10", "11", "16", "17", "18", "19", "20", "21", "22"}


def test_every_category_has_its_own_chart_colour_whatever_the_order():
    assert set(CATEGORY_COLOURS) == set(BILL_LINES)
    assert len(set(CATEGORY_COLOURS.values())) == len(CATEGORY_COLOURS)
    monthly = {1: {"rent": Decimal("900"), "utilities": Decimal("100")}}
    pairs = [("rent", "Rent"), ("utilities", "Utilities")]
    for categories in (pairs, pairs[::-1]):
        svg = monthly_bills_svg(monthly=monthly, categories=categories, title="t")
        assert f'fill="{CATEGORY_COLOURS["rent"]}"><title>Jan: Rent' in svg
        assert f'fill="{CATEGORY_COLOURS["utilities"]}"><title>Jan: Utilities' in svg


def engine_fed(engine_input: engine.HomeYearInput) -> dict[tuple[str, str | None], Decimal]:
    """The engine fields (and column) a home-year's bills fed, with their amounts."""
    fed = {}
    for f in fields(engine.Expenses):
        value = getattr(engine_input.expenses, f.name)
        if isinstance(value, engine.Columns):
            fed |= {(f.name, COLUMN_A): value.direct, (f.name, COLUMN_B): value.indirect}
        else:
            fed[f.name, None] = value
    fed |= {
        (name, None): getattr(engine_input, name)
        for name in ("internet_business", "phone_business")
    }
    return {key: amount for key, amount in fed.items() if amount}


def printed_cells(form_line: str) -> set[str]:
    """The cells of the lines a CSV row prints: 10(b)/16(b) -> {10b, 16b}; beside the form, none."""
    return {f"{n}{c}" for n, c in re.findall(r"(\d+)\((a|b)\)", form_line)}


def form_line_of(url: str) -> str:
    return parse_qs(urlparse(url).query)["form_line"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("situation", SITUATIONS)
def test_every_kind_of_bill_lands_on_the_same_line_everywhere(situation, user, admin_client_for):
    year, taxpayer = SITUATIONS[situation]
    tax_year = TaxYearFactory(owner=user, year=year, **taxpayer)
    bills = {}
    for category, scope, share in KINDS:
        home = HomeFactory(owner=user, name=f"{category} {scope} {'share' if share else 'whole'}")
        OfficeAreaFactory(home=home)  # in business use all year: every bill counts in full
        TaxYearHomeFactory(tax_year=tax_year, home=home, gross_income_limit=Decimal("100000"))
        bills[category, scope, share] = BillFactory(
            home=home,
            paid_on=dt.date(year, 3, 15),
            category=category,
            scope=scope,
            amount=AMOUNT,
            business_use_percent=PERCENT if share else None,
        )
    inputs = {hy.home.pk: hy.engine_input for hy in ledger_inputs(owner=user, years=[year])[year]}
    review = {h.form.home_id: h for h in year_review(tax_year=tax_year).homes}
    csv_lines = {row.home: row.form_line for row in bills_behind_lines(owner=user, year=year)}
    claimed = {  # the bill changelist's "Form 8829 line" filter: which choices list each bill
        target: set(
            Bill.objects.filter(bills_behind_q(target, year=year)).values_list("pk", flat=True)
        )
        for target in DRILL_TARGETS
    }
    client = admin_client_for(user)

    def listed(url: str) -> set[int]:
        return {bill.pk for bill in client.get(url).context["cl"].queryset}

    for kind, bill in bills.items():
        where = spot(*kind)
        line = where.line
        home = review[bill.home_id]
        output = home.form.output
        # The selectors feed the engine field and column of the table.
        counted = AMOUNT * PERCENT / 100 if where.share else AMOUNT
        column = None if line.one_amount else where.column
        expected = {(line.engine_field, column): counted} if where.counts else {}
        assert engine_fed(inputs[bill.home_id]) == expected, kind

        # Where the engine put it on the form, and beside it.
        landed = {
            f"{n}{c}"
            for n in FORM_LINES
            for c in (COLUMN_A, COLUMN_B)
            if output["lines"].get(f"{n}{c}") not in (None, "0.00")
        }
        beside = {c for c, v in output["schedule_c_other"].items() if v != "0.00"}
        # The review's drill-down links of those places, and the bills each lists.
        links = {
            f"{row.number}{'ab'[i]}" if row.columns else row.number: cell.url
            for part in home.parts
            for row in part.rows
            for i, cell in enumerate(row.cells)
            if cell.url and "form_line=" in cell.url
        }
        links |= {label: url for label, _, url in home.schedule_c if url}
        linked = {place for place, url in links.items() if bill.pk in listed(url)}
        csv_line = csv_lines[home.home.name]

        if line.schedule_c_line:
            assert landed == set() and printed_cells(csv_line) == set(), kind
            assert beside == ({line.category} if where.counts else set()), kind
            assert csv_line.startswith("Schedule C"), kind
            assert len(linked) == where.counts and not linked & landed, kind
        else:
            assert beside == set(), kind
            assert landed <= set(line.cells[where.column]), kind
            assert bool(landed) == deductible_in(line.category, year), kind
            assert printed_cells(csv_line) == landed, (kind, csv_line)
            assert linked == landed, kind
        # No other choice of the changelist's filter lists the bill: at most the same bills'
        # other line of a pair (10/16, 11/17).
        targets = {t for t, pks in claimed.items() if bill.pk in pks}
        assert {form_line_of(links[place]) for place in linked} <= targets, kind
        assert all(t == line.category or t.rstrip("ab") in line.lines for t in targets), kind

        # The changelist's totals put the bill in its column.
        totals = bill_totals(Bill.objects.filter(pk=bill.pk)).rows[0]
        amounts = {COLUMN_A: totals.column_a, COLUMN_B: totals.column_b}
        if line.schedule_c_line:
            assert amounts == {COLUMN_A: "—", COLUMN_B: "—"}, kind
        else:
            assert amounts[where.column] == f"${AMOUNT:,.2f}", kind
