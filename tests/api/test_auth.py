"""Everything needs login: 401 without it; a token from username and password; sessions."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PROTECTED = [
    ("get", "/api/homes/"),
    ("post", "/api/homes/"),
    ("get", "/api/homes/1/"),
    ("patch", "/api/homes/1/"),
    ("delete", "/api/homes/1/"),
    ("get", "/api/homes/1/history/"),
    ("get", "/api/homes/1/depreciation/"),
    ("get", "/api/office-areas/"),
    ("get", "/api/improvements/"),
    ("get", "/api/bills/"),
    ("post", "/api/bills/import/"),
    ("get", "/api/bills/export.csv"),
    ("get", "/api/receipts/"),
    ("post", "/api/receipts/"),
    ("get", "/api/receipts/1/download/"),
    ("get", "/api/tax-years/"),
    ("post", "/api/tax-years/1/file/"),
    ("post", "/api/tax-years/1/reopen/"),
    ("get", "/api/tax-years/2024/support.zip"),
    ("get", "/api/tax-year-homes/"),
    ("get", "/api/forms/2024/"),
    ("get", "/api/forms/2024/1/"),
    ("get", "/api/forms/2024/method-comparison/"),
    ("get", "/api/carryovers/"),
    ("get", "/api/ledger/export/"),
    ("post", "/api/ledger/import/"),
    ("get", "/api/schema/"),
]  # /api/docs/ is a page for people: logged out, it sends them to the login (test_api_edges)


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_anonymous_requests_are_401(method, url, ledger):
    response = getattr(APIClient(), method)(url)
    assert response.status_code == 401, (url, response.status_code)
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_401(ledger):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/homes/").status_code == 401


def test_obtain_a_token_with_username_and_password(user, ledger):
    client = APIClient()
    response = client.post(
        "/api/auth/token/", {"username": "alice", "password": "pw-for-tests-123"}, format="json"
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/homes/").json()["count"] == 1


def test_a_wrong_password_gets_no_token(user):
    response = APIClient().post(
        "/api/auth/token/", {"username": "alice", "password": "guess"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_a_session_login_works_and_writes_need_csrf(user, ledger):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/homes/").status_code == 200
    response = client.post("/api/homes/", {"name": "x", "total_area": "1"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
