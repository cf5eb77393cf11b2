"""A user's year through the API only, from logging in to the computed form; a second user
sees none of it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.api.conftest import pdf_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def login(username: str) -> APIClient:
    UserFactory(username=username)
    client = APIClient()
    token = client.post(
        "/api/auth/token/", {"username": username, "password": "pw-for-tests-123"}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:400])
    return response.json()


def test_a_year_from_bills_to_form():
    alice = login("alice")

    elm = ok(
        alice.post(
            "/api/homes/",
            {
                "name": "12 Elm St",
                "total_area": "2000",
                "ownership": "own",
                "occupied_from": "2019-06-01",
                "cost_basis": "300000.00",
                "land_value": "60000.00",
                "fmv_at_first_business_use": "320000.00",
            },
            format="json",
        ),
        201,
    )
    flat = ok(
        alice.post(
            "/api/homes/",
            {"name": "Downtown flat", "total_area": "800", "ownership": "rent"},
            format="json",
        ),
        201,
    )
    ok(
        alice.post(
            "/api/office-areas/",
            {"home": elm["id"], "name": "Office", "area": "200", "start": "2021-03-01"},
            format="json",
        ),
        201,
    )
    ok(alice.post("/api/office-areas/", {"home": flat["id"], "area": "100"}, format="json"), 201)

    csv_text = "home,paid_on,payee,category,amount,scope,business_use_percent\n" + "".join(
        f"{elm['key']},2024-{month:02d}-05,City Power,utilities,150.00,indirect,\n"
        for month in range(1, 13)
    )
    csv_text += f"{elm['key']},2024-04-10,County,real_estate_tax,4200.00,indirect,\n"
    csv_text += f"{elm['key']},2024-06-01,Fiber Net,internet,70.00,indirect,40\n"
    csv_text += f"{elm['key']},2024-02-01,Bank,mortgage_interest,9000.00,indirect,\n"
    preview = ok(
        alice.generic("POST", "/api/bills/import/?dry_run=1", csv_text, content_type="text/csv")
    )
    assert len(preview["rows"]) == 15 and preview["created"] == 0
    imported = ok(
        alice.generic("POST", "/api/bills/import/", csv_text, content_type="text/csv"), 201
    )
    assert imported["created"] == 15
    assert ok(alice.get("/api/bills/?year=2024"))["count"] == 15

    bill = ok(alice.get(f"/api/bills/?home={elm['id']}&category=real_estate_tax"))["results"][0]
    upload = SimpleUploadedFile("tax bill.pdf", pdf_bytes("County tax 2024"))
    receipt = ok(
        alice.post("/api/receipts/", {"bill": bill["id"], "file": upload}, format="multipart"),
        201,
    )
    assert alice.get(receipt["download_url"]).status_code == 200

    year = ok(alice.post("/api/tax-years/", {"year": 2024, "itemizes": True}, format="json"), 201)
    ok(
        alice.post(
            "/api/tax-year-homes/",
            {"tax_year": year["id"], "home": elm["id"], "gross_income_limit": "40000"},
            format="json",
        ),
        201,
    )

    forms = ok(alice.get("/api/forms/2024/"))
    assert {form["home"] for form in forms} == {"12 Elm St", "Downtown flat"}
    form = ok(alice.get(f"/api/forms/2024/{elm['id']}/"))
    assert form["lines"]["1"] == "200.00" and form["lines"]["2"] == "2000.00"
    assert form["lines"]["7"] == "10.00"
    assert form["schedule_c_other"]["internet"] == "28.00"
    assert ok(alice.get("/api/carryovers/"))[0]["year"] == 2024

    filed = ok(alice.post(f"/api/tax-years/{year['id']}/file/"))
    assert filed["filed"] is True
    late = alice.post(
        "/api/bills/",
        {
            "home": elm["id"],
            "paid_on": "2024-12-30",
            "payee": "Plumber",
            "category": "repairs",
            "amount": "90",
        },
        format="json",
    )
    assert late.status_code == 409

    mallory = login("mallory")
    for url in (
        f"/api/homes/{elm['id']}/",
        f"/api/bills/{bill['id']}/",
        receipt["download_url"],
        f"/api/tax-years/{year['id']}/",
        f"/api/forms/2024/{elm['id']}/",
        f"/api/bills/?home={elm['id']}",
        "/api/forms/2024/",
    ):
        assert mallory.get(url).status_code == 404, url
    assert ok(mallory.get("/api/bills/"))["count"] == 0
