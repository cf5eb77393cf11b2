"""Bulk import of bills from CSV (`ledger.bill_import`) and its endpoint; the CSV export."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms8829.filing import YearFiledError, bills_csv_import, tax_year_file
from ledger.bill_import import bills_import_csv
from ledger.models import Bill
from ledger.progress import BATCH
from tests.factories import BillFactory, HomeFactory, TaxYearFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "home,paid_on,payee,category,amount,scope,business_use_percent,service_start,service_end,note,"
    "kind"
)


@pytest.fixture
def homes(user):
    return (
        HomeFactory(owner=user, name="12 Elm St", key="elm"),
        HomeFactory(owner=user, name="Lake Cabin", key="cabin"),
    )


def csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


GOOD = csv(
    "elm,2024-01-15,City Power,utilities,180.00,indirect,,2023-12-01,2023-12-31,December",
    'Lake Cabin,2024-02-01,Acme Insurance,insurance,"$1,200.50",,,,,',
    'elm,2024-03-01,Phone Co,phone,60,indirect,50,,,"note, with comma"',
)


def test_import_creates_the_bills(user, homes):
    report = bills_import_csv(owner=user, data=GOOD, dry_run=False)
    assert report.ok, report.errors
    assert report.created == 3
    assert [row.line for row in report.rows] == [2, 3, 4]
    bills = Bill.objects.owned_by(user).order_by("paid_on")
    assert [(b.home.key, b.payee, b.amount) for b in bills] == [
        ("elm", "City Power", Decimal("180.00")),
        ("cabin", "Acme Insurance", Decimal("1200.50")),
        ("elm", "Phone Co", Decimal("60")),
    ]
    assert bills[0].service_start == dt.date(2023, 12, 1)
    assert bills[1].scope == "indirect"  # blank scope: the default
    assert bills[2].business_use_percent == Decimal("50")
    assert bills[2].note == "note, with comma"
    assert all(b.tax_year == 2024 for b in bills)


def test_a_dry_run_previews_and_saves_nothing(user, homes):
    report = bills_import_csv(owner=user, data=GOOD, dry_run=True)
    assert report.ok and report.dry_run
    assert report.created == 0
    assert [(r.line, r.home, r.payee, r.amount) for r in report.rows] == [
        (2, "elm", "City Power", Decimal("180.00")),
        (3, "cabin", "Acme Insurance", Decimal("1200.50")),
        (4, "elm", "Phone Co", Decimal("60")),
    ]
    assert not Bill.objects.exists()


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (
            "elm,15/01/2024,A,utilities,1,,,,,",
            "paid_on",
            '"15/01/2024" is not a real date (read as MM/DD/YYYY)',
        ),
        (
            "elm,2024.01.15,A,utilities,1,,,,,",
            "paid_on",
            "must be a date written YYYY-MM-DD or MM/DD/YYYY",
        ),
        ("elm,2024-02-30,A,utilities,1,,,,,", "paid_on", "is not a real date"),
        ("elm,2024-01-15,A,utilities,ten,,,,,", "amount", 'must be an amount like "1,250.00"'),
        ("elm,2024-01-15,A,utilities,NaN,,,,,", "amount", 'not "NaN"'),
        ("elm,2024-01-15,A,utilities,-5,,,,,", "amount", "must be >= 0"),
        ("elm,2024-01-15,A,utilities,1e30,,,,,", "amount", "without an exponent"),
        ("elm,2024-01-15,A,utilities,12345678901,,,,,", "amount", "digits"),
        ("elm,2024-01-15,A,groceries,1,,,,,", "category", 'must be one of "mortgage_interest"'),
        ("elm,2024-01-15,A,utilities,1,sideways,,,,", "scope", 'not "sideways"'),
        ("elm,2024-01-15,A,utilities,1,,150,,,", "business_use_percent", "must be <= 100"),
        ("barn,2024-01-15,A,utilities,1,,,,,", "home", "no home with the key or name 'barn'"),
        (",2024-01-15,A,utilities,1,,,,,", "home", "is required"),
        ("elm,2024-01-15,,utilities,1,,,,,", "payee", "is required"),
        ("elm,2024-01-15,A,mortgage_interest,1,direct,,,,", "scope", "never direct"),
        ("elm,2024-01-15,A,utilities,1,,,2024-01-01,,", "service_end", "both the start and"),
    ],
)
def test_row_errors_name_the_line_and_column(row, column, words, user, homes):
    data = csv("elm,2024-01-01,Fine,utilities,1,,,,,", row)
    report = bills_import_csv(owner=user, data=data, dry_run=False)
    assert not report.ok
    assert [(e.line, e.column) for e in report.errors] == [(3, column)]
    assert words in report.errors[0].message, report.errors[0].message
    assert str(report.errors[0]).startswith(f"line 3, column {column}: ")
    assert report.created == 0
    assert not Bill.objects.exists()  # all or nothing: the good line 2 is not saved either


def test_every_bad_line_is_reported(user, homes):
    data = csv(
        "elm,2024-01-01,A,utilities,x,,,,,",
        "elm,2024-01-02,B,utilities,1,,,,,",
        "nowhere,bad-date,C,nope,1,,,,,",
    )
    report = bills_import_csv(owner=user, data=data, dry_run=False)
    assert [(e.line, e.column) for e in report.errors] == [
        (2, "amount"),
        (4, "home"),
        (4, "paid_on"),
        (4, "category"),
    ]


def test_line_numbers_count_quoted_line_breaks(user, homes):
    data = csv('elm,2024-01-01,A,utilities,1,,,,,"two\nlines"', "elm,2024-01-02,B,utilities,x,,,,,")
    report = bills_import_csv(owner=user, data=data, dry_run=False)
    assert [(e.line, e.column) for e in report.errors] == [(4, "amount")]


def test_duplicates_in_the_ledger_and_in_the_file_are_reported_not_doubled(user, homes):
    elm = homes[0]
    existing = BillFactory(
        home=elm, paid_on=dt.date(2024, 1, 15), payee="City Power", amount=Decimal("180.00")
    )
    data = csv(
        "elm,2024-01-15,city power,utilities,180,,,,,",  # the stored bill, payee in other case
        "elm,2024-01-16,Water,utilities,20,,,,,",
        "12 Elm St,2024-01-16,Water,utilities,20.00,,,,,",  # line 3 again, home by name
    )
    report = bills_import_csv(owner=user, data=data, dry_run=False)
    assert report.ok
    assert report.created == 1
    assert [(d.line, d.existing_bill, d.same_as_line) for d in report.duplicates] == [
        (2, existing.pk, None),
        (4, None, 3),
    ]
    assert "repeats bill" in report.duplicates[0].message
    assert Bill.objects.filter(payee__iexact="city power").count() == 1
    assert Bill.objects.filter(payee="Water").count() == 1


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("", "empty"),
        (HEADER + "\n", "no bills"),
        ("home,paid_on,payee\nelm,2024-01-01,A\n", "required column(s) category, amount"),
        (HEADER + ",colour\n", "unknown column 'colour'"),
        ("home,home,paid_on,payee,category,amount\n", "more than once"),
        (b"\xff\xfe\x00h\x00o", "not UTF-8"),
        (csv("elm,2024-01-01,A,utilities,1,,,,,,,extra"), "has 12 cells"),
    ],
)
def test_file_level_problems(data, words, user, homes):
    report = bills_import_csv(owner=user, data=data, dry_run=False)
    assert not report.ok
    assert words in " ".join(str(e) for e in report.errors)


def test_short_rows_and_optional_columns_may_be_left_out(user, homes):
    data = "Home,Paid On,Payee,Category,Amount\nelm,2024-01-01,A,utilities,1\n"
    report = bills_import_csv(owner=user, data=data.encode("utf-8-sig"), dry_run=False)
    assert report.ok, report.errors
    assert Bill.objects.get().scope == "indirect"


def test_a_bill_in_a_filed_year_refuses_the_import_and_its_preview(user, ledger):
    tax_year_file(tax_year=ledger["tax_year"])
    data = csv(f"{ledger['home'].key},2024-05-01,A,utilities,1,,,,,")
    for dry_run in (True, False):
        with pytest.raises(YearFiledError, match="Tax year 2024 is filed") as refused:
            bills_csv_import(owner=user, data=data, dry_run=dry_run)
        assert refused.value.year == 2024
    assert not Bill.objects.filter(payee="A").exists()


def test_a_preview_saves_nothing_and_says_what_the_import_would_create(user, homes):
    report = bills_csv_import(owner=user, data=bills_csv(homes[0], 5, 2024), dry_run=True)
    assert report.dry_run and report.ok and report.created == 0 and len(report.rows) == 5
    assert not Bill.objects.exists() and not Bill.history.exists()


def test_another_users_home_is_unknown(user, other_user):
    HomeFactory(owner=other_user, key="elm")
    report = bills_import_csv(
        owner=user, data=csv("elm,2024-01-01,A,utilities,1,,,,,"), dry_run=False
    )
    assert report.errors[0].column == "home"
    assert not Bill.objects.exists()


# --------------------------------------------------------------------------------------------
# Fast by construction: the queries do not grow with the rows; history and the guard still run


def bills_csv(home, count: int, year: int) -> str:
    return csv(
        *(
            f"{home.key},{year}-{1 + i % 12:02d}-{1 + i % 28:02d},Payee {i},utilities,{i + 1},,,,,"
            for i in range(count)
        )
    )


def import_sql(user, data: str, *, dry_run: bool) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        report = bills_import_csv(owner=user, data=data, dry_run=dry_run)
    assert report.ok, report.errors
    return [query["sql"] for query in ctx.captured_queries]


def insert_batches(model, count: int) -> int:
    """The INSERTs `bulk_create` makes of `count` new rows (SQLite caps a batch's parameters)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    size = min(BATCH, connection.ops.bulk_batch_size(fields, [None] * count))
    return -(-count // size)


def test_the_queries_do_not_grow_with_the_rows(user, homes):
    elm, cabin = homes
    BillFactory(home=elm, paid_on=dt.date(2023, 6, 1))  # existing bills to check repeats against
    BillFactory(home=cabin, paid_on=dt.date(2024, 6, 1))
    assert len(import_sql(user, bills_csv(elm, 10, 2023), dry_run=True)) == 2  # homes, repeats
    assert len(import_sql(user, bills_csv(cabin, 200, 2024), dry_run=True)) == 2

    ten = import_sql(user, bills_csv(elm, 10, 2023), dry_run=False)
    two_hundred = import_sql(user, bills_csv(cabin, 200, 2024), dry_run=False)

    def inserts(sql: list[str]) -> int:
        return sum(statement.startswith("INSERT") for statement in sql)

    history = Bill.history.model
    assert inserts(ten) == insert_batches(Bill, 10) + insert_batches(history, 10) == 2
    assert inserts(two_hundred) == insert_batches(Bill, 200) + insert_batches(history, 200)
    # homes, bills to repeat, savepoint, release
    assert len(ten) - inserts(ten) == len(two_hundred) - inserts(two_hundred) == 4
    assert Bill.objects.owned_by(user).count() == 212


def test_imported_bills_have_their_creation_in_the_history(user, homes):
    report = bills_import_csv(owner=user, data=GOOD, dry_run=False)
    assert report.created == 3
    bills = Bill.objects.owned_by(user)
    assert len(bills) == 3
    for bill in bills:
        (record,) = bill.history.all()
        assert record.history_type == "+"
        assert record.history_user == user
        assert (record.paid_on, record.payee, record.amount, record.tax_year) == (
            bill.paid_on,
            bill.payee,
            bill.amount,
            2024,
        )
        assert bill.created_at is not None and bill.updated_at is not None


def test_the_filed_year_check_runs_once_and_its_refusal_saves_nothing(user, homes, monkeypatch):
    from forms8829 import filing

    tax_year_file(tax_year=TaxYearFactory(owner=user, year=2023))
    calls = []
    check = filing._check

    def counted(*args):
        calls.append(args[0])
        return check(*args)

    monkeypatch.setattr(filing, "_check", counted)
    data = bills_csv(homes[0], 20, 2024) + "\n" + f"{homes[0].key},2023-03-01,Late,utilities,5,,,,,"
    with pytest.raises(YearFiledError, match="2023"):
        bills_csv_import(owner=user, data=data, dry_run=False)
    assert calls == [user.pk]
    assert not Bill.objects.exists()
    assert not Bill.history.exists()


def test_a_csv_import_is_one_batch_in_a_constant_number_of_queries(user, homes):
    tax_year_file(tax_year=TaxYearFactory(owner=user, year=2022))  # a filed year to check

    def queries(data: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert bills_csv_import(owner=user, data=data, dry_run=False).ok
        return sum(not q["sql"].startswith("INSERT") for q in ctx.captured_queries)

    assert queries(bills_csv(homes[0], 10, 2023)) == queries(bills_csv(homes[1], 300, 2024))


# --------------------------------------------------------------------------------------------
# The endpoint


def test_endpoint_multipart(api, homes):
    upload = SimpleUploadedFile("bills.csv", csv("elm,2024-01-01,A,utilities,1,,,,,").encode())
    response = api.post("/api/bills/import/", {"file": upload}, format="multipart")
    assert response.status_code == 201
    assert response.json()["created"] == 1
    assert response.json()["rows"][0] == {
        "line": 2,
        "home": "elm",
        "paid_on": "2024-01-01",
        "payee": "A",
        "category": "utilities",
        "amount": "1.00",
        "scope": "indirect",
        "business_use_percent": None,
        "service_start": None,
        "service_end": None,
        "note": "",
    }


def test_endpoint_text_csv_dry_run(api, homes):
    body = csv("elm,2024-01-01,A,utilities,1,,,,,")
    response = api.generic("POST", "/api/bills/import/?dry_run=1", body, content_type="text/csv")
    assert response.status_code == 200
    assert response.json()["dry_run"] is True
    assert len(response.json()["rows"]) == 1
    assert not Bill.objects.exists()


def test_endpoint_errors_are_400_with_the_report(api, homes):
    body = csv("elm,2024-01-01,A,utilities,1,,,,,", "elm,2024-01-01,B,utilities,x,,,,,")
    response = api.generic("POST", "/api/bills/import/", body, content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert response.json()["errors"] == [
        {"line": 3, "column": "amount", "message": 'must be an amount like "1,250.00", not "x"'}
    ]
    assert not Bill.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"data": {}, "format": "multipart"}, "file"),
        ({"data": {"file": "text"}, "format": "multipart"}, "file"),
    ],
)
def test_endpoint_without_a_file_is_400(kwargs, field, api):
    response = api.post("/api/bills/import/", **kwargs)
    assert response.status_code == 400
    assert field in response.json()


