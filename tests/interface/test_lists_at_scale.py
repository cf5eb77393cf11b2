"""Lists that do not slow down: the admin bill list counts at most a cap (no full COUNT(*)),
the API pages bills by cursor, the tax year's page runs the same queries for one home or
several. (Timing at a million bills: make bench.)"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from interface import paging
from ledger.models import Bill
from tests.factories import HomeFactory, TaxYearFactory, TaxYearHomeFactory

pytestmark = pytest.mark.django_db


def _bills(home, count: int):
    Bill.objects.bulk_create(
        Bill(
            owner=home.owner,
            home=home,
            paid_on=dt.date(2024, 1, 1) + dt.timedelta(days=n % 20),
            tax_year=2024,
            payee=f"Payee {n}",
            category=Bill.Category.UTILITIES,
            amount=Decimal(n) + Decimal("0.25"),
        )
        for n in range(count)
    )


def _counts(sql: list[str]) -> list[str]:
    return [s for s in sql if s.startswith("SELECT COUNT(*)")]


def test_the_admin_bill_list_counts_up_to_a_cap(user, admin_client_for, monkeypatch):
    monkeypatch.setattr(paging.CappedCountPaginator, "cap", 30)
    _bills(HomeFactory(owner=user, key="elm"), 45)
    client = admin_client_for(user)

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:ledger_bill_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 30
    assert not response.context["cl"].show_full_result_count
    (count,) = _counts([q["sql"] for q in ctx.captured_queries])  # no second, unfiltered one
    assert "LIMIT 31" in count and "receipt" not in count, count


def test_under_the_cap_the_count_is_exact(user, admin_client_for):
    _bills(HomeFactory(owner=user, key="elm"), 12)
    response = admin_client_for(user).get(reverse("admin:ledger_bill_changelist"))
    assert response.context["cl"].result_count == 12


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_bills_page_by_cursor_through_the_whole_list(user):
    _bills(HomeFactory(owner=user, key="elm"), 120)
    api = _api(user)
    expected = list(
        Bill.objects.owned_by(user).order_by("-paid_on", "-id").values_list("id", flat=True)
    )

    seen, url = [], "/api/bills/?cursor="
    with CaptureQueriesContext(connection) as ctx:
        while url:
            page = api.get(url).json()
            assert "count" not in page
            seen += [bill["id"] for bill in page["results"]]
            url = page["next"]
    assert seen == expected
    assert not _counts([q["sql"] for q in ctx.captured_queries])
    # Later pages are read by position, not by skipping rows: an offset only steps over the
    # bills of the same day already shown (six a day here).
    offsets = [int(n) for q in ctx.captured_queries for n in re.findall(r"OFFSET (\d+)", q["sql"])]
    assert max(offsets, default=0) <= 6


def test_page_numbers_still_work(user):
    _bills(HomeFactory(owner=user, key="elm"), 60)
    page = _api(user).get("/api/bills/?page=2").json()
    assert page["count"] == 60
    assert len(page["results"]) == 10


def test_the_tax_year_page_runs_the_same_queries_for_any_number_of_homes(user, admin_client_for):
    tax_year = TaxYearFactory(owner=user, year=2024)
    client = admin_client_for(user)
    url = reverse("admin:ledger_taxyear_change", args=[tax_year.pk])

    def queries(homes: int) -> list[str]:
        for n in range(tax_year.homes.count(), homes):
            TaxYearHomeFactory(tax_year=tax_year, home=HomeFactory(owner=user, key=f"h{n}"))
        client.get(url)  # warm: sessions, content types
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    one, four = queries(1), queries(4)
    assert len(four) == len(one), "\n".join(four)


def test_a_bills_history_asked_by_cursor_pages_by_number(user):
    """The history is a list already read, not a queryset: `?cursor=` there is no 500."""
    from rest_framework.test import APIClient

    from tests.api.conftest import make_ledger

    ledger = make_ledger(user)
    client = APIClient()
    client.force_authenticate(user)
    for cursor in ("", "abc"):
        response = client.get(f"/api/bills/{ledger['bill'].pk}/history/?cursor={cursor}")
        assert response.status_code == 200, response.content
        assert response.json()["results"][0]["type"] == "created"
