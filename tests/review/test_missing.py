""" "What is missing": each kind, on a ledger made to miss it, linked to where it is fixed."""

import datetime as dt
import html as html_lib
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from forms8829.filing import tax_year_file
from ledger.models import Bill, Home
from tests.factories import (
    BillFactory,
    HomeFactory,
    OfficeAreaFactory,
    ReceiptFactory,
    TaxYearHomeFactory,
)
from tests.review.conftest import html, review_url

pytestmark = pytest.mark.django_db


def items(page: str, kind: str) -> list[str]:
    return re.findall(rf'<li class="missing-{kind}">(.*?)</li>', page, re.S)


def hrefs(item: str) -> list[str]:
    return [html_lib.unescape(h) for h in re.findall(r'href="([^"]+)"', item)]


@pytest.fixture
def lacking(user):
    """One owned home, in use from 2024-03-10, missing a bit of everything."""
    home = HomeFactory(owner=user, name="Oak House", cost_basis=None, land_value=None)
    OfficeAreaFactory(home=home, start=dt.date(2024, 3, 10))
    undated = OfficeAreaFactory(
        home=home, name="Storage", area=Decimal("50"), start=None, end=None, use="storage"
    )
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024, home=home)
    # Recurring utilities: paid in January-May and July-December, June missing.
    for month in (1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12):
        BillFactory(home=home, paid_on=dt.date(2024, month, 20), payee="Oak Power")
    for day in (4, 5):
        BillFactory(home=home, paid_on=dt.date(2024, 12, day), payee="Handyman", category="repairs")
    with_receipt = BillFactory(
        home=home, paid_on=dt.date(2024, 6, 3), payee="Oak Water", category="repairs"
    )
    ReceiptFactory(bill=with_receipt)
    return {"home": home, "undated": undated, "tax_year": tyh.tax_year, "kept": with_receipt}


def test_each_missing_kind_links_to_its_fix(lacking, user, client_of):
    page = html(client_of(user).get(review_url(lacking["tax_year"])))
    home = lacking["home"]

    receipts = items(page, "receipt")
    assert len(receipts) == 12 + 1  # the first twelve by date, then "... and N more"
    first = Bill.objects.filter(payee="Oak Power").order_by("paid_on").first()
    assert hrefs(receipts[0]) == [reverse("admin:ledger_bill_change", args=[first.pk])]
    assert "Oak Water" not in page.split("Months without a bill")[0]  # it has its receipt
    assert hrefs(receipts[-1]) == ["/admin/ledger/bill/?tax_year=2024&has_receipt=no"]
    assert "and 1 more bills of 2024 without a receipt (13 in all)" in receipts[-1]

    months = items(page, "month")
    # The undated storage area counts as in use all year, so only June lacks a bill.
    assert len(months) == 1 and "Oak Power" in months[0] and "Jun 2024" in months[0]
    add, listing = hrefs(months[0])
    assert add.startswith(reverse("admin:ledger_bill_add"))
    assert "payee=Oak+Power" in add and "paid_on=2024-06-15" in add and f"home={home.pk}" in add
    assert listing == f"/admin/ledger/bill/?tax_year=2024&home__id__exact={home.pk}&payee=Oak+Power"

    areas = items(page, "area")
    assert len(areas) == 1 and "Storage&#x27; of Oak House has no start date" in areas[0]
    assert hrefs(areas[0]) == [
        reverse("admin:ledger_officearea_change", args=[lacking["undated"].pk])
    ]

    basis = items(page, "basis")
    assert len(basis) == 1 and "Oak House is owned but has no cost basis" in basis[0]
    assert hrefs(basis[0]) == [reverse("admin:ledger_home_change", args=[home.pk])]


def test_receipt_links_filter_the_changelist(lacking, user, client_of):
    client = client_of(user)
    response = client.get("/admin/ledger/bill/?tax_year=2024&has_receipt=no")
    shown = {b.pk for b in response.context["cl"].queryset}
    assert lacking["kept"].pk not in shown
    assert shown == set(Bill.objects.exclude(pk=lacking["kept"].pk).values_list("pk", flat=True))


def test_a_home_without_the_years_inputs_is_listed(user, client_of):
    used = HomeFactory(owner=user, name="Pine Cabin")
    OfficeAreaFactory(home=used, start=dt.date(2020, 1, 1))
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024)
    OfficeAreaFactory(home=tyh.home, start=dt.date(2020, 1, 1))
    page = html(client_of(user).get(review_url(tyh.tax_year)))
    inputs = items(page, "inputs")
    assert len(inputs) == 1 and "Pine Cabin has no 2024 inputs" in inputs[0]
    assert hrefs(inputs[0]) == [reverse("admin:ledger_taxyear_change", args=[tyh.tax_year.pk])]


def test_a_filed_year_after_an_unfiled_correction_is_listed(demo, user, client_of):
    tax_year_file(tax_year=demo["years"][2024])
    # A correction in 2023 (open) changes 2023's carryover into filed 2024.
    bill = Bill.objects.filter(owner=user, tax_year=2023, category="utilities").first()
    bill.amount += Decimal("500")
    bill.save()
    page = html(client_of(user).get(review_url(demo["years"][2023])))
    chain = items(page, "chain")
    assert len(chain) == 1
    assert "2024 is filed with carryovers in of" in chain[0]
    assert hrefs(chain[0]) == [review_url(demo["years"][2024])]


def test_nothing_missing_says_so(user, client_of):
    home = HomeFactory(owner=user)
    OfficeAreaFactory(home=home, start=dt.date(2020, 1, 1))
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024, home=home)
    ReceiptFactory(bill=BillFactory(home=home, payee="One-off", category="repairs"))
    # An owner's usual bills: one of mortgage interest, real estate tax or insurance.
    ReceiptFactory(bill=BillFactory(home=home, payee="Acme Mutual", category="insurance"))
    page = html(client_of(user).get(review_url(tyh.tax_year)))
    assert "Nothing is missing" in page
    assert Home.objects.count() == 1
