"""Bad input never yields a 5xx, and every API error is JSON with `detail` and `code`."""

import json

import pytest
from django.test import Client
from django.urls import path

from ledger.fields import JSON_MAX_DEPTH

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000


def nested(depth: int) -> str:
    return '{"a": ' * (depth - 1) + "[]" + "}" * (depth - 1)


@pytest.mark.parametrize("url", ["/api/auth/token/", "/api/bills/", "/api/ledger/import/"])
def test_a_deeply_nested_body_is_400_with_a_message(api, ledger, url):
    response = api.post(url, DEEP, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert f"nested more than {JSON_MAX_DEPTH} levels deep" in json.dumps(body)
    assert body["code"] in ("parse_error", "invalid")


def test_nesting_up_to_the_limit_is_read(api, ledger):
    ok = api.post("/api/bills/", nested(JSON_MAX_DEPTH), content_type="application/json")
    too_deep = api.post("/api/bills/", nested(JSON_MAX_DEPTH + 1), content_type="application/json")
    assert ok.status_code == 400 and "nested" not in ok.json()["detail"]
    assert too_deep.status_code == 400 and "nested" in too_deep.json()["detail"]


def test_a_json_body_above_the_limit_is_413(api, ledger, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(
        "/api/bills/", '{"payee": "' + "x" * 2000 + '"}', content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "limit of 1,000 bytes" in response.json()["detail"]


def test_a_request_above_the_site_limit_is_413_before_it_is_read(api, ledger, settings):
    settings.REQUEST_MAX_BYTES = 100
    response = api.post("/api/bills/", {"payee": "x" * 200}, format="json")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    page = Client().post("/admin/login/", {"username": "x" * 200})
    assert page.status_code == 413 and b"the limit is 100 bytes" in page.content


def test_a_csv_above_the_limit_is_413(api, ledger, monkeypatch):
    monkeypatch.setattr("interface.api.views.CSV_MAX_BYTES", 100)
    response = api.post("/api/bills/import/", b"home,paid_on\n" * 20, content_type="text/csv")
    assert response.status_code == 413 and response.json()["code"] == "too_large"


@pytest.mark.parametrize("url", ["/api/nowhere/", "/api/homes/abc/x/", "/api/forms/x/"])
def test_an_address_off_the_routes_is_a_json_404(api, url):
    response = api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found" and url in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/homes/-1/", "/api/homes/abc/history/", "/api/bills/0/"])
def test_a_record_id_that_is_not_one_is_a_json_404(api, url):
    response = api.get(url)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_server_error_under_the_api_is_json(api, settings):
    def boom(request):
        raise RuntimeError("a bug")

    from homeoffice import urls

    settings.ROOT_URLCONF = type(
        "urls", (), {"urlpatterns": [path("api/boom/", boom), *urls.urlpatterns]}
    )
    client = Client(raise_request_exception=False)
    response = client.get("/api/boom/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "not saved" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/homes/", 401),
        ("put", "/api/carryovers/", 401),
    ],
)
def test_drf_errors_have_the_same_shape(method, url, status):
    response = getattr(Client(), method)(url)
    assert response.status_code == status
    assert set(response.json()) >= {"detail", "code"}


def test_a_date_outside_1900_2100_is_refused_by_every_door(api, ledger, admin_client_for, user):
    home = ledger["home"]
    bill = {
        "home": home.pk,
        "paid_on": "9999-12-31",
        "payee": "P",
        "category": "utilities",
        "amount": "1",
    }
    response = api.post("/api/bills/", bill, format="json")
    assert response.status_code == 400
    assert "out of range" in response.json()["paid_on"][0]
    response = api.patch(
        f"/api/bills/{ledger['bill'].pk}/", {"paid_on": "1899-12-31"}, format="json"
    )
    assert response.status_code == 400 and "out of range" in response.json()["paid_on"][0]
    csv = f"home,paid_on,payee,category,amount\n{home.key},9999-12-31,P,utilities,1\n"
    response = api.post("/api/bills/import/", csv.encode(), content_type="text/csv")
    assert response.status_code == 400 and "out of range" in json.dumps(response.json())


@pytest.mark.parametrize(
    "query",
    [
        "paid_on__year=9999",
        "paid_on__year=10000",
        "paid_on__year=2024&paid_on__month=13",
        "paid_on__year=9999&paid_on__month=12&paid_on__day=31",
        "paid_on__year=-5",
    ],
)
def test_the_admin_date_drill_down_never_fails(admin_client_for, user, ledger, query):
    client = admin_client_for(user)
    response = client.get(f"/admin/ledger/bill/?{query}")
    assert response.status_code in (200, 302), response.status_code
