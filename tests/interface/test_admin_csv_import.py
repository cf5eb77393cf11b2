"""The admin's CSV import: the API's size limit, and the pending upload kept on the server
under a token (never echoed in the page) between the preview and the confirmation."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, connections
from simple_history.models import HistoricalRecords

from forms8829.filing import tax_year_file
from forms8829.models import ComputedForm
from ledger.bill_import import CSV_MAX_BYTES
from ledger.models import Bill, Home, TaxYear
from review.links import review_url
from tests.factories import (
    HomeFactory,
    OfficeAreaFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/admin/ledger/bill/import/"
CHANGELIST = "/admin/ledger/bill/"
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
    assert "Imported 2 bill(s)." in "".join(read(response))
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


# --- The confirmed import, streamed: its progress, then its result ------------------------------
# (interface.admin_import_stream; batches of 100 rows here, so a file of 250 runs three)


def bills_text(count: int, year: int = 2024) -> str:
    lines = [
        f"elm,{year}-{1 + i % 12:02d}-{1 + i % 28:02d},Payee {i},utilities,{i + 1}"
        for i in range(count)
    ]
    return "home,paid_on,payee,category,amount\n" + "\n".join(lines) + "\n"


def confirm(client, text: str):
    """Preview `text`, then confirm it: the streamed response, not yet read."""
    response = client.post(
        URL, {"token": token_of(preview(client, text).content.decode()), "confirm": "1"}
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/html; charset=utf-8"
    return response


def read(response) -> list[str]:
    return [chunk.decode() for chunk in response.streaming_content]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr("ledger.progress.BATCH", 100)


@pytest.fixture
def alice_2024(alice):
    """Alice's home in use in 2024 (an office area, the year), so an import stores a form."""
    home = Home.objects.get(owner=alice)
    OfficeAreaFactory(home=home)
    TaxYearHomeFactory(tax_year=TaxYearFactory(owner=alice, year=2024), home=home)
    return alice


def test_the_confirmation_streams_each_step_then_the_result(client, alice_2024, small_batches):
    client.force_login(alice_2024)
    response = confirm(client, bills_text(250))
    assert not Bill.objects.exists()  # the import runs as the page is sent, not before

    chunks = read(response)

    head, *lines, result, tail = chunks
    assert "<h1>Importing bills (CSV)</h1>" in head and head.endswith('<ul id="import-progress">\n')
    assert lines == [
        '<li><progress value="100" max="250"></progress> reading bills: 100 / 250</li>\n',
        '<li><progress value="200" max="250"></progress> reading bills: 200 / 250</li>\n',
        '<li><progress value="100" max="250"></progress> checking bills: 100 / 250</li>\n',
        '<li><progress value="200" max="250"></progress> checking bills: 200 / 250</li>\n',
        '<li><progress value="100" max="250"></progress> bills: 100 / 250</li>\n',
        '<li><progress value="200" max="250"></progress> bills: 200 / 250</li>\n',
        '<li><progress value="250" max="250"></progress> bills: 250 / 250</li>\n',
        '<li><progress value="1" max="1"></progress> forms: 1 / 1</li>\n',
    ]
    assert result.startswith("</ul>") and "Imported 250 bill(s)." in result
    assert f'<a href="{CHANGELIST}">Back to the bills</a>' in result
    assert tail.rstrip().endswith("</html>")
    assert Bill.objects.filter(owner=alice_2024).count() == 250
    assert "<script" not in "".join([*lines, result])  # the CSP allows no inline script


def test_a_short_file_has_the_same_page(client, alice):
    client.force_login(alice)
    page = "".join(read(confirm(client, CSV)))
    assert "bills: 2 / 2</li>" in page  # one batch: the bills inserted, no reading told
    assert "reading bills" not in page and "forms:" not in page  # no tax year: no form
    assert "Imported 2 bill(s)." in page
    assert Bill.objects.count() == 2


