"""The ledger file written as it is read: the same bytes as `json.dumps(ledger_export(...),
indent=2)`, in memory that does not grow with the ledger.

The bills are read from the database in the file's order (the order `ledger_export` sorts them
in: paid date, payee by code point, amount, id) through two cursors read in chunks
(`iterator(chunk_size=...)`, server-side on PostgreSQL): the bills, and the owner's receipts in
their bills' order, merged as they come. No query binds a parameter per bill, and the number of
queries is the same for ten bills or a million. Each bill is made into its file entry by the
ledger file's own `export_bill` (its fields are the file's field lists), then into JSON text.
Businesses, homes and tax years are few and read whole (`export_businesses`, `export_homes`,
`export_tax_years`).

`ledger_file_chunks` yields the text; `LedgerFileStats` counts what was written. The archive
(`ledger.ledger_archive`) and the doors (`export_ledger`, `GET /api/ledger/export/`) use it.

No tax arithmetic here; must not import the `forms8829` engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring, encode_basestring_ascii

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate

from ledger.ledger_file import (
    FORMAT,
    TOP_FIELDS,
    Path,
    export_bill,
    export_businesses,
    export_homes,
    export_tax_years,
)
from ledger.models import Bill, Owned, Receipt

# Rows fetched per round trip; also the most rows held in memory at once.
CHUNK_SIZE = 2_000
# Text handed on at a time (a write, a chunk of an HTTP response).
TEXT_CHUNK = 64 * 1024
INDENT = "  "


@dataclass
class LedgerFileStats:
    """What a streamed ledger file holds, counted as it is written."""

    homes: int = 0
    bills: int = 0
    receipts: int = 0
    tax_years: int = 0


def _by_code_point(name: str):
    """A text column ordered as Python orders str (by code point), on every database: UTF-8's
    byte order is code point order; SQLite compares bytes (BINARY) unless told otherwise."""
    if connection.vendor == "postgresql":
        return Collate(name, "C")
    return F(name)


def bills_in_file_order(*, owner):
    """The owner's bills in the ledger file's order, each with the records it refers to and its
    receipts loaded, read in chunks: the same queries whatever the number of bills (the bills,
    their receipts, and each table bills refer to)."""
    references = _bill_references(owner)
    bills = (
        Bill.objects.owned_by(owner)
        .order_by("paid_on", _by_code_point("payee"), "amount", "id")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    receipts = (
        Receipt.objects.owned_by(owner)
        .annotate(
            bill_paid_on=F("bill__paid_on"),
            bill_payee=F("bill__payee"),
            bill_amount=F("bill__amount"),
        )
        .order_by("bill__paid_on", _by_code_point("bill__payee"), "bill__amount", "bill_id", "id")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    receipts_cache = Receipt._meta.get_field("bill").remote_field.cache_name
    no_receipts = _receipts_loaded([])  # shared by the bills without one: never changed
    pending = next(receipts, None)
    for bill in bills:
        own = []
        # Receipts of a bill the bills' read did not see (written in between) are passed over.
        while pending is not None and pending.bill_id != bill.pk and _before(pending, bill):
            pending = next(receipts, None)
        while pending is not None and pending.bill_id == bill.pk:
            own.append(pending)
            pending = next(receipts, None)
        for field, rows in references:
            row = rows.get(getattr(bill, field.attname))
            if row is not None:  # else read when asked (a row written in between)
                field.set_cached_value(bill, row)
        bill._prefetched_objects_cache = {
            receipts_cache: _receipts_loaded(own) if own else no_receipts
        }
        yield bill


def _bill_references(owner) -> list[tuple]:
    """The records a bill refers to (its home, its office area...) among the owner's, each
    table read once: they are few, and a bill's entry names them (`home`: the home's key)."""
    references = []
    for field in Bill._meta.get_fields():
        model = field.related_model
        if field.many_to_one and field.name != "owner" and issubclass(model, Owned):
            references.append((field, {row.pk: row for row in model.objects.owned_by(owner)}))
    return references


def _before(receipt: Receipt, bill: Bill) -> bool:
    """Whether the receipt's bill comes before `bill` in the file's order."""
    key = (receipt.bill_paid_on, receipt.bill_payee, receipt.bill_amount, receipt.bill_id)
    return key < (bill.paid_on, bill.payee, bill.amount, bill.pk)


def _receipts_loaded(receipts: list[Receipt]):
    """A queryset that answers `receipts` without a query, as prefetch_related leaves it."""
    queryset = Receipt.objects.none()
    queryset._result_cache = receipts
    queryset._prefetch_done = True
    return queryset


def _text(value, level: int, ensure_ascii: bool) -> str:
    """`value` as json.dumps(indent=2, ensure_ascii=...) writes it `level` levels deep in a
    document, with the json module's own (C) encoders for strings and numbers: the pure-Python
    encoder json.dumps falls back on with `indent` is most of an export's time."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "\n" + INDENT * (level + 1)
        string = _STRING[ensure_ascii]
        items = [
            pad + string(key) + ": " + _text(item, level + 1, ensure_ascii)
            for key, item in value.items()
        ]
        return "{" + ",".join(items) + "\n" + INDENT * level + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        pad = "\n" + INDENT * (level + 1)
        items = [pad + _text(item, level + 1, ensure_ascii) for item in value]
        return "[" + ",".join(items) + "\n" + INDENT * level + "]"
    if isinstance(value, str):
        return _STRING[ensure_ascii](value)
    if value is None:
        return "null"
    return json.dumps(value)  # numbers and booleans, as json writes them


