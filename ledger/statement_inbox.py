"""The inbox: imported statement lines no rule decided, until the user classifies them.

- `inbox_items`: the waiting lines with what each looks like (a refund from a payee that has
  bills, a recurring bill of a schedule, what a rule would make of it), in a fixed number of
  queries.
- `statement_row_classify`: a line becomes a bill (a credit: a refund, which counts against its
  category) or is ignored, optionally "and make a rule" from it, which then decides the other
  waiting lines it matches.
- `inbox_apply_rules`: the rules, as they now are, run over every waiting line. A charge a bill
  rule matches becomes a bill, a line an ignore rule matches is ignored; a credit stays, to be
  accepted as a refund by the user (nothing personal becomes a bill unasked).

Writes are the caller's write batch's to check for filed years (`forms8829.statement_writes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Max
from simple_history.utils import bulk_create_with_history

from ledger.models import Bill, Home
from ledger.statement_import import (
    IMPORT_REASON,
    BillOutcome,
    _payees,
    _refund_from,
    describe_schedule,
    home_on,
    rule_label,
    rule_outcome,
    schedule_suggestion,
)
from ledger.statement_models import BillSchedule, PayeeRule, StatementRow
from ledger.statements.lines import normalize_description
from ledger.statements.matching import CONTAINS, first_match, pattern_for

BILL, IGNORE = "bill", "ignore"
RULE_STEP = 10  # a rule made from a line goes after the others, leaving room between


@dataclass(frozen=True)
class InboxItem:
    row: StatementRow
    suggestion: str  # "" when nothing is known about the line
    outcome: BillOutcome | None  # the bill suggested (a refund for a credit)
    refund: bool
    schedule_id: int | None = None


def inbox_rows(owner):
    return (
        StatementRow.objects.owned_by(owner)
        .filter(status=StatementRow.Status.INBOX)
        .select_related("account", "statement_import", "rule")
        .defer("statement_import__content")
        .order_by("posted_on", "id")
    )


def inbox_items(*, owner, rows=None) -> list[InboxItem]:
    """The waiting lines (or `rows` of them) with their suggestions."""
    rows = list(inbox_rows(owner) if rows is None else rows)
    if not rows:
        return []
    homes = list(Home.objects.owned_by(owner).order_by("id"))
    rules = list(
        PayeeRule.objects.owned_by(owner).select_related("home").order_by("position", "id")
    )
    schedules = list(
        BillSchedule.objects.owned_by(owner).select_related("home").order_by("payee", "id")
    )
    payees = _payees(owner, homes)
    return [_item(row, homes, rules, schedules, payees) for row in rows]


def _item(row, homes, rules, schedules, payees) -> InboxItem:
    normalized = normalize_description(row.description)
    rule = first_match(
        rules, description=row.description, amount=row.amount, account_id=row.account_id
    )
    refund = row.amount > 0
    if rule is not None and not rule.ignores:
        outcome = rule_outcome(rule, row.description, row.posted_on, homes)
        if outcome is not None:
            what = "Refund from" if refund else "Bill of"
            text = f"{what} {outcome.payee} ({_outcome_text(outcome)}), rule {rule_label(rule)}"
            return InboxItem(row, text, outcome, refund)
    if refund:
        outcome = _refund_from(normalized, payees)
        if outcome is not None:
            text = f"Refund from {outcome.payee} ({_outcome_text(outcome)}), who has bills"
            return InboxItem(row, text, outcome, True)
        return InboxItem(row, "", None, True)
    schedule = schedule_suggestion(schedules, row.description, row.amount, normalized)
    if schedule is not None:
        outcome = BillOutcome(
            schedule.payee,
            schedule.category,
            schedule.home_id,
            schedule.home.name,
            schedule.scope,
            schedule.business_use_percent,
        )
        return InboxItem(
            row, f"Looks like the {describe_schedule(schedule)}", outcome, False, schedule.pk
        )
    return InboxItem(row, "", None, False)


def _outcome_text(outcome: BillOutcome) -> str:
    label = Bill.Category(outcome.category).label
    share = f", {outcome.business_use_percent}%" if outcome.business_use_percent else ""
    return f"{label}{share}, {outcome.home}"


@dataclass(frozen=True)
class Classified:
    row: StatementRow
    bill: Bill | None
    rule: PayeeRule | None
    applied: int  # other waiting lines the new rule decided


def statement_row_classify(
    *,
    row: StatementRow,
    action: str,
    payee: str = "",
    category: str = "",
    home: Home | None = None,
    scope: str = Bill.Scope.INDIRECT,
    business_use_percent: Decimal | None = None,
    make_rule: bool = False,
    user=None,
) -> Classified:
    """Decide one waiting line: a bill (a credit becomes a refund) or ignored; with
    `make_rule`, a rule from it (contains the first words of its description) that then
    decides the other waiting lines it matches. Raises ValidationError in the bill's words."""
    if row.status != StatementRow.Status.INBOX:
        raise ValidationError(f"Line {row.line} of {row.statement_import} is already decided.")
    bill = None
    if action == BILL:
        home = home or home_on(list(Home.objects.owned_by(row.owner_id)), row.posted_on)
        if home is None:
            raise ValidationError({"home": "Choose the home this bill is for."})
        bill = Bill(
            owner_id=row.owner_id,
            home=home,
            paid_on=row.posted_on,
            payee=(payee or pattern_for(row.description).title()).strip()[:200],
            category=category,
            amount=abs(row.amount),
            kind=Bill.Kind.REFUND if row.amount > 0 else Bill.Kind.PAYMENT,
            scope=scope or Bill.Scope.INDIRECT,
            business_use_percent=business_use_percent,
            note=f"{row.account}, {row.statement_import.file_name} line {row.line}: "
            f"{row.description}",
        )
        bill.full_clean()
        bill.derive_columns()
        same = Bill.objects.filter(
            owner_id=row.owner_id, duplicate_key=bill.duplicate_key, kind=bill.kind
        ).first()
        if same is not None:  # typed in already: the line points to it, nothing is doubled
            bill = same
        else:
            bill._history_user = user
            bill._change_reason = IMPORT_REASON
            bill.save()
        row.status, row.bill = StatementRow.Status.BILL, bill
        row.reason = "refund accepted by you" if row.amount > 0 else "classified by you"
        if same is not None:
            row.reason = f"the same bill is already in your ledger (bill {same.pk})"
    elif action == IGNORE:
        row.status, row.reason = StatementRow.Status.IGNORED, "ignored by you"
    else:
        raise ValidationError({"action": f'must be "{BILL}" or "{IGNORE}", not "{action}"'})
    rule = None
    if make_rule:
        rule = PayeeRule(
            owner_id=row.owner_id,
            position=next_rule_position(row.owner_id),
            match=CONTAINS,
            pattern=pattern_for(row.description),
            action=PayeeRule.Action.BILL if action == BILL else PayeeRule.Action.IGNORE,
            payee=bill.payee if bill else "",
            category=bill.category if bill else "",
            home=None,  # the home lived in on each line's day
            scope=bill.scope if bill else Bill.Scope.INDIRECT,
            business_use_percent=bill.business_use_percent if bill else None,
        )
        rule.full_clean()
        rule.save()
        row.rule = rule
    row.save(update_fields=["status", "bill", "reason", "rule", "updated_at"])
    applied = inbox_apply_rules(owner=row.owner_id, user=user) if rule else 0
    return Classified(row, bill, rule, applied)


