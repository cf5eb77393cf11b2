"""The ledger file (`homeoffice-ledger/1`): a user's whole ledger as one JSON document.

`ledger_export` reads a user's ledger into the file's shape (plain dicts, lists, strings, ints,
booleans and None, ready for `json.dumps`); `ledger_import` reads such a document back, all or
nothing; `ledger_file_parse` turns a file's bytes into that document the same way for every door
(the command, the API, the archive). The contract is docs/ledger-format.md: money and areas are
decimal strings (or JSON numbers, read as written), dates ISO `YYYY-MM-DD`, a missing or null
optional field means "not given".

Import reads every record through the record serializers (`ledger.serializers`, built on
`ledger.fields`: one reader per field for the API, this file and the CSV), then the models' own
`clean()`, and reports every problem at once, each named by its JSON path in words a user
understands (`bills[17].amount: must be >= 0`). Its queries do not grow with the file but by
one INSERT and its history rows' per batch: the owner's keys and years are fetched once, every
record is checked in Python, and each table is inserted in bulk with its history rows, in
batches of `ledger.progress.BATCH` rows, telling the caller's `progress` after each. It checks
no filed year: the caller's write batch does (`forms8829.filing`), once, after the import.

A bill lists its receipts (`receipts`: file, name, sha256, content_type, size; left out when it
has none), but the file does not carry their bytes: the ledger archive (`ledger.ledger_archive`)
does, and hands them to `ledger_import` as `files`. Each listed file is checked like an upload
(type by content, size limit, SHA-256 against the listing) and written to private storage only
once everything else is in, inside the import's transaction; files written by an import that
then fails are removed. A file the owner already has in storage (same SHA-256) is reused, so a
plain JSON file re-imported into the same ledger (with replace) keeps its receipts; any other
listed receipt without its file is an error, unless the import is asked to leave receipts out.

This module holds no tax arithmetic and must not import the `forms8829` engine.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import logging
import posixpath
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Prefetch
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.settings import api_settings
from simple_history.utils import bulk_create_with_history

from ledger import fields
from ledger.fields import HomeLookup, describe, home_key_from_name, json_loads
from ledger.models import (
    Bill,
    Business,
    BusinessShare,
    Home,
    Improvement,
    OfficeArea,
    Receipt,
    TaxYear,
    TaxYearHome,
    receipt_upload_to,
)
from ledger.progress import Progress, batches, counted, progress_none
from ledger.serializers import (
    BILL_FIELDS,
    BILL_REFERENCES,
    BUSINESS_FIELDS,
    BUSINESS_SHARE_FIELDS,
    BUSINESS_SHARE_REFERENCES,
    HOME_FIELDS,
    IMPROVEMENT_FIELDS,
    OFFICE_AREA_FIELDS,
    OFFICE_AREA_REFERENCES,
    TAX_YEAR_FIELDS,
    TAX_YEAR_HOME_FIELDS,
    BillSerializer,
    BusinessSerializer,
    BusinessShareSerializer,
    HomeSerializer,
    ImprovementSerializer,
    OfficeAreaSerializer,
    TaxYearHomeSerializer,
    TaxYearSerializer,
)
from ledger.services import RECEIPT_TYPES, ReceiptFileInfo, receipt_inspect, safe_file_name
from ledger.storage import receipt_storage

logger = logging.getLogger(__name__)

FORMAT = "homeoffice-ledger/1"

# The file's fields per record (`ledger.serializers`: HOME_FIELDS, BILL_FIELDS, ...), in the
# order the file lists them, are the model fields' names; `home` in a bill or a tax year's home
# is the home's key (or its name); `business` in an office area or a business share is the
# business's name among the file's `businesses`.
# A bill's receipt: where its file is in the archive, its download name, and what the file is.
RECEIPT_FIELDS = ("file", "name", "sha256", "content_type", "size")
TOP_FIELDS = ("format", "businesses", "homes", "bills", "tax_years")
HOME_LISTS = ("office_areas", "improvements")
BILL_LISTS = ("receipts",)
TAX_YEAR_LISTS = ("homes",)
TAX_YEAR_HOME_LISTS = ("business_shares",)
# Receipt files sit in this folder of the archive, named `<sha256>.<extension>`.
RECEIPTS_FOLDER = "receipts/"
SHA256_TEXT = re.compile(r"[0-9a-fA-F]{64}")
RECEIPT_NOT_IN_IMPORT = (
    "the file is not in this import; import the .zip archive (or import without receipts to "
    "leave them out)"
)

# Error messages are sorted by where they occur in the file: per kind of object, its fields in
# the file's order and the lists it holds (and the kind of object in each).
_LAYOUT = {
    "file": (
        TOP_FIELDS,
        {"businesses": "business", "homes": "home", "bills": "bill", "tax_years": "tax_year"},
    ),
    "business": (BUSINESS_FIELDS, {}),
    "home": (
        HOME_FIELDS + HOME_LISTS,
        {"office_areas": "office_area", "improvements": "improvement"},
    ),
    "office_area": (OFFICE_AREA_FIELDS + OFFICE_AREA_REFERENCES, {}),
    "improvement": (IMPROVEMENT_FIELDS, {}),
    "bill": (BILL_FIELDS + BILL_REFERENCES + BILL_LISTS, {"receipts": "receipt"}),
    "receipt": (RECEIPT_FIELDS, {}),
    "tax_year": (TAX_YEAR_FIELDS + TAX_YEAR_LISTS, {"homes": "tax_year_home"}),
    "tax_year_home": (
        TAX_YEAR_HOME_FIELDS + TAX_YEAR_HOME_LISTS,
        {"business_shares": "business_share"},
    ),
    "business_share": (BUSINESS_SHARE_REFERENCES + BUSINESS_SHARE_FIELDS, {}),
}

Path = tuple[str | int, ...]


class LedgerFileError(Exception):
    """A ledger file that cannot be imported; `errors` holds one message per problem."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        count = len(self.errors)
        super().__init__(
            f"The ledger file has {count} error{'s' if count != 1 else ''}:\n"
            + "\n".join(self.errors)
        )


