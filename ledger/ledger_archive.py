"""The ledger archive: a user's ledger file and its receipts' files in one ZIP, for backups and
moves to another install.

Layout: `ledger.json` (the `homeoffice-ledger/1` file, pretty, as `export_ledger` writes it) and
`receipts/<sha256>.<ext>` for every receipt file that bills list (`bills[].receipts[].file`).
`ledger_archive_write` writes it to a file as it reads the ledger (`ledger_archive_export`: into
memory); `ledger_archive_import` reads it back, all or nothing, through
`ledger.ledger_file.ledger_import`, which checks each receipt file like an upload (type by
content, size limit, SHA-256 against ledger.json) and writes it to private storage only when the
rest of the import has succeeded.

An archive comes from a user and is opened as hostile. Before anything is unpacked it is refused,
naming the entry, when it holds more than MAX_ENTRIES entries, an absolute path, `..`, a
backslash, a link or another non-regular entry, an encrypted or unusually compressed entry, a
name twice, or unpacks to more than its receipts can need (RECEIPT_MAX_BYTES each, plus
LEDGER_JSON_MAX_BYTES for ledger.json): zip bombs. Entries are only ever read into memory, each
up to its limit; nothing is extracted to disk by its archive name.

No tax arithmetic here; must not import the `forms8829` engine.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import stat
import zipfile
import zlib
from collections.abc import Collection
from typing import BinaryIO

from django.conf import settings

from ledger.ledger_file import (
    RECEIPTS_FOLDER,
    ImportSummary,
    LedgerFileError,
    ReceiptFileUnreadable,
    ledger_file_parse,
    ledger_import,
    path_text,
)
from ledger.ledger_stream import (
    CHUNK_SIZE,
    LedgerFileStats,
    bill_entries_in_file_order,
    ledger_file_chunks,
)
from ledger.models import Receipt
from ledger.progress import Progress
from ledger.services import RECEIPT_TYPES

logger = logging.getLogger(__name__)

LEDGER_JSON = "ledger.json"
MAX_ENTRIES = 10_000
# The largest ledger.json read, and the room an archive may take beyond its receipts' files.
LEDGER_JSON_MAX_BYTES = 50 * 1024 * 1024
# What a ZIP starts with (a local file header; an empty archive's end record).
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
# Methods every ZIP tool writes. Others (bzip2, LZMA) decompress without an output bound.
COMPRESSIONS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
# Entries are dated the same on every export, so the same ledger gives the same archive bytes.
ENTRY_TIME = (1980, 1, 1, 0, 0, 0)
CHUNK = 1024 * 1024
_WINDOWS_DRIVE = re.compile(r"[A-Za-z]:")
# What reading a damaged entry may raise.
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


class LedgerArchiveError(LedgerFileError):
    """A ledger archive that cannot be imported (or exported); `errors` holds one message each."""

    def __init__(self, errors: list[str]):
        super().__init__(errors)
        count = len(self.errors)
        self.args = (
            f"The ledger archive has {count} error{'s' if count != 1 else ''}:\n"
            + "\n".join(self.errors),
        )


def is_ledger_archive(head: bytes) -> bool:
    """Whether a file's first bytes are a ZIP's (a ledger file is JSON text, never "PK...")."""
    return head.startswith(ZIP_SIGNATURES)


# --------------------------------------------------------------------------------------------
# Export


def _entry(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ENTRY_TIME)
    info.compress_type = compression
    info.create_system = 3  # Unix, so that the mode below is read as such
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _stored_digest(name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with Receipt._meta.get_field("file").storage.open(name, "rb") as stored:
        while chunk := stored.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def ledger_archive_export(*, owner) -> bytes:
    """The owner's ledger archive as bytes (`ledger_archive_write` into memory): for tests and
    small ledgers; the doors write it to a file."""
    buffer = io.BytesIO()
    ledger_archive_write(owner=owner, out=buffer)
    return buffer.getvalue()


def ledger_archive_write(*, owner, out: BinaryIO) -> LedgerFileStats:
    """Write the owner's ledger archive to `out` (a seekable binary file, which a ZIP written as
    it goes needs): ledger.json, then each receipt file once, by its SHA-256. Returns what the
    archive holds.

    Memory does not grow with the number of bills: ledger.json is compressed into the archive as
    `ledger.ledger_stream` writes it; what is kept is one entry per distinct receipt file.
    ledger.json describes the files as the archive carries them (their SHA-256 and size are
    measured first, by reading each stored file once), so the archive always imports. A receipt
    whose stored file is missing makes the export fail before anything is written
    (`LedgerArchiveError`, naming each such receipt by its path in ledger.json) rather than give
    a backup without it.
    """
    measured, missing = _measure_stored_files(owner)
    if missing:
        raise LedgerArchiveError(_missing_file_errors(owner, missing))
    members: dict[str, Receipt] = {}  # archive path -> a receipt whose file it is

    def describe_files(bill_entry: dict, listed) -> None:
        for _path, entry, receipt in listed:
            sha256, size = measured[receipt.file.name]
            if (sha256, size) != (entry["sha256"], entry["size"]):
                logger.warning(
                    "Receipt %s: the stored file's SHA-256 or size differs from the record's; "
                    "the archive lists the file's.",
                    receipt.pk,
                )
            extension = RECEIPT_TYPES.get(receipt.content_type, "bin")
            entry.update(file=f"{RECEIPTS_FOLDER}{sha256}.{extension}", sha256=sha256, size=size)
            members.setdefault(entry["file"], receipt)

    stats = LedgerFileStats()
    with zipfile.ZipFile(out, "w") as archive:
        with archive.open(_entry(LEDGER_JSON, zipfile.ZIP_DEFLATED), "w") as ledger_json:
            for text in ledger_file_chunks(owner=owner, stats=stats, on_bill=describe_files):
                ledger_json.write(text.encode("utf-8"))
            ledger_json.write(b"\n")
        # Receipt formats are compressed already: stored as they are.
        for member, receipt in members.items():
            with (
                receipt.file.storage.open(receipt.file.name, "rb") as stored,
                archive.open(_entry(member, zipfile.ZIP_STORED), "w") as written,
            ):
                while chunk := stored.read(CHUNK):
                    written.write(chunk)
    return stats


def _measure_stored_files(owner) -> tuple[dict[str, tuple[str, int]], set[str]]:
    """Each distinct stored file of the owner's receipts: its (SHA-256, size) by stored name,
    and the names whose file is missing. One query, read in chunks."""
    measured: dict[str, tuple[str, int]] = {}
    missing: set[str] = set()
    names = (
        Receipt.objects.owned_by(owner)
        .order_by()
        .values_list("file", flat=True)
        .distinct()
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for name in names:
        try:
            measured[name] = _stored_digest(name)
        except OSError:
            missing.add(name)
    return measured, missing


def _missing_file_errors(owner, missing: set[str]) -> list[str]:
    """One error per receipt whose stored file is missing, named by its path in ledger.json,
    in the file's order."""
    errors = []
    for _bill, listed in bill_entries_in_file_order(owner=owner):
        errors.extend(
            f"{path_text(path)}: the stored file of the receipt "
            f"{json.dumps(receipt.original_name)} is missing; upload it again or delete "
            f"the receipt, then export again"
            for path, _entry, receipt in listed
            if receipt.file.name in missing
        )
    return errors


