"""The CSV import's repeat check reads only the candidate bills (same day and amount as a row of
the file), not the ledger's bills of the file's date range: the tenth file imports like the
first. (Timing at scale: make bench.)"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from ledger import bill_import
from ledger.bill_import import bills_import_csv
from ledger.models import Bill
from tests.factories import BillFactory, HomeFactory

pytestmark = pytest.mark.django_db

HEADER = "home,paid_on,payee,category,amount"


class _Reads:
    """The rows each SELECT on the bills table returned, by running it again."""

    def __init__(self):
        self.statements: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith("SELECT") and '"ledger_bill"' in sql.split("FROM", 1)[1][:40]:
            self.statements.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    def rows(self) -> list[int]:
        counts = []
        for sql, params in self.statements:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                counts.append(len(cursor.fetchall()))
        return counts


def _ledger_of_a_year(home, count=300):
    Bill.objects.bulk_create(
        Bill(
            owner=home.owner,
            home=home,
            paid_on=dt.date(2024, 1, 1) + dt.timedelta(days=n % 366),
            tax_year=2024,
            payee=f"Payee {n}",
            category=Bill.Category.UTILITIES,
            amount=Decimal(n % 97) + Decimal("0.50"),
        )
        for n in range(count)
    )


def test_only_the_candidates_are_read(user):
    home = HomeFactory(owner=user, key="elm")
    _ledger_of_a_year(home)
    repeat = BillFactory(home=home, paid_on=dt.date(2024, 3, 5), payee="City Power")
    data = "\n".join(
        [
            HEADER,
            "elm,2024-03-05,CITY POWER,utilities,180.00",  # repeats `repeat`
            "elm,2024-11-30,New payee,utilities,12.34",
        ]
    )
    reads = _Reads()
    with connection.execute_wrapper(reads):
        report = bills_import_csv(owner=user, data=data, dry_run=True)

    assert [d.existing_bill for d in report.duplicates] == [repeat.pk]
    assert len(report.rows) == 1
    # The file spans most of the year, whose 300 bills the old check read; the candidates: one.
    assert reads.rows() == [1]


def test_a_large_file_looks_up_in_groups_and_finds_every_repeat(user, monkeypatch):
    monkeypatch.setattr(bill_import, "DUPLICATE_LOOKUP_PAIRS", 3)
    home = HomeFactory(owner=user, key="elm")
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(8)]
    existing = [
        BillFactory(home=home, paid_on=day, payee=f"P{n}", amount=Decimal(n + 1))
        for n, day in enumerate(days)
    ]
    # A bill on a day of one pair with the amount of another is no repeat of either.
    BillFactory(home=home, paid_on=days[0], payee="P1", amount=Decimal(2))
    rows = [f"elm,{day.isoformat()},p{n},utilities,{n + 1}.00" for n, day in enumerate(days)]
    rows.append(f"elm,{days[0].isoformat()},P1,utilities,7.00")
    reads = _Reads()
    with connection.execute_wrapper(reads):
        report = bills_import_csv(owner=user, data="\n".join([HEADER, *rows]), dry_run=True)

    assert [d.existing_bill for d in report.duplicates] == [bill.pk for bill in existing]
    assert len(report.rows) == 1
    assert len(reads.statements) == 3  # 9 distinct (day, amount) pairs, 3 a query
    assert max(len(params) for _sql, params in reads.statements) <= 3 + 3 + 2
