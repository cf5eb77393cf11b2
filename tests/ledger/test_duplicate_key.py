"""A bill's duplicate key (`ledger.models.duplicate_key`): one rule, stored on every bill by every
way a bill is written (save, the bulk inserts and updates, the imports, the statements, the API,
the admin) and filled in for the bills that existed before it (migration 0007)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from simple_history.utils import bulk_create_with_history

from forms8829.filing import bills_csv_import, ledger_file_import
from forms8829.statement_writes import statement_file_import, statement_file_upload
from ledger.models import Bill, duplicate_key
from tests.factories import BillFactory, HomeFactory, ledger_file_document
from tests.ledger.statements.conftest import make_rules, renter_ledger

DAY = dt.date(2024, 5, 2)


def stored_keys_are_computed(bills) -> int:
    """Every bill's stored key is the one `duplicate_key` makes of its fields; how many."""
    rows = list(bills.values_list("duplicate_key", "home_id", "paid_on", "payee", "amount"))
    for stored, *fields in rows:
        assert stored == duplicate_key(*fields), fields
    return len(rows)


def test_the_rule():
    key = duplicate_key(1, DAY, "café Ünïcode", Decimal("12.5"))
    assert key == duplicate_key(1, DAY, "  CAFÉ ÜNÏCODE ", Decimal("12.50"))
    assert key == duplicate_key(1, DAY, "Café Ünïcode", "12.500")
    assert duplicate_key(1, DAY, "STRASSE", 40) == duplicate_key(1, DAY, "straße", Decimal("40"))
    others = {
        duplicate_key(2, DAY, "café Ünïcode", Decimal("12.5")),
        duplicate_key(1, DAY + dt.timedelta(days=1), "café Ünïcode", Decimal("12.5")),
        duplicate_key(1, DAY, "cafe unicode", Decimal("12.5")),
        duplicate_key(1, DAY, "café Ünïcode", Decimal("12.51")),
        duplicate_key(1, DAY, "café Ünïcode", Decimal("125")),
    }
    assert key not in others and len(others) == 5
    assert len(key) == Bill._meta.get_field("duplicate_key").max_length == 32
    assert len(duplicate_key(1, DAY, "ß" * 200, 1)) == 32


@pytest.mark.django_db
def test_save_and_bulk_writes_store_it(user):
    home = HomeFactory(owner=user)
    bill = BillFactory(home=home, payee="Water", amount=Decimal("10.00"))
    bill.payee, bill.amount = "City Power", Decimal("11.00")
    bill.save()
    bill.paid_on = DAY
    bill.save(update_fields=["paid_on"])  # the derived columns are written with it
    made = Bill(
        owner=user, home=home, paid_on="2024-05-02", payee="Bulk", category="other", amount=1
    )
    Bill.objects.bulk_create([made])
    with_history = Bill(owner=user, home=home, paid_on=DAY, payee="H", category="other", amount=2)
    bulk_create_with_history([with_history], Bill, default_user=user)
    made.payee = "Bulk, renamed"
    Bill.objects.bulk_update([made], ["payee"])

    assert stored_keys_are_computed(Bill.objects.filter(owner=user)) == 3
    bill.refresh_from_db()
    assert (bill.tax_year, bill.duplicate_key) == (
        2024,
        duplicate_key(home.pk, DAY, "city power", 11),
    )
    assert "duplicate_key" not in {f.name for f in Bill.history.model._meta.fields}


@pytest.mark.django_db
def test_the_imports_store_it(user):
    ledger_file_import(owner=user, data=ledger_file_document(bills=5))
    report = bills_csv_import(
        owner=user,
        data="home,paid_on,payee,category,amount\nelm,2024-02-03,Café,other,9.5",
        dry_run=False,
    )
    assert report.created == 1
    assert stored_keys_are_computed(Bill.objects.filter(owner=user)) == 6


@pytest.mark.django_db
def test_a_statement_stores_it():
    owner = renter_ledger()
    make_rules(owner)
    data = b"Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #\n"
    data += b"DEBIT,03/02/2026,CITY POWER & LIGHT BILLPAY,-120.00,ACH_DEBIT,,\n"
    data += b"DEBIT,03/09/2026,COMCAST CABLE COMM,-80.00,ACH_DEBIT,,\n"
    upload = statement_file_upload(owner=owner, data=data, file_name="march.csv")
    assert statement_file_import(upload=upload, dry_run=False).ok
    assert stored_keys_are_computed(Bill.objects.filter(owner=owner)) == 2


@pytest.mark.django_db
def test_the_api_and_the_admin_store_it(user, admin_client_for):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    home = HomeFactory(owner=user, key="elm")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    body = {"home": "elm", "paid_on": "2024-06-01", "payee": "Power", "category": "utilities"}
    created = api.post("/api/bills/", {**body, "amount": "5"}, format="json")
    assert created.status_code == 201, created.content
    patched = api.patch(f"/api/bills/{created.json()['id']}/", {"payee": "ÉDF"}, format="json")
    assert patched.status_code == 200, patched.content

    form = {**body, "home": home.pk, "amount": "7.10", "scope": "indirect", "note": ""}
    form |= {"receipts-TOTAL_FORMS": "0", "receipts-INITIAL_FORMS": "0"}
    added = admin_client_for(user).post(reverse("admin:ledger_bill_add"), form)
    assert added.status_code == 302

    assert stored_keys_are_computed(Bill.objects.filter(owner=user)) == 2
    patched_key = duplicate_key(home.pk, dt.date(2024, 6, 1), "édf", 5)
    assert Bill.objects.get(pk=created.json()["id"]).duplicate_key == patched_key


BEFORE = [("ledger", "0006_worksheet_line_11")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_bills_that_were_there():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        owner = apps.get_model("auth", "User").objects.create(username="before")
        home = apps.get_model("ledger", "Home").objects.create(
            owner=owner, name="Elm", key="elm", total_area=Decimal("2000")
        )
        OldBill = apps.get_model("ledger", "Bill")
        for n, payee in enumerate(["CAFÉ", "café", "Water"]):
            OldBill.objects.create(
                owner=owner,
                home=home,
                paid_on=DAY,
                tax_year=2024,
                payee=payee,
                category="utilities",
                amount=Decimal("12.50") if n < 2 else Decimal(n),
                scope="indirect",
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    bills = Bill.objects.filter(owner__username="before")
    assert stored_keys_are_computed(bills) == 3
    assert len({bill.duplicate_key for bill in bills}) == 2  # CAFÉ and café are one bill
