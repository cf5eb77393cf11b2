"""`manage.py export_ledger --user NAME [--output FILE]`: write a user's ledger file.

The document is `ledger.ledger_file.ledger_export`'s, as pretty JSON (indent 2, trailing newline)
on standard output or in FILE.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ledger.ledger_file import ledger_export


class Command(BaseCommand):
    help = "Export a user's ledger as a homeoffice-ledger/1 JSON file."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username whose ledger to export.")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, user: str, output: str | None, **options):
        User = get_user_model()
        try:
            owner = User.objects.get(**{User.USERNAME_FIELD: user})
        except User.DoesNotExist:
            raise CommandError(f"There is no user named '{user}'.") from None
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
