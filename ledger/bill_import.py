"""Bulk import of bills from CSV: one function, `bills_import_csv`, for the API and the admin.

The file has a header line naming its columns (see `ledger.resources.COLUMNS`; home, paid_on,
payee, category and amount are required, the rest optional) and one bill per line. The import is
all or nothing: every problem is reported, each naming the CSV line number (the header is line 1)
and the column, and then nothing is saved. A row that repeats a bill (same home, paid date, payee
and amount) already in the ledger, or an earlier row of the file, is reported and skipped, never
doubled. A dry run checks everything and returns the bills the file would create, saving nothing.

Cells are read by `ledger.resources.BillResource` (django-import-export) and each bill passes the
model's `full_clean()`, so the rules are those of the admin and the API (a filed year's bills
cannot change, mortgage interest is never direct, ...). No tax arithmetic here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction

from forms8829.services import filed_years_guard_deferred
from ledger.resources import COLUMNS, REQUIRED_COLUMNS, BillResource

MAX_ROWS = 10_000


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


class _RollBack(Exception):
    def __init__(self, report: BillImportReport):
        self.report = report


def bills_import_csv(*, owner, data: bytes | str, dry_run: bool) -> BillImportReport:
    """Import the CSV `data` into `owner`'s bills, all or nothing; see the module docstring."""
    errors: list[BillImportProblem] = []
    records = _read(data, errors)
    if errors:
        return BillImportReport(dry_run=dry_run, errors=errors)

    dataset = tablib.Dataset(headers=list(COLUMNS))
    lines = {}
    for number, (line, values) in enumerate(records, 1):
        dataset.append([values.get(column, "") for column in COLUMNS])
        lines[number] = line

    resource = BillResource(owner=owner)
    try:
        with transaction.atomic(), filed_years_guard_deferred():
            result = resource.import_data(
                dataset, dry_run=False, use_transactions=True, raise_errors=False
            )
            report = _report(resource, result, lines, dry_run)
            if dry_run or not report.ok:
                raise _RollBack(report)
    except _RollBack as rollback:
        return rollback.report
    return report


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


def _report(resource: BillResource, result, lines: dict[int, int], dry_run: bool):
    errors: list[BillImportProblem] = []
    for error in result.base_errors:
        errors.append(BillImportProblem(None, None, f"The import failed: {error.error}"))
    for row_result in result.rows:
        for error in row_result.errors:
            errors.append(
                BillImportProblem(
                    lines.get(error.number), None, f"could not be saved: {error.error}"
                )
            )
    for invalid in result.invalid_rows:
        line = lines.get(invalid.number)
        for name, messages in invalid.error_dict.items():
            column = None if name == NON_FIELD_ERRORS else name
            for message in messages:
                errors.append(BillImportProblem(line, column, message))
    errors.sort(
        key=lambda p: (
            p.line is not None,
            p.line or 0,
            COLUMNS.index(p.column) if p.column in COLUMNS else len(COLUMNS),
        )
    )

    duplicates = []
    for number, existing, earlier in resource.duplicates:
        if existing is not None:
            message = f"repeats bill {existing} already in your ledger (same home, date, payee "
            message += "and amount); skipped."
            duplicates.append(BillImportDuplicate(lines[number], message, existing_bill=existing))
        else:
            message = f"repeats line {lines[earlier]} (same home, date, payee and amount); skipped."
            duplicates.append(
                BillImportDuplicate(lines[number], message, same_as_line=lines[earlier])
            )

    rows = [
        BillImportRow(
            line=lines[number],
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
        for number, bill in resource.saved
    ]
    ok = not errors
    return BillImportReport(
        dry_run=dry_run,
        created=len(rows) if ok and not dry_run else 0,
        rows=rows,
        errors=errors,
        duplicates=duplicates,
    )
