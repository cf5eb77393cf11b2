"""Serializers of the REST API: the shape of each resource, and nothing else.

Writes are validated twice, and stay thin: the record serializers of `ledger.serializers` read
each field the way every door of the ledger reads it (`ledger.fields`: money, dates, choices by
key or label, homes by id, key or name), then the model's own `full_clean()` runs its
validators, `clean()` and constraints, so the rules live in one place for the admin, the API and
the imports. A reference to another record (a bill's home, a receipt's bill, a tax year's home)
is looked up among the request user's own records only; an id they do not have is answered 404,
exactly like an id that does not exist. A change that touches a filed year is refused with 409
by the view's write batch (`forms8829.filing`), after the save and before the commit.

Computed results (forms, comparison, carryovers, depreciation) are serialized from what
`forms8829.chain` returns; there is no tax arithmetic here.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from forms8829.rules import UnsupportedYearError, rules_for
from interface.api.exceptions import ReferenceNotFound
from ledger import fields
from ledger import serializers as records
from ledger.models import (
    Bill,
    Business,
    BusinessShare,
    OfficeArea,
    Receipt,
    TaxYear,
    TaxYearHome,
)
from ledger.serializers import (
    BILL_FIELDS,
    BILL_REFERENCES,
    BUSINESS_FIELDS,
    BUSINESS_SHARE_FIELDS,
    BUSINESS_SHARE_REFERENCES,
    HOME_FIELDS,
    IMPROVEMENT_FIELDS,
    OFFICE_AREA_FIELDS,
    OFFICE_AREA_REFERENCES,
    TAX_YEAR_FIELDS,
    TAX_YEAR_HOME_FIELDS,
)

READ_ONLY_STAMPS = ("id", "created_at", "updated_at")


class OwnedRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to one of the request user's own records; anything else is a 404."""

    def get_queryset(self):
        return super().get_queryset().owned_by(self.context["request"].user)

    def to_internal_value(self, data):
        # A JSON number with a fraction (float, or `ledger.fields.JSONNumber`) is no id.
        if isinstance(data, float | Decimal) and data != int(data):
            self.fail("incorrect_type", data_type="number")
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if exc.get_codes() == ["does_not_exist"]:
                model = self.queryset.model
                raise ReferenceNotFound(self.field_name, model._meta.verbose_name, data) from exc
            raise


class OwnedHomeField(records.HomeField):
    """One of the request user's homes by id, key or name; an id, key or name they do not have
    is a 404."""

    def get_queryset(self):  # the browsable API's choices too: only the user's own homes
        return super().get_queryset().owned_by(records.context_owner(self.context))

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if exc.get_codes() == ["does_not_exist"]:
                raise ReferenceNotFound(self.field_name, "home", data) from exc
            if exc.get_codes() == ["not_found"]:  # a key or name: the reader's words
                raise NotFound({self.field_name: exc.detail}) from exc
            raise


# --------------------------------------------------------------------------------------------
# Resources: the ledger's record serializers with ids, references and time stamps


class BusinessSerializer(records.BusinessSerializer):
    class Meta(records.BusinessSerializer.Meta):
        fields = ("id", *BUSINESS_FIELDS, "created_at", "updated_at")
        read_only_fields = READ_ONLY_STAMPS
        extra_kwargs = {
            "name": {"help_text": "One business per name in your ledger."},
            "kind": {
                "help_text": "Where the business's deduction goes (its schedule and form); "
                "`sole_proprietor` when left out."
            },
        }


class HomeSerializer(records.HomeSerializer):
    class Meta(records.HomeSerializer.Meta):
        fields = ("id", *HOME_FIELDS, "created_at", "updated_at")
        read_only_fields = READ_ONLY_STAMPS


class OfficeAreaSerializer(records.OfficeAreaSerializer):
    home = OwnedHomeField()
    business = OwnedRelatedField(
        queryset=Business.objects.all(),
        required=False,
        allow_null=True,
        help_text="The id of the business that uses the area (`/api/businesses/`); left out on "
        "create, or null: your first business.",
    )

    class Meta(records.OfficeAreaSerializer.Meta):
        fields = (
            "id",
            "home",
            *OFFICE_AREA_FIELDS,
            *OFFICE_AREA_REFERENCES,
            *READ_ONLY_STAMPS[1:],
        )
        read_only_fields = READ_ONLY_STAMPS


class ImprovementSerializer(records.ImprovementSerializer):
    home = OwnedHomeField()

    class Meta(records.ImprovementSerializer.Meta):
        fields = ("id", "home", *IMPROVEMENT_FIELDS, *READ_ONLY_STAMPS[1:])
        read_only_fields = READ_ONLY_STAMPS


