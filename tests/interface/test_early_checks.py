"""Early checks when data is entered (ledger.checks): each message, where it appears, and the
review's "What is missing" items for what may still be right."""

import datetime as dt
from html import unescape

import pytest
from django.contrib.messages import get_messages

from ledger.models import Bill, OfficeArea
from tests.factories import (
    BillFactory,
    HomeFactory,
    OfficeAreaFactory,
    RentedHomeFactory,
    TaxYearHomeFactory,
)
from tests.review.conftest import review_url

pytestmark = pytest.mark.django_db


def bill_data(home, **extra):
    return {
        "home": home.pk,
        "paid_on": "2025-03-01",
        "payee": "Elm Mobile",
        "category": "phone",
        "amount": "60.00",
        "scope": "indirect",
        "business_use_percent": "",
        "note": "",
        "receipts-TOTAL_FORMS": "0",
        "receipts-INITIAL_FORMS": "0",
        **extra,
    }


def page(client, tax_year_home) -> str:
    return unescape(client.get(review_url(tax_year_home.tax_year)).content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("category,label", [("phone", "Telephone"), ("internet", "Internet")])
def test_a_phone_or_internet_bill_needs_its_percent(category, label, user, admin_client_for):
    home = HomeFactory(owner=user)
    response = admin_client_for(user).post(
        "/admin/ledger/bill/add/", bill_data(home, category=category)
    )
    assert response.status_code == 200 and not Bill.objects.exists()
    assert response.context["adminform"].form.errors["business_use_percent"] == [
        f"{label} bills need a business-use percent: type the share of this bill used for your "
        "business (0-100, for example 40). Without it the bill counts nothing."
    ]


def test_every_door_asks_for_a_phone_bills_percent(user, client):
    """The rule is the model's (`Bill.clean`): the API and the CSV import refuse the same bill."""
    from rest_framework.test import APIClient

    from ledger.bill_import import bills_import_csv

    home = HomeFactory(owner=user, key="elm")
    api = APIClient()
    api.force_authenticate(user)
    body = {"home": home.pk, "paid_on": "2025-02-01", "payee": "Phone Co", "category": "phone"}
    response = api.post("/api/bills/", {**body, "amount": "80.00"}, format="json")
    assert response.status_code == 400
    assert "Telephone bills need a business-use percent" in str(response.json())
    header = "home,paid_on,payee,category,amount,scope,business_use_percent"
    report = bills_import_csv(
        owner=user, data=f"{header}\nelm,2025-02-01,Phone Co,phone,80.00,indirect,\n", dry_run=True
    )
    assert [p.column for p in report.errors] == ["business_use_percent"]
    assert not Bill.objects.exists()


def test_the_year_grid_asks_for_the_percent_too(user, admin_client_for):
    home = HomeFactory(owner=user)
    data = {"home": home.pk, "payee": "Elm Cable", "category": "internet", "scope": "indirect"}
    data.update({"year": "2025", "day": "1", "amount_1": "70"})
    response = admin_client_for(user).post("/admin/ledger/bill/year/", data)
    errors = response.context["form"].errors
    assert errors["business_use_percent"][0].startswith("Internet bills need a business-use")


def test_rent_before_move_in_is_saved_with_a_warning_and_listed(user, admin_client_for):
    home = RentedHomeFactory(owner=user, name="Harbor Apt", occupied_from=dt.date(2025, 7, 1))
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2025, home=home)
    OfficeAreaFactory(home=home, start=dt.date(2025, 7, 1))
    client = admin_client_for(user)
    data = bill_data(home, category="rent", payee="Harbor Mgmt", paid_on="06/24/2025")
    response = client.post("/admin/ledger/bill/add/", {**data, "amount": "2100"})
    assert response.status_code == 302
    message = (
        "Rent to Harbor Mgmt is dated Jun 24, 2025, before you moved into Harbor Apt on "
        "Jul 1, 2025. If it was a deposit or paid early, it is fine; otherwise correct the "
        "payment date or the home's move-in date."
    )
    assert message in messages_of(response)
    assert message in page(client, tyh)


def test_an_office_before_move_in_is_refused_on_the_home_page(user, admin_client_for):
    home = HomeFactory(owner=user, name="Elm House", occupied_from=dt.date(2021, 3, 1))
    response = admin_client_for(user).post(
        "/admin/ledger/officearea/add/",
        {
            "home": home.pk,
            "name": "Office",
            "area": "200",
            "use": "exclusive",
            "start": "2021-01-15",
            "end": "",
        },
    )
    assert response.status_code == 200 and not OfficeArea.objects.exists()
    assert response.context["adminform"].form.errors["start"] == [
        "The office starts on Jan 15, 2021, before you moved into Elm House on Mar 1, 2021. "
        "Type the first day you used it for business (on or after the move-in date), or "
        "correct the home's move-in date."
    ]


