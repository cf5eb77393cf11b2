"""The API's resources: create, read, update, delete, filters, pagination, bad input (400)."""

import datetime as dt
from decimal import Decimal

import pytest

from ledger.models import Bill, Home, Improvement, OfficeArea, TaxYear, TaxYearHome
from tests.factories import BillFactory, HomeFactory, ReceiptFactory, TaxYearFactory

pytestmark = pytest.mark.django_db


def _same(got, sent) -> bool:
    """A decimal comes back as a string with 2 places ("120.25" for "120.25", "5100.10")."""
    if isinstance(sent, str) and sent.replace(".", "").isdigit():
        return Decimal(got) == Decimal(sent)
    return got == sent


def _create_payloads(ledger, user):
    home = ledger["home"]
    second = HomeFactory(owner=user, name="Cabin", total_area=Decimal("900"))
    tax_year_2023 = TaxYearFactory(owner=user, year=2023)
    return {
        "homes": (
            Home,
            {"name": "Oak Apartment", "total_area": "850.5", "ownership": "rent"},
            {"name": "Oak Apt"},
        ),
        "office-areas": (
            OfficeArea,
            {"home": home.pk, "name": "Studio", "area": "150", "start": "2021-02-01"},
            {"area": "120.25"},
        ),
        "improvements": (
            Improvement,
            {
                "home": home.pk,
                "description": "Deck",
                "cost": "5000",
                "placed_in_service": "2022-04-01",
            },
            {"cost": "5100.10"},
        ),
        "bills": (
            Bill,
            {
                "home": home.pk,
                "paid_on": "2024-05-02",
                "payee": "Gas Co",
                "category": "utilities",
                "amount": "75.20",
            },
            {"amount": "80.00", "scope": "direct"},
        ),
        "tax-years": (
            TaxYear,
            {"year": 2022, "filing_status": "married_joint"},
            {"itemizes": False},
        ),
        "tax-year-homes": (
            TaxYearHome,
            {"tax_year": tax_year_2023.pk, "home": second.pk, "gross_income_limit": "1000"},
            {"method": "simplified"},
        ),
    }


