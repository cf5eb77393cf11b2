"""Receipts in the admin: file names, sizes in MB, previews that open inline (owner-checked),
and a file already stored refused as the API refuses it."""

import pytest

from ledger.models import Receipt
from tests.factories import BillFactory, HomeFactory, ReceiptFactory

pytestmark = pytest.mark.django_db


def test_the_bill_page_names_and_previews_its_receipts(user, other_user, admin_client_for, client):
    receipt = ReceiptFactory(bill=BillFactory(home=HomeFactory(owner=user)))
    page = admin_client_for(user).get(f"/admin/ledger/bill/{receipt.bill.pk}/change/")
    text = page.content.decode()
    assert receipt.original_name in text and " MB" in text
    assert "sha256" not in text.lower().split("content-main")[1].replace(receipt.file.name, "")
    url = f"/receipts/{receipt.file.name}?inline=1"
    assert url in text
    opened = admin_client_for(user).get(url)
    assert opened.status_code == 200 and opened["Content-Disposition"].startswith("inline")
    client.force_login(other_user)
    assert client.get(url).status_code == 404


def test_the_same_file_twice_is_refused_in_the_admin_as_in_the_api(user, admin_client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    home = HomeFactory(owner=user)
    first, second = BillFactory(home=home), BillFactory(home=home, payee="Other")
    data = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    client = admin_client_for(user)

    def upload(bill):
        pdf = SimpleUploadedFile("power.pdf", data, content_type="application/pdf")
        return client.post("/admin/ledger/receipt/add/", {"bill": bill.pk, "file": pdf})

    assert upload(first).status_code == 302
    stored = Receipt.objects.get()
    response = upload(second)
    assert response.status_code == 200
    error = response.context["adminform"].form.errors["file"][0]
    assert error == (
        f"This file is already stored as receipt {stored.pk} ('power.pdf') of the bill {first}."
    )
    assert Receipt.objects.count() == 1


@pytest.mark.parametrize(
    "content_type, opens_inline",
    [
        ("application/pdf", True),
        ("image/png", True),
        ("image/heic", False),  # no browser shows it: a download
        ("text/html", False),  # never stored (checked by content); were it, never inline
        ("image/svg+xml", False),
        ("application/octet-stream", False),
    ],
)
def test_only_images_and_pdfs_open_inline_each_under_a_policy_that_runs_nothing(
    content_type, opens_inline, user, admin_client_for
):
    receipt = ReceiptFactory(
        bill=BillFactory(home=HomeFactory(owner=user)),
        content_type=content_type,
        original_name='../"power"\r\njan.pdf',
    )
    response = admin_client_for(user).get(f"/receipts/{receipt.file.name}?inline=1")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;" if opens_inline else "attachment;")
    assert not any(c in disposition for c in "/\r\n")
    policy = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert policy[0] == "default-src 'none'"
    assert {"frame-ancestors 'none'", "form-action 'none'", "base-uri 'none'"} <= set(policy)
    # Browsers' PDF viewers refuse a sandboxed document (tests/browser has the render); every
    # other receipt, inline or not, is a sandbox.
    pdf_inline = content_type == "application/pdf"
    assert ("sandbox" in policy) is not pdf_inline
    assert ("object-src 'self'" in policy) is pdf_inline
    # Downloaded, not opened, the PDF is a sandbox again.
    download = admin_client_for(user).get(f"/receipts/{receipt.file.name}")
    assert download["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download["Content-Security-Policy"]
