"""Tax-support downloads of one year: the bills behind each form line (CSV) and the support
package (ZIP: the Form 8829 PDF, that CSV, the forms JSON and every receipt file of the year).

The admin and the REST API both call `bills_behind_lines_csv` and `support_package_zip`; keep
their signatures. The forms are the chain's (`forms8829.chain.year_forms`): a filed year's are
its frozen forms. Which bill counts, and how much of a prorated one, is decided by the same
conditions and the same `prorate` as the engine's inputs (docs/tax-rules.md §3); no other
arithmetic here.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models import CharField as CharType
from django.db.models.functions import Coalesce
from django.utils import timezone

from forms8829 import lines as bill_lines
from forms8829.chain import year_forms
from forms8829.periods import prorate
from forms8829.selectors import bill_count_filters, homes_in_use, office_areas_prefetch
from ledger.csv_cells import csv_row
from ledger.models import Bill, Home, Receipt
from ledger.services import safe_file_name
from review.page import bill_form_line

CSV_COLUMNS = (
    "form_line",
    "home",
    "paid_on",
    "payee",
    "category",
    "scope",
    "amount",
    "business_use_percent",
    "counted_amount",
    "receipts",
)
NOT_COUNTED = "not counted (paid or served outside business use)"
CHUNK_SIZE = 2_000  # bills (or receipts) fetched from the cursor at a time
TEXT_CHUNK = 64 * 1024  # characters of CSV handed on at a time
FILE_CHUNK = 1024 * 1024  # bytes of a receipt's file read at a time


@dataclass(frozen=True)
class BillLine:
    form_line: str
    home: str
    paid_on: str
    payee: str
    category: str
    scope: str
    amount: str
    business_use_percent: str
    counted_amount: str  # filled when prorated (or not counted at all), else empty
    receipts: int
    order: tuple


def _line_order(form_line: str) -> tuple:
    head = form_line.split("(")[0]
    return (0, int(head), form_line) if head.isdigit() else (1, 0, form_line)


def bills_behind_lines(*, owner, year: int, forms=None) -> Iterator[BillLine]:
    """Every bill of the year with the form line it feeds, in form-line order, read as it is
    written: the few (home, category, scope, share, counted) groups of the year first, each
    given its form line and its place in the order, then the bills in that order from a cursor
    (server-side on PostgreSQL). Two queries; memory does not grow with the bills."""
    forms = forms if forms is not None else year_forms(owner=owner, year=year)
    return _bill_lines(owner, year, forms)


def _bill_lines(owner, year: int, forms) -> Iterator[BillLine]:
    lines_by_home = {f.home_id: f.output.get("lines") for f in forms.forms}
    homes = list(Home.objects.owned_by(owner).prefetch_related(office_areas_prefetch()))
    names = {home.pk: home.name for home in homes}
    in_use = homes_in_use(homes)
    full, straddling = bill_count_filters(in_use)
    bills = (
        Bill.objects.owned_by(owner)
        .filter(tax_year=year)
        .annotate(
            counted=Case(
                When(full, then=Value("full")),
                When(straddling, then=Value("prorated")),
                default=Value("none"),
                output_field=CharType(),
            ),
            shared=Case(
                When(business_use_percent__isnull=True, then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            ),
        )
    )

    def form_line(home_id, category, scope, shared, counted) -> str:
        if home_id not in lines_by_home or counted == "none":
            return NOT_COUNTED
        where = bill_lines.spot(category, scope, shared)
        return bill_form_line(where, lines_by_home[home_id], year)

    group_keys = ("home_id", "category", "scope", "shared", "counted")
    groups = {
        tuple(row[k] for k in group_keys): None
        for row in bills.values(*group_keys).distinct().order_by()
    }
    for key in groups:
        line = form_line(*key)
        groups[key] = (line, (_line_order(line), names.get(key[0], "")))
    places = {order: n for n, order in enumerate(sorted({order for _, order in groups.values()}))}
    place = Case(
        *(
            When(Q(**dict(zip(group_keys, key, strict=True))), then=Value(places[order]))
            for key, (_, order) in groups.items()
        ),
        default=Value(len(places)),
        output_field=IntegerField(),
    )
    receipts = (
        Receipt.objects.filter(bill_id=OuterRef("pk"))
        .order_by()
        .values("bill_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        bills.annotate(
            place=place,
            receipt_count=Coalesce(Subquery(receipts, output_field=IntegerField()), 0),
        )
        .order_by("place", "paid_on", "id")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for bill in rows:
        # A refund counts against its category: it is listed with a negative amount.
        sign = -1 if bill.kind == Bill.Kind.REFUND else 1
        key = (bill.home_id, bill.category, bill.scope, bill.shared, bill.counted)
        line = groups[key][0] if key in groups else form_line(*key)
        counted_amount = ""
        if line == NOT_COUNTED:
            counted_amount = "0.00"
        elif bill.counted == "prorated":
            counted_amount = str(
                sign
                * prorate(bill.amount, (bill.service_start, bill.service_end), in_use[bill.home_id])
            )
        home_name = names.get(bill.home_id, "")
        yield BillLine(
            form_line=line,
            home=home_name,
            paid_on=bill.paid_on.isoformat(),
            payee=bill.payee,
            category=bill.category,
            scope=bill.scope,
            amount=str(sign * bill.amount),
            business_use_percent=""
            if bill.business_use_percent is None
            else str(bill.business_use_percent),
            counted_amount=counted_amount,
            receipts=bill.receipt_count,
            order=(_line_order(line), home_name, bill.paid_on, bill.pk),
        )


def bills_behind_lines_csv_chunks(*, owner, year: int, forms=None) -> Iterator[str]:
    """The CSV of `bills_behind_lines_csv` in pieces of about 64 KB, written as the bills are
    read. The forms are read at once (a year that cannot be computed raises here, before
    anything is written); the bills as the pieces are taken."""
    rows = bills_behind_lines(owner=owner, year=year, forms=forms)
    return _csv_chunks(rows)


def _csv_chunks(rows: Iterator[BillLine]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)  # "\r\n" ends rows, so a "\r" or "\n" in a cell is quoted
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            csv_row(
                [
                    row.form_line,
                    row.home,
                    row.paid_on,
                    row.payee,
                    row.category,
                    row.scope,
                    row.amount,
                    row.business_use_percent,
                    row.counted_amount,
                    row.receipts,
                ]
            )
        )
        if out.tell() >= TEXT_CHUNK:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def bills_behind_lines_csv(*, owner, year: int, forms=None) -> str:
    """CSV with one row per bill of the year: form line, home, paid_on, payee, category, scope,
    amount, business_use_percent, counted_amount (if prorated), receipts (count). Whole, in
    memory: the downloads stream `bills_behind_lines_csv_chunks` instead."""
    return "".join(bills_behind_lines_csv_chunks(owner=owner, year=year, forms=forms))


def forms_json(forms) -> str:
    """The year's forms as the form output contract (docs/ledger-format.md §3), one object per
    home."""
    return json.dumps([f.output for f in forms.forms], indent=2) + "\n"


def receipt_archive_name(receipt: Receipt, taken: set[str]) -> str:
    """receipts/<paid_on>_<payee>_<original name>, safe characters only, never a duplicate."""
    bill = receipt.bill
    extension = receipt.original_name.rsplit(".", 1)[-1] if "." in receipt.original_name else "bin"
    extension = "".join(c for c in extension if c.isalnum())[:8] or "bin"
    stem = f"{bill.paid_on.isoformat()}_{bill.payee}_{receipt.original_name}"
    name = safe_file_name(stem, extension).replace(" ", "_")
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = name.replace(f".{extension}", f"-{n}.{extension}")
    taken.add(candidate)
    return f"receipts/{candidate}"


class _Pipe:
    """A file that only grows, for `zipfile` to write to (unseekable: each entry's sizes go in a
    data descriptor after it); what was written is taken away in pieces."""

    def __init__(self):
        self._pieces: list[bytes] = []

    def write(self, data) -> int:
        self._pieces.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._pieces)
        self._pieces.clear()
        return data


def _zip_entry(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = compression
    return info


def support_package_chunks(*, owner, year: int) -> Iterator[bytes]:
    """The year's tax-support package (Form 8829 PDF, bills CSV, forms JSON, receipts) as a ZIP
    written as it goes: pieces of bytes, the bills and receipt files read as they are written,
    so memory does not grow with the year. The forms are read at once: a year that cannot be
    computed raises here, before anything is written."""
    from review.pdf import form_pdf  # reportlab is loaded only when a PDF is made

    forms = year_forms(owner=owner, year=year)
    pdf = form_pdf(owner=owner, year=year, forms=forms)
    rows = bills_behind_lines(owner=owner, year=year, forms=forms)
    return _support_zip(owner, year, forms, pdf, rows)


def _support_zip(owner, year: int, forms, pdf: bytes, rows) -> Iterator[bytes]:
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_zip_entry(f"form8829-{year}.pdf", zipfile.ZIP_DEFLATED), pdf)
        yield pipe.take()
        entry = _zip_entry(f"bills-behind-lines-{year}.csv", zipfile.ZIP_DEFLATED)
        with archive.open(entry, "w") as written:
            for text in _csv_chunks(rows):
                written.write(text.encode("utf-8"))
                yield pipe.take()
        archive.writestr(
            _zip_entry(f"form8829-{year}.json", zipfile.ZIP_DEFLATED), forms_json(forms)
        )
        taken: set[str] = set()
        receipts = (
            Receipt.objects.owned_by(owner)
            .filter(bill__tax_year=year)
            .select_related("bill")
            .order_by("bill__paid_on", "bill_id", "id")
            .iterator(chunk_size=CHUNK_SIZE)
        )
        for receipt in receipts:
            # Receipt formats are compressed already: stored as they are.
            entry = _zip_entry(receipt_archive_name(receipt, taken), zipfile.ZIP_STORED)
            with receipt.file.open("rb") as stored, archive.open(entry, "w") as written:
                while piece := stored.read(FILE_CHUNK):
                    written.write(piece)
                    yield pipe.take()
    yield pipe.take()


def support_package_zip(*, owner, year: int) -> bytes:
    """The whole support package in memory (the downloads stream `support_package_chunks`)."""
    return b"".join(support_package_chunks(owner=owner, year=year))
