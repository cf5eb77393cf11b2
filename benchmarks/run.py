"""Speed and scale, measured (not asserted): `make bench`.

Builds a synthetic ledger in a throwaway SQLite (or DATABASE_URL) database — one user, two homes,
N years of daily-ish bills — and reports for each size the time and query count of: the explicit
recompute cold (forms written) and warm (nothing changed), the chain and one year's forms read
only, the ledger export, the admin and API pages, and one bill POST (a whole write batch: lock,
filed-year check, forms stored) with and without a filed year; the CSV import; the ledger-file
import of 10 and 10,000 bills. Query counts must not grow with the number of bills.
"""

import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeoffice.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from forms8829 import chain, filing  # noqa: E402
from forms8829.filing import bills_csv_import  # noqa: E402
from interface.accounts import account_make_owner  # noqa: E402
from ledger.ledger_file import ledger_export, ledger_import  # noqa: E402
from ledger.models import Bill, Home, OfficeArea, TaxYear, TaxYearHome  # noqa: E402

YEARS = list(range(2018, 2027))
CATEGORIES = ["utilities", "utilities", "internet", "repairs", "insurance", "other"]


def build(username: str, bills_per_year: int):
    owner = get_user_model().objects.create(username=username, is_staff=True)
    account_make_owner(owner)  # the admin's permissions (interface.accounts)
    home = Home.objects.create(
        owner=owner,
        name=f"{username} home",
        total_area=Decimal("2000"),
        occupied_from=dt.date(2015, 1, 1),
        cost_basis=Decimal("300000"),
        land_value=Decimal("60000"),
        fmv_at_first_business_use=Decimal("320000"),
    )
    OfficeArea.objects.create(
        owner=owner, home=home, area=Decimal("200"), start=dt.date(2018, 3, 1)
    )
    for year in YEARS:
        ty = TaxYear.objects.create(owner=owner, year=year, itemizes=True)
        TaxYearHome.objects.create(
            owner=owner, tax_year=ty, home=home, gross_income_limit=Decimal(1000 + 500 * (year % 7))
        )
    rows = []
    for year in YEARS:
        for i in range(bills_per_year):
            day = dt.date(year, 1, 1) + dt.timedelta(days=i % 365)
            periodic = i % 3 == 0
            start = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            rows.append(
                Bill(
                    owner=owner,
                    home=home,
                    paid_on=day,
                    tax_year=year,
                    payee=f"Payee {i % 9}",
                    category=CATEGORIES[i % len(CATEGORIES)],
                    amount=Decimal("12.34") + i % 100,
                    scope="indirect",
                    business_use_percent=Decimal("40") if i % 6 == 2 else None,
                    service_start=start if periodic else None,
                    service_end=day.replace(day=1) - dt.timedelta(days=1) if periodic else None,
                )
            )
    Bill.objects.bulk_create(rows, batch_size=2000)
    return owner


def measure(label, fn):
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
    print(f"  {label:<38} {elapsed * 1000:9.1f} ms  {len(ctx):4d} queries")


RECOMPUTE = filing.chain_recompute


def main():
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; years {YEARS[0]}-{YEARS[-1]}")
    for per_year in (10, 500, 5000):
        owner = build(f"bench{per_year}", per_year)
        print(f"{per_year} bills a year ({per_year * len(YEARS)} bills):")
        measure("recompute, cold (all forms written)", lambda o=owner: RECOMPUTE(owner=o))
        measure("recompute, warm (nothing changed)", lambda o=owner: RECOMPUTE(owner=o))
        measure("chain, read only", lambda o=owner: chain.chain_compute(owner=o))
        measure("one year's forms (2026)", lambda o=owner: chain.year_forms(owner=o, year=2026))
        measure("ledger export", lambda o=owner: ledger_export(owner=o))
        client = Client()
        client.force_login(owner)
        review = reverse("admin:ledger_taxyear_review", args=[owner_year_id(owner, 2026)])
        for label, url in [
            ("admin review page (2026)", review),
            ("admin bill changelist", reverse("admin:ledger_bill_changelist") + "?tax_year=2026"),
            ("API bills list (page 1)", "/api/bills/?year=2026"),
            ("API form (2026)", "/api/forms/2026/"),
            ("API carryover chain", "/api/carryovers/"),
        ]:
            measure(label, lambda c=client, u=url: check(c.get(u)))
        post = {"home": owner_home_id(owner), "paid_on": "2026-05-05", "payee": "Bench",
                "category": "utilities", "amount": "10.00"}  # fmt: skip
        measure("API bill POST (one write batch)", lambda c=client, p=post: posted(c, p))
        filing.tax_year_file(tax_year=TaxYear.objects.get(owner=owner, year=2018))
        measure("API bill POST, 2018 filed", lambda c=client, p=post: posted(c, p))
    csv_import()
    ledger_file_imports()
    statement_imports()


