"""Streamed exports: the ledger file, the archive and the bills CSV are written as the ledger is
read, byte for byte what the in-memory export gives, in a fixed number of queries that bind no
parameter per bill, and in memory that does not grow with the bills. (Big ledgers: make bench.)"""

import datetime as dt
import hashlib
import io
import json
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.http import StreamingHttpResponse
from rest_framework.test import APIClient

from ledger import ledger_stream
from ledger.ledger_archive import (
    LEDGER_JSON,
    RECEIPTS_FOLDER,
    _entry,
    ledger_archive_export,
)
from ledger.ledger_file import ledger_export, ledger_export_with_receipts
from ledger.ledger_stream import LedgerFileStats, ledger_file_chunks
from ledger.models import Bill, OwnedQuerySet, Receipt
from ledger.resources import BillResource
from ledger.services import RECEIPT_TYPES, receipt_create
from tests.api.conftest import pdf_bytes, png_bytes
from tests.factories import BillFactory, HomeFactory
from tests.ledger.test_ledger_file import build_full_ledger

pytestmark = pytest.mark.django_db

# Payees that sort differently by code point, by locale and by letter case, with what JSON and
# CSV must escape.
PAYEES = ["Zeta", "alpha", "Alpha", "Émile", "Ω Utility", "Ünïcode", 'Quote "me"', "tab\there"]


def rich_ledger(owner):
    elm, harbor = build_full_ledger(owner)
    day = dt.date(2024, 4, 1)
    for n, payee in enumerate(PAYEES):
        for amount in ("10.00", "9.99", "100.00"):
            BillFactory(
                home=elm if n % 2 else harbor,
                paid_on=day,
                payee=payee,
                amount=Decimal(amount),
                note="two\nlines, \u2028 and 🙂" if n % 3 == 0 else "",
            )
    BillFactory(home=elm, paid_on=day, payee="Zeta", amount=Decimal("10.00"))  # a full tie
    BillFactory(home=elm, paid_on=day, payee="Refund", kind=Bill.Kind.REFUND)
    bills = list(Bill.objects.filter(owner=owner).order_by("id"))
    for n, bill in enumerate(bills[::4]):
        receipt_create(bill=bill, file=ContentFile(pdf_bytes(f"receipt {n}"), name="r.pdf"))
    # Two receipts on one bill, and one file two bills share.
    receipt_create(bill=bills[0], file=ContentFile(png_bytes(), name="b.png"))
    receipt_create(bill=bills[2], file=ContentFile(png_bytes(), name="a.png"), allow_duplicate=True)
    return elm, harbor


def streamed(owner, **kwargs) -> str:
    return "".join(ledger_file_chunks(owner=owner, **kwargs))


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_the_streamed_file_is_the_in_memory_files_bytes(user, other_user, ensure_ascii):
    rich_ledger(user)
    build_full_ledger(other_user)
    stats = LedgerFileStats()

    text = streamed(user, ensure_ascii=ensure_ascii, stats=stats)

    document = ledger_export(owner=user)
    assert text == json.dumps(document, indent=2, ensure_ascii=ensure_ascii)
    assert stats == LedgerFileStats(
        homes=len(document["homes"]),
        bills=len(document["bills"]),
        receipts=sum(len(bill.get("receipts", [])) for bill in document["bills"]),
        tax_years=len(document["tax_years"]),
    )


def test_an_empty_ledger_streams_as_it_dumps(user):
    assert streamed(user) == json.dumps(ledger_export(owner=user), indent=2)


def test_the_command_and_the_api_write_the_same_bytes_as_before(user, tmp_path):
    rich_ledger(user)
    document = ledger_export(owner=user)
    out = io.StringIO()
    call_command("export_ledger", "--user", user.username, stdout=out)
    assert out.getvalue() == json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    target = tmp_path / "ledger.json"
    call_command("export_ledger", "--user", user.username, "--output", str(target), stdout=out)
    assert target.read_text(encoding="utf-8") == out.getvalue().split("Wrote")[0]
    assert not list(tmp_path.glob(".*partial"))

    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/ledger/export/")
    assert isinstance(response, StreamingHttpResponse)
    assert response.getvalue() == json.dumps(document, indent=2).encode()


def _archive_as_before(owner) -> bytes:
    """The archive as the export made it in memory before it streamed (ee039b2)."""
    document, listed = ledger_export_with_receipts(owner=owner)
    members = {}
    for _path, entry, receipt in listed:
        with receipt.file.open("rb") as handle:
            content = handle.read()
        sha256 = hashlib.sha256(content).hexdigest()
        extension = RECEIPT_TYPES.get(receipt.content_type, "bin")
        entry.update(
            file=f"{RECEIPTS_FOLDER}{sha256}.{extension}", sha256=sha256, size=len(content)
        )
        members.setdefault(entry["file"], content)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        archive.writestr(_entry(LEDGER_JSON, zipfile.ZIP_DEFLATED), text.encode("utf-8"))
        for member, content in members.items():
            archive.writestr(_entry(member, zipfile.ZIP_STORED), content)
    return buffer.getvalue()


