"""`manage.py import_statement FILE... --user NAME [--account NAME] [--dry-run] [--json]`: bring
bank or card statements (CSV of any layout, OFX 1.x/.qfx or 2.x) into a user's ledger.

Each file is one write batch, all or nothing, in the order given (so statements that overlap
skip what the earlier ones brought): its account is the one named, or the one the file is
recognized as (an OFX file's account id; a CSV whose account's layout is confirmed), or a new
one named after the file. A CSV of a new layout is read with the layout detection proposes, and
importing it confirms that layout for the account; check it first with `--dry-run`, which
prints the same report and saves nothing. The payee rules apply; what no rule decides waits in
the inbox (the admin's Statement lines → Inbox, or /api/statement-lines/?status=inbox).

A file that cannot be read, or that would change a filed year, stops the command with every
problem on stderr and a non-zero exit; files imported before it stay imported.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from forms8829.filing import YearFiledError, ledger_write
from forms8829.statement_writes import statement_file_import, statement_file_upload
from interface.api.statement_serializers import StatementReportSerializer, statement_report
from ledger.statement_import import StatementError
from ledger.statement_models import StatementAccount


class Command(BaseCommand):
    help = "Import bank or card statements (CSV or OFX) into a user's ledger, one batch a file."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Statement files, in the order to import.")
        parser.add_argument("--user", required=True, help="The ledger's username.")
        parser.add_argument(
            "--account", help="The account's name (created if new; default: recognized)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report; save nothing.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print each report as JSON."
        )

    def handle(self, *args, files, user, account, dry_run, as_json: bool, **options):
        User = get_user_model()
        try:
            owner = User.objects.get(**{User.USERNAME_FIELD: user})
        except User.DoesNotExist:
            raise CommandError(f"There is no user '{user}'.") from None
        chosen = None
        if account:
            chosen = StatementAccount.objects.owned_by(owner).filter(name=account).first()
        for name in files:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{name}: cannot be read ({exc.strerror}).") from None
            try:
                result = self._import(owner, data, path.name, chosen, account, dry_run)
            except (StatementError, YearFiledError) as exc:
                words = " ".join(getattr(exc, "messages", None) or [str(exc)])
                raise CommandError(f"{name}: {words}") from None
            self._report(name, result, as_json=as_json)
            if not result.ok:
                for problem in result.plan.problems:
                    self.stderr.write(f"{name}: {problem}")
                raise CommandError(f"{name} cannot be imported; nothing of it was saved.")

    @staticmethod
    def _import(owner, data: bytes, file_name: str, chosen, account: str | None, dry_run: bool):
        options = {"account_name": "" if chosen else (account or "")}
        if not dry_run:
            pending = statement_file_upload(
                owner=owner, data=data, file_name=file_name, account=chosen
            )
            return statement_file_import(upload=pending, dry_run=False, user=owner, **options)
        # A dry run keeps nothing, not even the uploaded file: one batch, rolled back whole.
        with ledger_write(owner=owner, dry_run=True):
            pending = statement_file_upload(
                owner=owner, data=data, file_name=file_name, account=chosen
            )
            return statement_file_import(upload=pending, dry_run=True, user=owner, **options)

    def _report(self, name, result, *, as_json: bool) -> None:
        if as_json:
            body = StatementReportSerializer(statement_report(result)).data
            self.stdout.write(json.dumps(body, indent=2, default=str))
            return
        plan = result.plan
        counts = plan.counts()
        verb = "Would import" if result.dry_run else "Imported"
        account = plan.account.name if plan.account else f"{plan.account_name} (new)"
        self.stdout.write(
            f"{verb} {name} into {account}: {counts['bill']} bill(s), {counts['refund']} "
            f"refund(s) and {counts['inbox']} line(s) for the inbox, {counts['ignore']} "
            f"ignored, {counts['repeat']} already imported, {counts['existing']} already in "
            "the ledger."
        )
        for note in plan.layout_notes:
            self.stdout.write(f"  layout: {note}")
        for skipped in plan.skipped:
            self.stdout.write(f"  line {skipped.line}: skipped, {skipped.reason}")
        for line in plan.lines:
            if line.outcome in ("repeat", "existing", "inbox", "refund"):
                self.stdout.write(
                    f"  line {line.line}: {line.posted_on} {line.description[:40]} "
                    f"{line.amount}: {line.outcome_label}"
                    + (f" ({line.reason})" if line.reason else "")
                )
