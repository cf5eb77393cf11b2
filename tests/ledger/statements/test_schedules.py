"""Recurring bills: "what is missing" names the months of business use without their bill, and
the inbox suggests them for a statement line that looks like one."""

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

from ledger.models import Home, TaxYear
from ledger.statement_inbox import inbox_items
from ledger.statement_models import BillSchedule
from review.page import year_review
from tests.factories import BillFactory
from tests.ledger.statements.conftest import import_file


def schedule(owner, **extra):
    home = Home.objects.get(owner=owner)
    defaults = dict(
        owner=owner, payee="Comcast", category="internet", home=home, expected_day=15,
        amount_kind="fixed", amount=Decimal("89.99"), business_use_percent=Decimal("50"),
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30),
    )  # fmt: skip
    return BillSchedule.objects.create(**{**defaults, **extra})


def months_missing(owner) -> list:
    review = year_review(tax_year=TaxYear.objects.get(owner=owner, year=2026))
    return [item for item in review.missing if item.kind == "month"]


def test_a_schedule_names_its_months_without_a_bill(renter):
    schedule(renter)
    home = Home.objects.get(owner=renter)
    internet = {"category": "internet", "business_use_percent": Decimal("50")}
    for month in (1, 2, 4):
        BillFactory(owner=renter, home=home, payee="COMCAST", paid_on=dt.date(2026, month, 14),
                    **internet)  # fmt: skip
    BillFactory(owner=renter, home=home, payee="Comcast", kind="refund",
                paid_on=dt.date(2026, 3, 20), **internet)  # fmt: skip

    (item,) = months_missing(renter)
    assert item.text.startswith("Comcast (Internet (Schedule C), recurring, due day 15, $89.99")
    assert "no bill paid in Mar, May, Jun 2026" in item.text  # a refund is no bill paid
    query = parse_qs(urlparse(item.url).query)
    assert query["paid_on"] == ["2026-03-15"] and query["amount"] == ["89.99"]
    assert query["business_use_percent"] == ["50.00"]


def test_a_payee_with_a_schedule_is_not_also_guessed_from_its_bills(renter):
    home = Home.objects.get(owner=renter)
    for month in (1, 2):
        BillFactory(owner=renter, home=home, payee="City Power", paid_on=dt.date(2026, month, 5))
    (guessed,) = months_missing(renter)
    assert guessed.text.startswith("City Power (Utilities, Harbor Apartment)")

    schedule(renter, payee="City Power", category="utilities", amount_kind="varying",
             amount=None, business_use_percent=None, ends_on=dt.date(2026, 2, 28))  # fmt: skip
    assert months_missing(renter) == []


def test_the_inbox_suggests_the_schedule_a_line_looks_like(renter):
    schedule(renter, payee="Home Depot", category="repairs", amount_kind="varying", amount=None,
             business_use_percent=None, match="home depot")  # fmt: skip
    import_file(renter, "bank-of-america.csv")
    items = {item.row.description.split()[0]: item for item in inbox_items(owner=renter)}
    depot = items["HOME"]
    assert depot.suggestion.startswith("Looks like the recurring Home Depot (Repairs")
    assert depot.outcome.category == "repairs" and depot.schedule_id is not None
    assert items["WHOLE"].suggestion == ""
