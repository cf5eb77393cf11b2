"""Filed years are read-only: 409 naming the year and how to reopen it; reopen with a reason."""

import datetime as dt

import pytest

from forms8829.filing import tax_year_file
from ledger.models import Bill, OfficeArea, TaxYear, TaxYearHome
from tests.factories import BillFactory, HomeFactory, TaxYearFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(user, ledger):
    """Alice's 2024 is filed (its forms computed and frozen)."""
    tax_year_file(tax_year=ledger["tax_year"])
    ledger["tax_year"].refresh_from_db()
    return ledger


def _snapshot():
    return [
        sorted(model.objects.values_list("id", "updated_at"))
        for model in (Bill, OfficeArea, TaxYear, TaxYearHome)
    ]


def assert_409(response, filed_ledger, year=2024):
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["year"] == year
    assert f"Tax year {year} is filed" in body["detail"]
    reopen = f"/api/tax-years/{filed_ledger['tax_year'].pk}/reopen/"
    assert body["reopen_url"] == reopen
    assert f"POST {reopen}" in body["detail"]


def _new_bill(home, paid_on="2024-06-01"):
    return {
        "home": home.pk,
        "paid_on": paid_on,
        "payee": "Water",
        "category": "utilities",
        "amount": "30.00",
    }


def test_create_a_bill_in_a_filed_year(api, filed):
    before = _snapshot()
    assert_409(api.post("/api/bills/", _new_bill(filed["home"]), format="json"), filed)
    assert _snapshot() == before


def test_update_a_bill_of_a_filed_year(api, filed):
    before = _snapshot()
    response = api.patch(f"/api/bills/{filed['bill'].pk}/", {"amount": "1.00"}, format="json")
    assert_409(response, filed)
    assert _snapshot() == before


def test_move_a_bill_into_a_filed_year(api, user, filed):
    bill = BillFactory(home=filed["home"], paid_on=dt.date(2023, 12, 1))
    response = api.patch(f"/api/bills/{bill.pk}/", {"paid_on": "2024-01-02"}, format="json")
    assert_409(response, filed)
    bill.refresh_from_db()
    assert bill.tax_year == 2023


def test_move_a_bill_out_of_a_filed_year(api, filed):
    response = api.patch(
        f"/api/bills/{filed['bill'].pk}/", {"paid_on": "2025-01-02"}, format="json"
    )
    assert_409(response, filed)


def test_delete_a_bill_of_a_filed_year(api, filed):
    assert_409(api.delete(f"/api/bills/{filed['bill'].pk}/"), filed)
    assert Bill.objects.filter(pk=filed["bill"].pk).exists()


def test_bills_of_other_years_still_change(api, filed):
    response = api.post("/api/bills/", _new_bill(filed["home"], "2025-02-01"), format="json")
    assert response.status_code == 201


def test_create_an_office_area_used_in_a_filed_year(api, filed):
    before = _snapshot()
    body = {"home": filed["home"].pk, "area": "100", "start": "2024-03-01"}
    assert_409(api.post("/api/office-areas/", body, format="json"), filed)
    assert _snapshot() == before


def test_update_an_office_area_used_in_a_filed_year(api, filed):
    area = filed["office_area"]
    assert_409(api.patch(f"/api/office-areas/{area.pk}/", {"area": "250"}, format="json"), filed)
    area.refresh_from_db()
    assert str(area.area) == "200.00"


def test_delete_an_office_area_used_in_a_filed_year(api, filed):
    assert_409(api.delete(f"/api/office-areas/{filed['office_area'].pk}/"), filed)
    assert OfficeArea.objects.filter(pk=filed["office_area"].pk).exists()


def test_an_office_area_after_the_filed_year_is_fine(api, filed):
    body = {"home": filed["home"].pk, "area": "100", "start": "2025-03-01"}
    assert api.post("/api/office-areas/", body, format="json").status_code == 201


def test_create_a_tax_year_home_in_a_filed_year(api, user, filed):
    cabin = HomeFactory(owner=user, name="Cabin")
    body = {"tax_year": filed["tax_year"].pk, "home": cabin.pk, "gross_income_limit": "10"}
    assert_409(api.post("/api/tax-year-homes/", body, format="json"), filed)
    assert not TaxYearHome.objects.filter(home=cabin).exists()


def test_update_a_tax_year_home_of_a_filed_year(api, filed):
    row = filed["tax_year_home"]
    response = api.patch(
        f"/api/tax-year-homes/{row.pk}/", {"gross_income_limit": "5.00"}, format="json"
    )
    assert_409(response, filed)


def test_delete_a_tax_year_home_of_a_filed_year(api, filed):
    assert_409(api.delete(f"/api/tax-year-homes/{filed['tax_year_home'].pk}/"), filed)


def test_update_or_delete_a_filed_tax_year(api, filed):
    url = f"/api/tax-years/{filed['tax_year'].pk}/"
    assert_409(api.patch(url, {"itemizes": False}, format="json"), filed)
    assert_409(api.delete(url), filed)


def test_delete_a_receipt_of_a_filed_year(api, filed):
    assert_409(api.delete(f"/api/receipts/{filed['receipt'].pk}/"), filed)


def test_filing_a_filed_year_is_409(api, filed):
    response = api.post(f"/api/tax-years/{filed['tax_year'].pk}/file/")
    assert response.status_code == 409
    assert "already filed" in response.json()["detail"]


def test_file_through_the_api(api, ledger):
    response = api.post(f"/api/tax-years/{ledger['tax_year'].pk}/file/")
    assert response.status_code == 200
    assert response.json()["filed"] is True
    assert response.json()["filed_at"]


def test_reopen_needs_a_reason(api, filed):
    url = f"/api/tax-years/{filed['tax_year'].pk}/reopen/"
    assert "reason" in api.post(url, {}, format="json").json()
    assert api.post(url, {"reason": "   "}, format="json").status_code == 400
    filed["tax_year"].refresh_from_db()
    assert filed["tax_year"].filed


def test_reopening_an_open_year_is_409(api, ledger):
    url = f"/api/tax-years/{ledger['tax_year'].pk}/reopen/"
    response = api.post(url, {"reason": "oops"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "conflict")
    assert response.json()["filed"] == ["2024 is not filed."]


def test_reopen_with_a_reason_kept_in_the_history_then_change(api, user, filed):
    tax_year = filed["tax_year"]
    response = api.post(
        f"/api/tax-years/{tax_year.pk}/reopen/", {"reason": "Forgot a bill"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["filed"] is False

    history = api.get(f"/api/tax-years/{tax_year.pk}/history/").json()["results"]
    latest = history[0]
    assert latest["change_reason"] == "Reopened: Forgot a bill"
    assert latest["user"] == user.username
    assert latest["changed_fields"] == ["filed"]
    assert {"field": "filed", "old": True, "new": False} in latest["changes"]
    assert history[1]["change_reason"] == "Filed"

    assert api.post("/api/bills/", _new_bill(filed["home"]), format="json").status_code == 201


def test_a_year_filed_without_forms_is_still_guarded_for_bills(api, user):
    home = HomeFactory(owner=user)
    year = TaxYearFactory(owner=user, year=2022, filed=True)
    response = api.post("/api/bills/", _new_bill(home, "2022-05-05"), format="json")
    assert response.status_code == 409
    assert response.json()["reopen_url"] == f"/api/tax-years/{year.pk}/reopen/"
