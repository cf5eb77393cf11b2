"""The records of statement imports: accounts with their saved layout, uploaded statement files,
every transaction imported (the inbox is those not yet decided), payee rules, and recurring bill
schedules. Imported by `ledger.models` (Django finds models there); the reading and matching
they rely on is `ledger.statements` (no database), the import itself `ledger.statement_import`.

A statement row keeps its bank's sign (negative: money out). What a row became is its `status`:
a bill (its `bill`), ignored (personal spending, a transfer, a card payment, income: by its
`rule` or by the user), or in the inbox, waiting; nothing is dropped. A bill's amount is never
negative: a refund is a bill of kind "refund" (`Bill.Kind`), which counts against its category.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from ledger.models import MONEY, NOT_NEGATIVE, Bill, Home, Owned, _same_owner
from ledger.statements.layouts import Layout, LayoutError
from ledger.statements.matching import MATCH_KINDS, PatternError, check_pattern

PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}


def _check_bill_outcome(record, errors: dict[str, str], *, required: bool) -> None:
    """The bill a rule or schedule makes must be one a bill may be (`Bill.clean`'s rules)."""
    if required and not record.category:
        errors["category"] = "Choose the bill's category."
    if record.category in Bill.NEVER_DIRECT and record.scope == Bill.Scope.DIRECT:
        errors["scope"] = "Mortgage interest and mortgage insurance are never direct expenses."
    if record.home_id:
        try:
            _same_owner(record.home, record, "home")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})


class StatementAccount(Owned):
    """A bank or card account statements come from, with the layout of its CSV export."""

    class Kind(models.TextChoices):
        CHECKING = "checking", "Checking"
        SAVINGS = "savings", "Savings"
        CARD = "card", "Credit card"
        OTHER = "other", "Other"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHECKING)
    ofx_account = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name="OFX account",
        help_text="The bank's id of the account in its OFX files (bank id:account id).",
    )
    csv_signature = models.CharField(
        max_length=1000,
        blank=True,
        default="",
        verbose_name="CSV header",
        help_text="The header of this account's CSV export, which recognizes its next files.",
    )
    csv_layout = models.JSONField(null=True, blank=True, verbose_name="CSV layout")
    layout_confirmed = models.BooleanField(
        default=False, help_text="Confirmed once: the next files import with no questions."
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="statement_account_name"),
            models.UniqueConstraint(
                fields=["owner", "ofx_account"],
                condition=~Q(ofx_account=""),
                name="statement_account_ofx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def layout(self) -> Layout | None:
        if not self.csv_layout:
            return None
        try:
            return Layout.from_dict(self.csv_layout)
        except LayoutError:
            return None

    def clean(self) -> None:
        if self.csv_layout:
            try:
                Layout.from_dict(self.csv_layout)
            except LayoutError as exc:
                raise ValidationError({"csv_layout": f"The layout is not usable: {exc}."}) from None


class StatementImport(Owned):
    """One statement file: uploaded (pending, previewed as often as needed), then imported."""

    class Status(models.TextChoices):
        PENDING = "pending", "Uploaded, not imported"
        IMPORTED = "imported", "Imported"

    account = models.ForeignKey(
        StatementAccount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="imports",
        help_text="Blank until the file's account is known (a new CSV layout is confirmed).",
    )
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=3)  # ledger.statements.reader.OFX / CSV
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    imported_at = models.DateTimeField(null=True, blank=True)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    # Chosen on the preview before the import: the CSV layout (when it is not the account's
    # confirmed one) and the name of the account the import will create.
    layout = models.JSONField(null=True, blank=True)
    account_name = models.CharField(max_length=100, blank=True, default="")
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "statement file"

    def __str__(self) -> str:
        return self.file_name


class PayeeRule(Owned):
    """What a statement line becomes: a bill (payee, category, home, scope, business share) or
    nothing (personal spending, a transfer, a card payment, income). Tried in `position` order."""

    class Action(models.TextChoices):
        BILL = "bill", "Make a bill"
        IGNORE = "ignore", "Ignore (personal, transfer, card payment, income)"

    position = models.PositiveIntegerField(
        default=0, db_index=True, help_text="Rules are tried from the lowest number up."
    )
    match = models.CharField(max_length=12, choices=list(MATCH_KINDS.items()), default="contains")
    pattern = models.CharField(max_length=200, help_text="The text (or regular expression).")
    account = models.ForeignKey(
        StatementAccount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        help_text="Only lines of this account (blank: any account).",
    )
    amount_min = models.DecimalField(
        **MONEY, null=True, blank=True, validators=NOT_NEGATIVE, verbose_name="amount from"
    )
    amount_max = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        verbose_name="amount to",
        help_text="The range is on the size of the amount (89.99 for a charge of -89.99).",
    )
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.BILL)
    payee = models.CharField(
        max_length=200, blank=True, help_text="The bill's payee (blank: the line's description)."
    )
    category = models.CharField(max_length=30, choices=Bill.Category.choices, blank=True)
    home = models.ForeignKey(
        Home,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank: the home you lived in on the payment date.",
    )
    scope = models.CharField(max_length=10, choices=Bill.Scope.choices, default=Bill.Scope.INDIRECT)
    business_use_percent = models.DecimalField(**PERCENT, verbose_name="business use %")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "payee rule"

    def __str__(self) -> str:
        outcome = (
            "ignore"
            if self.action == self.Action.IGNORE
            else f"{self.payee or 'bill'}, {self.get_category_display()}"
        )
        return f"{self.get_match_display()} “{self.pattern}” → {outcome}"

    @property
    def ignores(self) -> bool:
        return self.action == self.Action.IGNORE

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            check_pattern(self.match, self.pattern or "")
        except PatternError as exc:
            errors["pattern"] = f"The pattern {exc}."
        if (
            self.amount_min is not None
            and self.amount_max is not None
            and self.amount_min > self.amount_max
        ):
            errors["amount_max"] = "The range ends below where it starts."
        if self.account_id:
            try:
                _same_owner(self.account, self, "account")
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
        if not self.ignores:
            _check_bill_outcome(self, errors, required=True)
        if errors:
            raise ValidationError(errors)