def test_the_archive_is_the_in_memory_archives_bytes(user, tmp_path):
    rich_ledger(user)
    expected = _archive_as_before(user)

    assert ledger_archive_export(owner=user) == expected

    target = tmp_path / "ledger.zip"
    out = io.StringIO()
    call_command("export_ledger", "--user", user.username, "--archive", str(target), stdout=out)
    assert target.read_bytes() == expected
    assert "bills" in out.getvalue() and "receipt" in out.getvalue()
    api = APIClient()
    api.force_authenticate(user)
    assert api.get("/api/ledger/export.zip").getvalue() == expected


def test_the_bills_csv_streams_the_exports_bytes(user):
    rich_ledger(user)
    resource = BillResource(owner=user)
    queryset = Bill.objects.owned_by(user).select_related("home").order_by("-paid_on", "-id")
    expected = resource.export(queryset=queryset).csv

    assert "".join(BillResource(owner=user).csv_chunks(queryset)) == expected

    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/bills/export.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response.getvalue().decode() == expected


class _Queries:
    """Every query's SQL and number of parameters."""

    def __init__(self):
        self.seen: list[tuple[str, int]] = []

    def __call__(self, execute, sql, params, many, context):
        self.seen.append((sql, len(params or ())))
        return execute(sql, params, many, context)


def _bulk_bills(home, count: int, *, receipt_every: int = 7):
    bills = Bill.objects.bulk_create(
        Bill(
            owner=home.owner,
            home=home,
            paid_on=dt.date(2024, 1, 1) + dt.timedelta(days=n % 366),
            tax_year=(dt.date(2024, 1, 1) + dt.timedelta(days=n % 366)).year,
            payee=PAYEES[n % len(PAYEES)],
            category=Bill.Category.UTILITIES,
            amount=Decimal(n % 50) + Decimal("0.25"),
            note="x" * (n % 40),
        )
        for n in range(count)
    )
    if bills and bills[0].pk is None:
        bills = list(Bill.objects.filter(owner=home.owner).order_by("id"))
    sha = hashlib.sha256(b"x").hexdigest()
    Receipt.objects.bulk_create(
        Receipt(
            owner=home.owner,
            bill=bill,
            file=f"{home.owner_id}/{sha[:2]}/{sha}",
            original_name="r.pdf",
            size=1,
            content_type="application/pdf",
            sha256=sha,
        )
        for bill in bills[::receipt_every]
    )


def _export_queries(owner) -> list[tuple[str, int]]:
    queries = _Queries()
    with connection.execute_wrapper(queries):
        for _text in ledger_file_chunks(owner=owner):
            pass
        resource = BillResource(owner=owner)
        for _text in resource.csv_chunks(resource.get_queryset().order_by("-paid_on", "-id")):
            pass
    return queries.seen


def test_exports_run_the_same_queries_whatever_the_bills_and_bind_none_per_bill(
    user, other_user, monkeypatch
):
    monkeypatch.setattr(ledger_stream, "CHUNK_SIZE", 50)
    _bulk_bills(HomeFactory(owner=user, key="elm"), 20)
    _bulk_bills(HomeFactory(owner=other_user, key="elm"), 600)
    small = _export_queries(user)
    large = _export_queries(other_user)

    # PostgreSQL's server-side cursors fetch chunk by chunk (FETCH ...); the statements that
    # read are the same.
    def statements(seen):
        return [sql for sql, _ in seen if not sql.startswith(("FETCH", "CLOSE"))]

    assert len(statements(large)) == len(statements(small))
    assert max(params for _, params in large) <= 6  # the owner, the chunk size: never a list


def test_the_streamed_export_holds_a_chunk_not_the_ledger(user, other_user, monkeypatch):
    monkeypatch.setattr(ledger_stream, "CHUNK_SIZE", 100)
    monkeypatch.setattr(ledger_stream, "TEXT_CHUNK", 8 * 1024)
    _bulk_bills(HomeFactory(owner=user, key="elm"), 300)
    _bulk_bills(HomeFactory(owner=other_user, key="elm"), 3000)

    def peak(owner) -> int:
        tracemalloc.start()
        try:
            for _text in ledger_file_chunks(owner=owner):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(user)  # warm: the first run loads code and caches
    small, large = peak(user), peak(other_user)
    # Ten times the bills, about the same memory (the in-memory export grows ~10x).
    assert large < small * 1.5, (small, large)


def test_a_receipt_added_between_the_two_reads_does_not_shift_the_others(user, monkeypatch):
    home = HomeFactory(owner=user, key="elm")
    BillFactory(home=home, paid_on=dt.date(2024, 1, 1), payee="A")
    later = BillFactory(home=home, paid_on=dt.date(2024, 3, 1), payee="C")
    receipt_create(bill=later, file=ContentFile(pdf_bytes("later"), name="later.pdf"))
    # A receipt whose bill the bills' read does not see (made after it, say).
    hidden = BillFactory(home=home, paid_on=dt.date(2024, 2, 1), payee="B")
    receipt_create(bill=hidden, file=ContentFile(pdf_bytes("hidden"), name="hidden.pdf"))
    original = OwnedQuerySet.owned_by

    def without_hidden(self, owner):
        found = original(self, owner)
        return found.exclude(pk=hidden.pk) if self.model is Bill else found

    monkeypatch.setattr(OwnedQuerySet, "owned_by", without_hidden)

    bills = json.loads(streamed(user))["bills"]

    assert [(b["payee"], len(b.get("receipts", []))) for b in bills] == [("A", 0), ("C", 1)]
    assert bills[1]["receipts"][0]["name"] == "later.pdf"
