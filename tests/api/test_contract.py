"""The API's requests as the schema states them (docs/production.md, "The API's contract"):
`null` only where a field can be null, no blank text where a field is not text, decimals as
text or JSON numbers (the reader's pattern, derived in one place), a home by id, key or name (an
unknown one is a 404 like an unknown id), duplicates and state conflicts 409, and a body of
another type 415, each in the one error shape."""

import re

import pytest

from ledger import fields
from ledger.models import Bill
from ledger.serializers import BillSerializer, TaxYearHomeSerializer

pytestmark = pytest.mark.django_db


def _stored(bill: Bill) -> tuple:
    bill.refresh_from_db()
    return (bill.home_id, bill.amount, bill.paid_on, bill.note, bill.scope, bill.updated_at)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"home": None}, "home", "is required"),
        ({"amount": None}, "amount", "is required"),
        ({"paid_on": None}, "paid_on", "is required"),
        ({"note": None}, "note", "must not be null"),
        ({"scope": None}, "scope", "must not be null"),
        ({"amount": ""}, "amount", "must not be empty"),
        ({"business_use_percent": " "}, "business_use_percent", "must not be empty"),
        ({"service_start": ""}, "service_start", "must not be empty"),
        ({"home": ""}, "home", "must not be empty"),
    ],
)
def test_null_or_blank_where_the_field_cannot_take_it_is_400_and_changes_nothing(
    change, field, words, api, ledger
):
    bill = ledger["bill"]
    before = _stored(bill)

    response = api.patch(f"/api/bills/{bill.pk}/", change, format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert words in body[field][0]
    assert body["detail"].startswith(f"{field}: ")
    assert _stored(bill) == before


def test_null_where_the_field_can_be_null_clears_it(api, ledger):
    bill = ledger["bill"]
    Bill.objects.filter(pk=bill.pk).update(business_use_percent=40)

    response = api.patch(f"/api/bills/{bill.pk}/", {"business_use_percent": None}, format="json")

    assert response.status_code == 200, response.content
    bill.refresh_from_db()
    assert bill.business_use_percent is None


def test_a_json_number_amount_is_accepted(api, ledger):
    body = {"home": ledger["home"].key, "paid_on": "2024-06-01", "payee": "Power"}
    body |= {"category": "utilities", "amount": 12.5, "business_use_percent": 40}

    response = api.post("/api/bills/", body, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["amount"], response.json()["business_use_percent"]) == (
        "12.50",
        "40.00",
    )


def test_an_unknown_home_key_is_a_404_like_an_unknown_id(api, ledger):
    before = Bill.objects.count()
    body = {"paid_on": "2024-06-01", "payee": "Power", "category": "utilities", "amount": "5"}

    by_key = api.post("/api/bills/", {**body, "home": "barn"}, format="json")
    by_id = api.post("/api/bills/", {**body, "home": 987654}, format="json")

    assert (by_key.status_code, by_id.status_code) == (404, 404)
    assert by_key.json()["home"] == ["no home with the key or name 'barn' in your ledger"]
    assert by_key.json()["code"] == by_id.json()["code"] == "not_found"
    assert Bill.objects.count() == before


def test_a_form_encoded_body_is_415_in_the_one_error_shape(api, ledger):
    before = Bill.objects.count()

    response = api.post(
        "/api/bills/",
        "home=1&paid_on=2024-06-01&payee=Power&category=utilities&amount=5",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 415
    body = response.json()
    assert body["code"] == "unsupported_media_type"
    assert "application/x-www-form-urlencoded" in body["detail"]
    assert Bill.objects.count() == before


def test_a_duplicate_is_409_and_a_bad_value_beside_it_400(api, ledger):
    name = ledger["business"].name

    duplicate = api.post("/api/businesses/", {"name": name}, format="json")
    also_bad = api.post("/api/businesses/", {"name": name, "kind": "llc"}, format="json")

    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "conflict")
    assert also_bad.status_code == 400  # a field is wrong too: fix that first


@pytest.mark.parametrize("given", [None, ""])
def test_the_ledger_file_still_reads_null_and_blank_as_not_given(given, user, ledger):
    """Only the API is strict: in a ledger file they mean "not given" (docs/ledger-format.md)."""
    data = {"home": ledger["home"].key, "method": given, "gross_income_limit": given}
    context = {"owner": user, "bulk": True, fields.NULL_IS_NOT_GIVEN: True}
    serializer = TaxYearHomeSerializer(data=data, context=context)

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"home": ledger["home"]}


def test_the_schema_states_decimals_from_the_reader(api):
    schema = api.get("/api/schema/?format=json").json()["components"]["schemas"]
    bill = BillSerializer(context={"owner": None})
    amount = schema["BillRequest"]["properties"]["amount"]
    percent = schema["PatchedBillRequest"]["properties"]["business_use_percent"]

    text, number = amount["oneOf"]
    field = bill.fields["amount"]
    assert text == {
        "type": "string",
        "pattern": fields.decimal_pattern(
            max_digits=field.max_digits, decimal_places=2, minimum=0, money=True
        ),
    }
    assert number == {
        "type": "number",
        "multipleOf": 0.01,
        "minimum": 0,
        "maximum": 10**10,
        "exclusiveMaximum": True,
    }
    assert percent["nullable"] is True
    assert percent["oneOf"][1] == {
        "type": "number",
        "multipleOf": 0.01,
        "minimum": 0,
        "maximum": 100,
    }
    home = schema["BillRequest"]["properties"]["home"]
    assert [branch["type"] for branch in home["oneOf"]] == ["integer", "string"]
    assert schema["Bill"]["properties"]["home"]["type"] == "integer"  # answered by its id


def test_the_schema_states_the_years_a_date_may_have(api):
    schema = api.get("/api/schema/?format=json").json()["components"]["schemas"]
    paid_on = schema["BillRequest"]["properties"]["paid_on"]

    assert (paid_on["format"], paid_on["pattern"]) == ("date", fields.date_year_pattern())
    matches = [bool(re.search(paid_on["pattern"], day)) for day in DAYS]
    assert matches == [True, True, True, False, False, False]


DAYS = ["1900-01-01", "2024-02-29", "2100-12-31", "1899-12-31", "2101-01-01", "0260-11-22"]