def owner_home_id(owner):
    return Home.objects.filter(owner=owner).values_list("pk", flat=True).first()


def posted(client, body):
    response = client.post("/api/bills/", body, content_type="application/json")
    assert response.status_code == 201, response.content


def owner_year_id(owner, year):
    return TaxYear.objects.get(owner=owner, year=year).pk


def check(response):
    assert response.status_code == 200, response.status_code


def csv_import():
    """Bulk CSV import of 1,000 bills (dry run and real) and of 10, one transaction each.

    Queries are counted with an execute wrapper: `measure`'s query log stops at 9,000.
    """
    owner = build("bench-import", 0)
    home = Home.objects.get(owner=owner)

    def csv_of(count: int, year: int) -> str:
        lines = ["home,paid_on,payee,category,amount,scope"]
        lines += [
            f"{home.key},{year}-{1 + i % 12:02d}-{1 + i % 28:02d},Payee {i},utilities,{10 + i}.00,"
            "indirect"
            for i in range(count)
        ]
        return "\n".join(lines)

    def run(label: str, data: str, dry_run: bool) -> None:
        reports = []
        counted(
            label, lambda: reports.append(bills_csv_import(owner=owner, data=data, dry_run=dry_run))
        )
        assert reports[0].ok, reports[0].errors[:3]

    print("CSV import:")
    thousand = csv_of(1000, 2026)
    run("dry run, 1,000 bills", thousand, dry_run=True)
    run("import, 1,000 bills", thousand, dry_run=False)
    run("import, 10 bills", csv_of(10, 2025), dry_run=False)


def counted(label: str, fn) -> None:
    """Time and queries of `fn` (counted with an execute wrapper: no log to overflow)."""
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
    print(f"  {label:<38} {elapsed * 1000:9.1f} ms  {queries:4d} queries")


def ledger_file_imports():
    """A ledger file of 10,000 bills (and one of 10) imported into an empty ledger: the import
    alone (`ledger_import`, whose queries must not grow with the bills) and as the edges run it,
    one write batch with the forms computed and stored (`filing.ledger_file_import`)."""
    document = ledger_export(owner=build("bench-file", 1112))
    ten = {**document, "bills": document["bills"][:10]}
    document["bills"] = document["bills"][:10_000]
    User = get_user_model()

    print("Ledger-file import (9 tax years):")
    for label, data, run in [
        ("import, 10 bills", ten, ledger_import),
        ("import, 10,000 bills", document, ledger_import),
        ("write batch (edges), 10 bills", ten, filing.ledger_file_import),
        ("write batch (edges), 10,000 bills", document, filing.ledger_file_import),
    ]:
        owner = User.objects.create(username=f"bench-{label}")
        counted(label, lambda o=owner, d=data, r=run: r(owner=o, data=d))


def statement_imports():
    """A bank statement (CSV, the checking preset) of 10 and of 10,000 lines, with payee rules:
    upload, preview (dry run, rolled back) and import as one write batch each. The queries must
    not grow with the lines."""
    from forms8829.statement_writes import statement_file_import, statement_file_upload
    from ledger.statement_models import PayeeRule

    payees = ("CITY POWER & LIGHT", "COMCAST CABLE", "SAFEWAY #1234", "HOME DEPOT #4711")

    def statement(lines: int) -> bytes:
        rows = ["Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #"]
        for i in range(lines):
            day = dt.date(2026, 1, 1) + dt.timedelta(days=i % 365)
            amount = f"-{10 + i % 90}.{i % 100:02d}"
            rows.append(f"DEBIT,{day:%m/%d/%Y},{payees[i % 4]} {i},{amount},ACH_DEBIT,,")
        return "\n".join(rows).encode()

    print("Statement import (checking CSV, 4 rules):")
    for lines in (10, 10_000):
        owner = build(f"bench-statement-{lines}", 0)
        for position, (pattern, category) in enumerate(
            [("city power", "utilities"), ("comcast", "internet")], 1
        ):
            PayeeRule.objects.create(
                owner=owner, position=position, pattern=pattern, payee=pattern.title(),
                category=category, business_use_percent=Decimal("50"),
            )  # fmt: skip
        PayeeRule.objects.create(owner=owner, position=9, match="regex", pattern="SAFEWAY",
                                 action="ignore")  # fmt: skip
        data = statement(lines)
        uploads = []
        counted(
            f"upload, {lines:,} lines",
            lambda o=owner, d=data, u=uploads: u.append(
                statement_file_upload(owner=o, data=d, file_name="bench.csv")
            ),
        )
        counted(
            f"preview (dry run), {lines:,} lines",
            lambda u=uploads: statement_file_import(upload=u[0], dry_run=True),
        )
        counted(
            f"import, {lines:,} lines",
            lambda u=uploads: statement_file_import(upload=u[0], dry_run=False),
        )


if __name__ == "__main__":
    main()