@pytest.mark.parametrize(
    "resource", ["homes", "office-areas", "improvements", "bills", "tax-years", "tax-year-homes"]
)
def test_create_read_update_delete(resource, api, user, ledger):
    model, payload, change = _create_payloads(ledger, user)[resource]
    before = model.objects.count()

    created = api.post(f"/api/{resource}/", payload, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    record = model.objects.get(pk=pk)
    assert record.owner == user
    assert model.objects.count() == before + 1

    detail = api.get(f"/api/{resource}/{pk}/")
    assert detail.status_code == 200
    assert detail.json()["id"] == pk

    listed = api.get(f"/api/{resource}/")
    assert pk in [row["id"] for row in listed.json()["results"]]

    patched = api.patch(f"/api/{resource}/{pk}/", change, format="json")
    assert patched.status_code == 200, patched.json()
    for name, value in change.items():
        assert _same(patched.json()[name], value), (name, patched.json()[name])

    full = {**payload, **change}
    put = api.put(f"/api/{resource}/{pk}/", full, format="json")
    assert put.status_code == 200, put.json()

    deleted = api.delete(f"/api/{resource}/{pk}/")
    assert deleted.status_code == 204
    assert model.objects.count() == before
    assert api.get(f"/api/{resource}/{pk}/").status_code == 404


def test_home_key_is_made_from_the_name_and_kept_unique(api):
    first = api.post("/api/homes/", {"name": "12 Elm St", "total_area": "2000"}, format="json")
    second = api.post("/api/homes/", {"name": "12 Elm St", "total_area": "900"}, format="json")
    assert (first.json()["key"], second.json()["key"]) == ("12-elm-st", "12-elm-st-2")
    clash = api.post(
        "/api/homes/", {"name": "Other", "key": "12-elm-st", "total_area": "900"}, format="json"
    )
    assert clash.status_code == 409
    assert "already have a home with the key" in clash.json()["key"][0]


def test_bill_year_follows_its_payment_date(api, ledger):
    bill = ledger["bill"]
    response = api.patch(f"/api/bills/{bill.pk}/", {"paid_on": "2023-12-30"}, format="json")
    assert response.status_code == 200
    assert response.json()["tax_year"] == 2023


def test_a_tax_years_year_cannot_change(api, ledger):
    response = api.patch(f"/api/tax-years/{ledger['tax_year'].pk}/", {"year": 2023}, format="json")
    assert response.status_code == 400
    assert "cannot change" in response.json()["year"][0]


def test_filing_fields_are_read_only(api, ledger):
    tax_year = ledger["tax_year"]
    response = api.patch(f"/api/tax-years/{tax_year.pk}/", {"filed": True}, format="json")
    assert response.status_code == 200
    tax_year.refresh_from_db()
    assert tax_year.filed is False


def test_deleting_a_home_with_bills_is_a_conflict(api, ledger):
    response = api.delete(f"/api/homes/{ledger['home'].pk}/")
    assert response.status_code == 409
    assert "bills" in response.json()["detail"]
    assert Home.objects.filter(pk=ledger["home"].pk).exists()


# --------------------------------------------------------------------------------------------
# Pagination and ordering


def test_lists_paginate_by_50_in_a_stable_order(api, user):
    home = HomeFactory(owner=user)
    for i in range(55):
        BillFactory(home=home, paid_on=dt.date(2024, 1, 1 + i % 28), amount=Decimal(i % 3))
    first = api.get("/api/bills/").json()
    second = api.get("/api/bills/?page=2").json()
    assert first["count"] == 55
    assert len(first["results"]) == 50 and len(second["results"]) == 5
    assert first["next"].endswith("page=2")
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 55
    expected = list(Bill.objects.order_by("-paid_on", "-id").values_list("id", flat=True))
    assert ids == expected


def test_ordering_parameter_always_ends_with_id(api, user):
    home = HomeFactory(owner=user)
    bills = [BillFactory(home=home, amount=Decimal("10.00")) for _ in range(4)]
    response = api.get("/api/bills/?ordering=amount")
    assert [r["id"] for r in response.json()["results"]] == [b.pk for b in bills]
    descending = api.get("/api/bills/?ordering=-amount,-id")
    assert [r["id"] for r in descending.json()["results"]] == [b.pk for b in reversed(bills)]


def test_a_page_past_the_end_is_404(api, ledger):
    assert api.get("/api/bills/?page=9").status_code == 404


# --------------------------------------------------------------------------------------------
# Filters


@pytest.fixture
def bills_to_filter(user):
    home, cabin = HomeFactory(owner=user, name="Main"), HomeFactory(owner=user, name="Cabin")
    bills = {
        "power_2023": BillFactory(home=home, paid_on=dt.date(2023, 3, 1), category="utilities"),
        "tax_2024": BillFactory(
            home=home, paid_on=dt.date(2024, 4, 1), category="real_estate_tax", scope="direct"
        ),
        "rent_2024": BillFactory(home=cabin, paid_on=dt.date(2024, 9, 30), category="rent"),
    }
    ReceiptFactory(bill=bills["tax_2024"])
    return home, cabin, bills


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("year=2024", {"tax_2024", "rent_2024"}),
        ("category=rent", {"rent_2024"}),
        ("scope=direct", {"tax_2024"}),
        ("paid_on_after=2024-01-01&paid_on_before=2024-06-30", {"tax_2024"}),
        ("paid_on_after=2024-09-30", {"rent_2024"}),
        ("has_receipt=true", {"tax_2024"}),
        ("has_receipt=false", {"power_2023", "rent_2024"}),
        ("year=2024&category=utilities", set()),
    ],
)
def test_bill_filters(query, expected, api, bills_to_filter):
    _, _, bills = bills_to_filter
    names = {bill.pk: name for name, bill in bills.items()}
    response = api.get(f"/api/bills/?{query}")
    assert response.status_code == 200
    assert {names[r["id"]] for r in response.json()["results"]} == expected