# --------------------------------------------------------------------------------------------
# Import


def _shown(name: str) -> str:
    text = json.dumps(name, ensure_ascii=False)
    return text if len(text) <= 80 else text[:76] + '..."'


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    """Why an entry is refused, or None for a safe one."""
    name = info.orig_filename
    kind = stat.S_IFMT(info.external_attr >> 16)
    if not name:
        return "an entry without a name"
    if "\x00" in name:
        return "a NUL character in a name"
    if "\\" in name:
        return "a backslash in a path (folders are separated by /)"
    if name.startswith("/") or _WINDOWS_DRIVE.match(name):
        return "an absolute path"
    if ".." in name.split("/"):
        return 'a path that goes up with ".."'
    if kind == stat.S_IFLNK:
        return "a symbolic link"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "a special file (only files and folders may be in an archive)"
    if info.flag_bits & 0x1:
        return "an encrypted file"
    if info.compress_type not in COMPRESSIONS:
        return "a compression method other than deflate (zip it again with a common tool)"
    return None


def _open(data: bytes | BinaryIO) -> zipfile.ZipFile:
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data
    not_zip = LedgerArchiveError(
        ["The file is not a readable ZIP archive; export the ledger archive again."]
    )
    try:
        # The end record gives the entry count before the whole directory is read into memory.
        end = zipfile._EndRecData(source)
    except (OSError, EOFError, ValueError, AttributeError):
        end = None
    if end is not None and end[zipfile._ECD_ENTRIES_TOTAL] > MAX_ENTRIES:
        raise _too_many(end[zipfile._ECD_ENTRIES_TOTAL])
    try:
        return zipfile.ZipFile(source)
    except (zipfile.LargeZipFile, *_READ_ERRORS):
        raise not_zip from None