def test_the_history_rows_carry_the_user_who_imported(client, alice, monkeypatch):
    from interface import admin_import_stream

    seen = []
    real = admin_import_stream.bills_csv_import

    def spy(**kwargs):
        seen.append(HistoricalRecords.context.request.user)
        return real(**kwargs)

    monkeypatch.setattr(admin_import_stream, "bills_csv_import", spy)
    client.force_login(alice)
    response = confirm(client, CSV)
    assert not hasattr(HistoricalRecords.context, "request")  # the middleware has returned
    read(response)

    assert seen == [alice]  # set again for the import, in the generator
    assert not hasattr(HistoricalRecords.context, "request")  # and removed after
    assert set(Bill.history.values_list("history_type", "history_user")) == {("+", alice.pk)}
    assert Bill.history.count() == 2


def test_a_database_error_in_a_late_batch_shows_on_the_page_and_saves_nothing(
    client, alice_2024, small_batches, monkeypatch, caplog
):
    from ledger import bill_import

    client.force_login(alice_2024)
    token = token_of(preview(client, bills_text(250)).content.decode())
    inserted = []
    real = bill_import.bulk_create_with_history

    def third_batch_fails(batch, *args, **kwargs):
        inserted.append(len(batch))
        if len(inserted) == 3:
            raise OperationalError("disk I/O error")
        return real(batch, *args, **kwargs)

    monkeypatch.setattr(bill_import, "bulk_create_with_history", third_batch_fails)
    forms = list(ComputedForm.objects.values_list("pk", "output"))
    savepoints = list(connection.savepoint_ids)  # the test's own

    page = "".join(read(client.post(URL, {"token": token, "confirm": "1"})))

    assert inserted == [100, 100, 50]
    assert "bills: 200 / 250</li>" in page and "bills: 250 / 250" not in page
    assert "Nothing was imported: the import failed (the error is logged)" in page
    assert "Imported" not in page and page.rstrip().endswith("</html>")
    assert "disk I/O error" in caplog.text
    assert not Bill.objects.exists() and not Bill.history.exists()
    assert list(ComputedForm.objects.values_list("pk", "output")) == forms
    assert connection.savepoint_ids == savepoints  # the import's transaction: rolled back


def test_a_year_filed_between_preview_and_confirmation_refuses_it_on_the_page(
    client, alice_2024, small_batches
):
    client.force_login(alice_2024)
    text = bills_text(250)
    token = token_of(preview(client, text).content.decode())
    tax_year = TaxYear.objects.get(owner=alice_2024, year=2024)
    tax_year_file(tax_year=tax_year)  # in another tab, after the preview

    response = client.post(URL, {"token": token, "confirm": "1"})
    page = "".join(read(response))

    assert "bills: 250 / 250</li>" in page  # every batch written, then refused at the end
    assert "Nothing was imported: Tax year 2024 is filed" in page
    assert f'<a href="{review_url(tax_year.pk)}">' in page
    assert not Bill.objects.exists() and not Bill.history.exists()


def test_a_page_left_before_the_end_saves_nothing(client, alice_2024, small_batches, monkeypatch):
    client.force_login(alice_2024)
    response = confirm(client, bills_text(250))
    savepoints = list(connection.savepoint_ids)  # the test's own
    chunks = iter(response.streaming_content)
    next(chunks)  # the head
    assert b"reading bills: 100 / 250" in next(chunks)

    # The client went away: the server closes the response. (Django then closes the connection
    # too, which here holds the test's transaction: kept open, to look at what is left.)
    with monkeypatch.context() as patched:
        patched.setattr(connections["default"], "close_if_unusable_or_obsolete", lambda: None)
        response.close()

    assert not Bill.objects.exists() and not Bill.history.exists()
    # The import's transaction is rolled back, not left open; the connection serves on.
    assert connection.savepoint_ids == savepoints
    assert "reading bills" in "".join(read(confirm(client, bills_text(250))))
    assert Bill.objects.count() == 250