class BillSerializer(records.BillSerializer):
    home = OwnedHomeField()
    office_area = OwnedRelatedField(
        queryset=OfficeArea.objects.all(),
        required=False,
        allow_null=True,
        help_text="Direct bills: the id of the office area of the bill's home it was for; a "
        "daycare area's (not used exclusively) counts times the daycare hours fraction (line 6).",
    )
    receipts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(records.BillSerializer.Meta):
        fields = (
            "id",
            *BILL_FIELDS,
            *BILL_REFERENCES,
            "tax_year",
            "receipts",
            "created_at",
            "updated_at",
        )
        read_only_fields = (*READ_ONLY_STAMPS, "tax_year")


class ReceiptSerializer(serializers.ModelSerializer):
    """A receipt's stored facts. The file itself leaves only through the download endpoint."""

    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Receipt
        fields = (
            "id",
            "bill",
            "original_name",
            "size",
            "content_type",
            "sha256",
            "download_url",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI_REF)
    def get_download_url(self, receipt) -> str:
        return reverse("api:receipt-download", args=[receipt.pk])


class ReceiptUploadSerializer(serializers.Serializer):
    """POST multipart: the bill the receipt belongs to and the file (PDF, PNG, JPEG, WebP,
    HEIC; checked by content, not by name)."""

    bill = OwnedRelatedField(queryset=Bill.objects.all())
    file = serializers.FileField(allow_empty_file=False, use_url=False)


class TaxYearSerializer(records.TaxYearSerializer):
    homes = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of this year's tax-year-homes."
    )

    class Meta(records.TaxYearSerializer.Meta):
        fields = ("id", *TAX_YEAR_FIELDS, "filed_at", "homes", "created_at", "updated_at")
        # Filing and reopening are actions (POST .../file/, .../reopen/), never a field write.
        read_only_fields = (*READ_ONLY_STAMPS, "filed", "filed_at")

    def validate_year(self, value):
        if self.instance is not None and value != self.instance.year:
            raise serializers.ValidationError(
                "A tax year's year cannot change; create a tax year for the other year."
            )
        try:
            rules_for(value)
        except UnsupportedYearError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        if (
            self.instance is None
            and TaxYear.objects.owned_by(self.owner).filter(year=value).exists()
        ):
            raise serializers.ValidationError(
                f"You already have the tax year {value}.", code="duplicate"
            )
        return value


class TaxYearHomeSerializer(records.TaxYearHomeSerializer):
    tax_year = OwnedRelatedField(queryset=TaxYear.objects.all())
    home = OwnedHomeField()
    business_shares = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="Ids of the home's business shares this year (`/api/business-shares/`); none: "
        "the deduction is split by each business's part of the business area.",
    )

    class Meta(records.TaxYearHomeSerializer.Meta):
        fields = (
            "id",
            "tax_year",
            *TAX_YEAR_HOME_FIELDS,
            "business_shares",
            "created_at",
            "updated_at",
        )
        read_only_fields = READ_ONLY_STAMPS


class BusinessShareSerializer(records.BusinessShareSerializer):
    """One business's share of a home's deduction in a tax year. A home's shares name every
    business that uses it that year and add up to 100%, else the forms say what is missing
    (they are written one at a time, so the API does not refuse an unfinished split)."""

    tax_year_home = OwnedRelatedField(
        queryset=TaxYearHome.objects.all(),
        help_text="The id of the home's inputs in a tax year (`/api/tax-year-homes/`).",
    )
    business = OwnedRelatedField(
        queryset=Business.objects.all(), help_text="The id of the business (`/api/businesses/`)."
    )

    class Meta(records.BusinessShareSerializer.Meta):
        fields = (
            "id",
            "tax_year_home",
            *BUSINESS_SHARE_REFERENCES,
            *BUSINESS_SHARE_FIELDS,
            "created_at",
            "updated_at",
        )
        read_only_fields = READ_ONLY_STAMPS

    def validate(self, attrs):
        year_home = attrs.get("tax_year_home", getattr(self.instance, "tax_year_home", None))
        business = attrs.get("business", getattr(self.instance, "business", None))
        if year_home is not None and business is not None:
            taken = BusinessShare.objects.filter(tax_year_home=year_home, business=business)
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError(
                    {
                        "business": [
                            f"'{business.name}' already has a share of this home's deduction "
                            f"in {year_home.tax_year.year} (business share {taken.first().pk}); "
                            "change that one."
                        ]
                    },
                    code="duplicate",
                )
        return super().validate(attrs)


