"""The review page reads what the last write stored and the year's bills once (one GROUP BY,
plus the first bills without a receipt when there are some), whatever the number of bills."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms8829 import filing
from forms8829.models import ServedChain
from ledger.models import TaxYear
from tests.review.conftest import html, review_url

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
