"""The review page reads what the last write stored and the year's bills once (one GROUP BY,
plus the first bills without a receipt when there are some), whatever the number of bills; its
CSV and support ZIP are written as the bills are read, in memory that does not grow with them."""

import csv
import datetime as dt
import io
import re
import tracemalloc
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms8829 import filing
from forms8829.models import ServedChain
from ledger.models import TaxYear
from review import support
from tests.factories import HomeFactory, OfficeAreaFactory, TaxYearHomeFactory
from tests.review.conftest import html, review_url
from tests.review.test_ownership_and_queries import bulk_bills

pytestmark = pytest.mark.django_db


def _page(client, url) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html(client.get(url)))


def _bill_reads(captured) -> list[str]:
    return [q["sql"] for q in captured if 'FROM "ledger_bill"' in q["sql"]]


def test_review_serves_the_stored_forms_and_reads_the_bills_once(demo, user, client_of):
    filing.chain_recompute(owner=user)  # what a write batch stores
    tax_year = TaxYear.objects.get(owner=user, year=2024)
    client = client_of(user)
    ServedChain.objects.filter(owner=user).delete()
    computed = _page(client, review_url(tax_year))
    filing.chain_recompute(owner=user)
    with CaptureQueriesContext(connection) as captured:
        served = _page(client, review_url(tax_year))
    assert served == computed
    bill_reads = _bill_reads(captured)
    assert len(bill_reads) <= 2, bill_reads
    assert not any(
        "forms8829_computedform" in q["sql"] and "ledger_bill" in q["sql"] for q in captured
    )
    assert len(captured) <= 20, [q["sql"][:80] for q in captured]


def _peak_of_streaming(owner, year: int) -> tuple[int, int]:
    """Peak memory (tracemalloc) of taking the review CSV and the support ZIP piece by piece."""
    peaks = []
    for chunks in (
        support.bills_behind_lines_csv_chunks(owner=owner, year=year),
        support.support_package_chunks(owner=owner, year=year),
    ):
        tracemalloc.start()
        for _piece in chunks:
            pass
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return tuple(peaks)


def test_review_csv_and_support_zip_are_written_as_the_bills_are_read(user, monkeypatch):
    monkeypatch.setattr(support, "CHUNK_SIZE", 100)
    monkeypatch.setattr(support, "TEXT_CHUNK", 4096)
    home = HomeFactory(owner=user, occupied_from=dt.date(2020, 1, 1))
    OfficeAreaFactory(home=home, start=dt.date(2020, 1, 1))
    TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024, home=home)
    bulk_bills(user, home, 300)
    few = _peak_of_streaming(user, 2024)
    bulk_bills(user, home, 2700)
    many = _peak_of_streaming(user, 2024)
    assert many[0] < few[0] * 1.5 and many[1] < few[1] * 1.5, (few, many)
    rows = list(csv.DictReader(io.StringIO(support.bills_behind_lines_csv(owner=user, year=2024))))
    assert len(rows) == 3000
    archive = zipfile.ZipFile(io.BytesIO(support.support_package_zip(owner=user, year=2024)))
    assert archive.testzip() is None
    assert archive.read("bills-behind-lines-2024.csv").decode().count("\r\n") == 3001
