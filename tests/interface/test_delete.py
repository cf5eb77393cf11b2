"""Delete works or says why in words, whatever was reviewed: the stored forms of an open year go
with its records; a filed year's records are refused with the reason and the way to reopen."""

import pytest
from django.contrib.messages import get_messages

from forms8829.filing import chain_recompute, tax_year_file
from forms8829.models import ComputedForm
from ledger.models import Bill, Home, TaxYear
from tests.factories import BillFactory, OfficeAreaFactory, TaxYearHomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(user):
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024)
    OfficeAreaFactory(home=tyh.home)
    chain_recompute(owner=user)  # what opening the review's Recompute stores
    assert ComputedForm.objects.filter(owner=user).exists()
    return tyh


def test_a_reviewed_open_tax_year_can_be_deleted(reviewed, user, admin_client_for):
    client = admin_client_for(user)
    url = f"/admin/ledger/taxyear/{reviewed.tax_year.pk}/delete/"
    page = client.get(url).content.decode()
    assert "permission to delete" not in page and "Are you sure" in page
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TaxYear.objects.exists() and not ComputedForm.objects.exists()


def test_a_reviewed_home_can_be_deleted(reviewed, user, admin_client_for):
    client = admin_client_for(user)
    url = f"/admin/ledger/home/{reviewed.home.pk}/delete/"
    assert "permission to delete" not in client.get(url).content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Home.objects.exists()


def test_a_home_with_bills_says_which_bills_keep_it(reviewed, user, admin_client_for):
    BillFactory(home=reviewed.home, payee="City Power")
    page = admin_client_for(user).get(f"/admin/ledger/home/{reviewed.home.pk}/delete/")
    text = page.content.decode()
    assert "would require deleting the following protected related objects" in text
    assert "City Power" in text


def test_a_filed_years_bill_cannot_be_deleted_and_the_page_says_why(
    reviewed, user, admin_client_for
):
    bill = BillFactory(home=reviewed.home)
    tax_year_file(tax_year=reviewed.tax_year)
    client = admin_client_for(user)
    response = client.post(f"/admin/ledger/bill/{bill.pk}/delete/", {"post": "yes"})
    assert Bill.objects.filter(pk=bill.pk).exists()
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Tax year 2024 is filed" in shown or response.status_code == 403
