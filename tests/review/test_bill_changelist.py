"""The bill changelist: totals of the filtered rows, "Copy to the following months", CSV import."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forms8829.filing import tax_year_file
from ledger.models import Bill
from tests.factories import BillFactory, HomeFactory, ReceiptFactory, TaxYearHomeFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/ledger/bill/"


def totals_table(page: str) -> str:
    match = re.search(r'<table class="bill-totals" id="bill-totals">(.*?)</table>', page, re.S)
    assert match, "no totals table"
    return match.group(1)


def test_totals_per_category_and_column_of_the_filtered_rows(user, client_of):
    home = HomeFactory(owner=user)
    BillFactory(home=home, category="utilities", amount=Decimal("100.00"))
    BillFactory(home=home, category="utilities", amount=Decimal("50.25"), scope="direct")
    BillFactory(
        home=home, category="utilities", amount=Decimal("80.00"), business_use_percent=Decimal("10")
    )
    with_receipts = BillFactory(home=home, category="rent", amount=Decimal("1000.00"))
    ReceiptFactory(bill=with_receipts)
    ReceiptFactory(bill=with_receipts)  # two receipts: the amount still counts once
    BillFactory(home=home, category="rent", amount=Decimal("999.00"), paid_on=dt.date(2023, 5, 1))
    client = client_of(user)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{CHANGELIST}?tax_year=2024")
    table = totals_table(response.content.decode())
    sums = [q["sql"] for q in queries.captured_queries if "SUM(" in q["sql"].upper()]
    assert len(sums) == 1, sums  # one aggregate query
    assert "Totals of the 4 bills shown" in table
    utilities = re.search(r"<tr><td>Utilities</td>(.*?)</tr>", table).group(1)
    assert "<td>21</td>" in utilities
    assert "$130.25" in utilities  # (a): direct 50.25 + own-share 80.00
    assert "$100.00" in utilities  # (b)
    assert "$230.25" in utilities
    rent = re.search(r"<tr><td>Rent</td>(.*?)</tr>", table).group(1)
    assert "$1,000.00" in rent and "$999.00" not in table
    assert "$1,230.25" in table  # all categories

    filtered = totals_table(
        client.get(f"{CHANGELIST}?tax_year=2024&scope__exact=direct").content.decode()
    )
    assert "Totals of the 1 bill shown" in filtered and "$50.25" in filtered


def test_import_link_is_on_the_changelist(user, client_of):
    page = client_of(user).get(CHANGELIST).content.decode()
    assert f'href="{reverse("admin:ledger_bill_import")}" class="importlink"' in page


def copy(client, *bills):
    return client.post(
        CHANGELIST,
        {"action": "copy_to_following_months", "_selected_action": [b.pk for b in bills]},
        follow=True,
    )


def test_copy_to_the_following_months(user, client_of):
    home = HomeFactory(owner=user)
    bill = BillFactory(
        home=home,
        payee="City Power",
        paid_on=dt.date(2024, 1, 31),
        amount=Decimal("90.00"),
        service_start=dt.date(2023, 12, 1),
        service_end=dt.date(2023, 12, 31),
        note="monthly",
    )
    BillFactory(home=home, payee="City Power", paid_on=dt.date(2024, 6, 2))  # June is taken
    BillFactory(home=home, payee="Other Payee", paid_on=dt.date(2024, 7, 2))
    client = client_of(user)
    response = copy(client, bill)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Created 10 bill(s)" in m for m in messages), messages

    june = Bill.objects.get(payee="City Power", paid_on=dt.date(2024, 6, 2))
    copies = list(
        Bill.objects.filter(payee="City Power")
        .exclude(pk__in=[bill.pk, june.pk])
        .order_by("paid_on")
    )
    paid = [b.paid_on for b in copies]
    assert paid == [
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 31),
        dt.date(2024, 7, 31),
        dt.date(2024, 8, 31),
        dt.date(2024, 9, 30),
        dt.date(2024, 10, 31),
        dt.date(2024, 11, 30),
        dt.date(2024, 12, 31),
    ]
    february = next(b for b in copies if b.paid_on.month == 2)
    assert (february.service_start, february.service_end) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 31),
    )
    march = next(b for b in copies if b.paid_on.month == 3)
    assert (march.service_start, march.service_end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert all(b.owner == user and b.home == home and b.note == "monthly" for b in copies)
    assert all(b.tax_year == 2024 for b in copies)
    assert march.history.first().history_change_reason.startswith("Copied from bill")

    again = copy(client, bill)
    assert any("No bill was created" in str(m) for m in get_messages(again.wsgi_request))
    assert Bill.objects.filter(payee="City Power").count() == 12


def test_copy_refuses_a_filed_year_and_creates_nothing(user, client_of):
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024)
    open_year = BillFactory(home=tyh.home, payee="Water", paid_on=dt.date(2023, 11, 10))
    filed_year = BillFactory(home=tyh.home, payee="Gas", paid_on=dt.date(2024, 3, 10))
    tax_year_file(tax_year=tyh.tax_year)
    client = client_of(user)
    response = copy(client, open_year, filed_year)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Tax year 2024 is filed, and this change would alter it" in m for m in messages)
    assert Bill.objects.count() == 2  # all or nothing: not even the open year's copy


def test_import_page_previews_then_imports(user, client_of):
    bill_import = pytest.importorskip("ledger.bill_import")
    assert hasattr(bill_import, "bills_import_csv")
    home = HomeFactory(owner=user, key="elm")
    client = client_of(user)
    url = reverse("admin:ledger_bill_import")
    assert client.get(url).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = (
        "home,paid_on,payee,category,amount,scope,business_use_percent,service_start,"
        "service_end,note\n"
        f"{home.key},2024-02-15,City Power,utilities,120.00,indirect,,,,\n"
    )
    upload = SimpleUploadedFile("bills.csv", text.encode(), "text/csv")
    preview = client.post(url, {"file": upload, "preview": "1"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Preview (dry run: nothing is saved yet): 1 bill to import" in page
    assert "City Power" in page and 'name="confirm"' in page
    assert not Bill.objects.exists()
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]  # the upload stays home
    bad = SimpleUploadedFile("bad.csv", text.replace("120.00", "lots").encode(), "text/csv")
    refused = client.post(url, {"file": bad, "preview": "1"}).content.decode()
    assert "Nothing was imported" in refused and "line 2" in refused
    assert 'name="confirm"' not in refused
    done = client.post(url, {"token": token, "confirm": "1"})  # streamed: progress, result
    assert "Imported 1 bill(s)." in b"".join(done.streaming_content).decode()
    assert Bill.objects.filter(owner=user, payee="City Power").count() == 1
