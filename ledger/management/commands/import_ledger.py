"""`manage.py import_ledger FILE --user NAME [--replace]`: load a ledger file into a user's ledger.

All or nothing: a file with any error changes nothing (not even the user's creation); each error
is printed on its own line to stderr, named by its JSON path, and the command exits non-zero.
The work is done by `ledger.ledger_file.ledger_import`.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ledger.ledger_file import LedgerFileError, ledger_import


def _read_text(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"{file}: no such file.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{file}: not a UTF-8 text file.") from None
    except OSError as exc:
        raise CommandError(f"{file}: cannot be read ({exc.strerror}).") from None


def _parse_json(text: str, file: str):
    name = "standard input" if file == "-" else file
    try:
        # JSON numbers with a fraction become Decimal, never float.
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{name}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None


class Command(BaseCommand):
    help = "Import a homeoffice-ledger/1 JSON file into a user's ledger (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The ledger file, or - to read standard input.")
        parser.add_argument("--user", required=True, help="Username; created if needed.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the user's existing ledger (homes, bills, receipts, tax years) first.",
        )

    def handle(self, *args, file: str, user: str, replace: bool, **options):
        data = _parse_json(_read_text(file), file)
        try:
            with transaction.atomic():
                User = get_user_model()
                owner, created = User.objects.get_or_create(**{User.USERNAME_FIELD: user})
                if created:
                    owner.set_unusable_password()
                    owner.save(update_fields=["password"])
                summary = ledger_import(owner=owner, data=data, replace=replace)
        except LedgerFileError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            count = len(exc.errors)
            raise CommandError(
                f"{count} error{'s' if count != 1 else ''} in {file}; nothing was imported."
            ) from None
        new = " (new user)" if created else ""
        self.stdout.write(f"Imported into {owner.get_username()}'s ledger{new}: {summary}.")
