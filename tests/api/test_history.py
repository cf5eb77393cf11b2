"""GET …/{id}/history/: date, user, type, changed fields and change reason of each version."""

import pytest

pytestmark = pytest.mark.django_db


def test_bill_history_lists_each_change_newest_first(api, user, ledger):
    bill = ledger["bill"]
    api.patch(f"/api/bills/{bill.pk}/", {"amount": "150.00", "payee": "Power Co"}, format="json")
    api.patch(f"/api/bills/{bill.pk}/", {"note": "paid late"}, format="json")
    response = api.get(f"/api/bills/{bill.pk}/history/")
    assert response.status_code == 200
    versions = response.json()["results"]
    assert [v["type"] for v in versions] == ["changed", "changed", "created"]
    assert versions[0]["changed_fields"] == ["note"]
    assert versions[1]["changed_fields"] == ["amount", "payee"]
    assert {"field": "amount", "old": "100.00", "new": "150.00"} in versions[1]["changes"]
    assert versions[0]["user"] == user.username
    assert all(v["date"] for v in versions)


@pytest.mark.parametrize(
    ("resource", "record", "change"),
    [
        ("homes", "home", {"name": "Renamed"}),
        ("office-areas", "office_area", {"name": "Den"}),
        ("tax-years", "tax_year", {"itemizes": False}),
    ],
)
def test_history_of_each_resource(resource, record, change, api, ledger):
    pk = ledger[record].pk
    assert api.patch(f"/api/{resource}/{pk}/", change, format="json").status_code == 200
    versions = api.get(f"/api/{resource}/{pk}/history/").json()["results"]
    assert versions[0]["type"] == "changed"
    assert versions[0]["changed_fields"] == list(change)
    assert versions[0]["change_reason"] is None


def test_history_is_paginated(api, ledger):
    bill = ledger["bill"]
    for i in range(55):
        bill.amount = i
        bill.save()
    first = api.get(f"/api/bills/{bill.pk}/history/").json()
    assert first["count"] == 56
    assert len(first["results"]) == 50
    assert first["results"][0]["changes"] == [{"field": "amount", "old": "53.00", "new": "54.00"}]
    last = api.get(f"/api/bills/{bill.pk}/history/?page=2").json()["results"]
    assert last[-1]["type"] == "created"
