"""Importing a bank or card statement: plan (reads only), then apply (bulk writes).

`statement_upload` keeps an uploaded file, pending, with the account it is recognized as (OFX:
by the bank's account id; CSV: the one account whose confirmed layout finds its header).
`statement_plan` decides, without writing, what each line of the file becomes:

- a **repeat** of a line already imported into the account (the bank's FITID, else date, amount,
  normalized description and occurrence: `ledger.statements.lines.line_key`) is skipped;
- a line a payee rule (`ledger.statements.matching`, in order) **ignores** is kept as ignored;
- a charge a bill rule matches becomes a **bill** (payee, category, home — blank: the home lived
  in on that day —, scope, business share), unless that bill is **already in the ledger** (same
  home, date, payee and amount: `ledger.models.duplicate_key`), which the line then points to;
- a credit from a payee that has bills (a rule's payee, or a payee of the ledger's bills) is a
  **refund**, waiting in the inbox until accepted;
- anything else waits in the **inbox**, with a suggestion when it looks like a recurring bill.

Nothing is dropped: every line is in the plan with its outcome and reason, the lines of the file
that are no transaction (a balance, a summary) are listed as skipped, and an unreadable cell
stops the whole import. `statement_apply` writes a plan: the account (and its layout, confirmed),
the bills with their history, every line, in one INSERT per table. Both run a fixed number of
queries whatever the file's length. The inbox's decisions are `ledger.statement_inbox`.

Filed years are the caller's write batch's to check (`forms8829.statement_writes`); there is no
tax arithmetic here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ledger.bill_import import _check as bill_problems
from ledger.models import Bill, Home
from ledger.statement_models import (
    BillSchedule,
    PayeeRule,
    StatementAccount,
    StatementImport,
    StatementRow,
)
from ledger.statements.layouts import Layout, Problem, Skipped, _find_header, csv_rows, decode
from ledger.statements.lines import keyed, normalize_description
from ledger.statements.matching import first_match, pattern_for, text_matches
from ledger.statements.reader import CSV, OFX, StatementFile, file_format, read_statement

MAX_BYTES = 5 * 1024 * 1024
IMPORT_REASON = "Imported from a bank statement"

BILL, REFUND, IGNORE, INBOX = "bill", "refund", "ignore", "inbox"
REPEAT, EXISTING = "repeat", "existing"
OUTCOMES = {
    BILL: "becomes a bill",
    EXISTING: "is a bill already in your ledger",
    REFUND: "a refund: waits in the inbox to be accepted",
    IGNORE: "ignored",
    INBOX: "waits in the inbox",
    REPEAT: "already imported: skipped",
}


class StatementError(ValueError):
    """A file that cannot be taken at all (too large, empty)."""


@dataclass(frozen=True)
class BillOutcome:
    """The bill a line becomes (or, a refund, would become once accepted)."""

    payee: str
    category: str
    home_id: int | None
    home: str  # its name, for people
    scope: str
    business_use_percent: Decimal | None


@dataclass(frozen=True)
class PlannedLine:
    line: int
    posted_on: dt.date
    amount: Decimal  # negative: money out
    description: str
    memo: str
    fitid: str
    kind: str
    key: str
    outcome: str  # BILL, EXISTING, REFUND, IGNORE, INBOX, REPEAT
    reason: str
    rule_id: int | None = None
    rule: str = ""  # the rule that matched, as people read it
    bill: BillOutcome | None = None
    existing_bill_id: int | None = None
    suggestion: str = ""  # a recurring bill this line looks like

    @property
    def outcome_label(self) -> str:
        return OUTCOMES[self.outcome]


@dataclass
class StatementPlan:
    upload: StatementImport
    statement: StatementFile
    account: StatementAccount | None  # None: created when the plan is applied
    account_name: str  # the account's name (the one to create, when new)
    layout: Layout | None  # CSV: the layout the file is read with
    layout_confirmed: bool  # the account's saved layout (no questions asked)
    layout_notes: tuple[str, ...] = ()
    lines: list[PlannedLine] = field(default_factory=list)
    bills: list[tuple[PlannedLine, Bill]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.statement.ok

    @property
    def problems(self) -> list[Problem]:
        return self.statement.problems

    @property
    def skipped(self) -> list[Skipped]:
        return self.statement.skipped

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    def counts(self) -> dict[str, int]:
        return {outcome: self.count(outcome) for outcome in OUTCOMES}

    @property
    def years(self) -> set[int]:
        return {line.posted_on.year for line, _ in self.bills}


# --------------------------------------------------------------------------------------------
# Upload


def statement_upload(
    *, owner, data: bytes, file_name: str, account: StatementAccount | None = None
) -> StatementImport:
    """Keep an uploaded statement file, pending (no ledger record changes until it is imported),
    with its account when it is known or recognized."""
    if len(data) > MAX_BYTES:
        raise StatementError(f"The file is {len(data):,} bytes; the limit is {MAX_BYTES:,}.")
    if not data.strip():
        raise StatementError("The file is empty.")
    if account is not None and account.owner_id != owner.pk:
        raise StatementError("Choose one of your own accounts.")
    upload = StatementImport(
        owner=owner,
        account=account,
        file_name=(file_name or "statement")[:255],
        file_format=file_format(data),
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    if account is None:
        upload.account = recognize_account(owner=owner, data=data)
    upload.save()
    return upload


def recognize_account(*, owner, data: bytes) -> StatementAccount | None:
    """The account a file is from: OFX by the bank's account id; CSV by the one account whose
    confirmed layout finds its header in the file."""
    if file_format(data) == OFX:
        statement = read_statement(data)
        if statement.ofx_account is None:
            return None
        return (
            StatementAccount.objects.owned_by(owner)
            .filter(ofx_account=statement.ofx_account.key)
            .first()
        )
    rows = csv_rows(decode(data))
    widths = Counter(len(cells) for _, cells in rows).most_common(1)
    width = widths[0][0] if widths else 0

    def reads(layout: Layout | None) -> bool:
        if layout is None:
            return False
        if layout.header:
            return _find_header(rows, layout.header) is not None
        return layout.width == width  # a headerless export: by its shape

    found = [
        account
        for account in StatementAccount.objects.owned_by(owner).filter(layout_confirmed=True)
        if reads(account.layout)
    ]
    return found[0] if len(found) == 1 else None


# --------------------------------------------------------------------------------------------
# Plan (reads only)


def statement_plan(
    *,
    upload: StatementImport,
    account: StatementAccount | None = None,
    layout: Layout | None = None,
    account_name: str = "",
) -> StatementPlan:
    """What importing `upload` would do, line by line; writes nothing. `account`, `layout` and
    `account_name` override what the upload holds (a preview's choices)."""
    owner = upload.owner
    data = bytes(upload.content)
    account = account or upload.account
    confirmed = False
    if layout is None and upload.layout:
        layout = Layout.from_dict(upload.layout)
    if layout is None and account is not None and account.layout_confirmed:
        layout, confirmed = account.layout, True
    elif layout is not None and account is not None and account.layout_confirmed:
        confirmed = layout == account.layout
    statement = read_statement(data, layout=layout if upload.file_format == CSV else None)
    notes: tuple[str, ...] = ()
    if statement.detection is not None:
        notes = statement.detection.notes
    if account is None and statement.ofx_account is not None:
        account = (
            StatementAccount.objects.owned_by(owner)
            .filter(ofx_account=statement.ofx_account.key)
            .first()
        )
    name = account.name if account else (account_name or upload.account_name).strip()
    if not name:
        name = _default_account_name(statement)
    plan = StatementPlan(
        upload=upload,
        statement=statement,
        account=account,
        account_name=name[:100],
        layout=statement.layout,
        layout_confirmed=confirmed,
        layout_notes=notes,
    )
    if statement.ok:
        _decide(plan, owner)
    return plan


def _default_account_name(statement: StatementFile) -> str:
    if statement.ofx_account is not None:
        return statement.ofx_account.label
    if statement.layout and statement.layout.preset:
        return f"Account ({statement.layout.preset})"
    return "New account"


@dataclass
class _Known:
    """What the plan compares lines with, each fetched once."""

    fitids: dict[str, str]  # earlier FITID of the account -> where it came from
    keys: dict[str, tuple[str, bool]]  # earlier key -> (where, had a FITID)
    rules: list[PayeeRule]
    homes: list[Home]
    bills: dict[str, int]  # Bill.duplicate_key -> bill id
    payees: dict[str, BillOutcome]  # normalized payee -> its latest bill's outcome
    schedules: list[BillSchedule]


def _load(plan: StatementPlan, owner) -> _Known:
    lines = plan.statement.lines
    first = min(line.posted_on for line in lines)
    last = max(line.posted_on for line in lines)
    fitids: dict[str, str] = {}
    keys: dict[str, tuple[str, bool]] = {}
    if plan.account is not None:
        earlier = (
            StatementRow.objects.filter(account=plan.account, posted_on__range=(first, last))
            .values_list("match_key", "fitid", "statement_import__file_name")
            .order_by()
        )
        for key, fitid, file_name in earlier:
            if fitid:
                fitids[fitid] = file_name
            keys.setdefault(key, (file_name, bool(fitid)))
    rules = list(
        PayeeRule.objects.owned_by(owner)
        .filter(_account_q(plan.account))
        .select_related("home")
        .order_by("position", "id")
    )
    homes = list(Home.objects.owned_by(owner).order_by("id"))
    bills = dict(
        Bill.objects.owned_by(owner)
        .filter(paid_on__range=(first, last), kind=Bill.Kind.PAYMENT)
        .values_list("duplicate_key", "id")
        .order_by("id")
    )
    return _Known(
        fitids,
        keys,
        rules,
        homes,
        bills,
        _payees(owner, homes),
        list(BillSchedule.objects.owned_by(owner).order_by("payee", "id")),
    )


def _account_q(account) -> Q:
    if account is None:
        return Q(account__isnull=True)
    return Q(account__isnull=True) | Q(account=account)


def _payees(owner, homes: list[Home]) -> dict[str, BillOutcome]:
    """Each payee of the owner's bills (normalized) with its latest bill's category, home,
    scope and share: what a refund from it would be (two queries, one row per payee)."""
    latest = (
        Bill.objects.owned_by(owner)
        .filter(kind=Bill.Kind.PAYMENT)
        .values("payee")
        .annotate(last=Max("id"))
        .order_by()
        .values_list("last", flat=True)
    )
    names = {home.pk: home.name for home in homes}
    result: dict[str, BillOutcome] = {}
    for bill in Bill.objects.filter(pk__in=latest).order_by("id"):
        normalized = normalize_description(bill.payee)
        if normalized:
            result[normalized] = BillOutcome(
                bill.payee,
                bill.category,
                bill.home_id,
                names.get(bill.home_id, ""),
                bill.scope,
                bill.business_use_percent,
            )
    return result


def home_on(homes: list[Home], day: dt.date) -> Home | None:
    """The home lived in on `day` (the one whose occupancy covers it), if exactly one."""
    living = [
        home
        for home in homes
        if (home.occupied_from is None or home.occupied_from <= day)
        and (home.occupied_to is None or day <= home.occupied_to)
    ]
    return living[0] if len(living) == 1 else None


def rule_outcome(rule: PayeeRule, description: str, day: dt.date, homes) -> BillOutcome | None:
    """The bill `rule` makes of a line, or None when no home can be chosen for its day."""
    home = rule.home if rule.home_id else home_on(homes, day)
    if home is None:
        return None
    return BillOutcome(
        rule.payee or pattern_for(description).title(),
        rule.category,
        home.pk,
        home.name,
        rule.scope,
        rule.business_use_percent,
    )


def rule_label(rule: PayeeRule) -> str:
    return f"#{rule.position} {rule}"


def _refund_from(normalized: str, payees: dict[str, BillOutcome]) -> BillOutcome | None:
    for payee, outcome in payees.items():
        if f" {payee} " in f" {normalized} ":
            return outcome
    return None


def schedule_suggestion(
    schedules, description: str, amount: Decimal, normalized: str | None = None
) -> BillSchedule | None:
    """The recurring bill a charge looks like: its text in the description and, when its amount
    is fixed, the same amount."""
    normalized = normalize_description(description) if normalized is None else normalized
    for schedule in schedules:
        if not text_matches("contains", schedule.match_text, description, normalized):
            continue
        if schedule.amount_kind == BillSchedule.AmountKind.FIXED and schedule.amount != -amount:
            continue
        return schedule
    return None


def describe_schedule(schedule: BillSchedule) -> str:
    share = f", {schedule.business_use_percent}%" if schedule.business_use_percent else ""
    amount = f", ${schedule.amount:,.2f}" if schedule.amount is not None else ""
    return (
        f"recurring {schedule.payee} ({schedule.get_category_display()}{share}, "
        f"due day {schedule.expected_day}{amount})"
    )


def _decide(plan: StatementPlan, owner) -> None:
    known = _load(plan, owner)
    account_id = plan.account.pk if plan.account else None
    for line, key in keyed(plan.statement.lines):
        base = {
            "line": line.line,
            "posted_on": line.posted_on,
            "amount": line.amount,
            "description": line.description,
            "memo": line.memo,
            "fitid": line.fitid,
            "kind": line.kind,
            "key": key,
        }
        repeat = _repeat_of(line.fitid, key, known)
        if repeat:
            plan.lines.append(PlannedLine(**base, outcome=REPEAT, reason=repeat))
            continue
        rule = first_match(
            known.rules, description=line.description, amount=line.amount, account_id=account_id
        )
        plan.lines.append(_decide_line(plan, base, line, rule, known))


def _repeat_of(fitid: str, key: str, known: _Known) -> str:
    if fitid and fitid in known.fitids:
        return f"already imported from {known.fitids[fitid]} (the bank's id {fitid})"
    if key in known.keys:
        where, had_fitid = known.keys[key]
        if not (fitid and had_fitid):  # two bank ids say two transactions
            return f"already imported from {where} (same date, amount and description)"
    return ""


def _decide_line(plan, base, line, rule, known: _Known) -> PlannedLine:
    normalized = normalize_description(line.description)
    if rule is not None and rule.ignores:
        return PlannedLine(
            **base,
            outcome=IGNORE,
            reason="ignored by a rule",
            rule_id=rule.pk,
            rule=rule_label(rule),
        )
    if rule is not None:
        outcome = rule_outcome(rule, line.description, line.posted_on, known.homes)
        matched = {"rule_id": rule.pk, "rule": rule_label(rule)}
        if outcome is None:
            reason = "the rule names no home and no single home was lived in on that day"
            return PlannedLine(**base, outcome=INBOX, reason=reason, **matched)
        if line.amount > 0:
            reason = f"a credit from {outcome.payee}: accept it as a refund"
            return PlannedLine(**base, outcome=REFUND, reason=reason, bill=outcome, **matched)
        bill = Bill(
            owner_id=plan.upload.owner_id,
            home_id=outcome.home_id,
            paid_on=line.posted_on,
            tax_year=line.posted_on.year,
            payee=outcome.payee[:200],
            category=outcome.category,
            amount=-line.amount,
            kind=Bill.Kind.PAYMENT,
            scope=outcome.scope,
            business_use_percent=outcome.business_use_percent,
            note=f"{plan.account_name}, {plan.upload.file_name} line {line.line}: "
            f"{line.description}",
        )
        bill.derive_columns()
        existing = known.bills.get(bill.duplicate_key)
        if existing is not None:
            reason = f"the same bill is already in your ledger (bill {existing})"
            return PlannedLine(
                **base,
                outcome=EXISTING,
                reason=reason,
                bill=outcome,
                existing_bill_id=existing,
                **matched,
            )
        problems: dict = {}
        bill.home = next(home for home in known.homes if home.pk == bill.home_id)
        bill_problems(bill, problems)
        if problems:
            words = "; ".join(m for messages in problems.values() for m in messages)
            return PlannedLine(
                **base, outcome=INBOX, reason=f"the rule's bill is refused: {words}", **matched
            )
        planned = PlannedLine(**base, outcome=BILL, reason="", bill=outcome, **matched)
        plan.bills.append((planned, bill))
        return planned
    if line.amount > 0:
        refund = _refund_from(normalized, known.payees)
        if refund is not None:
            reason = f"a credit from {refund.payee}, who has bills: accept it as a refund"
            return PlannedLine(**base, outcome=REFUND, reason=reason, bill=refund)
        return PlannedLine(**base, outcome=INBOX, reason="a credit no rule matched")
    schedule = schedule_suggestion(known.schedules, line.description, line.amount, normalized)
    suggestion = describe_schedule(schedule) if schedule else ""
    return PlannedLine(**base, outcome=INBOX, reason="no rule matched", suggestion=suggestion)


# --------------------------------------------------------------------------------------------
# Apply (writes)


@dataclass(frozen=True)
class StatementResult:
    """What an import did (or, on a dry run, would do)."""

    plan: StatementPlan
    dry_run: bool
    created_bills: int = 0

    @property
    def ok(self) -> bool:
        return self.plan.ok


def statement_apply(*, plan: StatementPlan, user=None) -> StatementResult:
    """Write `plan`: the account (new, or its layout confirmed), the bills with their history,
    every line that is not a repeat, and the upload marked imported. A fixed number of queries."""
    if not plan.ok:
        return StatementResult(plan, dry_run=False)
    upload = plan.upload
    owner_id = upload.owner_id
    account = plan.account
    statement = plan.statement
    if account is None:
        account = StatementAccount(owner_id=owner_id, name=_free_name(owner_id, plan.account_name))
        if statement.ofx_account is not None:
            account.ofx_account = statement.ofx_account.key
            if statement.ofx_account.account_type == "CREDITCARD":
                account.kind = StatementAccount.Kind.CARD
    if plan.layout is not None and not plan.layout_confirmed:
        account.csv_layout = plan.layout.to_dict()
        account.csv_signature = plan.layout.signature[:1000]
        account.layout_confirmed = True
    account.save()
    bills = [bill for _, bill in plan.bills]
    if bills:
        bulk_create_with_history(
            bills, Bill, default_user=user, default_change_reason=IMPORT_REASON
        )
    bill_of_line = {planned.line: bill for planned, bill in plan.bills}
    rows = [
        _row(planned, account, upload, bill_of_line.get(planned.line))
        for planned in plan.lines
        if planned.outcome != REPEAT
    ]
    StatementRow.objects.bulk_create(rows)
    days = [line.posted_on for line in statement.lines]
    upload.account = account
    upload.status = StatementImport.Status.IMPORTED
    upload.imported_at = timezone.now()
    upload.first_day, upload.last_day = (min(days), max(days)) if days else (None, None)
    upload.report = report_summary(plan)
    upload.save()
    plan.account = account
    return StatementResult(plan, dry_run=False, created_bills=len(bills))


def _free_name(owner_id: int, name: str) -> str:
    taken = set(
        StatementAccount.objects.filter(owner_id=owner_id, name__startswith=name[:90]).values_list(
            "name", flat=True
        )
    )
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name[:90]} ({number})"
    return candidate


def _row(planned: PlannedLine, account, upload, bill: Bill | None) -> StatementRow:
    status = {
        BILL: StatementRow.Status.BILL,
        EXISTING: StatementRow.Status.BILL,
        IGNORE: StatementRow.Status.IGNORED,
    }.get(planned.outcome, StatementRow.Status.INBOX)
    return StatementRow(
        owner_id=upload.owner_id,
        account=account,
        statement_import=upload,
        line=planned.line,
        posted_on=planned.posted_on,
        amount=planned.amount,
        description=planned.description,
        memo=planned.memo,
        fitid=planned.fitid,
        kind=planned.kind,
        match_key=planned.key,
        status=status,
        rule_id=planned.rule_id,
        bill_id=bill.pk if bill is not None else planned.existing_bill_id,
        reason=planned.reason[:300],
    )


def report_summary(plan: StatementPlan) -> dict:
    """The import's report as plain data (kept with the file, answered by the API)."""
    return {
        "counts": plan.counts(),
        "skipped": [{"line": s.line, "reason": s.reason} for s in plan.skipped],
        "repeats": [
            {"line": line.line, "reason": line.reason}
            for line in plan.lines
            if line.outcome == REPEAT
        ],
    }
