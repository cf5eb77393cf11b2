"""Quick entry in the admin: the first-run path on the index, the year grid (one write batch),
"Save and add another" that keeps the bill's fields, amounts edited in the bill list."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from forms8829.filing import tax_year_file
from ledger.models import Bill
from tests.factories import (
    BillFactory,
    HomeFactory,
    OfficeAreaFactory,
    TaxYearHomeFactory,
)

pytestmark = pytest.mark.django_db

GRID = "/admin/ledger/bill/year/"
AMOUNTS = ["112.40", "98.10", "", "87.00", "75.35", "$1,210.00", "", "", "", "", "", "130"]


def grid_post(client, home, **extra):
    data = {
        "home": home.pk,
        "payee": "Elm Power",
        "category": "utilities",
        "scope": "indirect",
        "business_use_percent": "",
        "year": "2025",
        "day": "31",
        **{f"amount_{m}": a for m, a in enumerate(AMOUNTS, start=1)},
    }
    data.update(extra)
    return client.post(GRID, data)


def test_the_index_leads_an_empty_ledger_step_by_step(user, admin_client_for):
    client = admin_client_for(user)
    page = client.get("/admin/").content.decode()
    assert "Getting started" in page and 'href="/admin/ledger/home/add/"' in page
    home = HomeFactory(owner=user)
    page = client.get("/admin/").content.decode()
    assert "✓" in page and f'href="/admin/ledger/home/{home.pk}/change/"' in page
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2025, home=home)
    OfficeAreaFactory(home=home)
    BillFactory(home=home)
    page = client.get("/admin/").content.decode()
    assert "Getting started" not in page
    assert f'href="/admin/ledger/taxyear/{tyh.tax_year.pk}/review/">Review 2025' in page


def test_the_year_grid_saves_twelve_varying_months_as_one_batch(user, admin_client_for):
    home = HomeFactory(owner=user)
    client = admin_client_for(user)
    form = client.get(GRID).context["form"]
    assert form["home"].initial == home.pk  # the only home is chosen
    response = grid_post(client, home)
    assert response.status_code == 302, response.context["form"].errors
    bills = Bill.objects.filter(owner=user).order_by("paid_on")
    assert [(b.paid_on, b.amount) for b in bills] == [
        (dt.date(2025, 1, 31), Decimal("112.40")),
        (dt.date(2025, 2, 28), Decimal("98.10")),
        (dt.date(2025, 4, 30), Decimal("87.00")),
        (dt.date(2025, 5, 31), Decimal("75.35")),
        (dt.date(2025, 6, 30), Decimal("1210.00")),
        (dt.date(2025, 12, 31), Decimal("130")),
    ]
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown[0] == "Saved 6 bills from Elm Power in 2025, $1,712.85 in all."


def test_the_year_grid_saves_nothing_when_one_month_is_wrong(user, admin_client_for):
    home = HomeFactory(owner=user)
    client = admin_client_for(user)
    response = grid_post(client, home, amount_5="12,34.5x")
    assert response.status_code == 200 and not Bill.objects.exists()
    errors = response.context["form"].errors
    assert list(errors) == ["amount_5"] and "12,34.5x" in errors["amount_5"][0]
    assert response.context["form"]["amount_1"].value() == "112.40"  # what was typed stays


def test_the_year_grid_names_months_that_already_have_a_bill(user, admin_client_for):
    home = HomeFactory(owner=user)
    BillFactory(home=home, payee="Elm Power", paid_on=dt.date(2025, 2, 3))
    response = grid_post(admin_client_for(user), home)
    assert response.context["form"].errors["amount_2"] == [
        "Elm Power already has a bill in February 2025; change that bill in the bill list, or "
        "leave this month blank."
    ]
    assert Bill.objects.count() == 1


def test_the_year_grid_refused_by_a_filed_year_keeps_the_amounts(user, admin_client_for):
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2025)
    OfficeAreaFactory(home=tyh.home)
    tax_year_file(tax_year=tyh.tax_year)
    response = grid_post(admin_client_for(user), tyh.home)
    assert response.status_code == 200 and not Bill.objects.exists()
    assert "Tax year 2025 is filed" in response.context["form"].non_field_errors()[0]
    assert response.context["form"]["amount_6"].value() == "$1,210.00"


def test_save_and_add_another_keeps_the_bill_and_moves_a_month_on(user, admin_client_for):
    home = HomeFactory(owner=user)
    client = admin_client_for(user)
    response = client.post(
        "/admin/ledger/bill/add/",
        {
            "home": home.pk,
            "paid_on": "01/31/2025",
            "payee": "Elm Cable",
            "category": "internet",
            "amount": "70.00",
            "scope": "indirect",
            "business_use_percent": "40",
            "note": "",
            "receipts-TOTAL_FORMS": "0",
            "receipts-INITIAL_FORMS": "0",
            "_addanother": "Save and add another",
        },
    )
    assert response.status_code == 302
    form = client.get(response.url).context["adminform"].form
    assert {name: form.initial.get(name) for name in ("home", "payee", "category")} == {
        "home": str(home.pk),
        "payee": "Elm Cable",
        "category": "internet",
    }
    assert form.initial["paid_on"] == "2025-02-28"
    # Shown as typed, not as stored (40.00); the amount, note and service dates are new.
    shown = {name: form[name].value() for name in form.fields}
    assert shown["business_use_percent"] == "40"
    assert 'value="40"' in str(form["business_use_percent"])
    assert 'value="2025-02-28"' in str(form["paid_on"])
    assert shown["scope"] == "indirect" and shown["office_area"] is None
    assert not any(shown[name] for name in ("amount", "note", "service_start", "service_end"))


@pytest.mark.parametrize("typed, shown", [("12.5", "12.5"), ("100", "100"), ("0", "0")])
def test_save_and_add_another_keeps_a_direct_bills_office_area_and_its_percent_as_typed(
    typed, shown, user, admin_client_for
):
    home = HomeFactory(owner=user)
    office = OfficeAreaFactory(home=home)
    client = admin_client_for(user)
    data = {
        "home": home.pk,
        "paid_on": "2025-12-31",
        "payee": "Desk Phone Co",
        "category": "phone",
        "amount": "30",
        "scope": "direct",
        "office_area": office.pk,
        "business_use_percent": typed,
        "note": "",
        "receipts-TOTAL_FORMS": "0",
        "receipts-INITIAL_FORMS": "0",
        "_addanother": "Save and add another",
    }
    response = client.post("/admin/ledger/bill/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    form = client.get(response.url).context["adminform"].form
    assert form["business_use_percent"].value() == shown
    assert form["office_area"].value() == str(office.pk)
    assert form["paid_on"].value() == "2026-01-31"
    # The pre-filled page, saved with the next amount, is the next bill.
    data.update(paid_on=form["paid_on"].value(), business_use_percent=shown, amount="31")
    assert client.post("/admin/ledger/bill/add/", data).status_code == 302
    bills = list(Bill.objects.filter(owner=user).order_by("paid_on"))
    assert [(b.paid_on, b.amount, b.business_use_percent) for b in bills] == [
        (dt.date(2025, 12, 31), Decimal("30"), Decimal(typed)),
        (dt.date(2026, 1, 31), Decimal("31"), Decimal(typed)),
    ]
    assert {b.office_area_id for b in bills} == {office.pk}


def test_amounts_are_edited_in_the_bill_list(user, admin_client_for):
    bill = BillFactory(home=HomeFactory(owner=user))
    client = admin_client_for(user)
    response = client.post(
        "/admin/ledger/bill/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": bill.pk,
            "form-0-amount": "$1,204.50",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    bill.refresh_from_db()
    assert bill.amount == Decimal("1204.50")


@pytest.mark.parametrize(
    "typed, message",
    [
        ("12,34.5x", "12,34.5x"),
        ("-5", "Must be >= 0."),
    ],
)
def test_a_wrong_amount_in_the_bill_list_stays_as_typed_with_the_error_on_its_row(
    typed, message, user, admin_client_for
):
    bill = BillFactory(home=HomeFactory(owner=user))
    before = bill.amount
    response = admin_client_for(user).post(
        "/admin/ledger/bill/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": bill.pk,
            "form-0-amount": typed,
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    form = response.context["cl"].formset.forms[0]
    assert form["amount"].value() == typed and message in form.errors["amount"][0]
    assert f'value="{typed}"' in response.content.decode()
    bill.refresh_from_db()
    assert bill.amount == before
