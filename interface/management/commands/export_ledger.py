"""`manage.py export_ledger --user NAME [--output FILE | --archive FILE.zip]`: write a user's
ledger file, or their ledger archive.

The ledger file is `ledger.ledger_file.ledger_export`'s document, as pretty JSON (indent 2,
trailing newline) on standard output or in FILE; it lists receipts but does not carry their
files. `--archive` writes the ledger archive instead (`ledger.ledger_archive`): that JSON as
ledger.json plus every receipt's file, the backup that `import_ledger FILE.zip` restores whole.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ledger.ledger_archive import LEDGER_JSON, ledger_archive_export
from ledger.ledger_file import LedgerFileError, ledger_export


def _counts(data: dict) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'s' if count != 1 else ''}"

    receipts = sum(len(bill.get("receipts", [])) for bill in data["bills"])
    return (
        f"{n(len(data['homes']), 'home')}, {n(len(data['bills']), 'bill')}, "
        f"{n(receipts, 'receipt')}, {n(len(data['tax_years']), 'tax year')}"
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
        data = ledger_export(owner=owner)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{output}: cannot be written ({exc.strerror}).") from None
        self.stdout.write(
            f"Wrote {user}'s ledger to {output}: {len(data['homes'])} homes, "
            f"{len(data['bills'])} bills, {len(data['tax_years'])} tax years."
        )

    def _write_archive(self, owner, user: str, archive: str) -> None:
        try:
            content = ledger_archive_export(owner=owner)
        except LedgerFileError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            count = len(exc.errors)
            raise CommandError(
                f"{count} error{'s' if count != 1 else ''}; no archive was written."
            ) from None
        try:
            Path(archive).write_bytes(content)
        except OSError as exc:
            raise CommandError(f"{archive}: cannot be written ({exc.strerror}).") from None
        with zipfile.ZipFile(io.BytesIO(content)) as written:
            data = json.loads(written.read(LEDGER_JSON))
        self.stdout.write(f"Wrote {user}'s ledger archive to {archive}: {_counts(data)}.")
