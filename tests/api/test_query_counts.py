"""Every list costs the same number of queries for 3 rows as for 30."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.models import BusinessShare
from tests.factories import (
    BillFactory,
    BusinessFactory,
    HomeFactory,
    ImprovementFactory,
    OfficeAreaFactory,
    ReceiptFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/homes/",
    "/api/office-areas/",
    "/api/improvements/",
    "/api/bills/",
    "/api/bills/?has_receipt=true&year=2024",
    "/api/bills/export.csv",
    "/api/receipts/",
    "/api/tax-years/",
    "/api/tax-year-homes/",
    "/api/businesses/",
    "/api/business-shares/",
]


def ledger_with(user, rows: int):
    """`rows` of everything: homes each with an office of its own business, an improvement, a
    bill with two receipts, and a tax year (years outside the form's range are fine for a list)
    with the home's inputs and its business's share."""
    for i in range(rows):
        home = HomeFactory(owner=user, total_area=Decimal("5000"))
        business = BusinessFactory(owner=user)
        OfficeAreaFactory(home=home, area=Decimal("10"), business=business)
        ImprovementFactory(home=home)
        bill = BillFactory(home=home, paid_on=dt.date(2024, 1, 1) + dt.timedelta(days=i))
        ReceiptFactory(bill=bill)
        ReceiptFactory(bill=bill)
        tax_year = TaxYearFactory(owner=user, year=1990 + i)
        year_home = TaxYearHomeFactory(tax_year=tax_year, home=home)
        BusinessShare.objects.create(
            owner=user, tax_year_home=year_home, business=business, percent=100
        )


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


@pytest.mark.parametrize("url", LISTS)
def test_list_queries_do_not_grow_with_rows(url, client_for):
    few, many = UserFactory(username="few"), UserFactory(username="many")
    ledger_with(few, 3)
    ledger_with(many, 30)
    few_client, many_client = client_for(few), client_for(many)
    queries(few_client, url)  # warm caches (content types, …)
    assert queries(few_client, url) == queries(many_client, url)


def test_history_queries_do_not_grow_with_versions(api, user):
    bill = BillFactory(home=HomeFactory(owner=user))
    counts = []
    for versions in (3, 30):
        while bill.history.count() < versions:
            bill.amount += 1
            bill.save()
        counts.append(queries(api, f"/api/bills/{bill.pk}/history/"))
    assert counts[0] == counts[1]


def test_form_queries_do_not_grow_with_bills(client_for):
    counts = []
    for bills in (3, 30):
        owner = UserFactory(username=f"owner{bills}")
        home = HomeFactory(owner=owner)
        OfficeAreaFactory(home=home)
        for i in range(bills):
            BillFactory(home=home, paid_on=dt.date(2024, 1, 1) + dt.timedelta(days=i))
        TaxYearHomeFactory(tax_year=TaxYearFactory(owner=owner, year=2024), home=home)
        client = client_for(owner)
        queries(client, "/api/forms/2024/")  # first read stores the forms
        counts.append([queries(client, url) for url in ("/api/forms/2024/", "/api/carryovers/")])
    assert counts[0] == counts[1]
