"""The ledger file through the API: export, import (all or nothing), replace."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.models import Bill, Home, TaxYear

pytestmark = pytest.mark.django_db


def test_export_is_the_ledger_file(api, ledger):
    response = api.get("/api/ledger/export/", HTTP_ACCEPT="application/octet-stream")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="ledger.json"'
    data = json.loads(response.content)
    assert data["format"] == "homeoffice-ledger/1"
    assert [home["key"] for home in data["homes"]] == [ledger["home"].key]
    assert len(data["bills"]) == 3


def test_import_another_users_export(api, other_api, user, other_user, ledger):
    data = json.loads(api.get("/api/ledger/export/").content)
    response = other_api.post("/api/ledger/import/", data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["homes"], body["bills"], body["tax_years"], body["replaced"]) == (1, 3, 1, False)
    assert "1 home" in body["summary"]
    assert Bill.objects.owned_by(other_user).count() == 3
    assert Bill.objects.owned_by(user).count() == 3


def test_import_as_an_uploaded_file(other_api, api, other_user, ledger):
    content = api.get("/api/ledger/export/").content
    upload = SimpleUploadedFile("ledger.json", content, content_type="application/json")
    response = other_api.post("/api/ledger/import/", {"file": upload}, format="multipart")
    assert response.status_code == 201
    assert Home.objects.owned_by(other_user).count() == 1


def test_import_errors_are_400_listing_each_problem_and_change_nothing(api, other_api, ledger):
    data = json.loads(api.get("/api/ledger/export/").content)
    data["bills"][1]["amount"] = "-3"
    data["homes"][0]["total_area"] = "lots"
    before = (Home.objects.count(), Bill.objects.count())
    response = other_api.post("/api/ledger/import/", data, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e.startswith("bills[1].amount") for e in errors), errors
    assert any(e.startswith("homes[0].total_area") for e in errors), errors
    assert (Home.objects.count(), Bill.objects.count()) == before


@pytest.mark.parametrize("body", [[], "text", 5, {"format": "other/1"}])
def test_import_of_something_else_is_400(body, other_api):
    response = other_api.post("/api/ledger/import/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_import_of_a_file_that_is_not_json_is_400(other_api):
    upload = SimpleUploadedFile("ledger.json", b"{not json", content_type="application/json")
    response = other_api.post("/api/ledger/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "not a JSON document" in response.json()["errors"][0]


def test_import_over_an_existing_ledger_needs_replace(api, user, ledger):
    data = json.loads(api.get("/api/ledger/export/").content)
    assert api.post("/api/ledger/import/", data, format="json").status_code == 400
    replaced = api.post("/api/ledger/import/?replace=1", data, format="json")
    assert replaced.status_code == 201, replaced.json()
    assert replaced.json()["replaced"] is True
    assert TaxYear.objects.owned_by(user).count() == 1


def test_a_multipart_import_without_a_file_is_400(other_api):
    response = other_api.post("/api/ledger/import/", {"homes": "x"}, format="multipart")
    assert response.status_code == 400
    assert "multipart `file`" in response.json()["errors"][0]
