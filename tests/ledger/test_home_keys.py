"""Home keys are made one way (`ledger.fields.home_key_from_name`) wherever a home is added:
a blank key with a name another home already has gets a numbered key, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ledger.ledger_file import ledger_export, ledger_import
from ledger.models import Bill, Home
from tests.factories import HomeFactory, UserFactory, ledger_file_document

pytestmark = pytest.mark.django_db


def test_save_numbers_the_key_of_a_second_home_with_the_same_name(user):
    first = Home.objects.create(owner=user, name="12 Elm St", total_area=1000)
    second = Home.objects.create(owner=user, name="12 Elm St", total_area=1000)
    other = Home.objects.create(owner=UserFactory(), name="12 Elm St", total_area=1000)
    assert (first.key, second.key, other.key) == ("12-elm-st", "12-elm-st-2", "12-elm-st")


def test_clean_makes_a_blank_key_and_refuses_a_key_in_use(user):
    HomeFactory(owner=user, name="12 Elm St", key="12-elm-st")
    blank = Home(owner=user, name="12 Elm St", total_area=1000)
    blank.full_clean()
    assert blank.key == "12-elm-st-2"
    taken = Home(owner=user, name="Cabin", key="12-elm-st", total_area=1000)
    with pytest.raises(ValidationError) as exc_info:
        taken.full_clean()
    assert exc_info.value.message_dict["key"] == [
        "You already have a home with the key '12-elm-st'."
    ]


def _home_form(**fields):
    return {
        "name": "12 Elm St",
        "key": "",
        "total_area": "1,500",
        "area_method": "square_feet",
        "ownership": "own",
        "office_areas-TOTAL_FORMS": "0",
        "office_areas-INITIAL_FORMS": "0",
        "improvements-TOTAL_FORMS": "0",
        "improvements-INITIAL_FORMS": "0",
        **fields,
    }


def test_admin_blank_key_with_a_duplicate_name_is_numbered_not_a_500(user, admin_client_for):
    HomeFactory(owner=user, name="12 Elm St", key="12-elm-st")
    client = admin_client_for(user)

    response = client.post(reverse("admin:ledger_home_add"), _home_form(cost_basis="$250,000"))

    assert response.status_code == 302, response.content.decode()[:2000]
    home = Home.objects.get(owner=user, key="12-elm-st-2")
    assert (home.total_area, home.cost_basis) == (1500, 250000)


def test_admin_key_in_use_is_a_form_error(user, admin_client_for):
    HomeFactory(owner=user, name="Cabin", key="cabin")
    client = admin_client_for(user)

    response = client.post(reverse("admin:ledger_home_add"), _home_form(key="cabin"))

    assert response.status_code == 200
    assert "You already have a home with the key &#x27;cabin&#x27;." in response.content.decode()
    assert Home.objects.filter(owner=user).count() == 1


def test_admin_dates_and_money_typed_as_people_type_them(user, admin_client_for):
    home = HomeFactory(owner=user)
    client = admin_client_for(user)
    form = {
        "home": home.pk,
        "paid_on": "01/15/2024",
        "payee": "City Power",
        "category": "utilities",
        "amount": "$1,250.50",
        "scope": "indirect",
        "receipts-TOTAL_FORMS": "0",
        "receipts-INITIAL_FORMS": "0",
    }

    response = client.post(reverse("admin:ledger_bill_add"), form)
    refused = client.post(reverse("admin:ledger_bill_add"), {**form, "amount": "1.25e3"})
    negative = client.post(reverse("admin:ledger_bill_add"), {**form, "amount": "-$5"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    bill = Bill.objects.get(owner=user)
    assert (bill.paid_on.isoformat(), bill.amount) == ("2024-01-15", 1250.50)
    assert "Must be written without an exponent" in refused.content.decode()
    assert "Must be &gt;= 0." in negative.content.decode()


def test_ledger_file_homes_without_a_key_get_one_made_from_their_name(user):
    HomeFactory(owner=user, name="12 Elm St", key="12-elm-st")
    document = ledger_file_document(bills=2)
    del document["homes"][0]["key"]
    document["homes"].append({"key": "", "name": "Cabin", "total_area": "900"})
    document["bills"][0]["home"] = "12 elm st"  # by its name: no other home of the file has it
    document["bills"][1]["home"] = "cabin"
    document["tax_years"][0]["homes"][0]["home"] = "12-elm-st-2"

    ledger_import(owner=user, data=document)

    exported = ledger_export(owner=user)
    assert [h["key"] for h in exported["homes"]] == ["12-elm-st", "12-elm-st-2", "cabin"]
    assert sorted(b["home"] for b in exported["bills"]) == ["12-elm-st-2", "cabin"]
    assert exported["tax_years"][0]["homes"][0]["home"] == "12-elm-st-2"
