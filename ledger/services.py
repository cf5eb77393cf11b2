"""Ledger writes: validated, atomic, owner-checked. Admin, API and commands call these.

Each function is keyword-only and named `<entity>_<verb>`. A user-caused problem raises
`django.core.exceptions.ValidationError` with a message naming the field; nothing is left
half-written (every multi-row write runs in one transaction).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models.functions import ExtractMonth

from ledger.models import Bill, Home, Receipt

# Receipt types accepted, decided by the file's content (magic bytes), never by its name.
RECEIPT_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/heic": "heic",
}


@dataclass(frozen=True)
class ReceiptFileInfo:
    content_type: str
    extension: str
    size: int
    sha256: str


def receipt_inspect(*, file: File) -> ReceiptFileInfo:
    """Check a receipt's size and real type, and fingerprint it; raise ValidationError if bad."""
    limit = settings.RECEIPT_MAX_BYTES
    size = file.size
    if size is None or size == 0:
        raise ValidationError({"file": "The receipt file is empty."})
    if size > limit:
        raise ValidationError(
            {"file": f"The receipt is {size:,} bytes; the limit is {limit:,} bytes."}
        )
    digest = hashlib.sha256()
    file.seek(0)
    head = b""
    for chunk in file.chunks():
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
        digest.update(chunk)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in RECEIPT_TYPES:
        found = kind.mime if kind else "an unknown type"
        raise ValidationError(
            {"file": f"A receipt must be a PDF, PNG, JPEG, WebP or HEIC file; this is {found}."}
        )
    return ReceiptFileInfo(
        content_type=kind.mime,
        extension=RECEIPT_TYPES[kind.mime],
        size=size,
        sha256=digest.hexdigest(),
    )


def receipt_duplicate_of(*, owner, sha256: str) -> Receipt | None:
    return Receipt.objects.owned_by(owner).filter(sha256=sha256).select_related("bill").first()


@transaction.atomic
def receipt_create(
    *, bill: Bill, file: File, original_name: str | None = None, allow_duplicate: bool = False
) -> Receipt:
    """Attach a receipt file to a bill. A file the user already stored is reported, not doubled."""
    info = receipt_inspect(file=file)
    if not allow_duplicate:
        existing = receipt_duplicate_of(owner=bill.owner, sha256=info.sha256)
        if existing is not None:
            raise ValidationError(
                {
                    "file": (
                        f"This file is already stored as receipt {existing.pk} "
                        f"('{existing.original_name}') of the bill {existing.bill}."
                    )
                }
            )
    name = original_name or getattr(file, "name", None) or f"receipt.{info.extension}"
    receipt = Receipt(
        owner_id=bill.owner_id,
        bill=bill,
        original_name=safe_file_name(name, info.extension),
        size=info.size,
        content_type=info.content_type,
        sha256=info.sha256,
    )
    receipt.file.save(info.sha256, file, save=False)
    receipt.save()
    return receipt


def safe_file_name(name: str, extension: str) -> str:
    """A download name with no path, no control or quote characters, and the real extension."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    cleaned = "".join(c if c.isalnum() or c in "-_ ." else "_" for c in stem).strip(" .")
    return f"{(cleaned or 'receipt')[:100]}.{extension}"


def _add_months(day: dt.date, months: int, *, month_end: bool = False) -> dt.date:
    """The same day `months` later, clipped to the month's end (or the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if month_end else min(day.day, last))


def _is_month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


@transaction.atomic
def bills_copy_to_following_months(*, bills: list[Bill]) -> list[Bill]:
    """Copy each recurring bill to every later month of its year that has no bill from the same
    payee: same day of month (clipped to the month's end), service period shifted as many months.
    All or nothing. A write batch: the caller runs it in `forms8829.filing.ledger_write`."""
    bills = sorted(bills, key=lambda b: (b.paid_on, b.pk))
    by_owner = {bill.owner_id for bill in bills}
    taken = set(
        Bill.objects.filter(
            owner_id__in=by_owner,
            tax_year__in={b.tax_year for b in bills},
            payee__in={b.payee for b in bills},
        )
        .annotate(month=ExtractMonth("paid_on"))
        .values_list("owner_id", "payee", "tax_year", "month")
    )
    created = []
    for bill in bills:
        for month in range(bill.paid_on.month + 1, 13):
            key = (bill.owner_id, bill.payee, bill.tax_year, month)
            if key in taken:
                continue
            shift = month - bill.paid_on.month
            copy = Bill(
                owner_id=bill.owner_id,
                home_id=bill.home_id,
                paid_on=_add_months(bill.paid_on, shift),
                tax_year=bill.tax_year,
                payee=bill.payee,
                category=bill.category,
                amount=bill.amount,
                scope=bill.scope,
                business_use_percent=bill.business_use_percent,
                note=bill.note,
            )
            if bill.service_start and bill.service_end:
                copy.service_start = _add_months(bill.service_start, shift)
                copy.service_end = _add_months(
                    bill.service_end, shift, month_end=_is_month_end(bill.service_end)
                )
            copy.full_clean()
            copy._change_reason = f"Copied from bill {bill.pk} ({bill.paid_on})"
            copy.save()
            taken.add(key)
            created.append(copy)
    return created


# Kept in the home's history when it switches to rooms (Pub 587, business percentage).
ROOMS_REASON = "Area method: rooms (rooms of about the same size, Pub 587)"
SQUARE_FEET_REASON = "Area method: square feet"


def home_area_method_set(*, home: Home, method: str) -> Home:
    """Switch how the home's business part is measured (square feet or rooms), in one step; the
    history keeps why (for rooms: that the rooms are of about the same size)."""
    if method not in Home.AreaMethod.values:
        choices = ", ".join(Home.AreaMethod.values)
        raise ValidationError({"area_method": f"Choose one of {choices}."})
    home.area_method = method
    home.full_clean()
    rooms = method == Home.AreaMethod.ROOMS
    home._change_reason = ROOMS_REASON if rooms else SQUARE_FEET_REASON
    home.save(update_fields=["area_method", "updated_at"])
    return home
