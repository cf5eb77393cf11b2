"""API edges: /api/ lists the resources; the docs page asks a logged-out person to log in."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_root_lists_the_resources(user, client):
    client.force_login(user)
    body = client.get("/api/", HTTP_ACCEPT="application/json").json()
    assert body["homes"].endswith("/api/homes/") and body["bills"].endswith("/api/bills/")
    assert {"receipts", "tax-years", "tax-year-homes", "office-areas"} <= set(body)


def test_the_docs_page_asks_for_login(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
