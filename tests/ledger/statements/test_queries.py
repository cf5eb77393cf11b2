"""A statement of 10,000 lines is imported in the same number of queries as one of 10: the
account's earlier lines, the rules, homes, bills and schedules are read once, and the bills
(with their history) and the lines are inserted in one statement each."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms8829.statement_writes import statement_file_import, statement_file_upload
from ledger.models import Bill
from ledger.statement_models import StatementRow
from tests.factories import (
    OfficeAreaFactory,
    RentedHomeFactory,
    TaxYearHomeFactory,
    UserFactory,
)
from tests.ledger.statements.conftest import make_rules

PAYEES = ("CITY POWER & LIGHT BILLPAY", "COMCAST CABLE COMM", "SAFEWAY #1234", "HOME DEPOT #4711")


def statement(lines: int) -> bytes:
    """A checking export of `lines` lines over 2026: bills, groceries, unknown shops."""
    rows = ["Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #"]
    for i in range(lines):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=i % 365)
        payee = PAYEES[i % len(PAYEES)]
        rows.append(f"DEBIT,{day:%m/%d/%Y},{payee} {i},-{10 + i % 90}.{i % 100:02d},ACH_DEBIT,,")
    return ("\n".join(rows) + "\n").encode()


def queries_of_import(owner, data: bytes) -> int:
    pending = statement_file_upload(owner=owner, data=data, file_name="big.csv")
    with CaptureQueriesContext(connection) as ctx:
        result = statement_file_import(upload=pending, dry_run=False)
    assert result.ok
    return len(ctx.captured_queries)


def ledger_owner(username: str):
    owner = UserFactory(username=username)
    home = RentedHomeFactory(owner=owner, occupied_from=dt.date(2024, 1, 1))
    OfficeAreaFactory(home=home, start=dt.date(2024, 1, 1))
    TaxYearHomeFactory(tax_year__owner=owner, tax_year__year=2026, home=home)
    make_rules(owner)
    return owner


def test_ten_thousand_lines_run_the_queries_of_ten(db):
    small = queries_of_import(ledger_owner("small"), statement(10))
    big_owner = ledger_owner("big")
    big = queries_of_import(big_owner, statement(10_000))

    assert big == small
    assert StatementRow.objects.filter(owner=big_owner).count() == 10_000
    assert Bill.objects.filter(owner=big_owner).count() == 5_000  # power and internet


def test_the_import_itself_runs_a_pinned_number_of_queries(db):
    """Plan and apply, outside the write batch (whose queries are filing's), for a new account:
    rules, homes, bills in the file's dates, payees, schedules; then a free name for the
    account, the account, the bills, their history, the lines and the file. A new query here is
    a change to review, whatever the file's length. Outside a batch the account's and the file's
    saves each also drop the owner's brief (forms8829.served; two DELETEs a batch would not run)."""
    from ledger.statement_import import statement_apply, statement_plan

    owner = ledger_owner("pinned")
    pending = statement_file_upload(owner=owner, data=statement(2_000), file_name="a.csv")
    with CaptureQueriesContext(connection) as ctx:
        statement_apply(plan=statement_plan(upload=pending))
    assert len(ctx.captured_queries) == 13, [q["sql"][:60] for q in ctx.captured_queries]
