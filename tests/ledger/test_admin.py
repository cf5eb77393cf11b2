"""The admin for a logged-in (non-superuser) user: pages load, queries bounded, only own rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger.models import Bill, BusinessShare, OfficeArea, Receipt
from tests.factories import (
    BillFactory,
    BusinessFactory,
    HomeFactory,
    ImprovementFactory,
    OfficeAreaFactory,
    ReceiptFactory,
    TaxYearHomeFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "business",
    "home",
    "officearea",
    "improvement",
    "bill",
    "receipt",
    "taxyear",
    "taxyearhome",
]


def ledger_for(user, bills: int = 3):
    """A home with an office of its own business (whose share of the year is 100%), a roof,
    `bills` bills (one with a receipt) and its year."""
    home = HomeFactory(owner=user)
    area = OfficeAreaFactory(home=home, business=BusinessFactory(owner=user))
    ImprovementFactory(home=home)
    made = [BillFactory(home=home, paid_on=dt.date(2024, 1 + i % 12, 1)) for i in range(bills)]
    ReceiptFactory(bill=made[0])
    year_home = TaxYearHomeFactory(tax_year__owner=user, home=home)
    BusinessShare.objects.create(
        owner=user, tax_year_home=year_home, business=area.business, percent=100
    )
    return home


def objects_of(user):
    home = ledger_for(user)
    receipt = Receipt.objects.get(bill__home=home)
    bill = receipt.bill
    return {
        "business": home.office_areas.first().business,
        "home": home,
        "officearea": home.office_areas.first(),
        "improvement": home.improvements.first(),
        "bill": bill,
        "receipt": receipt,
        "taxyear": home.tax_years.first().tax_year,
        "taxyearhome": home.tax_years.first(),
    }


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_change_form_load(model, user, admin_client_for):
    objects = objects_of(user)
    client = admin_client_for(user)
    assert client.get(reverse(f"admin:ledger_{model}_changelist")).status_code == 200
    obj = objects[model]
    assert client.get(reverse(f"admin:ledger_{model}_change", args=[obj.pk])).status_code == 200
    assert client.get(reverse(f"admin:ledger_{model}_add")).status_code == 200
    assert client.get(reverse(f"admin:ledger_{model}_history", args=[obj.pk])).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_changelist_query_count_does_not_grow_with_rows(model, user, admin_client_for):
    ledger_for(user, bills=2)
    client = admin_client_for(user)
    url = reverse(f"admin:ledger_{model}_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    ledger_for(user, bills=40)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 15


@pytest.mark.parametrize("model", MODELS)
def test_other_users_records_are_invisible(model, user, other_user, admin_client_for):
    theirs = objects_of(other_user)[model]
    client = admin_client_for(user)
    listing = client.get(reverse(f"admin:ledger_{model}_changelist"))
    assert listing.context["cl"].result_count == 0
    change = client.get(reverse(f"admin:ledger_{model}_change", args=[theirs.pk]))
    assert change.status_code in (302, 404)  # the admin redirects "does not exist" to the index
    delete = client.post(reverse(f"admin:ledger_{model}_delete", args=[theirs.pk]), {"post": "yes"})
    assert delete.status_code in (302, 404)
    assert type(theirs).objects.filter(pk=theirs.pk).exists()


def test_add_bill_sets_owner_and_refuses_someone_elses_home(user, other_user, admin_client_for):
    mine = HomeFactory(owner=user)
    theirs = HomeFactory(owner=other_user)
    client = admin_client_for(user)
    form = {
        "paid_on": "2024-03-01",
        "payee": "City Power",
        "category": "utilities",
        "amount": "120.50",
        "scope": "indirect",
        "note": "",
        "receipts-TOTAL_FORMS": "0",
        "receipts-INITIAL_FORMS": "0",
    }
    bad = client.post(reverse("admin:ledger_bill_add"), {**form, "home": theirs.pk})
    assert bad.status_code == 200
    assert "home" in bad.context["adminform"].form.errors
    assert not Bill.objects.exists()
    good = client.post(reverse("admin:ledger_bill_add"), {**form, "home": mine.pk})
    assert good.status_code == 302
    bill = Bill.objects.get()
    assert bill.owner == user and bill.tax_year == 2024 and bill.amount == Decimal("120.50")


def test_add_office_area_inline_too_large_is_refused(user, admin_client_for):
    home = HomeFactory(owner=user, total_area=Decimal("500"))
    client = admin_client_for(user)
    url = reverse("admin:ledger_home_change", args=[home.pk])
    page = client.get(url)
    data = {
        **{k: v for k, v in page.context["adminform"].form.initial.items() if v is not None},
        "name": home.name,
        "key": home.key,
        "total_area": "500",
        "area_method": "square_feet",
        "ownership": "own",
        "office_areas-TOTAL_FORMS": "1",
        "office_areas-INITIAL_FORMS": "0",
        "office_areas-0-name": "Office",
        "office_areas-0-area": "600",
        "office_areas-0-use": "exclusive",
        "office_areas-0-start": "2024-01-01",
        "improvements-TOTAL_FORMS": "0",
        "improvements-INITIAL_FORMS": "0",
    }
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "larger than the home" in response.content.decode()
    assert not OfficeArea.objects.exists()


def test_new_office_areas_added_together_are_checked_together(user, admin_client_for):
    client = admin_client_for(user)
    area = {"use": "exclusive", "start": "2024-01-01", "name": "Office"}
    response = client.post(
        reverse("admin:ledger_home_add"),
        {
            "name": "Small flat",
            "key": "",
            "total_area": "500",
            "area_method": "square_feet",
            "ownership": "rent",
            "office_areas-TOTAL_FORMS": "2",
            "office_areas-INITIAL_FORMS": "0",
            **{f"office_areas-0-{k}": v for k, v in {**area, "area": "300"}.items()},
            **{f"office_areas-1-{k}": v for k, v in {**area, "area": "300"}.items()},
            "improvements-TOTAL_FORMS": "0",
            "improvements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "add up to 600.00 sq ft" in response.content.decode()
    assert not OfficeArea.objects.exists()


def test_duplicate_tax_year_is_a_form_error_not_a_crash(user, admin_client_for):
    TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024)
    client = admin_client_for(user)
    response = client.post(
        reverse("admin:ledger_taxyear_add"),
        {
            "year": "2024",
            "filing_status": "single",
            "state_local_income_or_sales_tax": "0",
            "other_real_estate_taxes": "0",
            "personal_property_taxes": "0",
            "homes-TOTAL_FORMS": "0",
            "homes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_receipt_upload_in_admin_checks_content(user, admin_client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bill = BillFactory(home=HomeFactory(owner=user))
    client = admin_client_for(user)
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 this is an exe", "application/pdf")
    response = client.post(reverse("admin:ledger_receipt_add"), {"bill": bill.pk, "file": fake})
    assert response.status_code == 200
    assert "must be a PDF" in response.content.decode()
    pdf = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = client.post(reverse("admin:ledger_receipt_add"), {"bill": bill.pk, "file": pdf})
    assert response.status_code == 302
    receipt = bill.receipts.get()
    assert receipt.content_type == "application/pdf" and receipt.size == 15
    assert len(receipt.sha256) == 64
