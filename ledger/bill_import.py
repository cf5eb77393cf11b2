"""Bulk import of bills from CSV: one function, `bills_import_csv`, for the API and the admin.

The file has a header line naming its columns (see `ledger.resources.COLUMNS`; home, paid_on,
payee, category and amount are required, the rest optional) and one bill per line. The import is
all or nothing: every problem is reported, each naming the CSV line number (the header is line 1)
and the column, and then nothing is saved. A row that repeats a bill (same home, paid date, payee
and amount: `ledger.models.duplicate_key`) already in the ledger, or an earlier row of the file,
is reported and skipped, never doubled. A dry run checks everything and returns the bills the
file would create, saving nothing.

Cells are read by `ledger.resources.BillResource` (django-import-export's widgets) and each bill
passes the model's field validation and `Bill.clean()`, so the rules are those of the admin and
the API (mortgage interest is never direct, ...). Filed years are the caller's write batch's to
check (`forms8829.filing.ledger_write`), once for the whole import.

Fast by construction: the queries do not grow with the rows. The owner's homes are fetched once,
the bills the file repeats in one indexed lookup of the file's duplicate keys (so the rows read
are the repeats, whatever else the ledger holds); every row is checked in Python; the bills and
their "+" history records are inserted in batches of `ledger.progress.BATCH` rows, one INSERT of
the batch and one of its history rows each. No tax arithmetic here.

Progress (`ledger.progress`): an optional `progress(step, done, total)` is told the rows read
("reading bills") and checked ("checking bills") after every whole batch of them, then the bills
inserted ("bills") after each batch. All of it in the caller's transaction: a failure after some
progress still saves nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from simple_history.utils import bulk_create_with_history

from ledger.models import Bill
from ledger.progress import Progress, batches, counted, progress_none
from ledger.resources import COLUMNS, REQUIRED_COLUMNS, BillResource

# The largest CSV of bills read, by every door (the API's import and the admin's).
CSV_MAX_BYTES = 5 * 1024 * 1024

MAX_ROWS = 10_000
# Duplicate keys looked up per query for repeats: a whole file's, where the database binds that
# many parameters in a statement (PostgreSQL; SQLite since 3.32, see `ledger.apps`).
DUPLICATE_LOOKUP_KEYS = MAX_ROWS


@dataclass(frozen=True)
class BillImportProblem:
    line: int | None  # None: the file as a whole
    column: str | None
    message: str

    def __str__(self) -> str:
        where = "file" if self.line is None else f"line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class BillImportDuplicate:
    line: int
    message: str
    existing_bill: int | None = None
    same_as_line: int | None = None


@dataclass(frozen=True)
class BillImportRow:
    """A bill the file creates (or would create, on a dry run)."""

    line: int
    home: str
    paid_on: dt.date
    payee: str
    category: str
    amount: Decimal
    scope: str
    business_use_percent: Decimal | None
    service_start: dt.date | None
    service_end: dt.date | None
    note: str


@dataclass(frozen=True)
class BillImportReport:
    dry_run: bool
    created: int = 0
    rows: list[BillImportRow] = field(default_factory=list)
    errors: list[BillImportProblem] = field(default_factory=list)
    duplicates: list[BillImportDuplicate] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def bills_import_csv(
    *, owner, data: bytes | str, dry_run: bool, progress: Progress | None = None
) -> BillImportReport:
    """Import the CSV `data` into `owner`'s bills, all or nothing; see the module docstring."""
    progress = progress or progress_none
    errors: list[BillImportProblem] = []
    records = _read(data, errors)
    if errors:
        return BillImportReport(dry_run=dry_run, errors=errors)

    resource = BillResource(owner=owner)
    read = [
        (line, *resource.read_bill(cells))
        for line, cells in counted(records, "reading bills", progress)
    ]
    readable = [bill for _, bill, problems in read if not problems]
    for bill in readable:
        bill.derive_columns()  # its tax year and duplicate key, as Bill.save would
    existing = _existing_bills(owner, {bill.duplicate_key for bill in readable})

    seen: dict[str, int] = {}
    duplicates: list[BillImportDuplicate] = []
    new: list[tuple[int, Bill]] = []
    for line, bill, problems in counted(read, "checking bills", progress):
        # A repeat is skipped before the model's checks, as long as its cells could be read.
        if not problems:
            key = bill.duplicate_key
            if key in existing:
                duplicates.append(_repeats_bill(line, existing[key]))
                continue
            if key in seen:
                duplicates.append(_repeats_line(line, seen[key]))
                continue
            seen[key] = line
        _check(bill, problems)
        if problems:
            errors.extend(
                BillImportProblem(line, column, message)
                for column, messages in problems.items()
                for message in messages
            )
        else:
            new.append((line, bill))
    errors.sort(
        key=lambda p: (
            p.line is not None,
            p.line or 0,
            COLUMNS.index(p.column) if p.column in COLUMNS else len(COLUMNS),
        )
    )
    rows = [_row(line, bill) for line, bill in new]
    report = BillImportReport(dry_run=dry_run, rows=rows, errors=errors, duplicates=duplicates)
    if dry_run or errors or not new:
        return report

    bills, done = [bill for _, bill in new], 0
    try:
        with transaction.atomic():
            # One INSERT of the batch and one of its history rows (PostgreSQL inserts with
            # UNNEST, SQLite takes its library's limit of variables: `ledger.apps`).
            for batch in batches(bills):
                bulk_create_with_history(
                    batch, Bill, default_user=owner, default_change_reason="Imported from CSV"
                )
                done += len(batch)
                progress("bills", done, len(bills))
    except IntegrityError as exc:  # a concurrent change; the checks above mirror the constraints
        problem = BillImportProblem(None, None, f"The import failed; nothing was saved: {exc}")
        return BillImportReport(dry_run=False, rows=rows, errors=[problem], duplicates=duplicates)
    return BillImportReport(
        dry_run=False, created=len(rows), rows=rows, errors=[], duplicates=duplicates
    )