class BillSchedule(Owned):
    """A recurring bill: who is paid, for what, about when, and how much. "What is missing"
    names the months without its bill; the inbox suggests it for a line that looks like it."""

    class AmountKind(models.TextChoices):
        FIXED = "fixed", "Fixed"
        VARYING = "varying", "Varying"

    payee = models.CharField(max_length=200)
    match = models.CharField(
        max_length=200,
        blank=True,
        help_text="Text of its statement lines (blank: the payee's name).",
    )
    category = models.CharField(max_length=30, choices=Bill.Category.choices)
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="bill_schedules")
    scope = models.CharField(max_length=10, choices=Bill.Scope.choices, default=Bill.Scope.INDIRECT)
    business_use_percent = models.DecimalField(**PERCENT, verbose_name="business use %")
    expected_day = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="Day of the month it is usually paid (31: the month's last day).",
    )
    amount_kind = models.CharField(
        max_length=10, choices=AmountKind.choices, default=AmountKind.VARYING
    )
    amount = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text="The usual amount (required when fixed).",
    )
    starts_on = models.DateField(help_text="The first month it is due.")
    ends_on = models.DateField(null=True, blank=True, help_text="The last month (blank: ongoing).")

    class Meta:
        ordering = ["payee", "id"]
        verbose_name = "recurring bill"

    def __str__(self) -> str:
        return f"{self.payee} ({self.get_category_display()}, monthly)"

    @property
    def match_text(self) -> str:
        return self.match or self.payee

    def due_months(self, year: int) -> list[int]:
        """The months of `year` it is due in."""
        first = max(self.starts_on, dt.date(year, 1, 1))
        last = min(self.ends_on or dt.date(year, 12, 31), dt.date(year, 12, 31))
        if first > last:
            return []
        return list(range(first.month, last.month + 1))

    def due_day(self, year: int, month: int) -> dt.date:
        return dt.date(year, month, min(self.expected_day, calendar.monthrange(year, month)[1]))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.amount_kind == self.AmountKind.FIXED and self.amount is None:
            errors["amount"] = "A fixed recurring bill needs its amount."
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The schedule cannot end before it starts."
        _check_bill_outcome(self, errors, required=True)
        if errors:
            raise ValidationError(errors)


class StatementRow(Owned):
    """One transaction of an imported statement, and what it became."""

    class Status(models.TextChoices):
        INBOX = "inbox", "In the inbox"
        BILL = "bill", "A bill"
        IGNORED = "ignored", "Ignored"

    account = models.ForeignKey(StatementAccount, on_delete=models.CASCADE, related_name="rows")
    statement_import = models.ForeignKey(
        StatementImport, on_delete=models.CASCADE, related_name="rows"
    )
    line = models.PositiveIntegerField(help_text="Its line in the file.")
    posted_on = models.DateField()
    amount = models.DecimalField(**MONEY, help_text="Negative: money out.")
    description = models.CharField(max_length=200)
    memo = models.CharField(max_length=200, blank=True, default="")
    fitid = models.CharField(max_length=255, blank=True, default="", verbose_name="FITID")
    kind = models.CharField(max_length=40, blank=True, default="")
    match_key = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INBOX)
    rule = models.ForeignKey(
        PayeeRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="rows"
    )
    bill = models.ForeignKey(
        Bill, on_delete=models.SET_NULL, null=True, blank=True, related_name="statement_rows"
    )
    reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["posted_on", "id"]
        verbose_name = "statement line"
        indexes = [
            models.Index(fields=["owner", "status", "posted_on"], name="statement_row_inbox"),
            models.Index(fields=["account", "posted_on"], name="statement_row_days"),
        ]
        constraints = [
            # The import checks repeats (by FITID, else by `match_key`); the bank's id is unique.
            models.UniqueConstraint(
                fields=["account", "fitid"], condition=~Q(fitid=""), name="statement_row_fitid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.posted_on} {self.description} {self.amount}"

    @property
    def is_credit(self) -> bool:
        return self.amount > 0
