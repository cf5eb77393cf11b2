"""The CSV import's repeat check reads only the repeats: one indexed lookup of the file's
duplicate keys (`Bill.duplicate_key`), not the ledger's bills of the file's days or amounts, so
the tenth file imports like the first. (Timing at scale: make bench.)"""

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
FILE_DAYS = [dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(0, 360, 7)]


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


def _earlier_files(home, count: int) -> None:
    """`count` bills on the days and of the amounts the file below has, other payees only: what
    earlier files of the same shape leave (the benchmark's), none of them a repeat."""
    Bill.objects.bulk_create(
        Bill(
            owner=home.owner,
            home=home,
            paid_on=FILE_DAYS[n % len(FILE_DAYS)],
            payee=f"Earlier payee {n}",
            category=Bill.Category.UTILITIES,
            amount=Decimal(n % len(FILE_DAYS)) + Decimal("0.50"),
        )
        for n in range(count)
    )


def _file() -> str:
    rows = [f"elm,{day.isoformat()},Payee {n},utilities,{n}.50" for n, day in enumerate(FILE_DAYS)]
    return "\n".join([HEADER, "elm,2024-03-05,CITY POWER,utilities,180.00", *rows])


@pytest.mark.parametrize("unrelated", [0, 600])
def test_only_the_repeats_are_read_whatever_else_the_ledger_holds(user, unrelated):
    home = HomeFactory(owner=user, key="elm")
    repeat = BillFactory(home=home, paid_on=dt.date(2024, 3, 5), payee="City Power", amount=180)
    _earlier_files(home, unrelated)
    reads = _Reads()
    with connection.execute_wrapper(reads):
        report = bills_import_csv(owner=user, data=_file(), dry_run=True)

    assert [d.existing_bill for d in report.duplicates] == [repeat.pk]
    assert len(report.rows) == len(FILE_DAYS)
    # One query, one row: the repeat. (The days-and-amounts check read 1 + `unrelated`.)
    assert reads.rows() == [1]


def test_any_case_and_any_script_still_repeats(user):
    """Python's casefold, on every database (SQL's lower() is ASCII only on SQLite); the amount
    by value; blanks around the payee do not count. Home, day, amount and payee all do."""
    home = HomeFactory(owner=user, key="elm")
    cabin = HomeFactory(owner=user, key="cabin")
    day = dt.date(2024, 5, 2)
    cafe = BillFactory(home=home, paid_on=day, payee="café Ünïcode", amount=Decimal("12.5"))
    street = BillFactory(home=home, paid_on=day, payee="Straße Works", amount=Decimal("40.00"))
    data = "\n".join(
        [
            HEADER,
            "elm,2024-05-02,CAFÉ ÜNÏCODE,utilities,12.50",  # repeats `cafe`
            "elm,05/02/2024, STRASSE WORKS ,utilities,$40",  # repeats `street`
            "cabin,2024-05-02,Café Ünïcode,utilities,12.50",  # another home
            "elm,2024-05-03,Café Ünïcode,utilities,12.50",  # another day
            "elm,2024-05-02,Café Ünïcode,utilities,12.51",  # another amount
            "elm,2024-05-02,Cafe Unicode,utilities,12.50",  # another payee
        ]
    )
    report = bills_import_csv(owner=user, data=data, dry_run=False)

    assert report.ok, report.errors
    assert [(d.line, d.existing_bill) for d in report.duplicates] == [
        (2, cafe.pk),
        (3, street.pk),
    ]
    assert report.created == 4
    assert Bill.objects.filter(home=cabin).count() == 1


def test_a_row_repeating_an_earlier_row_in_another_case_is_skipped(user):
    HomeFactory(owner=user, key="elm")
    data = "\n".join(
        [HEADER, "elm,2024-01-09,Ärzte GmbH,other,10", "elm,2024-01-09,ÄRZTE GMBH,other,10.00"]
    )
    report = bills_import_csv(owner=user, data=data, dry_run=False)
    assert [(d.line, d.same_as_line) for d in report.duplicates] == [(3, 2)]
    assert report.created == 1


def test_a_large_file_looks_up_in_groups_and_finds_every_repeat(user, monkeypatch):
    monkeypatch.setattr(bill_import, "DUPLICATE_LOOKUP_KEYS", 3)
    home = HomeFactory(owner=user, key="elm")
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(8)]
    existing = [
        BillFactory(home=home, paid_on=day, payee=f"P{n}", amount=Decimal(n + 1))
        for n, day in enumerate(days)
    ]
    rows = [f"elm,{day.isoformat()},p{n},utilities,{n + 1}.00" for n, day in enumerate(days)]
    rows.append(f"elm,{days[0].isoformat()},P1,utilities,7.00")
    reads = _Reads()
    with connection.execute_wrapper(reads):
        report = bills_import_csv(owner=user, data="\n".join([HEADER, *rows]), dry_run=True)

    assert [d.existing_bill for d in report.duplicates] == [bill.pk for bill in existing]
    assert len(report.rows) == 1
    assert len(reads.statements) == 3  # 9 distinct keys, 3 a query
    assert max(len(params) for _sql, params in reads.statements) == 1 + 3  # the owner, 3 keys
