"""Home keys through the API: made from the name when blank (numbered past the user's other
keys, never a 500), refused when the user already has the key given."""

import pytest

from ledger.models import Home
from tests.factories import HomeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("blank", [{}, {"key": ""}, {"key": None}])
def test_a_second_home_with_the_same_name_and_no_key_gets_a_numbered_key(blank, api, user):
    HomeFactory(owner=user, name="12 Elm St", key="12-elm-st")
    HomeFactory(owner=UserFactory(username="neighbour"), name="12 Elm St", key="12-elm-st-2")

    response = api.post(
        "/api/homes/", {"name": "12 Elm St", "total_area": "900", **blank}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["key"] == "12-elm-st-2"
    assert Home.objects.filter(owner=user).count() == 2


def test_a_key_already_in_use_is_409(api, user):
    HomeFactory(owner=user, name="Cabin", key="cabin")

    response = api.post(
        "/api/homes/", {"name": "Lake house", "key": "cabin", "total_area": "900"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (409, "conflict")
    assert response.json()["key"] == ["You already have a home with the key 'cabin'."]


def test_a_bill_may_name_its_home_by_key_or_name(api, user):
    home = HomeFactory(owner=user, name="Lake Cabin", key="cabin")
    bill = {"paid_on": "2024-02-01", "payee": "Power", "category": "utilities", "amount": 12.5}

    by_key = api.post("/api/bills/", {**bill, "home": "cabin"}, format="json")
    by_name = api.post("/api/bills/", {**bill, "home": "lake cabin"}, format="json")

    assert (by_key.status_code, by_name.status_code) == (201, 201)
    assert by_key.json()["home"] == by_name.json()["home"] == home.pk
    assert by_key.json()["amount"] == "12.50"
