"""Businesses through the API: `/api/businesses/`, an office area's `business`, a tax-year
home's `other_business_expenses` and `/api/business-shares/` (docs/ledger-format.md §1)."""

from decimal import Decimal

import pytest

from forms8829.filing import tax_year_file
from ledger.models import Business, BusinessShare, OfficeArea
from tests.factories import BusinessFactory, ledger_file_businesses, ledger_file_document

pytestmark = pytest.mark.django_db


def test_a_business_is_created_read_changed_and_listed_in_the_order_made(api, user, ledger):
    first = ledger["business"]

    response = api.post(
        "/api/businesses/", {"name": " Orchard ", "kind": "Farm (Schedule F)"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["kind"]) == ("Orchard", "farm")
    orchard = Business.objects.get(pk=body["id"], owner=user)
    assert [row["id"] for row in api.get("/api/businesses/").json()["results"]] == [
        first.pk,
        orchard.pk,
    ]
    response = api.patch(f"/api/businesses/{orchard.pk}/", {"kind": "partner"}, format="json")
    assert response.status_code == 200, response.content
    orchard.refresh_from_db()
    assert orchard.kind == Business.Kind.PARTNER
    history = api.get(f"/api/businesses/{orchard.pk}/history/").json()["results"]
    assert [entry["type"] for entry in history] == ["changed", "created"]
    assert history[0]["changes"] == [{"field": "kind", "old": "farm", "new": "partner"}]


def test_a_business_name_is_yours_once_and_a_kind_is_one_of_the_kinds(api, ledger):
    name = ledger["business"].name

    taken = api.post("/api/businesses/", {"name": name}, format="json")
    bad_kind = api.post("/api/businesses/", {"name": "LLC", "kind": "llc"}, format="json")

    assert (taken.status_code, taken.json()["code"]) == (409, "conflict")  # a duplicate
    assert taken.json()["name"] == [f"You already have a business named '{name}'."]
    assert bad_kind.status_code == 400
    assert bad_kind.json()["kind"] == [
        "must be one of " + ", ".join(f'"{k}"' for k in Business.Kind.values) + ', not "llc"'
    ]
    # Renaming to its own name is no clash.
    same = api.patch(f"/api/businesses/{ledger['business'].pk}/", {"name": name}, format="json")
    assert same.status_code == 200


def test_another_users_business_of_the_same_name_is_no_clash(api, ledger, other_user):
    BusinessFactory(owner=other_user, name="Orchard")
    assert api.post("/api/businesses/", {"name": "Orchard"}, format="json").status_code == 201


def test_an_office_area_names_its_business_or_gets_your_first(api, user, ledger):
    second = BusinessFactory(owner=user, name="Tutoring")
    home = ledger["home"].pk

    plain = api.post("/api/office-areas/", {"home": home, "area": "10"}, format="json")
    named = api.post(
        "/api/office-areas/", {"home": home, "area": "10", "business": second.pk}, format="json"
    )

    assert plain.status_code == 201 and named.status_code == 201, (plain.content, named.content)
    assert plain.json()["business"] == ledger["business"].pk
    assert named.json()["business"] == second.pk
    area = named.json()["id"]
    moved = api.patch(f"/api/office-areas/{area}/", {"business": None}, format="json")
    assert moved.json()["business"] == ledger["business"].pk
    listed = api.get(f"/api/office-areas/?business={ledger['business'].pk}").json()
    assert {row["id"] for row in listed["results"]} == {
        ledger["office_area"].pk,
        plain.json()["id"],
        area,
    }


def test_a_business_still_used_by_office_areas_is_not_deleted(api, ledger):
    business = ledger["business"]

    response = api.delete(f"/api/businesses/{business.pk}/")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["detail"].startswith(
        f"The business '{business.name}' is used by 1 office area(s) (Office); give them "
        "another business"
    )
    assert Business.objects.filter(pk=business.pk).exists()
    assert OfficeArea.objects.get(pk=ledger["office_area"].pk).business_id == business.pk


def test_a_business_no_office_area_uses_is_deleted_with_its_shares(api, user, ledger):
    spare = BusinessFactory(owner=user, name="Spare")
    share = BusinessShare.objects.create(
        owner=user, tax_year_home=ledger["tax_year_home"], business=spare, percent=0
    )

    assert api.delete(f"/api/businesses/{spare.pk}/").status_code == 204
    assert not Business.objects.filter(pk=spare.pk).exists()
    assert not BusinessShare.objects.filter(pk=share.pk).exists()


def test_a_tax_year_home_has_other_business_expenses_and_lists_its_shares(api, user, ledger):
    year_home = ledger["tax_year_home"]
    url = f"/api/tax-year-homes/{year_home.pk}/"

    response = api.patch(url, {"other_business_expenses": "$1,200.50"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["other_business_expenses"] == "1200.50"
    assert response.json()["business_shares"] == []
    negative = api.patch(url, {"other_business_expenses": "-1"}, format="json")
    assert negative.status_code == 400
    assert negative.json()["other_business_expenses"] == ["must be >= 0"]

    share = BusinessShare.objects.create(
        owner=user, tax_year_home=year_home, business=ledger["business"], percent=100
    )
    assert api.get(url).json()["business_shares"] == [share.pk]


def test_business_shares_are_written_one_at_a_time(api, user, ledger):
    second = BusinessFactory(owner=user, name="Tutoring")
    year_home = ledger["tax_year_home"].pk

    def share(business, percent):
        body = {"tax_year_home": year_home, "business": business.pk, "percent": percent}
        return api.post("/api/business-shares/", body, format="json")

    first = share(ledger["business"], "70%")
    assert first.status_code == 201, first.content
    assert first.json()["percent"] == "70.00"
    again = share(ledger["business"], "30")
    assert again.status_code == 409
    assert again.json()["business"] == [
        f"'{ledger['business'].name}' already has a share of this home's deduction in 2024 "
        f"(business share {first.json()['id']}); change that one."
    ]
    too_much = share(second, "101")
    assert too_much.status_code == 400
    assert too_much.json()["percent"] == ["must be <= 100"]
    assert share(second, "30").status_code == 201

    listed = api.get(f"/api/business-shares/?tax_year_home={year_home}").json()["results"]
    assert [(row["business"], row["percent"]) for row in listed] == [
        (ledger["business"].pk, "70.00"),
        (second.pk, "30.00"),
    ]
    patched = api.patch(
        f"/api/business-shares/{first.json()['id']}/", {"percent": "60"}, format="json"
    )
    assert patched.status_code == 200
    assert BusinessShare.objects.get(pk=first.json()["id"]).percent == Decimal("60.00")


def test_a_filed_years_shares_and_line_11_are_read_only(api, user, ledger):
    second = BusinessFactory(owner=user, name="Tutoring")
    OfficeArea.objects.create(
        owner=user, home=ledger["home"], name="Desk", area=Decimal("50"), business=second
    )
    share = BusinessShare.objects.create(
        owner=user, tax_year_home=ledger["tax_year_home"], business=ledger["business"], percent=80
    )
    BusinessShare.objects.create(
        owner=user, tax_year_home=ledger["tax_year_home"], business=second, percent=20
    )
    tax_year_file(tax_year=ledger["tax_year"])

    changed = api.patch(f"/api/business-shares/{share.pk}/", {"percent": "70"}, format="json")
    deleted = api.delete(f"/api/business-shares/{share.pk}/")
    kind = api.patch(f"/api/businesses/{second.pk}/", {"kind": "farm"}, format="json")

    for response in (changed, deleted, kind):
        assert response.status_code == 409, response.content
        assert response.json()["year"] == 2024
    share.refresh_from_db()
    second.refresh_from_db()
    assert (share.percent, second.kind) == (Decimal("80.00"), "sole_proprietor")


def test_the_schema_describes_businesses_and_shares(api):
    schema = api.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]

    for path in ("/api/businesses/", "/api/business-shares/", "/api/businesses/{id}/history/"):
        assert path in schema["paths"]
    assert "409" in schema["paths"]["/api/businesses/{id}/"]["delete"]["responses"]
    business = components["Business"]["properties"]
    (kind,) = business["kind"]["allOf"]
    assert kind == {"$ref": "#/components/schemas/BusinessKindEnum"}
    assert components["BusinessKindEnum"]["enum"] == list(Business.Kind.values)
    assert "Farm (Schedule F)" in business["kind"]["description"]  # the labels, as choices
    area = components["OfficeAreaRequest"]["properties"]["business"]
    assert (area["type"], area.get("nullable")) == ("integer", True)
    share = components["BusinessShareRequest"]
    assert set(share["required"]) == {"tax_year_home", "business", "percent"}
    assert "other_business_expenses" in components["TaxYearHome"]["properties"]


def test_the_ledger_import_counts_businesses_and_shares(api, user):
    document = ledger_file_businesses(ledger_file_document(bills=1))

    response = api.post("/api/ledger/import/", document, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["businesses"], body["business_shares"], body["office_areas"]) == (2, 2, 2)
    assert body["summary"].endswith(", 2 businesses")
    exported = api.get("/api/ledger/export/")
    assert b'"business": "Tutoring"' in b"".join(exported.streaming_content)
