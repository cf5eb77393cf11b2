"""The API's bills by page number (`?page=N`) read like the admin's list (interface.paging): a
page's keys first, then only its own rows by key; past the middle the keys are read from the
end, so the last page skips no row. The same rows, order, JSON and `count` as Django's own
paginator, only the user's bills, and the same queries on any page. (Timing at a million
bills: make bench.)"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from interface.paging import BillPagination
from ledger.models import Bill
from tests.factories import HomeFactory, ReceiptFactory, UserFactory

pytestmark = pytest.mark.django_db
PAGE = 50  # REST_FRAMEWORK's PAGE_SIZE


def _bills(home, count: int, start: int = 0):
    """`count` bills, six a day (ties on the date: `id` orders them), amounts and payees that
    repeat (ties on the column ordered by), over two years; every seventh with a receipt."""
    bills = Bill.objects.bulk_create(
        Bill(
            owner=home.owner,
            home=home,
            paid_on=dt.date(2023, 12, 20) + dt.timedelta(days=n // 6),
            tax_year=(dt.date(2023, 12, 20) + dt.timedelta(days=n // 6)).year,
            payee=f"Payee {n % 9}",
            category=Bill.Category.UTILITIES,
            amount=Decimal(n % 13) + Decimal("0.25"),
        )
        for n in range(start, start + count)
    )
    for bill in bills[::7]:
        ReceiptFactory(bill=bill)


@pytest.fixture
def ledgers(user):
    """The user's 230 bills (4 full pages and one of 30) between another user's."""
    other = UserFactory(username="neighbour")
    mine, theirs = HomeFactory(owner=user, key="elm"), HomeFactory(owner=other, key="oak")
    _bills(theirs, 40)
    _bills(mine, 130)
    _bills(theirs, 40, start=40)
    _bills(mine, 100, start=130)
    return user


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _get(api, url: str):
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    return response, [q["sql"] for q in ctx.captured_queries]


QUERIES = ["", "&ordering=amount", "&ordering=-payee", "&ordering=paid_on", "&year=2024"]


@pytest.mark.parametrize("query", [*QUERIES, "&has_receipt=true", "&has_receipt=false"])
def test_every_page_is_what_djangos_paginator_answered(ledgers, monkeypatch, query):
    """Same status, rows, order and JSON (`count`, `next`, `previous`, `results`) on every page,
    first, middle, last, `last`, past the end."""
    api = _api(ledgers)
    pages = [*range(1, 7), "last"]
    ours = [api.get(f"/api/bills/?page={n}{query}") for n in pages]
    monkeypatch.setattr(BillPagination, "django_paginator_class", Paginator)
    djangos = [api.get(f"/api/bills/?page={n}{query}") for n in pages]
    for n, mine, theirs in zip(pages, ours, djangos, strict=True):
        assert mine.status_code == theirs.status_code, n
        assert mine.content == theirs.content, n
    shown = sum(len(r.json()["results"]) for r in ours[:5] if r.status_code == 200)
    assert shown == ours[0].json()["count"]


@pytest.mark.parametrize("query", QUERIES)
def test_the_pages_together_are_the_users_bills_in_the_lists_order(ledgers, query):
    api = _api(ledgers)
    ordering = re.search(r"ordering=([-\w]+)", query)
    order = [ordering.group(1), "id"] if ordering else ["-paid_on", "-id"]
    expected = Bill.objects.owned_by(ledgers).order_by(*order)
    if "year=" in query:
        expected = expected.filter(tax_year=2024)
    seen = []
    for n in range(1, 6):
        response = api.get(f"/api/bills/?page={n}{query}")
        if response.status_code == 404:
            break
        seen += [bill["id"] for bill in response.json()["results"]]
    assert seen == list(expected.values_list("id", flat=True))


@pytest.mark.parametrize("query", QUERIES)
def test_the_last_page_reads_its_keys_from_the_end_then_only_its_rows(ledgers, query):
    """The last page (30 bills of 230, 8 of 2024's 158): its keys read from the end (the
    opposite order, no OFFSET), then those rows by key; nothing skips the bills before it."""
    response, sql = _get(_api(ledgers), f"/api/bills/?page=last{query}")
    assert response.status_code == 200
    size = len(response.json()["results"])
    assert size == response.json()["count"] % PAGE
    assert not [s for s in sql if "OFFSET" in s], sql
    (keys,) = [s for s in sql if s.startswith('SELECT "ledger_bill"."id" AS "pk" FROM')]
    assert keys.endswith(f"LIMIT {size}"), keys
    (rows,) = [s for s in sql if "ORDER BY (CASE" in s]
    assert '"owner_id" = ' in rows and "LIMIT" not in rows, rows
    assert len(re.search(r"IN \(([^)]*)\)", rows).group(1).split(",")) == size


def test_a_page_before_the_middle_reads_its_keys_with_the_offset(ledgers):
    response, sql = _get(_api(ledgers), "/api/bills/?page=2")
    assert response.status_code == 200
    (keys,) = [s for s in sql if "OFFSET" in s]
    assert keys.startswith('SELECT "ledger_bill"."id" AS "pk" FROM'), keys
    assert keys.endswith(f"LIMIT {PAGE} OFFSET {PAGE}"), keys
    assert '"paid_on" DESC' in keys
    (rows,) = [s for s in sql if "ORDER BY (CASE" in s]
    assert "LIMIT" not in rows


def test_a_page_past_the_middle_reads_its_keys_from_the_end(ledgers):
    """`?page=4` of 5 (bills 151-200 of 230): from the end, the 30 of the last page skipped."""
    response, sql = _get(_api(ledgers), "/api/bills/?page=4")
    assert response.status_code == 200
    (keys,) = [s for s in sql if "OFFSET" in s]
    assert keys.endswith(f"LIMIT {PAGE} OFFSET 30") and '"paid_on" ASC' in keys, keys


def test_every_page_runs_the_same_queries_for_few_bills_or_many(user):
    home = HomeFactory(owner=user, key="elm")
    api = _api(user)

    def counts() -> list[int]:
        api.get("/api/bills/")  # warm: content types
        return [len(_get(api, f"/api/bills/?page={n}")[1]) for n in (1, 2, "last")]

    _bills(home, 120)
    few = counts()
    _bills(home, 400, start=120)
    many = counts()
    assert few == many and len(set(few)) == 1, (few, many)


def test_the_count_is_exact(ledgers):
    page = _api(ledgers).get("/api/bills/?page=5").json()
    assert page["count"] == 230 and len(page["results"]) == 30
    assert page["next"] is None and page["previous"].endswith("page=4")
