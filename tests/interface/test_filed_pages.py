"""Filed years read as filed: read-only pages with a banner linking to reopen, no Delete, a
receipt still attachable; a refused change keeps what was typed, the error under its field."""

import datetime as dt
from html import unescape

import pytest

from forms8829.filing import tax_year_file
from ledger.models import Home
from tests.factories import BillFactory, OfficeAreaFactory, TaxYearHomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(user):
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024)
    OfficeAreaFactory(home=tyh.home)
    bill = BillFactory(home=tyh.home, paid_on=dt.date(2024, 3, 1))
    tax_year_file(tax_year=tyh.tax_year)
    return tyh, bill


def test_a_filed_years_bill_page_is_read_only_with_a_banner(filed, user, admin_client_for):
    tyh, bill = filed
    page = unescape(
        admin_client_for(user).get(f"/admin/ledger/bill/{bill.pk}/change/").content.decode()
    )
    assert "Tax year 2024 is filed" in page and "this page is read-only" in page
    assert f'href="/admin/ledger/taxyear/{tyh.tax_year.pk}/review/reopen/"' in page
    assert 'name="amount"' not in page and 'name="paid_on"' not in page
    assert "deletelink" not in page and 'name="_addanother"' not in page
    assert 'name="_save"' in page and "receipts-empty" in page  # a receipt can still be added


def test_a_filed_tax_year_page_shows_only(filed, user, admin_client_for):
    tyh, _bill = filed
    page = admin_client_for(user).get(f"/admin/ledger/taxyear/{tyh.tax_year.pk}/change/")
    text = page.content.decode()
    assert "this page is read-only" in text and 'name="_save"' not in text
    assert 'name="filing_status"' not in text and "deletelink" not in text


def test_deleting_a_filed_years_bill_by_url_says_why(filed, user, admin_client_for):
    _tyh, bill = filed
    response = admin_client_for(user).get(f"/admin/ledger/bill/{bill.pk}/delete/", follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        "Tax year 2024 is filed, so this bill cannot be deleted. Reopen 2024 first (from its "
        "year-end review), then delete it."
    ]


def test_a_refused_home_change_keeps_what_was_typed(filed, user, admin_client_for):
    tyh, _bill = filed
    home = tyh.home
    data = {
        "name": home.name,
        "key": home.key,
        "ownership": "own",
        "area_method": "square_feet",
        "total_area": "2400",
        "total_rooms": "8",
        "occupied_from": "2019-06-01",
        "occupied_to": "",
        "cost_basis": "250000",
        "land_value": "50000",
        "fmv_at_first_business_use": "300000",
        "land_fmv_at_first_business_use": "",
        "office_areas-TOTAL_FORMS": "0",
        "office_areas-INITIAL_FORMS": "0",
        "improvements-TOTAL_FORMS": "0",
        "improvements-INITIAL_FORMS": "0",
    }
    response = admin_client_for(user).post(f"/admin/ledger/home/{home.pk}/change/", data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form["total_area"].value() == "2400"  # as typed
    assert form.errors["total_area"][0].startswith("Tax year 2024 is filed")
    assert Home.objects.get(pk=home.pk).total_area == home.total_area
    assert response.context["original"].total_area == home.total_area  # heading as stored
