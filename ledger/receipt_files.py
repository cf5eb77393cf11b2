"""Receipt files follow their rows: a file goes when the last receipt that uses it is deleted
(once the deletion is committed), and a file written by a write that rolled back goes too.

- `receipt_files_delete_on_commit(names)`: after the transaction commits, delete each file that
  no receipt uses any more (receipts of one user may share a file: it is stored by its SHA-256).
  A rolled-back deletion deletes nothing.
- Deleting a `Receipt` row (one, a bill's cascade, a bulk delete, a replace-import, an account's
  deletion) and replacing its file are storage bookkeeping that must follow every way Django
  deletes a row, so a model signal does it (as django-cleanup would), never a business rule.
- `receipt_files_guard()`: around a write (forms8829.filing's write batch and imports). Every file
  saved inside (`ledger.storage` reports it) is deleted if the block ends with an error, its
  transaction having rolled back; nested guards leave it to the outermost.
- `receipt_files_scan()`: the stored files no row uses (orphans: a worker killed in the middle
  of an import leaves some) and the rows whose file is missing; `manage.py receipts_check`.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_delete, pre_save
from django.utils import timezone

from ledger.models import Receipt
from ledger.storage import receipt_storage

logger = logging.getLogger(__name__)

_written: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "receipt_files_written", default=None
)


def receipt_file_written(name: str) -> None:
    """Called by the storage for each file it saves."""
    written = _written.get()
    if written is not None:
        written.append(name)


def _delete_unused(names: set[str]) -> None:
    in_use = set(Receipt.objects.filter(file__in=names).values_list("file", flat=True))
    for name in sorted(names - in_use):
        try:
            receipt_storage.delete(name)
        except Exception:  # a file that cannot be deleted is an orphan for receipts_check
            logger.warning("Could not delete the receipt file %s", name, exc_info=True)


def _delete_files(names) -> None:
    for name in names:
        try:
            receipt_storage.delete(name)
        except Exception:
            logger.warning("Could not remove the receipt file %s", name, exc_info=True)


def receipt_files_delete_on_commit(names) -> None:
    names = {name for name in names if name}
    if names:
        transaction.on_commit(lambda: _delete_unused(names))


@contextmanager
def receipt_files_guard() -> Iterator[None]:
    if _written.get() is not None:
        yield
        return
    written: list[str] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        # The write rolled back: its rows are gone, and so go the files it saved (each under a
        # name that was free, so no other row can use it).
        _delete_files(written)
        raise
    finally:
        _written.reset(token)


def receipt_files_discard() -> None:
    """Inside a guard: delete what it saved so far (a dry run rolled back on purpose)."""
    written = _written.get()
    if written:
        _delete_files(written)
        written.clear()


def _receipt_deleted(sender, instance, **kwargs) -> None:
    receipt_files_delete_on_commit([instance.file.name])


def _receipt_saving(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    before = Receipt.objects.filter(pk=instance.pk).values_list("file", flat=True).first()
    if before and before != instance.file.name:  # a new file replaced the old one
        receipt_files_delete_on_commit([before])


def connect() -> None:
    post_delete.connect(_receipt_deleted, sender=Receipt, dispatch_uid="receipt-file-deleted")
    pre_save.connect(_receipt_saving, sender=Receipt, dispatch_uid="receipt-file-replaced")


# --------------------------------------------------------------------------------------------
# The check


@dataclass(frozen=True)
class MissingFile:
    receipt_id: int
    owner_id: int
    name: str


@dataclass(frozen=True)
class ReceiptFilesScan:
    stored: int
    orphans: list[str]  # stored, used by no receipt, older than the grace period
    recent_orphans: list[str]  # used by no receipt yet: perhaps a write still running
    missing: list[MissingFile]


def _walk(path: str = "") -> Iterator[str]:
    folders, files = receipt_storage.listdir(path)
    for name in files:
        yield f"{path}/{name}" if path else name
    for folder in folders:
        yield from _walk(f"{path}/{folder}" if path else folder)


def receipt_files_scan(*, grace: dt.timedelta = dt.timedelta(hours=1)) -> ReceiptFilesScan:
    """Compare the stored files with the receipts' rows (one listing, one query). A file no row
    uses that is younger than `grace` may belong to a write still running: it is reported apart
    and never removed."""
    stored = set(_walk())
    used = {}
    for pk, owner_id, name in Receipt.objects.values_list("pk", "owner_id", "file"):
        used.setdefault(name, (pk, owner_id))
    unused = sorted(stored - set(used))
    cutoff = timezone.now() - grace
    old, recent = [], []
    for name in unused:
        try:
            modified = receipt_storage.get_modified_time(name)
        except (OSError, NotImplementedError):
            modified = None
        (recent if modified is not None and modified > cutoff else old).append(name)
    missing = [
        MissingFile(receipt_id=pk, owner_id=owner_id, name=name)
        for name, (pk, owner_id) in sorted(used.items())
        if name not in stored
    ]
    return ReceiptFilesScan(len(stored), old, recent, missing)


def receipt_files_remove(names: list[str]) -> int:
    """Delete orphans found by a scan, each after checking again that no row uses it."""
    in_use = set(Receipt.objects.filter(file__in=names).values_list("file", flat=True))
    removed = 0
    for name in names:
        if name not in in_use:
            receipt_storage.delete(name)
            removed += 1
    return removed