_STRING = {True: encode_basestring_ascii, False: encode_basestring}


def ledger_file_chunks(
    *,
    owner,
    ensure_ascii: bool = False,
    stats: LedgerFileStats | None = None,
    on_bill: Callable[[dict, list[tuple[Path, dict, Receipt]]], None] | None = None,
) -> Iterator[str]:
    """The owner's ledger file as text, chunk by chunk: exactly
    `json.dumps(ledger_export(owner=owner), indent=2, ensure_ascii=ensure_ascii)` (no trailing
    newline). `stats`, if given, is filled in as the text is made. `on_bill(entry, listed)` is
    called with each bill's entry and the receipts it lists (path, entry, Receipt) before the
    entry is written, and may change the receipts' entries (the archive does)."""
    stats = stats if stats is not None else LedgerFileStats()
    parts = {
        "format": lambda: FORMAT,
        "businesses": lambda: export_businesses(owner=owner),
        "homes": lambda: export_homes(owner=owner),
        "bills": lambda: _bill_entries(owner, stats, on_bill),
        "tax_years": lambda: export_tax_years(owner=owner),
    }
    buffer: list[str] = []
    size = 0

    def put(text: str):
        nonlocal size
        buffer.append(text)
        size += len(text)

    put("{")
    for n, name in enumerate(TOP_FIELDS):
        put(("\n" if n == 0 else ",\n") + INDENT + json.dumps(name) + ": ")
        value = parts[name]()
        if isinstance(value, str | int | float | bool | dict) or value is None:
            put(_text(value, 1, ensure_ascii))
            continue
        count = 0
        for item in value:
            put(("[\n" if count == 0 else ",\n") + INDENT * 2 + _text(item, 2, ensure_ascii))
            count += 1
            if size >= TEXT_CHUNK:
                yield "".join(buffer)
                buffer.clear()
                size = 0
        put("\n" + INDENT + "]" if count else "[]")
        if name == "homes":
            stats.homes = count
        elif name == "tax_years":
            stats.tax_years = count
    put("\n}")
    yield "".join(buffer)


def _bill_entries(owner, stats: LedgerFileStats, on_bill) -> Iterator[dict]:
    for index, bill in enumerate(bills_in_file_order(owner=owner)):
        listed: list[tuple[Path, dict, Receipt]] = []
        entry = export_bill(bill, index, listed)
        if on_bill is not None:
            on_bill(entry, listed)
        stats.bills += 1
        stats.receipts += len(listed)
        yield entry