class ReopenSerializer(serializers.Serializer):
    reason = fields.TextField(  # text in quotes: a number is refused, not made into words
        max_length=90, help_text="Why the year is reopened; kept in the tax year's history."
    )


# --------------------------------------------------------------------------------------------
# History


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryRecordSerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    date = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True, help_text="Who made the change.")
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    changed_fields = serializers.ListField(child=serializers.CharField())
    changes = HistoryChangeSerializer(many=True)
    change_reason = serializers.CharField(allow_null=True)


# --------------------------------------------------------------------------------------------
# Bulk import and the ledger file


class BillImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line number in the CSV (the header is line 1).")
    home = serializers.CharField()
    paid_on = serializers.DateField()
    payee = serializers.CharField()
    category = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    scope = serializers.CharField()
    business_use_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    service_start = serializers.DateField(allow_null=True)
    service_end = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class BillImportProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="None: the file as a whole.")
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class BillImportDuplicateSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    message = serializers.CharField()
    existing_bill = serializers.IntegerField(allow_null=True)
    same_as_line = serializers.IntegerField(allow_null=True)


class BillImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    ok = serializers.BooleanField(help_text="False when any row has an error: nothing is saved.")
    created = serializers.IntegerField(help_text="Bills saved (0 on a dry run or an error).")
    rows = BillImportRowSerializer(many=True, help_text="The bills the file creates.")
    errors = BillImportProblemSerializer(many=True)
    duplicates = BillImportDuplicateSerializer(many=True, help_text="Rows skipped, not doubled.")


class BillImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The CSV file (UTF-8).")


class LedgerImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The ledger file (JSON) or the ledger archive (ZIP), told apart by content."
    )


class LedgerImportSummarySerializer(serializers.Serializer):
    homes = serializers.IntegerField()
    office_areas = serializers.IntegerField()
    improvements = serializers.IntegerField()
    bills = serializers.IntegerField()
    receipts = serializers.IntegerField(help_text="Receipts stored with their files.")
    receipts_left_out = serializers.IntegerField(
        help_text="Receipts the file listed but `without_receipts` left out."
    )
    tax_years = serializers.IntegerField()
    tax_year_homes = serializers.IntegerField()
    businesses = serializers.IntegerField(
        help_text="Businesses added: the file's (those you already have are reused), or 'My "
        "business' for the office areas of a file from before businesses."
    )
    business_shares = serializers.IntegerField()
    replaced = serializers.BooleanField()
    summary = serializers.CharField()


# --------------------------------------------------------------------------------------------
# Computed results (documented shapes; the values come from forms8829.chain)


class CasualtyDepreciationPartSerializer(serializers.Serializer):
    casualty = serializers.CharField()
    depreciation = serializers.CharField()


class CasualtyDepreciationSerializer(serializers.Serializer):
    """Lines 31, 33 and 44 (simplified: worksheet line 6b) split into their casualty and
    depreciation parts, which Part IV keeps apart (line 33 allows casualty losses first)."""

    carryover_in = CasualtyDepreciationPartSerializer(help_text="Line 31 (simplified: 6b).")
    allowed = CasualtyDepreciationPartSerializer(help_text="Line 33 (simplified: 0).")
    carryover_out = CasualtyDepreciationPartSerializer(help_text="Line 44 (simplified: 6b).")


class BusinessPartSerializer(serializers.Serializer):
    """A business's part of one home's deduction and where it goes (docs/tax-rules.md §6a)."""

    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=[k for k in Business.Kind.choices if k[0] != "employee"])
    share_percent = serializers.CharField()
    allocated_by = serializers.ChoiceField(choices=["only business", "area", "user"])
    deduction = serializers.CharField()
    deduction_goes_to = serializers.CharField()
    casualty_losses = serializers.CharField()
    internet = serializers.CharField()
    phone = serializers.CharField()
    internet_phone_go_to = serializers.CharField()


