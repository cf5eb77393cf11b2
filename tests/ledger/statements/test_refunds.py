"""A refund is a bill of kind "refund": it reduces its category's total for the year, to the cent,
in the engine's inputs, the review's totals and the support CSV; never below zero."""

import datetime as dt
from decimal import Decimal

from forms8829.selectors import ledger_inputs
from review.page import bill_totals
from review.support import bills_behind_lines
from tests.factories import BillFactory

D = Decimal


def inputs(owner):
    (home_year,) = ledger_inputs(owner=owner, years=[2026])[2026]
    return home_year


def test_a_refund_reduces_its_line_and_the_drill_down_totals(renter):
    from ledger.models import Bill, Home

    home = Home.objects.get(owner=renter)
    BillFactory(owner=renter, home=home, paid_on=dt.date(2026, 1, 28), amount=D("112.40"))
    BillFactory(owner=renter, home=home, paid_on=dt.date(2026, 2, 25), amount=D("98.15"))
    BillFactory(
        owner=renter, home=home, paid_on=dt.date(2026, 2, 26), amount=D("25.00"), kind="refund"
    )
    internet = dict(category="internet", business_use_percent=D("50"), payee="Comcast")
    BillFactory(
        owner=renter, home=home, paid_on=dt.date(2026, 1, 15), amount=D("89.99"), **internet
    )
    BillFactory(
        owner=renter, home=home, paid_on=dt.date(2026, 1, 20), amount=D("10.01"), kind="refund",
        **internet,
    )  # fmt: skip

    home_year = inputs(renter)
    assert home_year.engine_input.expenses.utilities.indirect == D("185.55")  # 210.55 - 25.00
    assert home_year.engine_input.internet_business == D("39.99")  # (89.99 - 10.01) x 50%
    totals = bill_totals(Bill.objects.filter(owner=renter, category="utilities"))
    assert totals.total == "$185.55" and totals.bills == 3
    csv_amounts = sorted(row.amount for row in bills_behind_lines(owner=renter, year=2026))
    assert "-25.00" in csv_amounts and "-10.01" in csv_amounts


def test_a_refund_larger_than_the_years_bills_counts_zero_and_says_so(renter):
    from ledger.models import Home

    home = Home.objects.get(owner=renter)
    BillFactory(owner=renter, home=home, paid_on=dt.date(2026, 1, 5), amount=D("40.00"))
    BillFactory(
        owner=renter, home=home, paid_on=dt.date(2026, 1, 9), amount=D("65.00"), kind="refund"
    )

    home_year = inputs(renter)
    assert home_year.engine_input.expenses.utilities.indirect == D("0.00")
    assert any("exceed this year's bills by $25.00" in note for note in home_year.notes)
