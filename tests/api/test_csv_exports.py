"""Every CSV export neutralises formula cells (the API bills export, the review's bills CSV,
the CSV inside both support ZIPs); the bills CSV round-trips exactly."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest

from ledger.models import Bill, Receipt
from review.links import review_url
from tests.api.conftest import make_ledger
from tests.factories import BillFactory
from tests.ledger.test_csv_cells import HOSTILE

pytestmark = pytest.mark.django_db


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_no_formula(text: str):
    for cell in cells(text):
        if cell and cell[0] in "=+-@\t\r":
            assert Decimal(cell) is not None, cell  # only a number may start like that


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def hostile_ledger(db, user):
    ledger = make_ledger(user, year=2024)
    home = ledger["home"]
    home.name = "=HOME()"
    home.save()
    for n, payee in enumerate(HOSTILE):
        BillFactory(home=home, paid_on=dt.date(2024, 2, 1 + n), payee=payee, note=payee)
    return ledger


def test_the_api_bills_export_neutralises_and_round_trips(hostile_ledger, api):
    exported = body(api.get("/api/bills/export.csv")).decode()
    assert_no_formula(exported)
    assert "'=cmd|' /C calc'!A0" in cells(exported)
    before = sorted(Bill.objects.values_list("payee", "note", "amount"))
    Receipt.objects.all().delete()
    Bill.objects.all().delete()
    response = api.post("/api/bills/import/", exported.encode(), content_type="text/csv")
    assert response.status_code == 201, response.json()
    assert sorted(Bill.objects.values_list("payee", "note", "amount")) == before


def test_the_review_csv_and_the_support_zip_neutralise(hostile_ledger, user, client):
    client.force_login(user)
    tax_year = hostile_ledger["tax_year"]
    review_csv = client.get(review_url(tax_year.pk, "review_csv"))
    assert review_csv.status_code == 200
    text = body(review_csv).decode()
    assert_no_formula(text)
    assert "'=HOME()" in cells(text) and "'@SUM(A1:A2)" in cells(text)

    for url in (review_url(tax_year.pk, "review_zip"), "/api/tax-years/2024/support.zip"):
        archive = zipfile.ZipFile(io.BytesIO(body(client.get(url))))
        name = next(n for n in archive.namelist() if n.endswith(".csv"))
        zipped = archive.read(name).decode()
        assert_no_formula(zipped)
        assert "'=cmd|' /C calc'!A0" in cells(zipped)