class ReceiptFileUnreadable(Exception):
    """A receipt file that the import's `files` cannot hand over; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ReceiptFiles(Protocol):
    """The receipt files an import carries (the archive's), by their path in the archive."""

    def names(self) -> Collection[str]: ...

    def read(self, name: str) -> bytes:
        """The file's bytes; raises ReceiptFileUnreadable (too large, damaged)."""
        ...


@dataclass(frozen=True)
class ImportSummary:
    """What an import created (and whether it replaced the user's previous ledger)."""

    homes: int
    office_areas: int
    improvements: int
    bills: int
    tax_years: int
    tax_year_homes: int
    replaced: bool
    receipts: int = 0
    # Receipts the file listed but the import was asked to leave out.
    receipts_left_out: int = 0
    # Years the file marks filed. They are saved open; the caller files them once the import
    # is in (`forms8829.imports`), which computes and freezes their forms.
    years_to_file: tuple[int, ...] = ()
    # Businesses the import added (the file's, or "My business" for an older file's office
    # areas); a business the user already had, named again by the file, is not counted.
    businesses: int = 0
    business_shares: int = 0

    def __str__(self) -> str:
        def n(count: int, word: str, plural: str | None = None) -> str:
            return f"{count} {word if count == 1 else (plural or word + 's')}"

        receipts = [n(self.receipts, "receipt")] if self.receipts else []
        if self.receipts_left_out:
            receipts.append(f"{n(self.receipts_left_out, 'receipt')} left out")
        bills = n(self.bills, "bill") + (f" ({', '.join(receipts)})" if receipts else "")
        text = (
            f"{n(self.homes, 'home')} ({n(self.office_areas, 'office area')}, "
            f"{n(self.improvements, 'improvement')}), {bills}, "
            f"{n(self.tax_years, 'tax year')} ({n(self.tax_year_homes, 'home-year', 'home-years')})"
        )
        if self.businesses:
            text += f", {n(self.businesses, 'business', 'businesses')}"
        return text + (", replacing the previous ledger" if self.replaced else "")


# --------------------------------------------------------------------------------------------
# Export


def _export_value(instance: models.Model, name: str):
    model_field = instance._meta.get_field(name)
    value = getattr(instance, model_field.attname)
    if value is None:
        return None
    if isinstance(model_field, models.DecimalField):
        return f"{value:.2f}"
    if isinstance(model_field, models.DateField):
        return value.isoformat()
    return value


def _export_record(instance: models.Model, names: Iterable[str]) -> dict:
    return {name: _export_value(instance, name) for name in names}


def _start_key(area: OfficeArea):
    # An area without a start date comes first; Python sorts so the order is the same on every
    # database (their NULL placement and text collations differ).
    return (area.start is not None, area.start or dt.date.min, area.id)


def _export_receipt(receipt: Receipt) -> dict:
    extension = RECEIPT_TYPES.get(receipt.content_type, "bin")
    return {
        "file": f"{RECEIPTS_FOLDER}{receipt.sha256}.{extension}",
        "name": receipt.original_name,
        "sha256": receipt.sha256,
        "content_type": receipt.content_type,
        "size": receipt.size,
    }


def _value_format(model_field: models.Field):
    """How the file writes a value of `model_field` (not None): `_export_value`'s rule, looked
    up once per field rather than once per value."""
    if isinstance(model_field, models.DecimalField):
        return "{:.2f}".format
    if isinstance(model_field, models.DateField):
        return dt.date.isoformat
    return None


# A bill as the ledger file reads it, one row (`values_list(*BILL_ROW)`): its fields in the
# file's order (the home by its id), its office area's id and its id.
BILL_ROW = (
    *(Bill._meta.get_field(name).attname for name in BILL_FIELDS),
    "office_area_id",
    "id",
)
_BILL_FORMATS = tuple((name, _value_format(Bill._meta.get_field(name))) for name in BILL_FIELDS)
_PAYMENT = Bill.Kind.PAYMENT.value


def _export_bill(bill: Bill, index: int, listed: list[tuple[Path, dict, Receipt]]) -> dict:
    return export_bill_row(
        tuple(getattr(bill, attname) for attname in BILL_ROW),
        home_key=bill.home.key,
        area_name=bill.office_area.name if bill.office_area_id is not None else None,
        receipts=bill.receipts.all(),
        index=index,
        listed=listed,
    )


def export_bill_row(
    row: tuple,
    *,
    home_key: str,
    area_name: str | None,
    receipts: Iterable[Receipt],
    index: int,
    listed: list[tuple[Path, dict, Receipt]],
) -> dict:
    """One bill of the file from its row (`BILL_ROW`), its home's key, its office area's name
    (None: none) and its receipts, at `index` of `bills`; each receipt it lists is appended to
    `listed` (`ledger_export_with_receipts`)."""
    data = {
        name: value if value is None or write is None else write(value)
        for (name, write), value in zip(_BILL_FORMATS, row, strict=False)
    }
    data["home"] = home_key
    if area_name is not None:  # written when given: a direct bill's office area
        data["office_area"] = area_name
    if data.get("kind") == _PAYMENT:  # written for refunds only, like receipts
        del data["kind"]
    if receipts:  # left out when there are none: such a bill reads as it always did
        receipts = sorted(receipts, key=lambda r: (r.original_name, r.sha256, r.id))
        data["receipts"] = []
        for receipt_index, receipt in enumerate(receipts):
            entry = _export_receipt(receipt)
            data["receipts"].append(entry)
            listed.append((("bills", index, "receipts", receipt_index), entry, receipt))
    return data


def ledger_export(*, owner) -> dict:
    """The owner's whole ledger in the `homeoffice-ledger/1` shape, in a deterministic order.

    Nine queries whatever the ledger's size: businesses, homes, their office areas (with their
    businesses), their improvements, bills, their receipts, tax years, the tax years' homes,
    their business shares.
    """
    return ledger_export_with_receipts(owner=owner)[0]


def ledger_export_with_receipts(*, owner) -> tuple[dict, list[tuple[Path, dict, Receipt]]]:
    """`ledger_export`'s document, and each receipt it lists: its JSON path, its entry in the
    document (the same dict) and the Receipt, in document order.

    The whole document in memory: for small ledgers and tests. The doors (the command, the API,
    the archive) stream it with `ledger.ledger_stream`, which writes the same bytes."""
    businesses = export_businesses(owner=owner)
    homes = export_homes(owner=owner)
    bills = sorted(
        Bill.objects.owned_by(owner)
        .select_related("home", "office_area")
        .prefetch_related(Prefetch("receipts", queryset=Receipt.objects.order_by()))
        .order_by(),
        key=lambda b: (b.paid_on, b.payee, b.amount, b.id),
    )
    listed: list[tuple[Path, dict, Receipt]] = []
    tax_years = export_tax_years(owner=owner)
    document = {
        "format": FORMAT,
        "businesses": businesses,
        "homes": homes,
        "bills": [_export_bill(bill, index, listed) for index, bill in enumerate(bills)],
        "tax_years": tax_years,
    }
    return document, listed


def export_businesses(*, owner) -> list[dict]:
    """The file's `businesses`, in the order they were made (the first is the one an office
    area without a business goes to, `Business.default_for`; an import keeps the order): one
    query."""
    return [
        _export_record(business, BUSINESS_FIELDS)
        for business in Business.objects.owned_by(owner).order_by("id")
    ]


def _export_office_area(area: OfficeArea) -> dict:
    return {**_export_record(area, OFFICE_AREA_FIELDS), "business": area.business.name}


def export_homes(*, owner) -> list[dict]:
    """The file's `homes`, with their office areas (each naming its business) and
    improvements: three queries."""
    homes = sorted(
        Home.objects.owned_by(owner).prefetch_related(
            Prefetch(
                "office_areas", queryset=OfficeArea.objects.select_related("business").order_by()
            ),
            Prefetch("improvements", queryset=Improvement.objects.order_by()),
        ),
        key=lambda h: (h.key, h.id),
    )
    return [
        {
            **_export_record(home, HOME_FIELDS),
            "office_areas": [
                _export_office_area(area)
                for area in sorted(home.office_areas.all(), key=_start_key)
            ],
            "improvements": [
                _export_record(improvement, IMPROVEMENT_FIELDS)
                for improvement in sorted(
                    home.improvements.all(), key=lambda i: (i.placed_in_service, i.id)
                )
            ],
        }
        for home in homes
    ]


def _export_tax_year_home(year_home: TaxYearHome) -> dict:
    data = {**_export_record(year_home, TAX_YEAR_HOME_FIELDS), "home": year_home.home.key}
    shares = sorted(year_home.business_shares.all(), key=lambda s: (s.business_id, s.id))
    if shares:  # left out when there are none: the deduction is split by business area
        data["business_shares"] = [
            {"business": share.business.name, **_export_record(share, BUSINESS_SHARE_FIELDS)}
            for share in shares
        ]
    return data


def export_tax_years(*, owner) -> list[dict]:
    """The file's `tax_years`, with their homes and their business shares: three queries."""
    shares = BusinessShare.objects.select_related("business").order_by()
    year_homes = (
        TaxYearHome.objects.select_related("home")
        .prefetch_related(Prefetch("business_shares", queryset=shares))
        .order_by()
    )
    tax_years = sorted(
        TaxYear.objects.owned_by(owner).prefetch_related(Prefetch("homes", queryset=year_homes)),
        key=lambda t: (t.year, t.id),
    )
    return [
        {
            **_export_record(tax_year, TAX_YEAR_FIELDS),
            "homes": [
                _export_tax_year_home(year_home)
                for year_home in sorted(tax_year.homes.all(), key=lambda y: (y.home.key, y.id))
            ],
        }
        for tax_year in tax_years
    ]


# --------------------------------------------------------------------------------------------
# Import: reading the document


def ledger_file_parse(raw: bytes | str, *, name: str = "file"):
    """A ledger file's JSON document, read the same way by every door (the command, the API,
    the archive): strict JSON, numbers kept as written (`ledger.fields.json_loads`), UTF-8 with
    or without a BOM. Raises LedgerFileError naming `name` (and the line and column)."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise LedgerFileError([f"{name}: not UTF-8 text."]) from None
    try:
        return json_loads(text)
    except json.JSONDecodeError as exc:
        raise LedgerFileError(
            [f"{name}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."]
        ) from None
    except ValueError as exc:  # NaN, Infinity, nested too deeply
        raise LedgerFileError([f"{name}: not valid JSON: {exc}."]) from None


def path_text(path: Path) -> str:
    """`("bills", 17, "amount")` -> `bills[17].amount`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _path_sort_key(path: Path):
    kind, key = "file", []
    for part in path:
        if isinstance(part, int):
            key.append((0, part, ""))
            continue
        names, lists = _LAYOUT[kind]
        # Unknown fields come after the known ones.
        key.append((1, names.index(part) if part in names else len(names), part))
        kind = lists.get(part, kind)
    return tuple(key)


class _Errors:
    def __init__(self) -> None:
        self._items: list[tuple[Path, str]] = []

    def add(self, path: Path, message: str) -> None:
        self._items.append((path, message))

    def __bool__(self) -> bool:
        return bool(self._items)

    def messages(self) -> list[str]:
        ordered = sorted(self._items, key=lambda item: _path_sort_key(item[0]))
        return [f"{path_text(path)}: {message}" if path else message for path, message in ordered]


@dataclass(eq=False)
class _Record:
    """One object of the file: its fields as its serializer read them (`attrs`; None when any
    could not be read), then the unsaved model instance made of them."""

    path: Path
    names: tuple[str, ...]
    attrs: dict | None = None
    instance: models.Model | None = None
    # Set when any error names this record or one of its fields; such a record is never saved.
    failed: bool = False
    # A home's key and name, by which the file's bills and tax years find it (`HomeLookup`).
    key: str | None = None
    name: str | None = None
    key_made: bool = False  # no key in the file: made from the name
    children: dict[str, list[_Record]] = field(default_factory=dict)
    receipts: list[_ReceiptEntry] = field(default_factory=list)
    office_area: str | None = None  # a bill's office area, by its name in the bill's home
    # The business an office area or a business share names (None: not given).
    business: str | None = None
    existing: bool = False  # a business the user already has, which the file names again

    @property
    def fits(self) -> bool:
        """Read and checked without an error: its instance can be inserted."""
        return self.instance is not None and not self.failed


@dataclass(frozen=True)
class _ReceiptSource:
    """A checked receipt file: already in the owner's storage (`stored`, its name there) or to
    be written from the import's files (`member`, its path in the archive)."""

    sha256: str
    size: int
    content_type: str
    stored: str | None = None
    member: str | None = None


@dataclass
class _ReceiptEntry:
    """One receipt a bill lists; `source` is set once its file is found and checked."""

    path: Path
    file: str | None = None
    name: str | None = None
    sha256: str | None = None
    content_type: str | None = None
    size: int | None = None
    failed: bool = False
    source: _ReceiptSource | None = None


def _sha256_check(value: str) -> None:
    if not SHA256_TEXT.fullmatch(value):
        raise serializers.ValidationError(
            f"must be the file's SHA-256, 64 hexadecimal digits, not {describe(value)}"
        )


RECEIPT_SIZE_MESSAGE = "must be the file's size in bytes, a whole number like 1234, not {input}"


class ReceiptEntrySerializer(serializers.Serializer):
    """A receipt as a bill of the file lists it (its file is looked for later)."""

    file = fields.TextField(max_length=1000)
    name = fields.TextField(required=False, allow_blank=True, max_length=1000)
    sha256 = fields.TextField(validators=[_sha256_check])
    content_type = fields.TextField(required=False, allow_blank=True, max_length=1000)
    size = fields.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        error_messages={"invalid": RECEIPT_SIZE_MESSAGE, "min_value": RECEIPT_SIZE_MESSAGE},
    )


