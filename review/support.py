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
from dataclasses import dataclass

from django.db.models import Case, Count, F, Value, When
from django.db.models import CharField as CharType

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


def bills_behind_lines(*, owner, year: int, forms=None) -> list[BillLine]:
    """Every bill of the year with the form line it feeds, in form-line order."""
    forms = forms if forms is not None else year_forms(owner=owner, year=year)
    lines_by_home = {f.home_id: f.output.get("lines") for f in forms.forms}
    homes = list(Home.objects.owned_by(owner).prefetch_related(office_areas_prefetch()))
    in_use = homes_in_use(homes)
    full, straddling = bill_count_filters(in_use)
    bills = (
        Bill.objects.owned_by(owner)
        .filter(tax_year=year)
        .annotate(
            receipt_count=Count("receipts"),
            counted=Case(
                When(full, then=Value("full")),
                When(straddling, then=Value("prorated")),
                default=Value("none"),
                output_field=CharType(),
            ),
            home_name=F("home__name"),
        )
        .order_by("paid_on", "id")
    )
    rows = []
    for bill in bills:
        # A refund counts against its category: it is listed with a negative amount.
        sign = -1 if bill.kind == Bill.Kind.REFUND else 1
        counted_amount = ""
        if bill.home_id not in lines_by_home or bill.counted == "none":
            form_line, counted_amount = NOT_COUNTED, "0.00"
        else:
            where = bill_lines.spot(
                bill.category, bill.scope, bill.business_use_percent is not None
            )
            form_line = bill_form_line(where, lines_by_home[bill.home_id], year)
            if bill.counted == "prorated":
                counted_amount = str(
                    sign
                    * prorate(
                        bill.amount, (bill.service_start, bill.service_end), in_use[bill.home_id]
                    )
                )
        rows.append(
            BillLine(
                form_line=form_line,
                home=bill.home_name,
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
                order=(_line_order(form_line), bill.home_name, bill.paid_on, bill.pk),
            )
        )
    rows.sort(key=lambda r: r.order)
    return rows


def bills_behind_lines_csv(*, owner, year: int, forms=None) -> str:
    """CSV with one row per bill of the year: form line, home, paid_on, payee, category, scope,
    amount, business_use_percent, counted_amount (if prorated), receipts (count)."""
    out = io.StringIO()
    writer = csv.writer(out)  # "\r\n" ends rows, so a "\r" or "\n" in a cell is quoted
    writer.writerow(CSV_COLUMNS)
    for row in bills_behind_lines(owner=owner, year=year, forms=forms):
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
    return out.getvalue()


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


def support_package_zip(*, owner, year: int) -> bytes:
    """The year's tax-support package: Form 8829 PDF, bills CSV, forms JSON, receipts."""
    from review.pdf import form_pdf  # reportlab is loaded only when a PDF is made

    forms = year_forms(owner=owner, year=year)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"form8829-{year}.pdf", form_pdf(owner=owner, year=year, forms=forms))
        archive.writestr(
            f"bills-behind-lines-{year}.csv",
            bills_behind_lines_csv(owner=owner, year=year, forms=forms),
        )
        archive.writestr(f"form8829-{year}.json", forms_json(forms))
        taken: set[str] = set()
        receipts = (
            Receipt.objects.owned_by(owner)
            .filter(bill__tax_year=year)
            .select_related("bill")
            .order_by("bill__paid_on", "bill_id", "id")
        )
        for receipt in receipts:
            with receipt.file.open("rb") as handle:
                archive.writestr(receipt_archive_name(receipt, taken), handle.read())
    return buffer.getvalue()
