"""The ledger file written as it is read: the same bytes as `json.dumps(ledger_export(...),
indent=2)`, in memory that does not grow with the ledger.

The bills are read from the database in the file's order (the order `ledger_export` sorts them
in: paid date, payee by code point, amount, id) through two cursors read in chunks
(`iterator(chunk_size=...)`, server-side on PostgreSQL): the bills, and the owner's receipts in
their bills' order, merged as they come. No query binds a parameter per bill, and the number of
queries is the same for ten bills or a million. Each bill is read as a row of its columns, not a
model, and made into its file entry by the ledger file's own `export_bill_row` (its fields are the
file's field lists), then into JSON text.
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
    BILL_ROW,
    FORMAT,
    TOP_FIELDS,
    Path,
    export_bill_row,
    export_businesses,
    export_homes,
    export_tax_years,
)
from ledger.models import Bill, Home, OfficeArea, Receipt

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


def bill_entries_in_file_order(*, owner) -> Iterator[tuple[dict, list[tuple[Path, dict, Receipt]]]]:
    """The owner's bills in the ledger file's order, each as its file entry and the receipts it
    lists (path, entry, Receipt), read in chunks: the same queries whatever the number of bills
    (the bills, their receipts, and each table bills refer to).

    The bills are read as rows (`BILL_ROW`), not models: a model made per bill was most of an
    export's time. Their homes and office areas are few and read once, by id."""
    home_keys = dict(Home.objects.owned_by(owner).values_list("id", "key"))
    area_names = dict(OfficeArea.objects.owned_by(owner).values_list("id", "name"))
    rows = (
        Bill.objects.owned_by(owner)
        .order_by("paid_on", _by_code_point("payee"), "amount", "id")
        .values_list(*BILL_ROW)
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
    home, paid_on, payee, amount = (
        BILL_ROW.index(name) for name in ("home_id", "paid_on", "payee", "amount")
    )
    pending = next(receipts, None)
    for index, row in enumerate(rows):
        *_, area_id, bill_id = row
        own = []
        if pending is not None:
            key = (row[paid_on], row[payee], row[amount], bill_id)
            # Receipts of a bill the bills' read did not see (written in between) are passed
            # over.
            while pending is not None and pending.bill_id != bill_id and _key(pending) < key:
                pending = next(receipts, None)
            while pending is not None and pending.bill_id == bill_id:
                own.append(pending)
                pending = next(receipts, None)
        home_id = row[home]
        home_key = home_keys.get(home_id)
        if home_key is None:  # a home written in between
            home_key = Home.objects.get(pk=home_id).key
        area_name = None
        if area_id is not None:
            area_name = area_names.get(area_id)
            if area_name is None:  # an office area written in between
                area_name = OfficeArea.objects.get(pk=area_id).name
        listed: list[tuple[Path, dict, Receipt]] = []
        entry = export_bill_row(
            row,
            home_key=home_key,
            area_name=area_name,
            receipts=own,
            index=index,
            listed=listed,
        )
        yield entry, listed


def _key(receipt: Receipt) -> tuple:
    """The receipt's bill's place in the file's order."""
    return (receipt.bill_paid_on, receipt.bill_payee, receipt.bill_amount, receipt.bill_id)


def _text(value, level: int, ensure_ascii: bool) -> str:
    """`value` as json.dumps(indent=2, ensure_ascii=...) writes it `level` levels deep in a
    document, with the json module's own (C) encoders for strings and numbers: the pure-Python
    encoder json.dumps falls back on with `indent` is most of an export's time."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        string = _STRING[ensure_ascii]
        keys = _KEYS.setdefault((level, ensure_ascii), {})
        items = []
        for key, item in value.items():
            start = keys.get(key)
            if start is None:  # a key's text, made once per key and depth
                start = keys[key] = "\n" + INDENT * (level + 1) + string(key) + ": "
            # The strings and nulls most values are, written here rather than by a call each.
            if item.__class__ is str:
                items.append(start + string(item))
            elif item is None:
                items.append(start + "null")
            else:
                items.append(start + _text(item, level + 1, ensure_ascii))
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
# (depth, ensure_ascii) -> a dict's key -> its text: "\n", the indent, the key and ": ".
_KEYS: dict[tuple[int, bool], dict[str, str]] = {}


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
    for entry, listed in bill_entries_in_file_order(owner=owner):
        if on_bill is not None:
            on_bill(entry, listed)
        stats.bills += 1
        stats.receipts += len(listed)
        yield entry