def _existing_bills(owner, keys: set[str]) -> dict[str, int]:
    """The owner's bills with one of `keys` (`Bill.duplicate_key`), by key: the first bill of
    each. Only the repeats are read, through the (owner, duplicate_key) index: not the bills of
    the file's days or amounts, so the tenth file of a year imports as fast as the first. One
    query, or one per DUPLICATE_LOOKUP_KEYS keys where the database binds fewer parameters."""
    limit = connection.features.max_query_params
    size = DUPLICATE_LOOKUP_KEYS if limit is None else min(DUPLICATE_LOOKUP_KEYS, limit - 1)
    ordered = sorted(keys)
    existing: dict[str, int] = {}
    for start in range(0, len(ordered), size):
        found = (
            Bill.objects.owned_by(owner)
            .filter(duplicate_key__in=ordered[start : start + size])
            .order_by("id")
            .values_list("duplicate_key", "id")
        )
        for key, pk in found:
            existing.setdefault(key, pk)
    return existing


def _check(bill: Bill, problems: dict[str | None, list[str]]) -> None:
    """Add to `problems` what the model's `full_clean()` would say, without its per-row queries.

    The field validators run as in `full_clean()` except on `home` and `owner`, whose validation
    is a query each: the home was found among the owner's homes, and the owner is the importer.
    `Bill.clean()`'s owner check reads the home already loaded. The check constraints are not
    queried row by row: the validators and `clean()` cover each of them, and the database still
    enforces them.
    """
    found: dict = {}
    try:
        bill.clean_fields(exclude={*problems, "home", "owner"})
    except ValidationError as exc:
        found = exc.update_error_dict(found)
    try:
        bill.clean()
    except ValidationError as exc:
        found = exc.update_error_dict(found)
    if found:
        for name, messages in ValidationError(found).message_dict.items():
            problems.setdefault(None if name == NON_FIELD_ERRORS else name, []).extend(messages)


def _repeats_bill(line: int, existing: int) -> BillImportDuplicate:
    message = f"repeats bill {existing} already in your ledger (same home, date, payee and "
    message += "amount); skipped."
    return BillImportDuplicate(line, message, existing_bill=existing)


def _repeats_line(line: int, earlier: int) -> BillImportDuplicate:
    message = f"repeats line {earlier} (same home, date, payee and amount); skipped."
    return BillImportDuplicate(line, message, same_as_line=earlier)


def _row(line: int, bill: Bill) -> BillImportRow:
    return BillImportRow(
        line=line,
        home=bill.home.key,
        paid_on=bill.paid_on,
        payee=bill.payee,
        category=bill.category,
        amount=bill.amount,
        scope=bill.scope,
        business_use_percent=bill.business_use_percent,
        service_start=bill.service_start,
        service_end=bill.service_end,
        note=bill.note,
    )


def _decode(data: bytes | str, errors: list[BillImportProblem]) -> str | None:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        errors.append(
            BillImportProblem(None, None, "The file is not UTF-8 text; save it as CSV UTF-8.")
        )
        return None


def _header(cells: list[str], errors: list[BillImportProblem]) -> list[str]:
    names = [cell.strip().lower().replace(" ", "_") for cell in cells]
    for name in names:
        if name not in COLUMNS:
            errors.append(
                BillImportProblem(
                    1,
                    name or None,
                    f"unknown column '{name}'; the columns are {', '.join(COLUMNS)}.",
                )
            )
    for name in {n for n in names if names.count(n) > 1}:
        errors.append(BillImportProblem(1, name, "this column appears more than once."))
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        errors.append(
            BillImportProblem(1, None, f"the required column(s) {', '.join(missing)} are missing.")
        )
    return names


def _read(data: bytes | str, errors: list[BillImportProblem]) -> list[tuple[int, dict]]:
    """The data rows as (line number, {column: cell}); blank lines are skipped."""
    text = _decode(data, errors)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    records: list[tuple[int, dict]] = []
    line = 1
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                line = reader.line_num + 1
                continue
            if header is None:
                if line != 1:
                    errors.append(BillImportProblem(line, None, "the header must be line 1."))
                header = _header(cells, errors)
                if errors:
                    return []
            elif len(cells) > len(header):
                errors.append(
                    BillImportProblem(
                        line,
                        None,
                        f"has {len(cells)} cells but the header names {len(header)} columns.",
                    )
                )
            else:
                records.append((line, dict(zip(header, cells, strict=False))))
                if len(records) > MAX_ROWS:
                    errors.append(
                        BillImportProblem(None, None, f"The file has more than {MAX_ROWS} bills.")
                    )
                    return []
            line = reader.line_num + 1
    except csv.Error as exc:
        errors.append(BillImportProblem(reader.line_num, None, f"is not valid CSV ({exc})."))
        return []
    if header is None:
        errors.append(BillImportProblem(None, None, "The file is empty; it needs a header line."))
    elif not records and not errors:
        errors.append(BillImportProblem(None, None, "The file has a header but no bills."))
    return records
