"""Ledger-file import in a constant number of queries: a file of 10 bills and one of 2,000 run
the same queries (data fetched once, every table inserted in bulk with its history rows)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.ledger_file import ledger_export, ledger_import
from ledger.models import Bill, Business, OfficeArea
from tests.factories import UserFactory, ledger_file_businesses, ledger_file_document

pytestmark = pytest.mark.django_db

TABLES = (
    "business",
    "home",
    "officearea",
    "improvement",
    "bill",
    "taxyear",
    "taxyearhome",
    "businessshare",
)


def import_sql(username: str, document: dict) -> list[str]:
    owner = UserFactory(username=username)
    with CaptureQueriesContext(connection) as ctx:
        summary = ledger_import(owner=owner, data=document)
    assert summary.bills == len(document["bills"])
    return [query["sql"] for query in ctx.captured_queries]


def inserted_tables(sql: list[str]) -> list[str]:
    return sorted(query.split()[2].strip('"') for query in sql if query.startswith("INSERT"))


def test_ten_and_two_thousand_bills_run_the_same_queries():
    ten = import_sql("ten", ledger_file_businesses(ledger_file_document(bills=10)))
    two_thousand = import_sql(
        "two-thousand", ledger_file_businesses(ledger_file_document(bills=2000))
    )

    assert len(ten) == len(two_thousand)
    inserts = inserted_tables(two_thousand)
    # One INSERT per table and one for its history rows, whatever the number of rows.
    assert inserts == sorted(
        [f"ledger_{t}" for t in TABLES] + [f"ledger_historical{t}" for t in TABLES]
    )
    # The owner's home keys, businesses and tax years, fetched once; the savepoint and its
    # release.
    assert len(two_thousand) - len(inserts) == 5


def test_a_file_from_before_businesses_gets_my_business_in_the_same_bulk_queries():
    sql = import_sql("old-file", ledger_file_document(bills=10))

    # "My business" is inserted like the file's own businesses (with its history row), not
    # through Business.default_for's single save; there are no shares to insert.
    tables = [t for t in TABLES if t != "businessshare"]
    assert inserted_tables(sql) == sorted(
        [f"ledger_{t}" for t in tables] + [f"ledger_historical{t}" for t in tables]
    )
    assert len(sql) - len(inserted_tables(sql)) == 5
    owner = UserFactory._meta.model.objects.get(username="old-file")
    (business,) = Business.objects.filter(owner=owner)
    assert (business.name, business.kind) == ("My business", "sole_proprietor")
    assert set(OfficeArea.objects.filter(owner=owner).values_list("business", flat=True)) == {
        business.pk
    }
    (record,) = business.history.all()
    assert (record.history_type, record.history_user) == ("+", owner)


def test_a_bulk_import_keeps_history_and_round_trips():
    document = ledger_file_document(bills=50)
    owner = UserFactory(username="bulk")

    ledger_import(owner=owner, data=document)

    assert ledger_export(owner=owner)["bills"] == sorted(
        document["bills"], key=lambda b: (b["paid_on"], b["payee"], b["amount"])
    )
    bill = Bill.objects.filter(owner=owner).first()
    (record,) = bill.history.all()
    assert (record.history_type, record.history_user, record.tax_year) == ("+", owner, 2024)
    assert record.history_change_reason == "Imported from a ledger file"


def batch_queries(username: str, document: dict, *, filed_before: bool) -> int:
    """Queries of the whole import as the API and the command run it: one write batch (lock,
    filed-year check, forms stored), then the filing of the years the file marks filed."""
    from forms8829.filing import ledger_file_import, tax_year_file
    from tests.factories import TaxYearFactory

    owner = UserFactory(username=username)
    if filed_before:  # a filed year already in the ledger, which the batch must check
        tax_year_file(tax_year=TaxYearFactory(owner=owner, year=2019))
    with CaptureQueriesContext(connection) as ctx:
        ledger_file_import(owner=owner, data=document)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("filed_before", [False, True], ids=["no-filed-year", "a-filed-year"])
@pytest.mark.parametrize("file_marks_filed", [False, True], ids=["open", "filed-in-file"])
def test_the_write_batch_runs_the_same_queries_for_10_and_2000_bills(
    filed_before, file_marks_filed
):
    def document(bills: int) -> dict:
        data = ledger_file_businesses(ledger_file_document(bills=bills))
        data["tax_years"][0]["filed"] = file_marks_filed
        return data

    ten = batch_queries("ten", document(10), filed_before=filed_before)
    two_thousand = batch_queries("two-thousand", document(2000), filed_before=filed_before)
    assert ten == two_thousand
