"""The ledger file (`homeoffice-ledger/1`): a user's whole ledger as one JSON document.

`ledger_export` reads a user's ledger into the file's shape (plain dicts, lists, strings, ints,
booleans and None, ready for `json.dumps`); `ledger_import` reads such a document back, all or
nothing. The contract is /work/shared/spec/ledger-format.md §1: money and areas are decimal
strings, dates ISO `YYYY-MM-DD`, a missing or null optional field means "not given".

Import reuses the models' own validation (`full_clean`: field validators, `clean()`, check
constraints) and reports every problem at once, each named by its JSON path in words a user
understands (`bills[17].amount: must be >= 0`).

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
from decimal import Decimal, InvalidOperation
from typing import Protocol

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Prefetch

from ledger.models import (
    Bill,
    Home,
    Improvement,
    OfficeArea,
    Receipt,
    TaxYear,
    TaxYearHome,
    receipt_upload_to,
)
from ledger.services import RECEIPT_TYPES, ReceiptFileInfo, receipt_inspect, safe_file_name
from ledger.storage import receipt_storage

logger = logging.getLogger(__name__)

FORMAT = "homeoffice-ledger/1"

# The file's fields per record, in the order the file lists them. Their names are the model
# fields' names; `home` in a bill or a tax year's home is the home's `key`.
HOME_FIELDS = (
    "key",
    "name",
    "total_area",
    "total_rooms",
    "area_method",
    "ownership",
    "occupied_from",
    "occupied_to",
    "cost_basis",
    "land_value",
    "fmv_at_first_business_use",
)
OFFICE_AREA_FIELDS = ("name", "area", "rooms", "use", "start", "end")
IMPROVEMENT_FIELDS = ("description", "cost", "placed_in_service")
BILL_FIELDS = (
    "home",
    "paid_on",
    "payee",
    "category",
    "amount",
    "scope",
    "business_use_percent",
    "service_start",
    "service_end",
    "note",
)
TAX_YEAR_FIELDS = (
    "year",
    "filing_status",
    "itemizes",
    "state_local_income_or_sales_tax",
    "other_real_estate_taxes",
    "personal_property_taxes",
    "modified_agi",
    "filed",
)
TAX_YEAR_HOME_FIELDS = (
    "home",
    "method",
    "gross_income_limit",
    "receives_carryover",
    "daycare_hours",
    "mortgage_interest_schedule_a_limit",
    "casualty_losses_direct",
    "casualty_losses_indirect",
    "excess_casualty_losses",
)
# A bill's receipt: where its file is in the archive, its download name, and what the file is.
RECEIPT_FIELDS = ("file", "name", "sha256", "content_type", "size")
TOP_FIELDS = ("format", "homes", "bills", "tax_years")
HOME_LISTS = ("office_areas", "improvements")
BILL_LISTS = ("receipts",)
TAX_YEAR_LISTS = ("homes",)
# Receipt files sit in this folder of the archive, named `<sha256>.<extension>`.
RECEIPTS_FOLDER = "receipts/"
SHA256_TEXT = re.compile(r"[0-9a-fA-F]{64}")
RECEIPT_NOT_IN_IMPORT = (
    "the file is not in this import; import the .zip archive (or import without receipts to "
    "leave them out)"
)

# Fields the file requires although the model would accept them blank.
REQUIRED_IN_FILE = {(Home, "key")}

# Examples shown in "must be a decimal number like ..." messages.
DECIMAL_EXAMPLES = {
    "total_area": "2000",
    "area": "200",
    "business_use_percent": "50",
    "daycare_hours": "1200",
}
INTEGER_EXAMPLES = {"year": 2024, "rooms": 1}
DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")

# Error messages are sorted by where they occur in the file: per kind of object, its fields in
# the file's order and the lists it holds (and the kind of object in each).
_LAYOUT = {
    "file": (TOP_FIELDS, {"homes": "home", "bills": "bill", "tax_years": "tax_year"}),
    "home": (
        HOME_FIELDS + HOME_LISTS,
        {"office_areas": "office_area", "improvements": "improvement"},
    ),
    "office_area": (OFFICE_AREA_FIELDS, {}),
    "improvement": (IMPROVEMENT_FIELDS, {}),
    "bill": (BILL_FIELDS + BILL_LISTS, {"receipts": "receipt"}),
    "receipt": (RECEIPT_FIELDS, {}),
    "tax_year": (TAX_YEAR_FIELDS + TAX_YEAR_LISTS, {"homes": "tax_year_home"}),
    "tax_year_home": (TAX_YEAR_HOME_FIELDS, {}),
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


def _export_bill(bill: Bill, index: int, listed: list[tuple[Path, dict, Receipt]]) -> dict:
    data = {**_export_record(bill, BILL_FIELDS), "home": bill.home.key}
    receipts = sorted(bill.receipts.all(), key=lambda r: (r.original_name, r.sha256, r.id))
    if receipts:  # left out when there are none: such a bill reads as it always did
        data["receipts"] = []
        for receipt_index, receipt in enumerate(receipts):
            entry = _export_receipt(receipt)
            data["receipts"].append(entry)
            listed.append((("bills", index, "receipts", receipt_index), entry, receipt))
    return data


def ledger_export(*, owner) -> dict:
    """The owner's whole ledger in the `homeoffice-ledger/1` shape, in a deterministic order.

    Seven queries whatever the ledger's size: homes, their office areas, their improvements,
    bills, their receipts, tax years, the tax years' homes.
    """
    return ledger_export_with_receipts(owner=owner)[0]


def ledger_export_with_receipts(*, owner) -> tuple[dict, list[tuple[Path, dict, Receipt]]]:
    """`ledger_export`'s document, and each receipt it lists: its JSON path, its entry in the
    document (the same dict) and the Receipt, in document order. For the archive."""
    homes = sorted(
        Home.objects.owned_by(owner).prefetch_related(
            Prefetch("office_areas", queryset=OfficeArea.objects.order_by()),
            Prefetch("improvements", queryset=Improvement.objects.order_by()),
        ),
        key=lambda h: (h.key, h.id),
    )
    bills = sorted(
        Bill.objects.owned_by(owner)
        .select_related("home")
        .prefetch_related(Prefetch("receipts", queryset=Receipt.objects.order_by()))
        .order_by(),
        key=lambda b: (b.paid_on, b.payee, b.amount, b.id),
    )
    listed: list[tuple[Path, dict, Receipt]] = []
    tax_years = sorted(
        TaxYear.objects.owned_by(owner).prefetch_related(
            Prefetch("homes", queryset=TaxYearHome.objects.select_related("home").order_by())
        ),
        key=lambda t: (t.year, t.id),
    )
    document = {
        "format": FORMAT,
        "homes": [
            {
                **_export_record(home, HOME_FIELDS),
                "office_areas": [
                    _export_record(area, OFFICE_AREA_FIELDS)
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
        ],
        "bills": [_export_bill(bill, index, listed) for index, bill in enumerate(bills)],
        "tax_years": [
            {
                **_export_record(tax_year, TAX_YEAR_FIELDS),
                "homes": [
                    {**_export_record(year_home, TAX_YEAR_HOME_FIELDS), "home": year_home.home.key}
                    for year_home in sorted(tax_year.homes.all(), key=lambda y: (y.home.key, y.id))
                ],
            }
            for tax_year in tax_years
        ],
    }
    return document, listed


# --------------------------------------------------------------------------------------------
# Import: reading the document


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


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 40 else text[:36] + '..."'
    return str(value)


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


@dataclass
class _Record:
    """One object of the file, read into an unsaved model instance."""

    path: Path
    instance: models.Model
    # Fields that could not be read: excluded from `full_clean` (already reported).
    unreadable: set[str] = field(default_factory=set)
    # Set when any error names this record or one of its fields; such a record is never saved.
    failed: bool = False
    saved: bool = False
    home_key: str | None = None
    children: dict[str, list[_Record]] = field(default_factory=dict)
    receipts: list[_ReceiptEntry] = field(default_factory=list)


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


class _Reader:
    """Turns the document into unsaved model instances, reporting every problem on the way."""

    def __init__(self, errors: _Errors):
        self.errors = errors

    def fail(self, record: _Record | None, path: Path, message: str) -> None:
        self.errors.add(path, message)
        if record is not None:
            record.failed = True

    def list_at(self, container: dict, name: str, path: Path, record: _Record | None) -> list:
        value = container.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(record, path, f"must be a list, not {_describe(value)}")
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

    def record(
        self, model: type[models.Model], obj, path: Path, names: Iterable[str], lists=()
    ) -> _Record | None:
        if not isinstance(obj, dict):
            self.errors.add(path, f"must be an object {{...}}, not {_describe(obj)}")
            return None
        record = _Record(path=path, instance=model())
        self.unknown_fields(obj, (*names, *lists), path, record)
        values = {}
        for name in names:
            model_field = model._meta.get_field(name)
            if isinstance(model_field, models.ForeignKey):
                continue
            ok, value = self.value(model, model_field, obj.get(name), (*path, name), record)
            if ok:
                values[name] = value
            else:
                record.unreadable.add(name)
        for name, value in values.items():
            if value is not None or model._meta.get_field(name).null:
                setattr(record.instance, name, value)
        return record

    def value(self, model, model_field, raw, path: Path, record: _Record) -> tuple[bool, object]:
        """Read one field. Returns (readable, value); None means "not given" (model default)."""
        name = model_field.name

        def bad(message: str) -> tuple[bool, None]:
            self.fail(record, path, message)
            return False, None

        if raw is None or (raw == "" and (model, name) in REQUIRED_IN_FILE):
            if (model, name) in REQUIRED_IN_FILE or not (
                model_field.null or model_field.blank or model_field.has_default()
            ):
                return bad("is required" if raw is None else "must not be empty")
            return True, model_field.get_default() if not model_field.null else None

        if model_field.choices:
            choices = [str(choice) for choice, _label in model_field.flatchoices]
            if raw not in choices:
                listed = ", ".join(f'"{c}"' for c in choices)
                return bad(f"must be one of {listed}, not {_describe(raw)}")
            return True, raw
        if isinstance(model_field, models.DecimalField):
            return self.decimal(raw, name, bad)
        if isinstance(model_field, models.DateField):
            return self.date(raw, bad)
        if isinstance(model_field, models.BooleanField):
            if not isinstance(raw, bool):
                return bad(f"must be true or false, not {_describe(raw)}")
            return True, raw
        if isinstance(model_field, models.IntegerField):
            if isinstance(raw, bool) or not isinstance(raw, int):
                example = INTEGER_EXAMPLES.get(name, 8)
                return bad(f"must be a whole number like {example}, not {_describe(raw)}")
            return True, raw
        if not isinstance(raw, str):
            return bad(f"must be text in quotes, not {_describe(raw)}")
        if "\x00" in raw:
            return bad("must not contain NUL characters")
        return True, raw

    @staticmethod
    def decimal(raw, name: str, bad) -> tuple[bool, Decimal | None]:
        message = f'must be a decimal number like "{DECIMAL_EXAMPLES.get(name, "180.00")}"'
        if isinstance(raw, float):
            # A binary float may already have lost cents; ask for the exact text.
            return bad(f"{message} (in quotes, so that no cents are lost)")
        if isinstance(raw, bool):
            return bad(message)
        if isinstance(raw, int):
            return True, Decimal(raw)
        if isinstance(raw, Decimal):
            return (True, raw) if raw.is_finite() else bad(message)
        if isinstance(raw, str) and DECIMAL_TEXT.fullmatch(raw):
            try:
                return True, Decimal(raw)
            except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
                return bad(message)
        return bad(message)

    @staticmethod
    def date(raw, bad) -> tuple[bool, dt.date | None]:
        if not isinstance(raw, str) or not DATE_TEXT.fullmatch(raw):
            return bad(
                f'must be a date written YYYY-MM-DD, like "2023-01-15", not {_describe(raw)}'
            )
        try:
            return True, dt.date.fromisoformat(raw)
        except ValueError:
            return bad(f"{_describe(raw)} is not a real date")

    def receipt(self, obj, path: Path) -> _ReceiptEntry | None:
        """Read a bill's receipt entry; its file is looked for later (`_receipts_check`)."""
        if not isinstance(obj, dict):
            self.errors.add(path, f"must be an object {{...}}, not {_describe(obj)}")
            return None
        entry = _ReceiptEntry(path=path)
        self.unknown_fields(obj, RECEIPT_FIELDS, path, entry)

        def text(name: str, *, required: bool) -> str | None:
            raw = obj.get(name)
            if raw is None or raw == "":
                if required:
                    message = "is required" if raw is None else "must not be empty"
                    self.fail(entry, (*path, name), message)
                return None
            if not isinstance(raw, str):
                self.fail(entry, (*path, name), f"must be text in quotes, not {_describe(raw)}")
                return None
            if "\x00" in raw:
                self.fail(entry, (*path, name), "must not contain NUL characters")
                return None
            return raw

        entry.file = text("file", required=True)
        entry.name = text("name", required=False)
        entry.content_type = text("content_type", required=False)
        sha256 = text("sha256", required=True)
        if sha256 is not None:
            if SHA256_TEXT.fullmatch(sha256):
                entry.sha256 = sha256.lower()
            else:
                self.fail(
                    entry,
                    (*path, "sha256"),
                    f"must be the file's SHA-256, 64 hexadecimal digits, not {_describe(sha256)}",
                )
        size = obj.get("size")
        if size is not None:
            if isinstance(size, bool) or not isinstance(size, int) or size < 0:
                self.fail(
                    entry,
                    (*path, "size"),
                    f"must be the file's size in bytes, a whole number like 1234, not "
                    f"{_describe(size)}",
                )
            else:
                entry.size = size
        return entry

    def home_reference(self, record: _Record, obj: dict, path: Path, keys: set[str]) -> None:
        raw = obj.get("home")
        if raw is None:
            self.fail(record, path, "is required")
        elif not isinstance(raw, str):
            self.fail(record, path, f"must be a home's key in quotes, not {_describe(raw)}")
        elif raw not in keys:
            self.fail(record, path, f"no home with key '{raw}' in this file")
        else:
            record.home_key = raw


