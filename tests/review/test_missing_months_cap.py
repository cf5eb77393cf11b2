"""Many recurring payees with months without a bill: the review lists the first ten, one line a
payee with its months, and a last line counting the rest, linked to the review with them all."""

import datetime as dt
import re

import pytest

from review.page import MISSING_MONTHS_SHOWN
from tests.factories import BillFactory, HomeFactory, OfficeAreaFactory, TaxYearHomeFactory
from tests.review.conftest import html, review_url

pytestmark = pytest.mark.django_db


def months(page: str) -> list[str]:
    return re.findall(r'<li class="missing-month">(.*?)</li>', page, re.S)


def test_the_first_payees_are_listed_and_the_rest_behind_a_link(user, client_of):
    home = HomeFactory(owner=user, name="Oak House")
    OfficeAreaFactory(home=home, start=dt.date(2020, 1, 1))
    tax_year = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024, home=home).tax_year
    payees = MISSING_MONTHS_SHOWN + 5
    for n in range(payees):  # each paid in January and February only
        for month in (1, 2):
            BillFactory(home=home, paid_on=dt.date(2024, month, 9), payee=f"Power {n:02d}")
    url = review_url(tax_year)
    client = client_of(user)

    page = html(client.get(url))
    listed = months(page)
    assert len(listed) == MISSING_MONTHS_SHOWN + 1
    assert all("no bill paid in Mar, Apr" in item for item in listed[:-1])
    assert "and 5 more payees with months of 2024 without a bill (15 payees in all)" in listed[-1]
    assert f'href="{url}?missing=all#missing"' in listed[-1]
    count = int(re.search(r"What is missing \((\d+)\)", page).group(1))

    every = html(client.get(f"{url}?missing=all"))
    assert len(months(every)) == payees
    assert int(re.search(r"What is missing \((\d+)\)", every).group(1)) == count  # same total