def next_rule_position(owner) -> int:
    """After the owner's last rule, leaving room between."""
    top = PayeeRule.objects.filter(owner_id=getattr(owner, "pk", owner)).aggregate(
        top=Max("position")
    )["top"]
    return (top or 0) + RULE_STEP


def inbox_apply_rules(*, owner, user=None) -> int:
    """Run the rules over the waiting lines; returns how many were decided. Credits stay in the
    inbox (a refund is accepted by the user). A fixed number of queries."""
    owner_id = getattr(owner, "pk", owner)
    rows = list(
        StatementRow.objects.filter(owner_id=owner_id, status=StatementRow.Status.INBOX)
        .select_related("account", "statement_import")
        .defer("statement_import__content")
        .order_by("posted_on", "id")
    )
    if not rows:
        return 0
    rules = list(
        PayeeRule.objects.filter(owner_id=owner_id).select_related("home").order_by("position")
    )
    homes = list(Home.objects.filter(owner_id=owner_id).order_by("id"))
    first = min(row.posted_on for row in rows)
    last = max(row.posted_on for row in rows)
    existing = dict(
        Bill.objects.filter(
            owner_id=owner_id, paid_on__range=(first, last), kind=Bill.Kind.PAYMENT
        ).values_list("duplicate_key", "id")
    )
    decided, bills = [], []
    for row in rows:
        rule = first_match(
            rules, description=row.description, amount=row.amount, account_id=row.account_id
        )
        if rule is None:
            continue
        if rule.ignores:
            row.status, row.rule, row.reason = (
                StatementRow.Status.IGNORED,
                rule,
                "ignored by a rule",
            )
            decided.append(row)
            continue
        outcome = rule_outcome(rule, row.description, row.posted_on, homes)
        if outcome is None or row.amount > 0:
            continue
        bill = Bill(
            owner_id=owner_id,
            home_id=outcome.home_id,
            paid_on=row.posted_on,
            tax_year=row.posted_on.year,
            payee=outcome.payee[:200],
            category=outcome.category,
            amount=-row.amount,
            scope=outcome.scope,
            business_use_percent=outcome.business_use_percent,
            note=f"{row.account}, {row.statement_import.file_name} line {row.line}: "
            f"{row.description}",
        )
        row.status, row.rule = StatementRow.Status.BILL, rule
        bill.derive_columns()
        key = bill.duplicate_key
        if key in existing:
            row.bill_id = existing[key]
            row.reason = f"the same bill is already in your ledger (bill {existing[key]})"
        else:
            row.reason = ""
            bills.append((row, bill))
        decided.append(row)
    if bills:
        bulk_create_with_history(
            [bill for _, bill in bills],
            Bill,
            default_user=user,
            default_change_reason=IMPORT_REASON,
        )
        for row, bill in bills:
            row.bill_id = bill.pk
    if decided:
        StatementRow.objects.bulk_update(decided, ["status", "rule", "bill", "reason"])
    return len(decided)
