"""Serializers of the statement import's API: accounts, payee rules, recurring bills, statement
files and their import report, statement lines (the inbox) and their classification.

Rules and recurring bills are ledger records read like every other (`ledger.serializers`'
`RecordSerializer`: `ledger.fields`' readers, then the model's `full_clean()`); a home or an
account is looked up among the request user's own (another's is a 404). The import report is
plain data (`statement_report`) shaped by the serializers here for the schema.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from interface.api.serializers import READ_ONLY_STAMPS, OwnedHomeField, OwnedRelatedField
from ledger import fields
from ledger import serializers as records
from ledger.models import Bill
from ledger.statement_import import BillOutcome, StatementResult
from ledger.statement_models import (
    BillSchedule,
    PayeeRule,
    StatementAccount,
    StatementImport,
    StatementRow,
)
from ledger.statements.layouts import Layout, LayoutError

RULE_FIELDS = (
    "position",
    "match",
    "pattern",
    "account",
    "amount_min",
    "amount_max",
    "action",
    "payee",
    "category",
    "home",
    "scope",
    "business_use_percent",
)
SCHEDULE_FIELDS = (
    "payee",
    "match",
    "category",
    "home",
    "scope",
    "business_use_percent",
    "expected_day",
    "amount_kind",
    "amount",
    "starts_on",
    "ends_on",
)


class LayoutField(serializers.JSONField):
    """A CSV layout: columns (0-based) per role, `date_format`, `charges` ("negative" or
    "positive"), the header's cells and the width; checked before it is kept."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if data is None:
            return None
        if not isinstance(data, dict):
            raise serializers.ValidationError("must be an object")
        try:
            return Layout.from_dict(data).to_dict()
        except LayoutError as exc:
            raise serializers.ValidationError(f"is not a usable layout: {exc}") from None


class StatementAccountSerializer(serializers.ModelSerializer):
    """An account's fields read like a ledger record's (`ledger.fields`), without `full_clean`."""

    serializer_field_mapping = records.RecordSerializer.serializer_field_mapping
    serializer_choice_field = records.RecordSerializer.serializer_choice_field
    csv_layout = LayoutField(required=False, allow_null=True)

    class Meta:
        model = StatementAccount
        fields = (
            "id",
            "name",
            "kind",
            "ofx_account",
            "csv_signature",
            "csv_layout",
            "layout_confirmed",
            "created_at",
            "updated_at",
        )
        read_only_fields = (*READ_ONLY_STAMPS, "csv_signature")

    def validate_name(self, value):
        owner = self.context["request"].user
        taken = StatementAccount.objects.owned_by(owner).filter(name=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(
                f"You already have an account named '{value}'.", code="duplicate"
            )
        return value

    def create(self, validated_data):
        return super().create({**validated_data, "owner": self.context["request"].user})


def _account_field(**kwargs):
    return OwnedRelatedField(queryset=StatementAccount.objects.all(), **kwargs)


class PayeeRuleSerializer(records.RecordSerializer):
    account = _account_field(required=False, allow_null=True)
    home = OwnedHomeField(required=False, allow_null=True)

    class Meta:
        model = PayeeRule
        fields = ("id", *RULE_FIELDS, "created_at", "updated_at")
        read_only_fields = READ_ONLY_STAMPS
        validators = []


class BillScheduleSerializer(records.RecordSerializer):
    home = OwnedHomeField()

    class Meta:
        model = BillSchedule
        fields = ("id", *SCHEDULE_FIELDS, "created_at", "updated_at")
        read_only_fields = READ_ONLY_STAMPS
        validators = []


class StatementFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementImport
        fields = (
            "id",
            "file_name",
            "file_format",
            "size",
            "sha256",
            "account",
            "status",
            "imported_at",
            "first_day",
            "last_day",
            "report",
            "created_at",
        )
        read_only_fields = fields


class StatementUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The statement: CSV, or OFX (.ofx, .qfx), as the bank gives it."
    )
    account = _account_field(
        required=False,
        allow_null=True,
        help_text="The account it is from (blank: an OFX file names it; a CSV whose account's "
        "layout is confirmed is recognized by its header; otherwise a new account).",
    )


class StatementChoicesSerializer(serializers.Serializer):
    """A preview's or an import's choices; all optional."""

    account = _account_field(required=False, allow_null=True)
    account_name = fields.TextField(required=False, allow_blank=True, max_length=100)
    layout = LayoutField(required=False, allow_null=True)


