"""Statement imports, inbox decisions and payee rules as write batches (`filing.ledger_write`).

Every write here is one batch of the owner's ledger, like `filing.bills_csv_import`: it takes the
user's lock, is refused as a whole with `YearFiledError` (the API's 409) when it would change a
filed year (a bill paid in it, a refund accepted in it), and stores the open years' forms. A
dry run is the import itself, checked and rolled back, so a preview is refused by a filed year
exactly as the import would be. The admin, the API and the `import_statement` command come here;
the work is `ledger.statement_import` and `ledger.statement_inbox`.
"""

from __future__ import annotations

from dataclasses import replace

from forms8829.filing import ledger_write
from ledger import statement_inbox
from ledger.statement_import import (
    StatementResult,
    statement_apply,
    statement_plan,
    statement_upload,
)
from ledger.statement_models import PayeeRule, StatementAccount, StatementImport
from ledger.statements.layouts import Layout


def statement_file_upload(
    *, owner, data: bytes, file_name: str, account: StatementAccount | None = None
) -> StatementImport:
    """Keep an uploaded statement, pending (`ledger.statement_import.statement_upload`)."""
    with ledger_write(owner=owner):
        return statement_upload(owner=owner, data=data, file_name=file_name, account=account)


def statement_file_choose(
    *,
    upload: StatementImport,
    account: StatementAccount | None = None,
    layout: Layout | None = None,
    account_name: str | None = None,
) -> StatementImport:
    """Remember a preview's choices on a pending file: its account, its CSV layout, the name of
    the account to create."""
    with ledger_write(owner=upload.owner_id):
        fields = []
        if account is not None:
            upload.account, fields = account, [*fields, "account"]
        if layout is not None:
            upload.layout, fields = layout.check().to_dict(), [*fields, "layout"]
        if account_name is not None:
            upload.account_name, fields = account_name.strip()[:100], [*fields, "account_name"]
        if fields:
            upload.save(update_fields=[*fields, "updated_at"])
    return upload


def statement_file_import(
    *,
    upload: StatementImport,
    dry_run: bool,
    user=None,
    account: StatementAccount | None = None,
    layout: Layout | None = None,
    account_name: str = "",
) -> StatementResult:
    """Import a pending statement file, all or nothing; a dry run is the import rolled back."""
    if upload.status != StatementImport.Status.PENDING:
        raise ValueError(f"{upload.file_name} is already imported.")
    try:
        with ledger_write(owner=upload.owner_id, dry_run=dry_run):
            # Planned under the user's lock: two imports of one file cannot both miss the other.
            choices = {"account": account, "layout": layout, "account_name": account_name}
            plan = statement_plan(upload=upload, **choices)
            planned_account = plan.account
            result = statement_apply(plan=plan, user=user or upload.owner)
    except BaseException:
        upload.refresh_from_db()  # rolled back: the file is pending, as stored
        raise
    if dry_run:
        # Rolled back: the file is pending again and a new account was not made.
        upload.refresh_from_db()
        plan.account = planned_account
        return replace(result, dry_run=True, created_bills=0)
    return result


def statement_row_decide(**options) -> statement_inbox.Classified:
    """Classify a waiting line (`ledger.statement_inbox.statement_row_classify`)."""
    with ledger_write(owner=options["row"].owner_id):
        return statement_inbox.statement_row_classify(**options)


def inbox_rules_apply(*, owner, user=None) -> int:
    with ledger_write(owner=owner):
        return statement_inbox.inbox_apply_rules(owner=owner, user=user)


def payee_rule_save(*, rule: PayeeRule, apply_to_inbox: bool = False, user=None) -> int:
    """Save a rule (checked by its `full_clean`); with `apply_to_inbox`, the rules then decide
    the waiting lines they match. Returns how many they decided."""
    with ledger_write(owner=rule.owner_id):
        rule.full_clean()
        rule.save()
        if apply_to_inbox:
            return statement_inbox.inbox_apply_rules(owner=rule.owner_id, user=user)
    return 0