def _year_limits() -> tuple[int, int]:
    validators = TaxYear._meta.get_field("year").validators
    low = max(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    high = min(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    return low, high


def _read(data, errors: _Errors) -> tuple[list[_Record], list[_Record], list[_Record]]:
    reader = _Reader(errors)
    if data.get("format") != FORMAT:
        errors.add(("format",), f'expected "{FORMAT}"')
    reader.unknown_fields(data, TOP_FIELDS, (), None)

    homes: list[_Record] = []
    keys_at: dict[str, Path] = {}
    for index, obj in enumerate(reader.list_at(data, "homes", ("homes",), None)):
        path = ("homes", index)
        record = reader.record(Home, obj, path, HOME_FIELDS, HOME_LISTS)
        if record is None:
            continue
        homes.append(record)
        key = record.instance.key
        if "key" not in record.unreadable:
            record.home_key = key
            if key in keys_at:
                reader.fail(
                    record,
                    (*path, "key"),
                    f"'{key}' is already the key of {path_text(keys_at[key])}",
                )
            else:
                keys_at[key] = path
        for name, model, names in (
            ("office_areas", OfficeArea, OFFICE_AREA_FIELDS),
            ("improvements", Improvement, IMPROVEMENT_FIELDS),
        ):
            children = []
            for child_index, child in enumerate(reader.list_at(obj, name, (*path, name), record)):
                child_record = reader.record(model, child, (*path, name, child_index), names)
                if child_record is not None:
                    children.append(child_record)
            record.children[name] = children

    bills: list[_Record] = []
    for index, obj in enumerate(reader.list_at(data, "bills", ("bills",), None)):
        path = ("bills", index)
        record = reader.record(Bill, obj, path, BILL_FIELDS, BILL_LISTS)
        if record is not None:
            reader.home_reference(record, obj, (*path, "home"), set(keys_at))
            for receipt_index, child in enumerate(
                reader.list_at(obj, "receipts", (*path, "receipts"), record)
            ):
                entry = reader.receipt(child, (*path, "receipts", receipt_index))
                if entry is not None:
                    record.receipts.append(entry)
            bills.append(record)

    low, high = _year_limits()
    tax_years: list[_Record] = []
    years_at: dict[int, Path] = {}
    for index, obj in enumerate(reader.list_at(data, "tax_years", ("tax_years",), None)):
        path = ("tax_years", index)
        record = reader.record(TaxYear, obj, path, TAX_YEAR_FIELDS, TAX_YEAR_LISTS)
        if record is None:
            continue
        tax_years.append(record)
        year = record.instance.year
        if "year" not in record.unreadable:
            if not low <= year <= high:
                record.unreadable.add("year")
                reader.fail(
                    record,
                    (*path, "year"),
                    f"{year} is not supported; supported years are {low}-{high}",
                )
            elif year in years_at:
                reader.fail(
                    record,
                    (*path, "year"),
                    f"{year} is already listed at {path_text(years_at[year])}",
                )
            else:
                years_at[year] = path
        children = []
        homes_in_year: dict[str, Path] = {}
        for child_index, child in enumerate(reader.list_at(obj, "homes", (*path, "homes"), record)):
            child_path = (*path, "homes", child_index)
            child_record = reader.record(TaxYearHome, child, child_path, TAX_YEAR_HOME_FIELDS)
            if child_record is None:
                continue
            reader.home_reference(child_record, child, (*child_path, "home"), set(keys_at))
            key = child_record.home_key
            if key is not None and key in homes_in_year:
                reader.fail(
                    child_record,
                    (*child_path, "home"),
                    f"'{key}' is already listed at {path_text(homes_in_year[key])}",
                )
                child_record.home_key = None
            elif key is not None:
                homes_in_year[key] = child_path
            children.append(child_record)
        record.children["homes"] = children
    return homes, bills, tax_years


# --------------------------------------------------------------------------------------------
# Import: checking against the models and writing


def _model_message(error: ValidationError) -> str:
    code, params = error.code, error.params or {}
    if code == "min_value":
        return f"must be >= {params['limit_value']}"
    if code == "max_value":
        return f"must be <= {params['limit_value']}"
    if code == "max_decimal_places":
        return f"must have at most {params['max']} decimal places"
    if code == "max_digits":
        return f"has too many digits (at most {params['max']} in all)"
    if code == "max_whole_digits":
        return f"is too large (at most {params['max']} digits before the decimal point)"
    if code == "max_length":
        return f"must be at most {params['limit_value']} characters long"
    if code in ("null", "blank", "required"):
        return "must not be empty"
    message = error.message % params if params else error.message
    return str(message)


# Set by the import itself, never read from the file: the owner, and parents that are either
# not saved (a parent with errors) or were just saved (no need to query that they exist). The
# models' `clean()` still checks them.
SET_BY_IMPORT = {"owner", "home", "tax_year"}


def _check(record: _Record, names: Iterable[str], errors: _Errors) -> bool:
    """Run the model's own validation; report each message at its path. True when clean.

    Field validators and `clean()` run; the database check constraints are not validated again
    (each would cost a query and a savepoint per row): every one of them is mirrored by a field
    validator or `clean()`, which tests pin. Uniqueness (home keys, years, a year's homes) is
    checked by the import itself, with messages naming the file's paths.
    """
    names = set(names)
    try:
        record.instance.full_clean(
            exclude={*SET_BY_IMPORT, *record.unreadable}, validate_constraints=False
        )
    except ValidationError as exc:
        for name, field_errors in exc.error_dict.items():
            path = (*record.path, name) if name in names else record.path
            for error in field_errors:
                errors.add(path, _model_message(error))
        record.failed = True
    return not record.failed


def _save(record: _Record, errors: _Errors) -> None:
    try:
        record.instance.save()
    except ValidationError as exc:
        # A check run on save (the filed-year guard) refused the row; the transaction is rolled
        # back at the end with everything else.
        errors.add(record.path, " ".join(exc.messages))
        record.failed = True
        return
    record.saved = True


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
    """Delete the owner's ledger: tax years, bills (and their receipts), homes."""
    files = [
        name for name in Receipt.objects.owned_by(owner).values_list("file", flat=True) if name
    ]
    TaxYear.objects.owned_by(owner).delete()
    Bill.objects.owned_by(owner).delete()  # receipts cascade
    Home.objects.owned_by(owner).delete()  # office areas, improvements, home-years cascade
    _receipt_files_delete_on_commit(files)


def _conflicts(*, owner, homes: list[_Record], tax_years: list[_Record], errors: _Errors) -> None:
    """Without `replace`, the file may only add homes and years the user does not have yet."""
    keys = {r.home_key for r in homes if r.home_key}
    taken_keys = set(
        Home.objects.owned_by(owner).filter(key__in=keys).values_list("key", flat=True)
    )
    for record in homes:
        if record.home_key in taken_keys:
            errors.add(
                (*record.path, "key"),
                f"you already have a home with key '{record.home_key}'; import with replace "
                f"to replace your whole ledger",
            )
            record.failed = True
    years = {r.instance.year for r in tax_years if "year" not in r.unreadable}
    taken_years = set(
        TaxYear.objects.owned_by(owner).filter(year__in=years).values_list("year", flat=True)
    )
    for record in tax_years:
        if "year" not in record.unreadable and record.instance.year in taken_years:
            errors.add(
                (*record.path, "year"),
                f"you already have the tax year {record.instance.year}; import with replace to "
                f"replace your whole ledger",
            )
            record.failed = True


def _write_homes(owner, homes: list[_Record], errors: _Errors) -> dict[str, Home]:
    saved: dict[str, Home] = {}
    for record in homes:
        record.instance.owner = owner
        if _check(record, HOME_FIELDS, errors):
            _save(record, errors)
        if record.saved:
            saved[record.home_key] = record.instance
        for name, names in (
            ("office_areas", OFFICE_AREA_FIELDS),
            ("improvements", IMPROVEMENT_FIELDS),
        ):
            for child in record.children[name]:
                child.instance.owner = owner
                if record.saved:
                    child.instance.home = record.instance
                # Saved one by one: an office area is checked against the ones before it.
                if _check(child, names, errors) and record.saved:
                    _save(child, errors)
    return saved


def _write_bills(owner, bills: list[_Record], homes: dict[str, Home], errors: _Errors) -> None:
    for record in bills:
        record.instance.owner = owner
        home = homes.get(record.home_key)
        if home is not None:
            record.instance.home = home
        if _check(record, BILL_FIELDS, errors) and home is not None:
            _save(record, errors)


def _write_tax_years(
    owner, tax_years: list[_Record], homes: dict[str, Home], errors: _Errors
) -> list[int]:
    """Saves every year open; returns the years the file marks filed (the caller files them)."""
    to_file = []
    for record in tax_years:
        record.instance.owner = owner
        if record.instance.filed:
            to_file.append(record.instance.year)
        record.instance.filed, record.instance.filed_at = False, None
        if _check(record, TAX_YEAR_FIELDS, errors):
            _save(record, errors)
        for child in record.children["homes"]:
            child.instance.owner = owner
            home = homes.get(child.home_key)
            if home is not None:
                child.instance.home = home
            if record.saved:
                child.instance.tax_year = record.instance
            if _check(child, TAX_YEAR_HOME_FIELDS, errors) and home and record.saved:
                _save(child, errors)
    return to_file


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
                f"is {_describe(entry.content_type)} but the file is {source.content_type}",
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
    *, owner, bills: list[_Record], files: ReceiptFiles | None, written: list[str]
) -> int:
    """Store the checked receipts of the saved bills; each new file is written once (its name is
    appended to `written` at once, for the caller to remove if the import fails after all)."""
    names: dict[str, str] = {}
    count = 0
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
            receipt.save()
            count += 1
    return count


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
) -> ImportSummary:
    """Load a `homeoffice-ledger/1` document into the owner's ledger, all or nothing.

    Every problem is collected and raised together as `LedgerFileError`; then nothing is written.
    Records are saved one by one inside this transaction so that the models' cross-record checks
    (office areas in use at the same time within the home's area, filed years) see the earlier
    ones; any error rolls the whole transaction back. With `replace`, the owner's existing ledger
    (homes, bills, receipts, tax years) is deleted first, in the same transaction; without it, a
    home key or a tax year the owner already has is an error. Tax years are created last, all
    open: `ImportSummary.years_to_file` lists those the file marks filed, for the caller to file.

    Receipts come last, once everything else is in: their files from `files` (the archive's, see
    `ledger.ledger_archive`) or, without, files the owner already stores with the same SHA-256;
    a listed receipt with neither is an error. `without_receipts` leaves every listed receipt
    out instead (a plain JSON file moved to another install). Files written by an import that
    fails are removed.
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
) -> ImportSummary:
    if not isinstance(data, dict):
        raise LedgerFileError(
            [f'file: must be a JSON object {{"format": "{FORMAT}", ...}}, not {_describe(data)}']
        )
    errors = _Errors()
    homes, bills, tax_years = _read(data, errors)
    entries = [entry for record in bills for entry in record.receipts]
    if not without_receipts:
        # Before `replace` deletes the owner's receipts: their files can be reused.
        _receipts_check(owner=owner, entries=entries, files=files, errors=errors)
    if replace:  # a filed year cannot go: the caller's write batch refuses the whole import
        _ledger_delete(owner=owner)
    else:
        _conflicts(owner=owner, homes=homes, tax_years=tax_years, errors=errors)

    saved_homes = _write_homes(owner, homes, errors)
    _write_bills(owner, bills, saved_homes, errors)
    years_to_file = _write_tax_years(owner, tax_years, saved_homes, errors)
    if errors:
        raise LedgerFileError(errors.messages())
    receipts = 0
    if not without_receipts:
        receipts = _receipts_write(owner=owner, bills=bills, files=files, written=written)

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
        years_to_file=tuple(sorted(years_to_file)),
    )
