"""Seeded ledgers for the benchmarks: `python benchmarks/seed.py USERNAME BILLS` (idempotent).

`seed_users(bills, users)` shares BILLS bills among USERS such ledgers, one a user, in the same
database (a typical user among others: `make bench`'s BENCH_USERS).

One user, two homes (each with an office area and an improvement), tax years 2018-2026 with
their homes, BILLS bills spread over those years with varied payees, categories, amounts,
service periods and notes (some with characters JSON and CSV must escape), and a receipt on one
bill in 50 (ten distinct stored files, shared). Inserted in bulk without history rows: a seed,
not a measured write. Uses DATABASE_URL like the project.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeoffice.settings")

YEARS = list(range(2018, 2027))
CATEGORIES = ["utilities", "utilities", "internet", "repairs", "insurance", "other"]
PAYEES = ["City Power", "FastNet", "Bank", "Painter", 'Acme "Repairs"', "Café Ünïcode", "Water"]
RECEIPT_EVERY = 50
BATCH = 5_000


def _pdf(n: int) -> bytes:
    return b"%PDF-1.4\n%" + str(n).encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def seed(username: str, bills: int):
    """The user named `username` with a ledger of `bills` bills (made once; reused after)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from interface.accounts import account_make_owner
    from ledger.models import Bill, Home, Improvement, OfficeArea, Receipt, TaxYear, TaxYearHome
    from ledger.storage import receipt_storage

    User = get_user_model()
    owner = User.objects.filter(username=username).first()
    if owner is not None:
        account_make_owner(owner)  # the admin's permissions (interface.accounts)
        return owner
    with transaction.atomic():
        owner = User.objects.create(username=username, is_staff=True)
        account_make_owner(owner)
        homes = []
        for n, key in enumerate(("elm", "harbor")):
            home = Home.objects.create(
                owner=owner,
                key=key,
                name=f"{n + 12} {key.title()} St",
                total_area=Decimal("2000"),
                occupied_from=dt.date(2015, 1, 1),
                cost_basis=Decimal("300000"),
                land_value=Decimal("60000"),
                fmv_at_first_business_use=Decimal("320000"),
            )
            OfficeArea.objects.create(
                owner=owner, home=home, area=Decimal("200"), start=dt.date(2018, 3, 1)
            )
            Improvement.objects.create(
                owner=owner,
                home=home,
                description="New roof",
                cost=Decimal("12000"),
                placed_in_service=dt.date(2019, 5, 10),
            )
            homes.append(home)
        for year in YEARS:
            tax_year = TaxYear.objects.create(owner=owner, year=year, itemizes=True)
            for home in homes:
                TaxYearHome.objects.create(
                    owner=owner,
                    tax_year=tax_year,
                    home=home,
                    gross_income_limit=Decimal(1000 + 500 * (year % 7)),
                )
        files = []
        for n in range(10):
            content = _pdf(n)
            sha = hashlib.sha256(content).hexdigest()
            name = f"{owner.pk}/{sha[:2]}/{sha}"
            if not receipt_storage.exists(name):
                from django.core.files.base import ContentFile

                name = receipt_storage.save(name, ContentFile(content))
            files.append((name, sha, len(content)))
        span = (dt.date(YEARS[-1], 12, 31) - dt.date(YEARS[0], 1, 1)).days + 1
        made = 0
        while made < bills:
            rows = []
            for i in range(made, min(bills, made + BATCH)):
                day = dt.date(YEARS[0], 1, 1) + dt.timedelta(days=(i * 7919) % span)
                periodic = i % 3 == 0
                start = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
                rows.append(
                    Bill(
                        owner=owner,
                        home=homes[i % 2],
                        paid_on=day,
                        tax_year=day.year,
                        payee=f"{PAYEES[i % len(PAYEES)]} {i % 13}",
                        category=CATEGORIES[i % len(CATEGORIES)],
                        amount=Decimal("12.34") + i % 100,
                        scope="indirect",
                        business_use_percent=Decimal("40") if i % 6 == 2 else None,
                        service_start=start if periodic else None,
                        service_end=day.replace(day=1) - dt.timedelta(days=1) if periodic else None,
                        note="" if i % 4 else f"Line one\nline two, {i}",
                    )
                )
            created = Bill.objects.bulk_create(rows, batch_size=1000)
            receipts = [
                Receipt(
                    owner=owner,
                    bill=bill,
                    file=files[n % len(files)][0],
                    original_name=f"receipt-{n}.pdf",
                    size=files[n % len(files)][2],
                    content_type="application/pdf",
                    sha256=files[n % len(files)][1],
                )
                for n, bill in enumerate(created)
                if (made + n) % RECEIPT_EVERY == 0
            ]
            if created and created[0].pk is None:  # a database that returns no keys
                raise SystemExit("bulk_create returned no primary keys")
            Receipt.objects.bulk_create(receipts, batch_size=1000)
            made += len(rows)
    return owner


def seed_users(bills: int, users: int = 1) -> list:
    """`users` users sharing `bills` bills, each with a ledger of `bills // users` bills (the
    first with the rest): `scale<bills>` alone, else `scale<bills>x<users>-<k>`."""
    if users == 1:
        return [seed(f"scale{bills}", bills)]
    each, rest = divmod(bills, users)
    return [seed(f"scale{bills}x{users}-{k}", each + (rest if k == 0 else 0)) for k in range(users)]


def size_label(row: dict) -> str:
    """A report row's size: the database's bills, and how they are shared among users."""
    if row.get("users", 1) == 1:
        return f"{row['bills']:,}"
    return f"{row['bills']:,} ({row['users']} users, {row['bills_per_user']:,} each)"


if __name__ == "__main__":
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user = seed(sys.argv[1], int(sys.argv[2]))
    print(f"{user.username}: {sys.argv[2]} bills")
