"""Ledger-file import in a constant number of queries: a file of 10 bills and one of 2,000 run
the same queries (data fetched once, every table inserted in bulk with its history rows)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.ledger_file import ledger_export, ledger_import
from ledger.models import Bill
from tests.factories import UserFactory, ledger_file_document

pytestmark = pytest.mark.django_db

TABLES = ("home", "officearea", "improvement", "bill", "taxyear", "taxyearhome")


def import_sql(username: str, document: dict) -> list[str]:
    owner = UserFactory(username=username)
    with CaptureQueriesContext(connection) as ctx:
        summary = ledger_import(owner=owner, data=document)
    assert summary.bills == len(document["bills"])
    return [query["sql"] for query in ctx.captured_queries]


def test_ten_and_two_thousand_bills_run_the_same_queries():
    ten = import_sql("ten", ledger_file_document(bills=10))
    two_thousand = import_sql("two-thousand", ledger_file_document(bills=2000))

    assert len(ten) == len(two_thousand)
    inserts = [sql.split()[2].strip('"') for sql in two_thousand if sql.startswith("INSERT")]
    # One INSERT per table and one for its history rows, whatever the number of rows.
    assert sorted(inserts) == sorted(
        [f"ledger_{t}" for t in TABLES] + [f"ledger_historical{t}" for t in TABLES]
    )
    # The owner's home keys and tax years, fetched once; the savepoint and its release.
    assert len(two_thousand) - len(inserts) == 4


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
        data = ledger_file_document(bills=bills)
        data["tax_years"][0]["filed"] = file_marks_filed
        return data

    ten = batch_queries("ten", document(10), filed_before=filed_before)
    two_thousand = batch_queries("two-thousand", document(2000), filed_before=filed_before)
    assert ten == two_thousand
