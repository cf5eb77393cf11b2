"""The ledger file and the ledger archive through the API: export, import (all or nothing),
replace, receipts."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from ledger.models import Bill, Home, Receipt, TaxYear
from tests.api.conftest import elf_bytes, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

RECEIPT_HINT = (
    "the file is not in this import; import the .zip archive (or import without receipts to "
    "leave them out)"
)


def test_export_is_the_ledger_file(api, ledger):
    response = api.get("/api/ledger/export/", HTTP_ACCEPT="application/octet-stream")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="ledger.json"'
    data = json.loads(response.getvalue())
    assert data["format"] == "homeoffice-ledger/1"
    assert [home["key"] for home in data["homes"]] == [ledger["home"].key]
    assert len(data["bills"]) == 3


def test_export_lists_the_receipts(api, ledger):
    data = json.loads(api.get("/api/ledger/export/").getvalue())
    receipt = ledger["receipt"]
    assert data["bills"][0]["receipts"] == [
        {
            "file": f"receipts/{receipt.sha256}.pdf",
            "name": receipt.original_name,
            "sha256": receipt.sha256,
            "content_type": "application/pdf",
            "size": receipt.size,
        }
    ]
    assert "receipts" not in data["bills"][1]


def test_import_another_users_export_without_its_receipts(api, other_api, user, other_user, ledger):
    data = json.loads(api.get("/api/ledger/export/").getvalue())
    response = other_api.post("/api/ledger/import/?without_receipts=1", data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["homes"], body["bills"], body["tax_years"], body["replaced"]) == (1, 3, 1, False)
    assert (body["receipts"], body["receipts_left_out"]) == (0, 1)
    assert "1 home" in body["summary"] and "(1 receipt left out)" in body["summary"]
    assert Bill.objects.owned_by(other_user).count() == 3
    assert Bill.objects.owned_by(user).count() == 3
    assert not Receipt.objects.owned_by(other_user).exists()


def test_a_json_file_listing_receipts_it_does_not_carry_is_400_naming_each(
    api, other_api, other_user, ledger
):
    data = json.loads(api.get("/api/ledger/export/").getvalue())
    response = other_api.post("/api/ledger/import/", data, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [f"bills[0].receipts[0].file: {RECEIPT_HINT}"]
    assert not Home.objects.owned_by(other_user).exists()


def test_import_as_an_uploaded_file(other_api, api, other_user, ledger):
    content = api.get("/api/ledger/export/").getvalue()
    upload = SimpleUploadedFile("ledger.json", content, content_type="application/json")
    response = other_api.post(
        "/api/ledger/import/?without_receipts=1", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201
    assert Home.objects.owned_by(other_user).count() == 1


def test_import_errors_are_400_listing_each_problem_and_change_nothing(api, other_api, ledger):
    data = json.loads(api.get("/api/ledger/export/").getvalue())
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
    assert response.json()["errors"] == [
        "file: not valid JSON: Expecting property name enclosed in double quotes at line 1, "
        "column 2."
    ]


def test_import_over_an_existing_ledger_needs_replace(api, user, ledger):
    data = json.loads(api.get("/api/ledger/export/").getvalue())
    assert api.post("/api/ledger/import/", data, format="json").status_code == 400
    replaced = api.post("/api/ledger/import/?replace=1", data, format="json")
    assert replaced.status_code == 201, replaced.json()
    assert replaced.json()["replaced"] is True
    assert TaxYear.objects.owned_by(user).count() == 1
    # The receipt's file was already yours: the plain JSON keeps it.
    assert replaced.json()["receipts"] == 1
    assert Receipt.objects.get(owner=user).file.name == ledger["receipt"].file.name


def test_a_multipart_import_without_a_file_is_400(other_api):
    response = other_api.post("/api/ledger/import/", {"homes": "x"}, format="multipart")
    assert response.status_code == 400
    assert "multipart `file`" in response.json()["errors"][0]


# --------------------------------------------------------------------------------------------
# The ledger archive


def upload_receipt(api, bill, content: bytes, name: str):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = api.post("/api/receipts/", {"bill": bill.pk, "file": file}, format="multipart")
    assert response.status_code == 201, response.json()


def unpack(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def stored_files() -> dict[str, bytes]:
    root = Path(settings.RECEIPTS_ROOT)
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def post_archive(api, content: bytes, query: str = ""):
    upload = SimpleUploadedFile("ledger.zip", content, content_type="application/zip")
    return api.post(f"/api/ledger/import/{query}", {"file": upload}, format="multipart")


PDF, PNG = pdf_bytes("Water bill"), png_bytes()


@pytest.fixture
def with_real_receipts(api, ledger):
    """The user's ledger with a real PDF and a real PNG uploaded through the API."""
    upload_receipt(api, ledger["bills"][1], PDF, "water bill.pdf")
    upload_receipt(api, ledger["bills"][2], PNG, "meter.png")
    return ledger


