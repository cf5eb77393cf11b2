"""The admin's CSV import: the API's size limit, and the pending upload kept on the server
under a token (never echoed in the page) between the preview and the confirmation."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.bill_import import CSV_MAX_BYTES
from ledger.models import Bill
from tests.factories import HomeFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/ledger/bill/import/"
CSV = (
    "home,paid_on,payee,category,amount\n"
    "elm,2024-01-15,City Power,utilities,180.00\n"
    "elm,2024-02-15,City Power Feb,utilities,181.00\n"
)


@pytest.fixture
def alice(db):
    user = UserFactory(username="alice")
    HomeFactory(owner=user, name="Elm", key="elm")
    return user


def preview(client, text=CSV):
    upload = SimpleUploadedFile("bills.csv", text.encode(), content_type="text/csv")
    return client.post(URL, {"file": upload, "preview": "Preview"})


def token_of(page: str) -> str:
    marker = 'name="token" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_the_preview_keeps_the_upload_on_the_server_and_the_page_carries_a_token(client, alice):
    client.force_login(alice)
    page = preview(client).content.decode()
    assert "Preview (dry run" in page and "City Power Feb" in page
    assert 'name="data"' not in page
    assert "elm,2024-01-15,City Power" not in page  # the file itself is not in the page
    token = token_of(page)
    assert len(token) >= 20
    assert not Bill.objects.exists()

    response = client.post(URL, {"token": token, "confirm": "Import these bills"})
    assert response.status_code == 302
    assert sorted(Bill.objects.values_list("paid_on", flat=True)) == [
        dt.date(2024, 1, 15),
        dt.date(2024, 2, 15),
    ]
    # A token is good once.
    again = client.post(URL, {"token": token, "confirm": "Import these bills"})
    assert "expired or was imported already" in again.content.decode()
    assert Bill.objects.count() == 2


def test_a_token_is_the_users_own(client, alice):
    client.force_login(alice)
    token = token_of(preview(client).content.decode())
    mallory = UserFactory(username="mallory")
    client.force_login(mallory)
    response = client.post(URL, {"token": token, "confirm": "Import these bills"})
    assert "expired or was imported already" in response.content.decode()
    assert not Bill.objects.exists()


def test_a_file_above_the_apis_limit_is_refused(client, alice, monkeypatch):
    monkeypatch.setattr("interface.admin_ledger.CSV_MAX_BYTES", 50)
    client.force_login(alice)
    page = preview(client).content.decode()
    assert "bytes; the limit is 50 bytes" in page
    assert "Preview (dry run" not in page


def test_a_body_far_above_the_limit_is_413_before_it_is_read(client, alice):
    client.force_login(alice)
    big = "x" * (CSV_MAX_BYTES + 200 * 1024)
    response = preview(client, big)
    assert response.status_code == 413
    assert f"the limit is {CSV_MAX_BYTES + 64 * 1024:,} bytes" in response.content.decode()
