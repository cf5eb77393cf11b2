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
    assert [str(m) for m in response.context["messages"]] == []  # no "changed successfully"


def list_edit(client, *rows):
    """The bill list's Save with `rows` of (bill, amount as typed)."""
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows))}
    for i, (bill, amount) in enumerate(rows):
        data |= {f"form-{i}-id": bill.pk, f"form-{i}-amount": amount}
    return client.post("/admin/ledger/bill/?o=1", {**data, "_save": "Save"})


def test_an_amount_refused_in_the_bill_list_stays_as_typed_with_the_error_on_its_row(
    filed, user, admin_client_for
):
    tyh, filed_bill = filed
    open_bill = BillFactory(home=tyh.home, paid_on=dt.date(2025, 3, 1), payee="Open Power")
    amounts = {b.pk: b.amount for b in (filed_bill, open_bill)}
    response = list_edit(admin_client_for(user), (filed_bill, "$1,204.50"), (open_bill, "99.99"))
    assert response.status_code == 200  # the list again, not a redirect that drops the input
    forms = {form.instance.pk: form for form in response.context["cl"].formset.forms}
    refused, other = forms[filed_bill.pk], forms[open_bill.pk]
    assert refused["amount"].value() == "$1,204.50" and other["amount"].value() == "99.99"
    assert refused.errors["amount"][0].startswith("Tax year 2024 is filed, and this change")
    assert not other.errors  # its change was fine; it waits for the next Save
    page = unescape(response.content.decode())
    assert 'value="$1,204.50"' in page and "Please correct the error below." in page
    assert "Tax year 2024 is filed" in page
    assert [str(m) for m in response.context["messages"]] == []  # no "changed successfully"
    # One write batch: nothing was saved, not even the open year's bill.
    for bill in (filed_bill, open_bill):
        bill.refresh_from_db()
        assert bill.amount == amounts[bill.pk]
    # Saved again with the refused row put back, the open year's change goes through.
    response = list_edit(
        admin_client_for(user), (filed_bill, str(amounts[filed_bill.pk])), (open_bill, "99.99")
    )
    assert response.status_code == 302
    open_bill.refresh_from_db()
    assert str(open_bill.amount) == "99.99"
