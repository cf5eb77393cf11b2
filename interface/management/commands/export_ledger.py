"""`manage.py export_ledger --user NAME [--output FILE | --archive FILE.zip]`: write a user's
ledger file, or their ledger archive.

The ledger file is `ledger.ledger_file.ledger_export`'s document, as pretty JSON (indent 2,
trailing newline) on standard output or in FILE; it lists receipts but does not carry their
files. `--archive` writes the ledger archive instead (`ledger.ledger_archive`): that JSON as
ledger.json plus every receipt's file, the backup that `import_ledger FILE.zip` restores whole.
Both are written as the ledger is read (`ledger.ledger_stream`), in memory that does not grow with
the ledger; a file is written beside FILE and moved into place once complete.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ledger.ledger_archive import ledger_archive_write
from ledger.ledger_file import LedgerFileError
from ledger.ledger_stream import LedgerFileStats, ledger_file_chunks


def _counts(stats: LedgerFileStats) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'s' if count != 1 else ''}"

    return (
        f"{n(stats.homes, 'home')}, {n(stats.bills, 'bill')}, "
        f"{n(stats.receipts, 'receipt')}, {n(stats.tax_years, 'tax year')}"
    )


class Command(BaseCommand):
    help = (
        "Export a user's ledger as a homeoffice-ledger/1 JSON file, or as a ledger archive "
        "(.zip with every receipt's file)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username whose ledger to export.")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--output", help="Write to this file instead of standard output.")
        where.add_argument(
            "--archive",
            metavar="FILE.zip",
            help="Write the ledger archive (ledger.json and every receipt's file) to this file.",
        )

    def handle(self, *args, user: str, output: str | None, archive: str | None, **options):
        User = get_user_model()
        try:
            owner = User.objects.get(**{User.USERNAME_FIELD: user})
        except User.DoesNotExist:
            raise CommandError(f"There is no user named '{user}'.") from None
        if archive is not None:
            self._write_archive(owner, user, archive)
            return
        stats = LedgerFileStats()
        chunks = ledger_file_chunks(owner=owner, stats=stats)
        if output is None:
            for text in chunks:
                self.stdout.write(text, ending="")
            self.stdout.write("")  # the trailing newline
            return
        try:
            with _replaced(output, "w", encoding="utf-8") as file:
                for text in chunks:
                    file.write(text)
                file.write("\n")
        except OSError as exc:
            raise CommandError(f"{output}: cannot be written ({exc.strerror}).") from None
        self.stdout.write(
            f"Wrote {user}'s ledger to {output}: {stats.homes} homes, "
            f"{stats.bills} bills, {stats.tax_years} tax years."
        )

    def _write_archive(self, owner, user: str, archive: str) -> None:
        try:
            with _replaced(archive, "wb") as file:
                stats = ledger_archive_write(owner=owner, out=file)
        except LedgerFileError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            count = len(exc.errors)
            raise CommandError(
                f"{count} error{'s' if count != 1 else ''}; no archive was written."
            ) from None
        except OSError as exc:
            raise CommandError(f"{archive}: cannot be written ({exc.strerror}).") from None
        self.stdout.write(f"Wrote {user}'s ledger archive to {archive}: {_counts(stats)}.")


@contextmanager
def _replaced(path: str, mode: str, **kwargs):
    """A file written beside `path` that replaces it once complete: a failed export leaves
    no half-written file (and an earlier one in place)."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with open(partial, mode, **kwargs) as file:
            yield file
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