def test_an_owned_home_with_an_office_and_no_fmv_is_flagged(user, admin_client_for):
    home = HomeFactory(owner=user, name="Elm House", fmv_at_first_business_use=None)
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024, home=home)
    OfficeAreaFactory(home=home)
    message = (
        "Elm House is owned and has an office, but no fair market value at first business "
        "use: Form 8829 line 37 needs the smaller of the basis and that value."
    )
    client = admin_client_for(user)
    assert message in page(client, tyh)
    data = {
        "name": "Elm House",
        "key": home.key,
        "ownership": "own",
        "area_method": "square_feet",
        "total_area": "2000",
        "total_rooms": "8",
        "occupied_from": "2019-06-01",
        "occupied_to": "",
        "cost_basis": "250000",
        "land_value": "50000",
        "fmv_at_first_business_use": "",
        "land_fmv_at_first_business_use": "",
        "office_areas-TOTAL_FORMS": "0",
        "office_areas-INITIAL_FORMS": "0",
        "improvements-TOTAL_FORMS": "0",
        "improvements-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/ledger/home/{home.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert any(m.startswith(message) for m in messages_of(response))


def test_a_year_without_the_usual_owner_bills_is_flagged(user, admin_client_for):
    home = HomeFactory(owner=user, name="Elm House")
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024, home=home)
    OfficeAreaFactory(home=home)
    message = "Elm House has no mortgage interest, real estate tax or insurance bill in 2024."
    client = admin_client_for(user)
    assert message in page(client, tyh)
    BillFactory(home=home, category="real_estate_tax", payee="County")
    assert message not in page(client, tyh)


def test_a_wrong_date_says_the_format(user, admin_client_for):
    home = HomeFactory(owner=user)
    response = admin_client_for(user).post(
        "/admin/ledger/bill/add/", bill_data(home, paid_on="31.01.2025", business_use_percent="5")
    )
    error = response.context["adminform"].form.errors["paid_on"][0]
    assert error != "Enter a valid date."
    assert "YYYY-MM-DD" in error and "MM/DD/YYYY" in error


def test_the_tax_years_home_inputs_are_labelled_in_plain_words(user, admin_client_for):
    from tests.factories import TaxYearHomeFactory

    tyh = TaxYearHomeFactory(tax_year__owner=user)
    page = admin_client_for(user).get(f"/admin/ledger/taxyearhome/{tyh.pk}/change/")
    text = page.content.decode()
    assert "Deductible mortgage interest (Schedule A)" in text
    assert "Takes last year&#x27;s carryover" in text or "Takes last year's carryover" in text
    assert "Automatically (the home with the largest line 8)" in text
    assert "schedule a limit" not in text.lower() and ">Unknown<" not in text
    listing = admin_client_for(user).get("/admin/ledger/taxyearhome/").content.decode()
    assert "Automatically" in listing


def test_the_admin_pages_cite_the_irs_not_our_spec(user, admin_client_for):
    """Notes name the IRS text (Form 8829 instructions, Pub 587, regulations), never a section
    of docs/tax-rules.md, a document users do not have; computed forms are off the index."""
    import re

    home = HomeFactory(owner=user, name="12 Elm St")
    OfficeAreaFactory(home=home, start=dt.date(2021, 1, 1), end=dt.date(2022, 6, 30))
    OfficeAreaFactory(home=home, name="Office again", start=dt.date(2024, 4, 1))
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024, home=home)
    bill = BillFactory(home=home, paid_on=dt.date(2024, 5, 1))
    client = admin_client_for(user)
    client.get(review_url(tyh.tax_year))  # a review stores the computed forms
    shown = {}
    for url in [
        "/admin/",
        f"/admin/ledger/home/{home.pk}/change/",
        "/admin/ledger/home/add/",
        f"/admin/ledger/bill/{bill.pk}/change/",
        "/admin/ledger/bill/add/",
        "/admin/ledger/bill/year/",
        f"/admin/ledger/taxyear/{tyh.tax_year.pk}/change/",
        f"/admin/ledger/taxyearhome/{tyh.pk}/change/",
    ]:
        text = unescape(client.get(url).content.decode()).split('id="content"')[1]
        shown[url] = re.findall(r"docs/\S+|rules §|§\s?\d", text)
    assert shown == {url: [] for url in shown}
    home_page = unescape(client.get(f"/admin/ledger/home/{home.pk}/change/").content.decode())
    assert "Treas. Reg. 1.168(i)-4; Pub 587" in home_page
    index = client.get("/admin/").content.decode()
    assert "Computed forms" not in index and "fingerprint" not in index.lower()


def test_a_home_cannot_take_a_schedule_c_business_and_a_farm_in_one_year(user, admin_client_for):
    from ledger.models import Business

    home = HomeFactory(owner=user, name="Elm House", occupied_from=dt.date(2019, 6, 1))
    studio = Business.objects.create(owner=user, name="Studio")
    farm = Business.objects.create(owner=user, name="Orchard", kind=Business.Kind.FARM)
    OfficeAreaFactory(
        home=home, business=studio, start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30)
    )
    client = admin_client_for(user)
    area = {"home": home.pk, "name": "Barn office", "area": "100", "use": "exclusive", "end": ""}

    response = client.post(
        "/admin/ledger/officearea/add/", {**area, "business": farm.pk, "start": "2024-07-01"}
    )
    assert response.status_code == 200 and OfficeArea.objects.count() == 1
    (message,) = response.context["adminform"].form.errors["business"]
    assert message.startswith("In 2024 this home would be used by Orchard and Studio")
    assert "give them office areas in different years" in message

    # The next year is the farm's alone: accepted.
    response = client.post(
        "/admin/ledger/officearea/add/", {**area, "business": farm.pk, "start": "2025-01-01"}
    )
    assert response.status_code == 302 and OfficeArea.objects.count() == 2