class BillOutcomeSerializer(serializers.Serializer):
    payee = serializers.CharField()
    category = serializers.ChoiceField(choices=Bill.Category.choices)
    home_id = serializers.IntegerField(allow_null=True)
    home = serializers.CharField()
    scope = serializers.ChoiceField(choices=Bill.Scope.choices)
    business_use_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class StatementLineReportSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Its line in the CSV, or its place in the OFX file.")
    posted_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Negative: out.")
    description = serializers.CharField()
    memo = serializers.CharField(allow_blank=True)
    fitid = serializers.CharField(allow_blank=True, help_text="The bank's id (OFX FITID).")
    outcome = serializers.ChoiceField(
        choices=["bill", "existing", "refund", "ignore", "inbox", "repeat"],
        help_text="bill; existing (a bill already in the ledger); refund (waits in the inbox to "
        "be accepted); ignore; inbox; repeat (already imported: skipped).",
    )
    reason = serializers.CharField(allow_blank=True)
    rule_id = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField(allow_blank=True, help_text="The rule that matched.")
    bill = BillOutcomeSerializer(allow_null=True)
    existing_bill_id = serializers.IntegerField(allow_null=True)
    suggestion = serializers.CharField(allow_blank=True)


class ProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class SkippedSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    reason = serializers.CharField()


class StatementReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    ok = serializers.BooleanField(help_text="False when the file cannot be read: nothing saved.")
    statement = serializers.IntegerField(help_text="The statement file's id.")
    file_format = serializers.CharField()
    account = serializers.IntegerField(allow_null=True, help_text="null: a new account.")
    account_name = serializers.CharField()
    layout = serializers.JSONField(allow_null=True)
    layout_confirmed = serializers.BooleanField(
        help_text="Read with the account's confirmed layout (no questions)."
    )
    layout_notes = serializers.ListField(child=serializers.CharField())
    counts = serializers.DictField(child=serializers.IntegerField())
    created_bills = serializers.IntegerField()
    problems = ProblemSerializer(many=True)
    skipped = SkippedSerializer(many=True, help_text="Lines that are no transaction.")
    lines = StatementLineReportSerializer(many=True)


def _outcome(outcome: BillOutcome | None):
    return None if outcome is None else outcome.__dict__


def statement_report(result: StatementResult) -> dict:
    plan = result.plan
    return {
        "dry_run": result.dry_run,
        "ok": result.ok,
        "statement": plan.upload.pk,
        "file_format": plan.upload.file_format,
        "account": plan.account.pk if plan.account else None,
        "account_name": plan.account.name if plan.account else plan.account_name,
        "layout": plan.layout.to_dict() if plan.layout else None,
        "layout_confirmed": plan.layout_confirmed,
        "layout_notes": list(plan.layout_notes),
        "counts": plan.counts(),
        "created_bills": result.created_bills,
        "problems": [p.__dict__ for p in plan.problems],
        "skipped": [s.__dict__ for s in plan.skipped],
        "lines": [
            {
                **{k: v for k, v in line.__dict__.items() if k != "key"},
                "bill": _outcome(line.bill),
            }
            for line in plan.lines
        ],
    }


class StatementLineSerializer(serializers.ModelSerializer):
    suggestion = serializers.SerializerMethodField(
        help_text="Inbox lines: what it looks like (a refund, a recurring bill, a rule's bill)."
    )
    suggested_bill = serializers.SerializerMethodField()

    class Meta:
        model = StatementRow
        fields = (
            "id",
            "account",
            "statement_import",
            "line",
            "posted_on",
            "amount",
            "description",
            "memo",
            "fitid",
            "kind",
            "status",
            "rule",
            "bill",
            "reason",
            "suggestion",
            "suggested_bill",
        )
        read_only_fields = fields

    def _item(self, row):
        return self.context.get("suggestions", {}).get(row.pk)

    def get_suggestion(self, row) -> str:
        item = self._item(row)
        return item.suggestion if item else ""

    @extend_schema_field(BillOutcomeSerializer(allow_null=True))
    def get_suggested_bill(self, row):
        item = self._item(row)
        return _outcome(item.outcome) if item else None


class ClassifySerializer(serializers.Serializer):
    """What a waiting line becomes: a bill (a credit: a refund) or ignored; optionally a rule."""

    action = fields.ChoiceField(choices=[("bill", "Bill"), ("ignore", "Ignore")])
    payee = fields.TextField(required=False, allow_blank=True, max_length=200)
    category = fields.ChoiceField(choices=Bill.Category.choices, required=False)
    home = OwnedHomeField(required=False, allow_null=True)
    scope = fields.ChoiceField(choices=Bill.Scope.choices, required=False)
    business_use_percent = fields.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )
    make_rule = fields.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if attrs["action"] == "bill" and not attrs.get("category"):
            raise serializers.ValidationError({"category": ["is required to make a bill"]})
        return attrs


class ClassifiedSerializer(serializers.Serializer):
    line = StatementLineSerializer()
    bill = serializers.IntegerField(allow_null=True)
    rule = serializers.IntegerField(allow_null=True, help_text="The rule made, if asked.")
    applied = serializers.IntegerField(help_text="Other waiting lines the new rule decided.")


class AppliedSerializer(serializers.Serializer):
    decided = serializers.IntegerField()