class _Reader:
    """Reads the document's objects through the record serializers (`ledger.serializers`, in
    bulk mode: fields only), reporting every problem at its path."""

    def __init__(self, errors: _Errors, *, owner):
        self.errors = errors
        # In a ledger file, `null` or blank where a field is not text means "not given".
        self.context: dict = {"owner": owner, "bulk": True, fields.NULL_IS_NOT_GIVEN: True}
        self._serializers: dict[type, serializers.Serializer] = {}

    def fail(self, record: _Record | _ReceiptEntry | None, path: Path, message: str) -> None:
        self.errors.add(path, message)
        if record is not None:
            record.failed = True

    def list_at(self, container: dict, name: str, path: Path, record: _Record | None) -> list:
        value = container.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(record, path, f"must be a list, not {describe(value)}")
            return []
        return value

    def unknown_fields(self, obj: dict, allowed: Iterable[str], path: Path, record) -> None:
        allowed = list(allowed)
        for name in obj:
            if name in allowed:
                continue
            close = difflib.get_close_matches(str(name), allowed, n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            self.fail(record, (*path, str(name)), f"unknown field{hint}")

    def serializer(self, serializer_class: type[serializers.Serializer]):
        # One serializer per kind of record: its fields are built once, not once per bill.
        if serializer_class not in self._serializers:
            self._serializers[serializer_class] = serializer_class(context=self.context)
        return self._serializers[serializer_class]

    def read(self, serializer_class, obj, path: Path, names: tuple[str, ...], record) -> dict:
        """`obj`'s fields `names` through the serializer; None (and each error reported)."""
        try:
            return self.serializer(serializer_class).run_validation(
                {name: obj[name] for name in names if name in obj}
            )
        except serializers.ValidationError as exc:
            for name, messages in exc.detail.items():
                where = path if name == api_settings.NON_FIELD_ERRORS_KEY else (*path, name)
                for message in messages:
                    self.fail(record, where, str(message))
            return None

    def record(self, serializer_class, obj, path: Path, lists=()) -> _Record | None:
        if not isinstance(obj, dict):
            self.errors.add(path, f"must be an object {{...}}, not {describe(obj)}")
            return None
        names = tuple(serializer_class.Meta.fields)
        record = _Record(path=path, names=names)
        self.unknown_fields(obj, (*names, *lists), path, record)
        record.attrs = self.read(serializer_class, obj, path, names, record)
        return record

    def field(self, serializer_class, obj: dict, name: str):
        """One field of an object whose other fields may not read; None if it does not."""
        try:
            return (
                self.serializer(serializer_class)
                .fields[name]
                .run_validation(obj.get(name, serializers.empty))
            )
        except (serializers.ValidationError, SkipField):
            return None

    def name_reference(self, obj: dict, name: str, path: Path, record: _Record) -> str | None:
        """A reference to another record by its name (`business`): text; None when not given
        (or not text, reported)."""
        value = obj.get(name)
        if value is None:
            return None
        try:
            text = fields.read_text(value).strip()
        except fields.FieldError as exc:
            self.fail(record, (*path, name), exc.message)
            return None
        return text or None

    def receipt(self, obj, path: Path) -> _ReceiptEntry | None:
        """Read a bill's receipt entry; its file is looked for later (`_receipts_check`)."""
        if not isinstance(obj, dict):
            self.errors.add(path, f"must be an object {{...}}, not {describe(obj)}")
            return None
        entry = _ReceiptEntry(path=path)
        self.unknown_fields(obj, RECEIPT_FIELDS, path, entry)
        attrs = self.read(ReceiptEntrySerializer, obj, path, RECEIPT_FIELDS, entry)
        if attrs is not None:
            entry.file = attrs["file"]
            entry.name = attrs.get("name") or None
            entry.sha256 = attrs["sha256"].lower()
            entry.content_type = attrs.get("content_type") or None
            entry.size = attrs.get("size")
        return entry


def _read_businesses(data, reader: _Reader, owner_businesses: list[Business]) -> list[_Record]:
    """The file's businesses. Without replace (`owner_businesses`: the user's), one the user
    already has (the same name) is that business, and the file may not give it another kind."""
    theirs = {business.name: business for business in owner_businesses}
    businesses: list[_Record] = []
    names_at: dict[str, Path] = {}
    for index, obj in enumerate(reader.list_at(data, "businesses", ("businesses",), None)):
        path = ("businesses", index)
        record = reader.record(BusinessSerializer, obj, path)
        if record is None:
            continue
        businesses.append(record)
        if record.attrs is not None:
            record.name = record.attrs["name"]
        else:  # still found by its name (no second error for each area that names it)
            record.name = reader.field(BusinessSerializer, obj, "name")
        if record.name is None:
            continue
        if record.name in names_at:
            message = f"'{record.name}' is already the name of {path_text(names_at[record.name])}"
            reader.fail(record, (*path, "name"), message)
            continue
        names_at[record.name] = path
        existing = theirs.get(record.name)
        if existing is None or record.failed:
            continue
        kind = record.attrs.get("kind")
        if kind is not None and kind != existing.kind:
            message = (
                f"you already have the business '{existing.name}' as "
                f"{existing.get_kind_display()}; change its kind first, or import with replace "
                "to replace your whole ledger"
            )
            reader.fail(record, (*path, "kind"), message)
        else:
            record.instance, record.existing = existing, True
    return businesses


class _BusinessNames:
    """The businesses an office area or a business share may name, by name (as written, else
    in any letter case when only one business has it): the file's and, without replace, the
    user's own."""

    def __init__(
        self, businesses: list[_Record], owner_businesses: list[Business], *, replace, unread
    ):
        named = {record.name for record in businesses}
        # `businesses` was no list (reported): a name not found is no error of its own.
        self.unread = unread
        self.file = businesses
        self.theirs = [
            _Record(path=(), names=BUSINESS_FIELDS, instance=b, name=b.name, existing=True)
            for b in owner_businesses
        ]
        self.where = "in this file" if replace else "in this file or your ledger"
        self.by_name: dict[str, _Record] = {}
        self.by_folded: dict[str, list[_Record]] = {}
        for record in [*businesses, *(r for r in self.theirs if r.name not in named)]:
            if record.name is not None:
                self.by_name.setdefault(record.name, record)
                self.by_folded.setdefault(record.name.casefold(), []).append(record)

    def find(self, name: str) -> _Record | str | None:
        """The business named `name`, or the message saying why there is none (None: the
        file's businesses could not be read, which is reported already)."""
        if name in self.by_name:
            return self.by_name[name]
        folded = self.by_folded.get(name.casefold(), [])
        if len(folded) == 1:
            return folded[0]
        if self.unread:
            return None
        if folded:
            return (
                f"{len(folded)} businesses are named '{name}' in different letter cases; write "
                "the name exactly"
            )
        return (
            f"no business named '{name}' {self.where}; list it in the file's \"businesses\" "
            "(name and kind)"
        )

    def default(self, owner) -> _Record:
        """Where an office area that names no business goes, as `Business.default_for` decides
        once the file's businesses are in (they are inserted in the file's order): the user's
        first business, else the file's first, else a new one (a sole proprietorship, "My
        business": every ledger file before businesses was one Schedule C business)."""
        if self.theirs:
            first = self.theirs[0]
            return self.by_name.get(first.name, first)
        if self.file:
            return self.file[0]
        made = _Record(
            path=("businesses",),
            names=BUSINESS_FIELDS,
            instance=Business(owner=owner, name=Business.DEFAULT_NAME),
            name=Business.DEFAULT_NAME,
        )
        self.file.append(made)
        return made


def _read_homes(data, reader: _Reader, owner_keys: set[str]) -> list[_Record]:
    """The file's homes and what they hold. A home without a key gets one made from its name
    (`home_key_from_name`), past the file's keys and the owner's (`owner_keys`)."""
    homes: list[_Record] = []
    for index, obj in enumerate(reader.list_at(data, "homes", ("homes",), None)):
        path = ("homes", index)
        record = reader.record(HomeSerializer, obj, path, HOME_LISTS)
        if record is None:
            continue
        homes.append(record)
        given = obj.get("key")
        if record.attrs is not None:
            record.key, record.name = record.attrs.get("key") or None, record.attrs["name"]
        else:
            # A home with errors is still found by the key it has (no second error for each
            # bill that names it); it is never saved.
            record.key = (given.strip() or None) if isinstance(given, str) else None
            record.name = reader.field(HomeSerializer, obj, "name")
        record.key_made = given is None or (isinstance(given, str) and not given.strip())
        for name, serializer_class in (
            ("office_areas", OfficeAreaSerializer),
            ("improvements", ImprovementSerializer),
        ):
            children = []
            references = OFFICE_AREA_REFERENCES if name == "office_areas" else ()
            for child_index, child in enumerate(reader.list_at(obj, name, (*path, name), record)):
                child_path = (*path, name, child_index)
                child_record = reader.record(serializer_class, child, child_path, references)
                if child_record is None:
                    continue
                children.append(child_record)
                if references:  # an office area names its business
                    child_record.names = (*child_record.names, *references)
                    child_record.business = reader.name_reference(
                        child, "business", child_path, child_record
                    )
            record.children[name] = children

    keys_at: dict[str, Path] = {}
    for record in homes:
        key = record.key
        if key is None:
            continue
        if key in keys_at:
            message = f"'{key}' is already the key of {path_text(keys_at[key])}"
            reader.fail(record, (*record.path, "key"), message)
        elif key in owner_keys:
            message = (
                f"you already have a home with key '{key}'; import with replace to replace your "
                f"whole ledger"
            )
            reader.fail(record, (*record.path, "key"), message)
        else:
            keys_at[key] = record.path
    taken = set(keys_at) | owner_keys
    for record in homes:
        if record.key is None and record.name and record.key_made:
            record.key = home_key_from_name(record.name, taken)
            taken.add(record.key)
    return homes


def _read_bills(data, reader: _Reader, progress: Progress) -> list[_Record]:
    bills: list[_Record] = []
    listed = reader.list_at(data, "bills", ("bills",), None)
    for index, obj in enumerate(counted(listed, "reading bills", progress)):
        path = ("bills", index)
        record = reader.record(BillSerializer, obj, path, BILL_REFERENCES + BILL_LISTS)
        if record is None:
            continue
        record.names = (*record.names, *BILL_REFERENCES)  # its errors are named by its path
        area = obj.get("office_area")
        if isinstance(area, str) and area.strip():
            record.office_area = area.strip()
        elif area is not None and not isinstance(area, str):
            message = f"must be the name of an office area of the bill's home, not {describe(area)}"
            reader.fail(record, (*path, "office_area"), message)
        for receipt_index, child in enumerate(
            reader.list_at(obj, "receipts", (*path, "receipts"), record)
        ):
            entry = reader.receipt(child, (*path, "receipts", receipt_index))
            if entry is not None:
                record.receipts.append(entry)
        bills.append(record)
    return bills


def _read_tax_years(data, reader: _Reader) -> list[_Record]:
    tax_years: list[_Record] = []
    years_at: dict[int, Path] = {}
    for index, obj in enumerate(reader.list_at(data, "tax_years", ("tax_years",), None)):
        path = ("tax_years", index)
        record = reader.record(TaxYearSerializer, obj, path, TAX_YEAR_LISTS)
        if record is None:
            continue
        tax_years.append(record)
        year = (record.attrs or {}).get("year")
        if year in years_at:
            message = f"{year} is already listed at {path_text(years_at[year])}"
            reader.fail(record, (*path, "year"), message)
        elif year is not None:
            years_at[year] = path
        children = []
        homes_in_year: dict[_Record, Path] = {}
        for child_index, child in enumerate(reader.list_at(obj, "homes", (*path, "homes"), record)):
            child_path = (*path, "homes", child_index)
            child_record = reader.record(
                TaxYearHomeSerializer, child, child_path, TAX_YEAR_HOME_LISTS
            )
            if child_record is None:
                continue
            children.append(child_record)
            child_record.children["business_shares"] = _read_shares(
                child, reader, child_path, child_record
            )
            home = (child_record.attrs or {}).get("home")
            if home is None:
                continue
            if home in homes_in_year:
                message = f"'{home.key}' is already listed at {path_text(homes_in_year[home])}"
                reader.fail(child_record, (*child_path, "home"), message)
            else:
                homes_in_year[home] = child_path
        record.children["homes"] = children
    return tax_years


def _read_shares(obj: dict, reader: _Reader, path: Path, year_home: _Record) -> list[_Record]:
    """A tax year's home's `business_shares`: each names a business and gives its percent."""
    shares = []
    for index, item in enumerate(
        reader.list_at(obj, "business_shares", (*path, "business_shares"), year_home)
    ):
        share_path = (*path, "business_shares", index)
        record = reader.record(BusinessShareSerializer, item, share_path, BUSINESS_SHARE_REFERENCES)
        if record is None:
            continue
        record.names = (*record.names, *BUSINESS_SHARE_REFERENCES)
        given = item.get("business")
        if given is None or (isinstance(given, str) and not given.strip()):
            reader.fail(record, (*share_path, "business"), "is required")
        else:
            record.business = reader.name_reference(item, "business", share_path, record)
        shares.append(record)
    return shares


def _year_conflicts(owner, tax_years: list[_Record], reader: _Reader) -> None:
    """Without `replace`, the file may only add tax years the user does not have yet."""
    years = {r.attrs["year"] for r in tax_years if r.attrs is not None}
    if not years:
        return
    taken = set(TaxYear.objects.owned_by(owner).values_list("year", flat=True))
    for record in tax_years:
        year = record.attrs["year"] if record.attrs is not None else None
        if year in taken:
            message = (
                f"you already have the tax year {year}; import with replace to replace your "
                f"whole ledger"
            )
            reader.fail(record, (*record.path, "year"), message)


# --------------------------------------------------------------------------------------------
# Import: checking against the models and writing

IMPORT_REASON = "Imported from a ledger file"


def _clean(record: _Record, errors: _Errors, **data) -> bool:
    """The model's own cross-field checks (`clean()`, handed data fetched once instead of its
    queries); each message at its path. True when clean.

    The field rules (validators included) were the serializer's. The database's check
    constraints are not queried row by row: each is mirrored by a field rule or `clean()`, which
    tests pin. Uniqueness (home keys, years, a year's homes) is checked by the import itself,
    with messages naming the file's paths.
    """
    try:
        record.instance.clean(**data)
    except ValidationError as exc:
        for name, messages in exc.update_error_dict({}).items():
            path = (*record.path, name) if name in record.names else record.path
            for message in messages:
                for text in ValidationError(message).messages:
                    errors.add(path, text)
        record.failed = True
    return not record.failed


def _insert(
    model: type[models.Model], records: Iterable[_Record], owner, progress: Progress, step: str
) -> None:
    """The records' instances and their "+" history rows, in batches (`ledger.progress.BATCH`
    rows), `progress(step, ...)` after each: one INSERT of the batch and one of its history rows
    (more only past the database's parameter limit; see `ledger.apps`)."""
    instances = [record.instance for record in records]
    done = 0
    for batch in batches(instances):
        bulk_create_with_history(
            batch, model, default_user=owner, default_change_reason=IMPORT_REASON
        )
        done += len(batch)
        progress(step, done, len(instances))


def _business_of(record: _Record, names: _BusinessNames, errors: _Errors) -> Business | None:
    """The business an office area or a business share names; None (the record fails) when
    no business has that name, or when that business has errors of its own (reported there)."""
    found = names.find(record.business)
    if isinstance(found, str):
        errors.add((*record.path, "business"), found)
        record.failed = True
        return None
    if found is None or not found.fits:
        record.failed = True
        return None
    return found.instance


def _write(
    owner,
    businesses: list[_Record],
    names: _BusinessNames,
    homes: list[_Record],
    bills: list[_Record],
    tax_years: list[_Record],
    errors,
    progress: Progress,
):
    """Check every record against the model, then insert them, parents first. Businesses,
    homes and tax years are inserted even when something else failed (their children's checks
    need their ids); the caller's transaction rolls it all back then. Returns the years the
    file marks filed: all are inserted open, for the caller to file.

    Progress: every whole batch of bills checked, then, once the file is known to be good,
    "checked" and each table inserted (those inserted while checking, at once)."""
    for record in businesses:
        if record.attrs is not None and not record.failed and not record.existing:
            record.instance = Business(owner=owner, **record.attrs)
    default = None
    if any(
        area.attrs is not None and area.business is None
        for home in homes
        for area in home.children.get("office_areas", [])
    ):
        default = names.default(owner)  # may add "My business" to `businesses`
    new_businesses = [r for r in businesses if r.fits and not r.existing]
    _insert(Business, new_businesses, owner, progress_none, "businesses")

    for record in homes:
        if record.attrs is not None and not record.failed:
            record.instance = Home(owner=owner, **{**record.attrs, "key": record.key})
            _clean(record, errors, keys_taken=())  # keys: checked while reading
    _insert(Home, [r for r in homes if r.fits], owner, progress_none, "homes")

    for home in homes:
        siblings: list[OfficeArea] = []
        for name, model in (("office_areas", OfficeArea), ("improvements", Improvement)):
            for child in home.children.get(name, []):
                if child.attrs is None:
                    continue
                child.instance = model(owner=owner, **child.attrs)
                if home.fits:
                    child.instance.home = home.instance
                if model is OfficeArea:
                    if child.business is not None:
                        business = _business_of(child, names, errors)
                    else:
                        business = default.instance if default.fits else None
                        child.failed = child.failed or business is None
                    if business is not None:
                        child.instance.business = business
                # An office area is checked against the ones before it, in the file's order.
                extra = {"siblings": list(siblings)} if model is OfficeArea else {}
                if _clean(child, errors, **extra) and home.fits and model is OfficeArea:
                    siblings.append(child.instance)

    for record in counted(bills, "checking bills", progress):
        if record.attrs is None:
            continue
        attrs = dict(record.attrs)
        home = attrs.pop("home")
        record.instance = Bill(owner=owner, tax_year=attrs["paid_on"].year, **attrs)
        if home.fits:
            record.instance.home = home.instance
        if record.office_area is not None:
            _bill_office_area(record, home, errors)
        _clean(record, errors)

    to_file = []
    for record in tax_years:
        if record.attrs is None:
            continue
        attrs = dict(record.attrs)
        if attrs.pop("filed", False):
            to_file.append(attrs["year"])
        record.instance = TaxYear(owner=owner, **attrs)
        _clean(record, errors)
    _insert(TaxYear, [r for r in tax_years if r.fits], owner, progress_none, "tax years")

    for tax_year in tax_years:
        others: list[TaxYearHome] = []
        for child in tax_year.children.get("homes", []):
            if child.attrs is None:
                continue
            attrs = dict(child.attrs)
            home = attrs.pop("home")
            child.instance = TaxYearHome(owner=owner, **attrs)
            if home.fits:
                child.instance.home = home.instance
            if tax_year.fits:
                child.instance.tax_year = tax_year.instance
            if _clean(child, errors, others=list(others)) and home.fits and tax_year.fits:
                others.append(child.instance)
            _shares(owner, child, names, errors)

    if not errors:
        year_homes = [r for t in tax_years for r in t.children["homes"]]
        areas = [r for h in homes for r in h.children["office_areas"]]
        improvements = [r for h in homes for r in h.children["improvements"]]
        shares = [r for y in year_homes for r in y.children["business_shares"]]
        records = (new_businesses, homes, areas, improvements, bills, tax_years, year_homes)
        checked = sum(map(len, records)) + len(shares)
        progress("checked", checked, checked)
        for step, inserted in (
            ("businesses", new_businesses),
            ("homes", homes),
            ("tax years", tax_years),
        ):
            if inserted:
                progress(step, len(inserted), len(inserted))
        _insert(OfficeArea, areas, owner, progress, "office areas")
        _insert(Improvement, improvements, owner, progress, "improvements")
        _insert(Bill, bills, owner, progress, "bills")
        _insert(TaxYearHome, year_homes, owner, progress, "home-years")
        _insert(BusinessShare, shares, owner, progress, "business shares")
    return sorted(to_file)


def _shares(owner, year_home: _Record, names: _BusinessNames, errors: _Errors) -> None:
    """A tax year's home's business shares, each business once. Whether they add up to 100% and
    name every business of the home that year is the engine's to say (the review shows it), as
    for shares entered one at a time in the admin or the API."""
    listed: dict[int, Path] = {}
    for share in year_home.children.get("business_shares", []):
        business = _business_of(share, names, errors) if share.business is not None else None
        if business is not None and business.pk in listed:
            message = f"'{business.name}' is already listed at {path_text(listed[business.pk])}"
            errors.add((*share.path, "business"), message)
            share.failed = True
        elif business is not None:
            listed[business.pk] = share.path
        if share.attrs is None or business is None or share.failed:
            continue
        share.instance = BusinessShare(
            owner=owner, tax_year_home=year_home.instance, business=business, **share.attrs
        )
        _clean(share, errors)


def _bill_office_area(record: _Record, home: _Record, errors: _Errors) -> None:
    """A direct bill's office area, which the file names by its name among the office areas of
    the bill's home (Bill.clean then checks that the bill is direct)."""
    name = record.office_area
    named = [
        child.instance
        for child in home.children.get("office_areas", [])
        if child.instance is not None and child.instance.name == name
    ]
    path = (*record.path, "office_area")
    if len(named) == 1:
        record.instance.office_area = named[0]
        return
    if named:
        errors.add(
            path,
            f"home '{home.key}' has {len(named)} office areas named '{name}'; give them "
            "different names",
        )
    else:
        errors.add(path, f"'{name}' is not an office area of home '{home.key}'")
    record.failed = True


def _receipt_files_delete_on_commit(names: list[str]) -> None:
    """Delete the files of deleted receipts once the deletion is committed (never before: a
    rolled-back import must leave them), unless another receipt still uses the same file."""
    if not names:
        return

    def delete() -> None:
        in_use = set(Receipt.objects.filter(file__in=names).values_list("file", flat=True))
        for name in set(names) - in_use:
            try:
                receipt_storage.delete(name)
            except OSError:
                logger.warning("Could not delete the receipt file %s", name, exc_info=True)

    transaction.on_commit(delete)


def _ledger_delete(*, owner) -> None:
    """Delete the owner's ledger: tax years, bills (and their receipts), homes, businesses."""
    files = [
        name for name in Receipt.objects.owned_by(owner).values_list("file", flat=True) if name
    ]
    TaxYear.objects.owned_by(owner).delete()  # home-years and their business shares cascade
    Bill.objects.owned_by(owner).delete()  # receipts cascade
    Home.objects.owned_by(owner).delete()  # office areas, improvements cascade
    Business.objects.owned_by(owner).delete()  # no office area uses them any more
    _receipt_files_delete_on_commit(files)


def _stored_receipt_files(owner, shas: set[str]) -> dict[str, _ReceiptSource]:
    """The owner's stored receipt files by SHA-256 (those still in storage), among `shas`.

    One query for the owner's receipts (not an `IN` list, whose length the file decides)."""
    if not shas:
        return {}
    found: dict[str, _ReceiptSource] = {}
    rows = (
        Receipt.objects.owned_by(owner)
        .order_by("id")
        .values_list("sha256", "file", "size", "content_type")
    )
    for sha256, name, size, content_type in rows:
        if sha256 in shas and sha256 not in found and name and receipt_storage.exists(name):
            found[sha256] = _ReceiptSource(sha256, size, content_type, stored=name)
    return found


def _receipt_file_inspect(files: ReceiptFiles, name: str) -> ReceiptFileInfo | str:
    """The checked facts of one of the import's files, or the message saying why it is refused."""
    try:
        content = files.read(name)
    except ReceiptFileUnreadable as exc:
        return exc.message
    try:
        return receipt_inspect(file=ContentFile(content, name=posixpath.basename(name)))
    except ValidationError as exc:
        return " ".join(exc.messages)


def _receipts_check(
    *, owner, entries: list[_ReceiptEntry], files: ReceiptFiles | None, errors: _Errors
) -> None:
    """Find and check the file of every receipt the document lists (`entry.source`).

    With `files` (an archive) each listed file must be there, pass the upload checks and have the
    listed SHA-256, and every file there must be listed. Without, only files the owner already
    stores can be used. Declared sizes and content types must match the file. Writes nothing.
    """
    stored = _stored_receipt_files(owner, {e.sha256 for e in entries if e.sha256})
    inspected: dict[str, ReceiptFileInfo | str] = {}
    for entry in entries:
        if entry.file is None or entry.sha256 is None:
            continue  # already reported
        file_path = (*entry.path, "file")
        if files is None:
            source = stored.get(entry.sha256)
            if source is None:
                errors.add(file_path, RECEIPT_NOT_IN_IMPORT)
                continue
        else:
            if entry.file not in files.names():
                shown = json.dumps(entry.file, ensure_ascii=False)[:200]
                errors.add(file_path, f"{shown} is not in the archive")
                continue
            if entry.file not in inspected:
                inspected[entry.file] = _receipt_file_inspect(files, entry.file)
            info = inspected[entry.file]
            if isinstance(info, str):
                errors.add(file_path, f"{entry.file}: {info}")
                continue
            if info.sha256 != entry.sha256:
                errors.add(
                    (*entry.path, "sha256"),
                    f"does not match the file {entry.file}, whose SHA-256 is {info.sha256}",
                )
                continue
            source = stored.get(info.sha256) or _ReceiptSource(
                info.sha256, info.size, info.content_type, member=entry.file
            )
        if entry.size is not None and entry.size != source.size:
            errors.add(
                (*entry.path, "size"), f"is {entry.size} but the file is {source.size} bytes"
            )
        elif entry.content_type is not None and entry.content_type != source.content_type:
            errors.add(
                (*entry.path, "content_type"),
                f"is {describe(entry.content_type)} but the file is {source.content_type}",
            )
        else:
            entry.source = source
    if files is not None:
        listed = {entry.file for entry in entries}
        for name in sorted(set(files.names()) - listed):
            errors.add(
                (name,), "this file is in the archive but no receipt in ledger.json lists it"
            )


def _receipts_write(
    *,
    owner,
    bills: list[_Record],
    files: ReceiptFiles | None,
    written: list[str],
    progress: Progress,
) -> int:
    """Store the checked receipts of the bills, in bulk; each new file is written once (its name
    is appended to `written` at once, for the caller to remove if the import fails after all)."""
    names: dict[str, str] = {}
    receipts: list[_Record] = []
    for record in bills:
        for entry in record.receipts:
            source = entry.source
            name = names.get(source.sha256) or source.stored
            if name is None:
                # Never overwrites: the storage picks a free name next to an existing file.
                upload_name = receipt_upload_to(Receipt(owner=owner, sha256=source.sha256), "")
                name = receipt_storage.save(upload_name, ContentFile(files.read(source.member)))
                written.append(name)
            names[source.sha256] = name
            extension = RECEIPT_TYPES.get(source.content_type, "bin")
            receipt = Receipt(
                owner=owner,
                bill=record.instance,
                file=name,
                original_name=safe_file_name(
                    entry.name or posixpath.basename(entry.file), extension
                ),
                size=source.size,
                content_type=source.content_type,
                sha256=source.sha256,
            )
            receipts.append(_Record(path=entry.path, names=RECEIPT_FIELDS, instance=receipt))
    _insert(Receipt, receipts, owner, progress, "receipts")
    return len(receipts)


def _written_files_delete(names: list[str]) -> None:
    for name in names:
        try:
            receipt_storage.delete(name)
        except OSError:
            logger.warning("Could not remove the receipt file %s", name, exc_info=True)


def ledger_import(
    *,
    owner,
    data: dict,
    replace: bool = False,
    without_receipts: bool = False,
    files: ReceiptFiles | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Load a `homeoffice-ledger/1` document into the owner's ledger, all or nothing.

    Every problem is collected and raised together as `LedgerFileError`; then nothing is written.
    Every record is read and checked in Python against data fetched once (the owner's home keys
    and tax years), office areas against the ones before them and a year's homes against each
    other; then each table is inserted in bulk with its "+" history rows, so the queries do not
    grow with the file. With `replace`, the owner's existing ledger (homes, bills, receipts, tax
    years) is deleted first, in the same transaction; without it, a home key or a tax year the
    owner already has is an error. Tax years are created open: `ImportSummary.years_to_file`
    lists those the file marks filed, for the caller to file.

    Receipts come last, once everything else is in: their files from `files` (the archive's, see
    `ledger.ledger_archive`) or, without, files the owner already stores with the same SHA-256;
    a listed receipt with neither is an error. `without_receipts` leaves every listed receipt
    out instead (a plain JSON file moved to another install). Files written by an import that
    fails are removed.

    `progress` (`ledger.progress`) is told how far the import has got: the bills read and
    checked, after every whole batch (a long file with errors reports some before its errors
    are known); then, the file being good, "checked" and each table as it is inserted,
    bills and receipts a batch at a time. It all happens in this one transaction: an error
    after some progress still leaves nothing behind.
    """
    if without_receipts and files is not None:
        raise ValueError("An import with receipt files cannot leave its receipts out.")
    written: list[str] = []
    try:
        return _ledger_import(
            owner=owner,
            data=data,
            replace=replace,
            without_receipts=without_receipts,
            files=files,
            written=written,
            progress=progress or progress_none,
        )
    except BaseException:
        _written_files_delete(written)
        raise


@transaction.atomic
def _ledger_import(
    *,
    owner,
    data: dict,
    replace: bool,
    without_receipts: bool,
    files: ReceiptFiles | None,
    written: list[str],
    progress: Progress,
) -> ImportSummary:
    if not isinstance(data, dict):
        raise LedgerFileError(
            [f'file: must be a JSON object {{"format": "{FORMAT}", ...}}, not {describe(data)}']
        )
    errors = _Errors()
    reader = _Reader(errors, owner=owner)
    if data.get("format") != FORMAT:
        errors.add(("format",), f'expected "{FORMAT}"')
    reader.unknown_fields(data, TOP_FIELDS, (), None)
    owner_keys = (
        set() if replace else set(Home.objects.owned_by(owner).values_list("key", flat=True))
    )
    # Without replace, the user's businesses stay, and the file's office areas may name them.
    owner_businesses = [] if replace else list(Business.objects.owned_by(owner).order_by("id"))
    businesses = _read_businesses(data, reader, owner_businesses)
    unread = not isinstance(data.get("businesses", []), list | None)
    names = _BusinessNames(businesses, owner_businesses, replace=replace, unread=unread)
    homes = _read_homes(data, reader, owner_keys)
    reader.context["home_lookup"] = HomeLookup(homes, where="in this file", by_id=False)
    bills = _read_bills(data, reader, progress)
    tax_years = _read_tax_years(data, reader)
    if not replace:
        _year_conflicts(owner, tax_years, reader)
    entries = [entry for record in bills for entry in record.receipts]
    if not without_receipts:
        # Before `replace` deletes the owner's receipts: their files can be reused.
        _receipts_check(owner=owner, entries=entries, files=files, errors=errors)
    if replace:  # a filed year cannot go: the caller's write batch refuses the whole import
        _ledger_delete(owner=owner)

    years_to_file = _write(owner, businesses, names, homes, bills, tax_years, errors, progress)
    if errors:
        raise LedgerFileError(errors.messages())
    receipts = 0
    if not without_receipts:
        receipts = _receipts_write(
            owner=owner, bills=bills, files=files, written=written, progress=progress
        )

    return ImportSummary(
        homes=len(homes),
        office_areas=sum(len(r.children["office_areas"]) for r in homes),
        improvements=sum(len(r.children["improvements"]) for r in homes),
        bills=len(bills),
        tax_years=len(tax_years),
        tax_year_homes=sum(len(r.children["homes"]) for r in tax_years),
        replaced=replace,
        receipts=receipts,
        receipts_left_out=len(entries) if without_receipts else 0,
        years_to_file=tuple(years_to_file),
        businesses=sum(1 for r in businesses if not r.existing),
        business_shares=sum(
            len(y.children["business_shares"]) for t in tax_years for y in t.children["homes"]
        ),
    )
