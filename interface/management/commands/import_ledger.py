"""`manage.py import_ledger FILE --user NAME [--replace] [--without-receipts]`: load a ledger file
or a ledger archive into a user's ledger.

FILE is told apart by its content: a ZIP is a ledger archive (ledger.json and its receipts'
files, `forms8829.filing.ledger_archive_restore`), anything else a `homeoffice-ledger/1` JSON
file (`forms8829.filing.ledger_file_import`). A JSON file that lists receipts whose files this
install does not hold is refused naming each one, unless `--without-receipts` leaves them out.

All or nothing: a file with any error changes nothing (not even the user's creation); each error
is printed on its own line to stderr, named by its JSON path (or its path in the archive), and
the command exits non-zero.

Progress goes to stderr as the import tells it (`ledger.progress`): one line per step or batch,
`bills: 20,000 / 100,000`; on a terminal each line overwrites the last and the last is cleared
at the end. `--verbosity 0` hides it. Standard output holds only the summary line.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import transaction

from forms8829.filing import ledger_archive_restore, ledger_file_import
from ledger.ledger_archive import is_ledger_archive
from ledger.ledger_file import LedgerFileError, ledger_file_parse
from ledger.progress import progress_text

CLEAR_TO_END = "\x1b[K"  # a terminal's "erase to the end of the line"


def _open_input(file: str) -> BinaryIO:
    """FILE as a seekable binary stream (standard input is read whole)."""
    if file == "-":
        buffer = getattr(sys.stdin, "buffer", None)
        content = buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8")
        return io.BytesIO(content)
    try:
        return open(file, "rb")  # closed by the caller's `with`
    except FileNotFoundError:
        raise CommandError(f"{file}: no such file.") from None
    except OSError as exc:
        raise CommandError(f"{file}: cannot be read ({exc.strerror}).") from None


def _parse_json(content: bytes, file: str):
    """The document, read exactly as POST /api/ledger/import/ reads the same file."""
    try:
        return ledger_file_parse(content, name="standard input" if file == "-" else file)
    except LedgerFileError as exc:
        raise CommandError(exc.errors[0]) from None


class _ProgressLines:
    """The import's progress on the command's stderr: a line per report, or on a terminal one
    line rewritten in place (`\r`) and cleared by `end()`, before the errors or the summary."""

    def __init__(self, stderr: OutputWrapper):
        self.stderr = stderr
        self.tty = stderr.isatty()
        self.shown = False

    def __call__(self, step: str, done: int, total: int | None) -> None:
        text = progress_text(step, done, total)
        if self.tty:
            self.stderr.write(f"\r{text}{CLEAR_TO_END}", style_func=str, ending="")
            self.stderr.flush()
            self.shown = True
        else:
            self.stderr.write(text, style_func=str)

    def end(self) -> None:
        if self.shown:
            self.stderr.write(f"\r{CLEAR_TO_END}", style_func=str, ending="")
            self.stderr.flush()
            self.shown = False


@contextmanager
def _progress_shown(stderr: OutputWrapper, verbosity: int) -> Iterator[_ProgressLines | None]:
    """The progress to hand the import (None at verbosity 0), its line cleared on the way out."""
    if verbosity < 1:
        yield None
        return
    progress = _ProgressLines(stderr)
    try:
        yield progress
    finally:
        progress.end()


class Command(BaseCommand):
    help = (
        "Import a homeoffice-ledger/1 JSON file, or a ledger archive (.zip with its receipts), "
        "into a user's ledger (all or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="The ledger file (.json) or archive (.zip), or - to read standard input."
        )
        parser.add_argument("--user", required=True, help="Username; created if needed.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the user's existing ledger (homes, bills, receipts, tax years) first.",
        )
        parser.add_argument(
            "--without-receipts",
            action="store_true",
            help="JSON file only: leave out the receipts it lists instead of refusing those "
            "whose files are not here (an archive brings its receipts' files).",
        )

    def handle(self, *args, file: str, user: str, replace: bool, without_receipts: bool, **options):
        with _open_input(file) as stream:
            archive = is_ledger_archive(stream.read(4))
            stream.seek(0)
            if archive and without_receipts:
                raise CommandError(
                    f"{file} is a ledger archive, which brings its receipts' files; "
                    f"--without-receipts is for a JSON ledger file."
                )
            data = None if archive else _parse_json(stream.read(), file)
            shown = _progress_shown(self.stderr, options["verbosity"])
            try:
                with shown as progress, transaction.atomic():
                    User = get_user_model()
                    owner, created = User.objects.get_or_create(**{User.USERNAME_FIELD: user})
                    if created:
                        owner.set_unusable_password()
                        owner.save(update_fields=["password"])
                    if archive:
                        summary = ledger_archive_restore(
                            owner=owner, data=stream, replace=replace, progress=progress
                        )
                    else:
                        summary = ledger_file_import(
                            owner=owner,
                            data=data,
                            replace=replace,
                            without_receipts=without_receipts,
                            progress=progress,
                        )
            except LedgerFileError as exc:
                for error in exc.errors:
                    self.stderr.write(error)
                count = len(exc.errors)
                raise CommandError(
                    f"{count} error{'s' if count != 1 else ''} in {file}; nothing was imported."
                ) from None
        new = " (new user)" if created else ""
        self.stdout.write(f"Imported into {owner.get_username()}'s ledger{new}: {summary}.")