def test_export_zip_is_the_archive_of_your_own_ledger(api, with_real_receipts, other_ledger):
    response = api.get("/api/ledger/export.zip", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="ledger.zip"'
    members = unpack(response.getvalue())
    document = json.loads(members["ledger.json"])
    assert [home["name"] for home in document["homes"]] == ["alice's home"]
    own = {r.sha256 for r in Receipt.objects.owned_by(with_real_receipts["home"].owner)}
    listed = [r for bill in document["bills"] for r in bill.get("receipts", [])]
    assert len(listed) == 3
    assert f"receipts/{hashlib.sha256(PDF).hexdigest()}.pdf" in members
    assert members[f"receipts/{hashlib.sha256(PNG).hexdigest()}.png"] == PNG
    # Nothing of mallory's: not her home, not her receipt.
    assert "mallory" not in members["ledger.json"].decode()
    theirs = other_ledger["receipt"]
    assert theirs.sha256 not in own
    assert theirs.sha256 not in members["ledger.json"].decode()


def test_export_zip_needs_login(ledger):
    response = APIClient().get("/api/ledger/export.zip")
    assert response.status_code == 401


def test_export_zip_with_a_missing_receipt_file_is_409(api, ledger):
    ledger["receipt"].file.storage.delete(ledger["receipt"].file.name)
    response = api.get("/api/ledger/export.zip")
    assert response.status_code == 409
    assert response.json()["errors"][0].startswith(
        'bills[0].receipts[0]: the stored file of the receipt "receipt.pdf" is missing'
    )


def test_archive_round_trip_through_the_api(api, other_api, user, other_user, with_real_receipts):
    archive = api.get("/api/ledger/export.zip").getvalue()

    response = post_archive(other_api, archive)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["bills"], body["receipts"], body["receipts_left_out"]) == (3, 3, 0)
    assert "3 bills (3 receipts)" in body["summary"]
    again = other_api.get("/api/ledger/export.zip").getvalue()
    assert unpack(again) == unpack(archive)
    assert Receipt.objects.owned_by(user).count() == 3  # alice's ledger is untouched
    for receipt in Receipt.objects.owned_by(other_user):
        download = other_api.get(f"/api/receipts/{receipt.pk}/download/")
        assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == receipt.sha256


def test_archive_import_from_a_temporary_upload_file(api, other_api, settings, with_real_receipts):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file
    archive = api.get("/api/ledger/export.zip").getvalue()

    response = post_archive(other_api, archive)

    assert response.status_code == 201, response.json()
    assert unpack(other_api.get("/api/ledger/export.zip").getvalue()) == unpack(archive)


def test_restoring_your_archive_needs_replace(api, user, with_real_receipts):
    archive = api.get("/api/ledger/export.zip").getvalue()
    refused = post_archive(api, archive)
    assert refused.status_code == 400
    assert any("you already have a home" in e for e in refused.json()["errors"])

    response = post_archive(api, archive, "?replace=1")

    assert response.status_code == 201, response.json()
    assert response.json()["replaced"] is True
    assert unpack(api.get("/api/ledger/export.zip").getvalue()) == unpack(archive)


def test_a_refused_archive_is_400_and_changes_nothing(api, other_api, user, with_real_receipts):
    members = unpack(api.get("/api/ledger/export.zip").getvalue())
    pdf_name = f"receipts/{hashlib.sha256(PDF).hexdigest()}.pdf"
    members[pdf_name] = elf_bytes()  # an executable in the receipt's place
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        archive.writestr("../../escape.pdf", PDF)
    counts = (Home.objects.count(), Bill.objects.count(), Receipt.objects.count())
    files = stored_files()

    response = post_archive(other_api, buffer.getvalue())

    assert response.status_code == 400
    assert response.json()["errors"] == [
        '"../../escape.pdf": refused, the archive holds a path that goes up with ".."'
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    response = post_archive(other_api, buffer.getvalue())
    assert response.status_code == 400
    assert response.json()["errors"] == [
        f"bills[1].receipts[0].file: {pdf_name}: A receipt must be a PDF, PNG, JPEG, WebP or "
        f"HEIC file; this is application/x-executable."
    ]
    assert (Home.objects.count(), Bill.objects.count(), Receipt.objects.count()) == counts
    assert stored_files() == files


def test_an_archive_with_without_receipts_is_400(api, other_api, ledger):
    archive = api.get("/api/ledger/export.zip").getvalue()
    response = post_archive(other_api, archive, "?without_receipts=1")
    assert response.status_code == 400
    assert response.json()["errors"][0].startswith("without_receipts: the file is a ledger archive")


def test_a_file_that_looks_like_a_zip_but_is_not_is_400(other_api):
    response = post_archive(other_api, b"PK\x03\x04 and then nothing")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "The file is not a readable ZIP archive; export the ledger archive again."
    ]