class FormOutputSerializer(serializers.Serializer):
    """The form output contract (docs/ledger-format.md, form output), plus the year's warnings.
    The notes say which rule made a number (docs/tax-rules.md), and that MAGI must be the final
    figure when it falls in the SALT phase-down range."""

    year = serializers.IntegerField()
    home = serializers.CharField()
    method = serializers.ChoiceField(choices=TaxYearHome.Method.choices)
    lines = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        allow_null=True,
        help_text='Form 8829 lines by number ("1"…"44", "9a"…), null for a simplified year.',
    )
    schedule_c_line_30 = serializers.CharField()
    schedule_c_other = serializers.DictField(child=serializers.CharField())
    simplified_worksheet = serializers.DictField(
        child=serializers.CharField(allow_null=True), allow_null=True
    )
    casualty_and_depreciation = CasualtyDepreciationSerializer(
        required=False, help_text="Absent from forms filed before the parts were kept."
    )
    form = serializers.ChoiceField(
        choices=["form_8829", "pub587_worksheet"],
        required=False,
        help_text="Form 8829, or Pub 587's worksheet (farms, partnerships). Absent from forms "
        "stored before businesses.",
    )
    worksheet = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        allow_null=True,
        required=False,
        help_text="Pub 587's worksheet lines (regular method), else null.",
    )
    businesses = BusinessPartSerializer(
        many=True, required=False, help_text="Each business's part of the deduction."
    )
    notes = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())


def money_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class MethodOptionSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=TaxYearHome.Method.choices)
    deduction = money_field()
    carryover_operating_out = money_field()
    carryover_casualty_depreciation_out = money_field()


class MethodComparisonSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    home = serializers.CharField(source="home_name")
    regular = MethodOptionSerializer()
    simplified = MethodOptionSerializer()
    better = serializers.ChoiceField(
        choices=TaxYearHome.Method.choices, help_text="The method with the larger deduction."
    )


CHAIN_LINES = ("25", "27", "31", "33", "43", "44")


class ChainFormSerializer(serializers.Serializer):
    home_id = serializers.IntegerField()
    home = serializers.SerializerMethodField()
    method = serializers.ChoiceField(choices=TaxYearHome.Method.choices)
    lines = serializers.SerializerMethodField()

    def get_home(self, form) -> str:
        return form.output["home"]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "description": "Lines 25, 27, 31, 33, 43 and 44 of the form; null when simplified.",
            "properties": {n: {"type": "string", "nullable": True} for n in CHAIN_LINES},
        }
    )
    def get_lines(self, form):
        lines = form.output.get("lines")
        return None if lines is None else {n: lines.get(n) for n in CHAIN_LINES}


class ChainYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    filed = serializers.BooleanField()
    method = serializers.SerializerMethodField()
    line_25_operating_carryover_in = money_field(source="carry_in.operating")
    line_31_casualty_depreciation_carryover_in = money_field(
        source="carry_in.casualty_depreciation"
    )
    line_43_operating_carryover_out = money_field(source="carry_out.operating")
    line_44_casualty_depreciation_carryover_out = money_field(
        source="carry_out.casualty_depreciation"
    )
    line_31_casualty_part_in = money_field(
        source="carry_in.casualty",
        help_text="The casualty losses in line 31 (the rest is depreciation): allowed first.",
    )
    line_44_casualty_part_out = money_field(
        source="carry_out.casualty", help_text="The casualty losses in line 44."
    )
    forms = ChainFormSerializer(many=True, help_text="Per home: method and lines 27/33 allowed.")
    warnings = serializers.ListField(child=serializers.CharField())

    @extend_schema_field(
        {
            "type": "string",
            "nullable": True,
            "enum": ["regular", "simplified", "mixed", None],
            "description": "The method of the year's forms ('mixed' when homes differ).",
        }
    )
    def get_method(self, year_forms):
        methods = {form.method for form in year_forms.forms}
        if not methods:
            return None
        return methods.pop() if len(methods) == 1 else "mixed"


class PlacementRowSerializer(serializers.Serializer):
    placed_in_service = serializers.DateField(
        help_text="First business use, or the day business use started again after a gap."
    )
    restart = serializers.BooleanField(help_text="A new placing in service after a gap.")
    table = serializers.CharField(help_text="The depreciation table (Pub 946), or why none.")
    allowable = money_field(help_text="Line 40 x line 41 of this placing in service.")


class DepreciationRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    method = serializers.ChoiceField(choices=TaxYearHome.Method.choices)
    allowable = money_field(help_text="Line 42 (simplified years: 0).")
    allowed = money_field(
        help_text="The depreciation part of line 33 (line 33 allows casualty losses first)."
    )
    cumulative_allowable = money_field()
    cumulative_allowed = money_field()
    placements = PlacementRowSerializer(
        many=True, help_text="The home's own depreciation, each placing in service apart."
    )


class DepreciationLedgerSerializer(serializers.Serializer):
    home_id = serializers.IntegerField(source="home.pk")
    home = serializers.CharField(source="home.name")
    rows = DepreciationRowSerializer(many=True)
    total_allowable = money_field()
    total_allowed = money_field()
    after_may_6_1997 = money_field(
        help_text="Depreciation that section 121 cannot exclude on a sale (Pub 587, Sale or "
        "Exchange of Your Home)."
    )