def test_endpoint_bad_dry_run_flag_is_400(api, homes):
    response = api.generic(
        "POST", "/api/bills/import/?dry_run=maybe", HEADER, content_type="text/csv"
    )
    assert response.status_code == 400
    assert "dry_run" in response.json()


def test_export_then_import_round_trips(api, user, homes):
    elm, cabin = homes
    BillFactory(home=elm, paid_on=dt.date(2024, 1, 2), payee='Quote "Co", Inc', note="a\nb")
    BillFactory(
        home=cabin,
        paid_on=dt.date(2024, 3, 4),
        category="internet",
        business_use_percent=Decimal("33.33"),
        service_start=dt.date(2024, 2, 1),
        service_end=dt.date(2024, 2, 29),
    )
    BillFactory(home=elm, paid_on=dt.date(2024, 5, 6), kind="refund", amount=Decimal("12.50"))
    columns = (
        "home_id",
        "paid_on",
        "payee",
        "category",
        "amount",
        "scope",
        "business_use_percent",
        "service_start",
        "service_end",
        "note",
        "kind",
    )
    before = sorted(Bill.objects.values_list(*columns))
    exported = api.get("/api/bills/export.csv")
    assert exported["Content-Type"].startswith("text/csv")
    assert exported["Content-Disposition"] == 'attachment; filename="bills.csv"'
    content = exported.getvalue()
    assert content.decode().splitlines()[0] == HEADER
    Bill.objects.all().delete()
    report = bills_import_csv(owner=user, data=content, dry_run=False)
    assert report.ok, report.errors
    assert sorted(Bill.objects.values_list(*columns)) == before


def test_export_applies_the_list_filters(api, homes):
    elm, cabin = homes
    BillFactory(home=elm, payee="Elm bill")
    BillFactory(home=cabin, payee="Cabin bill")
    text = api.get(f"/api/bills/export.csv?home={cabin.pk}").getvalue().decode()
    assert "Cabin bill" in text and "Elm bill" not in text
    assert api.get("/api/bills/export.csv?category=nope").status_code == 400


def test_a_business_use_percent_may_carry_its_sign(user, homes):
    data = csv("elm,2024-03-01,Phone Co,phone,80.00,indirect,70%,,,")
    report = bills_import_csv(owner=user, data=data, dry_run=False)
    assert report.ok, report.errors
    assert Bill.objects.get(payee="Phone Co").business_use_percent == Decimal("70.00")
