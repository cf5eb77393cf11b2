"""Receipts: upload checked by content and size, SHA-256, duplicates, safe downloads, delete."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from ledger.models import Receipt
from tests.api.conftest import elf_bytes, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


def upload(api, bill, content: bytes, name: str, content_type: str = "application/octet-stream"):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return api.post("/api/receipts/", {"bill": bill.pk, "file": file}, format="multipart")


@pytest.mark.parametrize(
    ("make", "name", "content_type"),
    [(pdf_bytes, "power bill.pdf", "application/pdf"), (png_bytes, "photo.png", "image/png")],
)
def test_upload_a_real_file(make, name, content_type, api, ledger):
    content = make()
    response = upload(api, ledger["bill"], content, name)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["content_type"] == content_type
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["original_name"] == name
    assert body["download_url"] == f"/api/receipts/{body['id']}/download/"
    assert "file" not in body  # the storage path never leaves the server
    receipt = Receipt.objects.get(pk=body["id"])
    assert receipt.owner == ledger["bill"].owner
    assert receipt.file.read() == content


def test_the_type_comes_from_the_content_not_the_name(api, ledger):
    response = upload(api, ledger["bill"], png_bytes(), "scan.pdf", "application/pdf")
    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"
    assert response.json()["original_name"] == "scan.png"


def test_a_renamed_executable_is_refused(api, ledger):
    before = Receipt.objects.count()
    response = upload(api, ledger["bill"], elf_bytes(), "receipt.pdf", "application/pdf")
    assert response.status_code == 400
    assert "must be a PDF, PNG, JPEG, WebP or HEIC" in response.json()["file"][0]
    assert Receipt.objects.count() == before


def test_an_html_page_is_refused(api, ledger):
    page = b"<html><script>alert(1)</script></html>"
    response = upload(api, ledger["bill"], page, "receipt.pdf")
    assert response.status_code == 400
    assert "file" in response.json()


def test_an_oversize_file_is_refused(api, ledger):
    with override_settings(RECEIPT_MAX_BYTES=1000):
        response = upload(api, ledger["bill"], pdf_bytes("x" * 2000) + b" " * 1000, "big.pdf")
    assert response.status_code == 400
    assert "the limit is 1,000 bytes" in response.json()["file"][0]


def test_an_empty_file_is_refused(api, ledger):
    response = upload(api, ledger["bill"], b"", "empty.pdf")
    assert response.status_code == 400
    assert "file" in response.json()


@pytest.mark.parametrize("body", [{}, {"bill": "x"}, {"file": "not a file"}])
def test_missing_or_wrong_fields_are_400(body, api, ledger):
    response = api.post("/api/receipts/", body, format="multipart")
    assert response.status_code == 400


def test_a_duplicate_is_409_naming_the_stored_receipt(api, ledger):
    content = pdf_bytes("June power bill")
    first = upload(api, ledger["bill"], content, "june.pdf").json()
    again = upload(api, ledger["bills"][1], content, "june-copy.pdf")
    assert again.status_code == 409
    assert again.json()["existing_receipt"] == first["id"]
    assert f"receipt {first['id']}" in again.json()["file"][0]
    assert Receipt.objects.filter(sha256=first["sha256"]).count() == 1


def test_another_users_same_file_is_not_a_duplicate(api, other_api, ledger, other_ledger):
    content = pdf_bytes("Shared template")
    assert upload(api, ledger["bill"], content, "a.pdf").status_code == 201
    assert upload(other_api, other_ledger["bill"], content, "b.pdf").status_code == 201


def test_download_is_an_attachment_with_its_checked_type(api, ledger):
    content = pdf_bytes()
    created = upload(api, ledger["bill"], content, '../../etc/"evil"\r\nname.pdf').json()
    response = api.get(created["download_url"], HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition and "\r" not in disposition and "\n" not in disposition
    assert b"".join(response.streaming_content) == content


def test_receipts_cannot_be_edited(api, ledger):
    receipt = ledger["receipt"]
    assert api.patch(f"/api/receipts/{receipt.pk}/", {}, format="json").status_code == 405
    assert api.put(f"/api/receipts/{receipt.pk}/", {}, format="json").status_code == 405


def test_delete_removes_the_row_and_the_file(api, ledger, django_capture_on_commit_callbacks):
    created = upload(api, ledger["bill"], pdf_bytes(), "a.pdf").json()
    receipt = Receipt.objects.get(pk=created["id"])
    storage, name = receipt.file.storage, receipt.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"/api/receipts/{receipt.pk}/")
    assert response.status_code == 204
    assert not Receipt.objects.filter(pk=receipt.pk).exists()
    assert not storage.exists(name)


def test_bill_lists_its_receipts_and_filters_by_them(api, ledger):
    bill = ledger["bill"]
    body = api.get(f"/api/bills/{bill.pk}/").json()
    assert body["receipts"] == [ledger["receipt"].pk]
    listed = api.get(f"/api/receipts/?bill={bill.pk}").json()["results"]
    assert [r["id"] for r in listed] == [ledger["receipt"].pk]


def test_an_upload_far_above_the_limit_is_refused_before_it_is_read(api, ledger):
    with override_settings(RECEIPT_MAX_BYTES=1000):
        response = upload(api, ledger["bill"], pdf_bytes() + b" " * 100_000, "huge.pdf")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert "the limit is 1,000 bytes" in response.json()["file"][0]
    assert Receipt.objects.count() == 1


def test_a_receipt_whose_file_is_gone_is_404(api, ledger):
    receipt = ledger["receipt"]
    receipt.file.storage.delete(receipt.file.name)
    response = api.get(f"/api/receipts/{receipt.pk}/download/")
    assert response.status_code == 404
    assert "missing" in response.json()["detail"]