def _too_many(count: int) -> LedgerArchiveError:
    return LedgerArchiveError(
        [f"The archive has {count:,} entries; the limit is {MAX_ENTRIES:,}; nothing was read."]
    )


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The archive's entries by name, every one of them safe, or LedgerArchiveError."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _too_many(len(infos))
    members: dict[str, zipfile.ZipInfo] = {}
    errors = []
    for info in infos:
        problem = _entry_problem(info)
        if problem is None and info.filename in members:
            problem = "the same name twice"
        if problem is not None:
            errors.append(f"{_shown(info.orig_filename)}: refused, the archive holds {problem}")
            continue
        members[info.filename] = info
    if errors:
        raise LedgerArchiveError(errors)
    return members


def _ledger_document(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]):
    info = members.get(LEDGER_JSON)
    if info is None:
        nested = sorted(name for name in members if name.endswith("/" + LEDGER_JSON))
        hint = (
            f"; it has {nested[0]}: zip the folder's contents rather than the folder"
            if nested
            else ""
        )
        raise LedgerArchiveError([f"The archive has no {LEDGER_JSON} at its top level{hint}."])
    if info.file_size > LEDGER_JSON_MAX_BYTES:
        raise LedgerArchiveError(
            [
                f"{LEDGER_JSON}: {info.file_size:,} bytes unpacked; the limit is "
                f"{LEDGER_JSON_MAX_BYTES:,} bytes."
            ]
        )
    try:
        with archive.open(info) as file:
            raw = file.read(LEDGER_JSON_MAX_BYTES + 1)
    except _READ_ERRORS:
        raise LedgerArchiveError(
            [f"{LEDGER_JSON}: cannot be read; the archive is damaged."]
        ) from None
    try:
        return ledger_file_parse(raw, name=LEDGER_JSON)  # as the command and the API read it
    except LedgerFileError as exc:
        raise LedgerArchiveError(exc.errors) from None


def _receipts_listed(document) -> int:
    bills = document.get("bills") if isinstance(document, dict) else None
    if not isinstance(bills, list):
        return 0
    return sum(
        len(bill["receipts"])
        for bill in bills
        if isinstance(bill, dict) and isinstance(bill.get("receipts"), list)
    )


def _unpacked_size_check(members: dict[str, zipfile.ZipInfo], document) -> None:
    """Refuse an archive that unpacks to more than its listed receipts can need (a zip bomb).

    The sizes are the archive's own claims; reads never go past them (zipfile stops there)."""
    receipts = _receipts_listed(document)
    per_receipt = settings.RECEIPT_MAX_BYTES
    bound = per_receipt * receipts + LEDGER_JSON_MAX_BYTES
    total = sum(info.file_size for info in members.values())
    if total > bound:
        raise LedgerArchiveError(
            [
                f"The archive unpacks to {total:,} bytes, more than its {receipts:,} "
                f"receipt{'s' if receipts != 1 else ''} can need ({per_receipt:,} bytes each plus "
                f"{LEDGER_JSON_MAX_BYTES:,} for {LEDGER_JSON}); it is refused as a possible zip "
                f"bomb and nothing was read."
            ]
        )


class _ArchiveFiles:
    """The archive's receipt files (every entry but ledger.json and folders), read on demand."""

    def __init__(self, archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]):
        self._archive = archive
        self._files = {
            name: info
            for name, info in members.items()
            if name != LEDGER_JSON and not info.is_dir()
        }

    def names(self) -> Collection[str]:
        return self._files.keys()

    def read(self, name: str) -> bytes:
        info, limit = self._files[name], settings.RECEIPT_MAX_BYTES
        if info.file_size > limit:
            raise ReceiptFileUnreadable(
                f"The receipt is {info.file_size:,} bytes; the limit is {limit:,} bytes."
            )
        try:
            with self._archive.open(info) as file:
                return file.read(limit + 1)
        except _READ_ERRORS as exc:
            raise ReceiptFileUnreadable("cannot be read; the archive is damaged.") from exc


def ledger_archive_import(
    *, owner, data: bytes | BinaryIO, replace: bool = False, progress: Progress | None = None
) -> ImportSummary:
    """Load a ledger archive (bytes, or a seekable binary file) into the owner's ledger, all or
    nothing; `replace` and `progress` as for `ledger_import`.

    The archive's safety is checked first (LedgerArchiveError, nothing read or written); then
    ledger.json and its receipts are imported by `ledger_import`, whose errors name JSON paths
    (`bills[3].receipts[0].sha256: ...`) and archive paths (`receipts/x.pdf: ...` for a file no
    receipt lists).
    """
    with _open(data) as archive:
        members = _members(archive)
        document = _ledger_document(archive, members)
        _unpacked_size_check(members, document)
        return ledger_import(
            owner=owner,
            data=document,
            replace=replace,
            files=_ArchiveFiles(archive, members),
            progress=progress,
        )
