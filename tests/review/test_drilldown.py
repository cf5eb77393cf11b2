"""Each expense line of the review links to exactly the bills behind it; bills show receipts."""

import datetime as dt
import html as html_lib
import re
from decimal import Decimal

import pytest

from ledger.models import Bill
from tests.factories import BillFactory
from tests.review.conftest import form_of, html, review_url, row_html

pytestmark = pytest.mark.django_db


def link_in(row: str, index: int = 0) -> str:
    links = re.findall(r'<a href="([^"]+)"', row)
    return html_lib.unescape(links[index])


def listed(client, url) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    return {bill.pk for bill in response.context["cl"].queryset}


def test_utilities_line_lists_the_bills_counted_on_it(demo, user, client_of):
    house = demo["house"]
    # Paid in 2025 for the house but served after the move out: on no line of the house.
    outside = BillFactory(
        home=house,
        paid_on=dt.date(2025, 9, 20),
        payee="Elmwood Power",
        service_start=dt.date(2025, 8, 1),
        service_end=dt.date(2025, 8, 31),
    )
    client = client_of(user)
    page = html(client.get(review_url(demo["years"][2025])))
    url = link_in(row_html(page, house.pk, "21"), 0)
    assert "form_line=21b" in url and f"home__id__exact={house.pk}" in url
    assert "tax_year=2025" in url and "counted=yes" in url
    expected = set(
        Bill.objects.filter(
            home=house, tax_year=2025, category="utilities", paid_on__lte=dt.date(2025, 7, 15)
        ).values_list("pk", flat=True)
    )
    assert outside.pk not in expected
    assert listed(client, url) == expected
    # Served inside business use, counted in full: the bills add up to the line.
    line = form_of(house.owner, 2025, home=house).output["lines"]["21b"]
    total = sum(Bill.objects.filter(pk__in=expected).values_list("amount", flat=True))
    assert total == Decimal(line)


def test_columns_a_and_b_split_direct_and_own_share_bills(demo, user, client_of):
    house = demo["house"]
    direct = BillFactory(
        home=house,
        paid_on=dt.date(2024, 5, 2),
        payee="Fixit",
        category="repairs",
        scope="direct",
        amount=Decimal("300"),
    )
    own_share = BillFactory(
        home=house,
        paid_on=dt.date(2024, 6, 2),
        payee="Roofer",
        category="repairs",
        amount=Decimal("1000"),
        business_use_percent=Decimal("10"),
    )
    whole = BillFactory(
        home=house,
        paid_on=dt.date(2024, 7, 2),
        payee="Plumber",
        category="repairs",
        amount=Decimal("150"),
    )
    client = client_of(user)
    page = html(client.get(review_url(demo["years"][2024])))
    row = row_html(page, house.pk, "20")
    url_a, url_b = link_in(row, 0), link_in(row, 1)
    assert "form_line=20a" in url_a and "form_line=20b" in url_b
    assert listed(client, url_a) == {direct.pk, own_share.pk}
    assert listed(client, url_b) == {whole.pk}
    lines = form_of(house.owner, 2024, home=house).output["lines"]
    assert lines["20a"] == "400.00" and lines["20b"] == "150.00"


def test_mortgage_insurance_and_schedule_c_targets(demo, user, client_of):
    house = demo["house"]
    insurance = BillFactory(
        home=house,
        paid_on=dt.date(2024, 2, 1),
        payee="PMI",
        category="mortgage_insurance",
        amount=Decimal("40"),
    )
    no_share = BillFactory(
        home=house,
        paid_on=dt.date(2024, 2, 9),
        payee="Phone Co",
        category="phone",
        amount=Decimal("30"),
    )
    client = client_of(user)
    page = html(client.get(review_url(demo["years"][2024])))
    url = link_in(row_html(page, house.pk, "10"), 0)
    interest = set(
        Bill.objects.filter(home=house, tax_year=2024, category="mortgage_interest").values_list(
            "pk", flat=True
        )
    )
    # 2024: premiums are not mortgage interest (docs/tax-rules.md §2), so not behind line 10.
    assert listed(client, url) == interest and insurance.pk not in interest
    internet = re.search(r'<a href="([^"]*form_line=internet[^"]*)"', page).group(1)
    assert listed(client, html_lib.unescape(internet)) == set(
        Bill.objects.filter(home=house, tax_year=2024, category="internet").values_list(
            "pk", flat=True
        )
    )
    assert "internet or telephone bill(s) of 2024 have no business-use percent" in page
    share = re.search(r'<a href="([^"]*business_use_percent__isnull[^"]*)"', page).group(1)
    assert listed(client, html_lib.unescape(share)) == {no_share.pk}


def test_prorated_bills_are_behind_the_line_and_counted_filter_explains(demo, user, client_of):
    house = demo["house"]
    client = client_of(user)
    page = html(client.get(review_url(demo["years"][2025])))
    url = link_in(row_html(page, house.pk, "18"), 0)
    policy = Bill.objects.get(home=house, tax_year=2025, category="insurance")
    assert listed(client, url) == {policy.pk}
    prorated = listed(client, url.replace("counted=yes", "counted=prorated"))
    assert prorated == {policy.pk}
    assert listed(client, url.replace("counted=yes", "counted=full")) == set()


def test_bill_changelist_shows_receipts(demo, user, client_of):
    receipt = demo["receipts"][0]
    page = html(client_of(user).get(f"/admin/ledger/bill/?tax_year={receipt.bill.tax_year}"))
    url = f"{receipt.file.url}?inline=1"  # opens in the browser, still owner-checked
    assert f'<a href="{url}" target="_blank">{receipt.original_name}</a>' in page