def test_bill_filter_by_home(api, bills_to_filter):
    _, cabin, bills = bills_to_filter
    response = api.get(f"/api/bills/?home={cabin.pk}")
    assert [r["id"] for r in response.json()["results"]] == [bills["rent_2024"].pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("category=groceries", "category"),
        ("scope=sideways", "scope"),
        ("paid_on_after=2024-13-01", "paid_on_after"),
        ("year=twenty", "year"),
        ("home=abc", "home"),
        ("has_receipt=maybe", "has_receipt"),
    ],
)
def test_bad_filter_values_are_400(query, field, api, bills_to_filter):
    response = api.get(f"/api/bills/?{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("resource", ["office-areas", "improvements"])
def test_filter_by_home(resource, api, user, ledger):
    other_home = HomeFactory(owner=user, name="Empty")
    mine = api.get(f"/api/{resource}/?home={ledger['home'].pk}").json()["results"]
    assert len(mine) == 1
    assert api.get(f"/api/{resource}/?home={other_home.pk}").json()["results"] == []


def test_tax_year_filters(api, user, ledger):
    TaxYearFactory(owner=user, year=2022, filed=True)
    assert [r["year"] for r in api.get("/api/tax-years/?filed=true").json()["results"]] == [2022]
    assert [r["year"] for r in api.get("/api/tax-years/?year=2024").json()["results"]] == [2024]
    assert [r["year"] for r in api.get("/api/tax-years/").json()["results"]] == [2024, 2022]


# --------------------------------------------------------------------------------------------
# Bad input: 400 with the field's message, and nothing changes


def _bill(home_record, **overrides):
    return {
        "home": home_record.pk,
        "paid_on": "2024-02-03",
        "payee": "City Power",
        "category": "utilities",
        "amount": "10.00",
        **overrides,
    }


BAD_BILLS = [
    ({"amount": "-5"}, "amount", "must be >= 0"),
    ({"business_use_percent": "100.01"}, "business_use_percent", "must be <= 100"),
    ({"paid_on": "2024-02-30"}, "paid_on", '"2024-02-30" is not a real date'),
    ({"paid_on": "yesterday"}, "paid_on", "must be a date written YYYY-MM-DD"),
    ({"paid_on": "01/15/2024"}, "paid_on", "must be a date written YYYY-MM-DD"),
    ({"paid_on": "9999-12-31"}, "paid_on", "is out of range"),
    ({"amount": "ten dollars"}, "amount", "must be an amount like"),
    ({"amount": "NaN"}, "amount", "must be an amount like"),
    ({"amount": "Infinity"}, "amount", "must be an amount like"),
    ({"amount": "-Infinity"}, "amount", "must be an amount like"),
    ({"amount": "1e400"}, "amount", "without an exponent"),
    ({"amount": "1.25e2"}, "amount", "without an exponent"),
    ({"amount": "12345678901234567890.00"}, "amount", "digits"),
    ({"amount": 10**30}, "amount", "digits"),
    ({"amount": "0.001"}, "amount", "decimal places"),
    ({"amount": 10.005}, "amount", "decimal places"),
    ({"amount": None}, "amount", "is required"),
    ({"amount": [1, 2]}, "amount", "must be an amount like"),
    ({"amount": {"value": 1}}, "amount", "must be an amount like"),
    ({"category": "groceries"}, "category", "must be one of"),
    ({"category": ["utilities"]}, "category", "must be one of"),
    ({"payee": None}, "payee", "is required"),
    ({"payee": {"name": "x"}}, "payee", "must be text in quotes"),
    ({"payee": 12}, "payee", "must be text in quotes"),
    ({"payee": "a\x00b"}, "payee", "must not contain NUL characters"),
    ({"payee": "x" * 201}, "payee", "at most 200 characters"),
    ({"home": True}, "home", "must be a home's id, key or name"),
    ({"category": "mortgage_interest", "scope": "direct"}, "scope", "never direct"),
    ({"service_start": "2024-01-01"}, "service_end", "both the start and the end"),
    (
        {"service_start": "2024-02-01", "service_end": "2024-01-01"},
        "service_end",
        "cannot end before",
    ),
]


@pytest.mark.parametrize(("change", "field", "words"), BAD_BILLS)
def test_bad_bill_is_400_naming_the_field(change, field, words, api, ledger):
    before = Bill.objects.count()
    response = api.post("/api/bills/", _bill(ledger["home"], **change), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert words in " ".join(response.json()[field])
    assert Bill.objects.count() == before


@pytest.mark.parametrize(
    "body",
    [[], ["a"], "text", 12, None, {"amount": "1"}],
    ids=["list", "list1", "str", "int", "null", "partial"],
)
def test_wrong_json_shapes_are_400(body, api, ledger):
    response = api.post("/api/bills/", body, format="json")
    assert response.status_code == 400


def test_malformed_json_is_400(api):
    response = api.generic("POST", "/api/bills/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_office_area_above_the_homes_area_is_400(api, ledger):
    response = api.post(
        "/api/office-areas/", {"home": ledger["home"].pk, "area": "1900"}, format="json"
    )
    assert response.status_code == 400
    assert "more than the home's 2000.00 sq ft" in response.json()["area"][0]


def test_rented_home_with_a_basis_is_400(api):
    response = api.post(
        "/api/homes/",
        {"name": "Flat", "total_area": "700", "ownership": "rent", "cost_basis": "1000"},
        format="json",
    )
    assert response.status_code == 400
    assert "rented home" in response.json()["cost_basis"][0]


@pytest.mark.parametrize("year", [2017, 2027, 0, 99999, 10**12])
def test_unsupported_tax_year_is_400_naming_the_range(year, api):
    response = api.post("/api/tax-years/", {"year": year}, format="json")
    assert response.status_code == 400
    assert "supported years are 2018-2026" in response.json()["year"][0]


def test_second_simplified_home_in_a_year_is_400(api, user, ledger):
    ledger["tax_year_home"].method = "simplified"
    ledger["tax_year_home"].save()
    cabin = HomeFactory(owner=user, name="Cabin")
    response = api.post(
        "/api/tax-year-homes/",
        {"tax_year": ledger["tax_year"].pk, "home": cabin.pk, "method": "simplified"},
        format="json",
    )
    assert response.status_code == 400
    assert "one home a year" in response.json()["method"][0]


def test_same_home_twice_in_a_year_is_409(api, ledger):
    response = api.post(
        "/api/tax-year-homes/",
        {"tax_year": ledger["tax_year"].pk, "home": ledger["home"].pk},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "conflict")


def test_huge_small_integers_are_400(api):
    response = api.post(
        "/api/homes/",
        {"name": "Big", "total_area": "100", "total_rooms": 10**20, "area_method": "rooms"},
        format="json",
    )
    assert response.status_code == 400
    assert "total_rooms" in response.json()


def test_huge_ids_are_404_not_500(api):
    assert api.get(f"/api/bills/{10**30}/").status_code == 404
    assert api.get("/api/bills/abc/").status_code == 404
    assert api.get(f"/api/bills/?home={10**30}").status_code == 404
    assert api.get(f"/api/bills/?year={10**30}").json()["results"] == []


def test_a_fractional_reference_is_400(api, ledger):
    response = api.post(
        "/api/bills/", _bill(ledger["home"], home=ledger["home"].pk + 0.5), format="json"
    )
    assert response.status_code == 400
    assert "home" in response.json()
