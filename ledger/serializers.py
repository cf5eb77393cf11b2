"""The ledger's records as they are read from outside: one DRF serializer per record.

`BusinessSerializer`, `HomeSerializer`, `OfficeAreaSerializer`, `ImprovementSerializer`,
`BillSerializer`, `TaxYearSerializer`, `TaxYearHomeSerializer` and `BusinessShareSerializer`
read a record's fields with the readers of `ledger.fields` (money, dates, choices by key or
label, homes by key or name) and then run the model's own checks (`full_clean`: validators,
`clean()`, constraints), so the rules and their words are the same for the API
(`interface.api.serializers` extends these with ids, references and time stamps) and the ledger
file (`ledger.ledger_file` reads every record through them).

Context: `owner` (else the request's user) owns new records; `home_lookup` (a
`ledger.fields.HomeLookup`) is where `home` is looked up, by default the owner's homes (one
query); `bulk=True` reads the fields only, for a caller that checks many records together
against data it fetched once (the ledger file import).

The `*_FIELDS` tuples are each record's fields in the ledger file's order; the CSV's columns and
the API's fields are the same names. Must not import `forms8829`, `review` or `interface`.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_slug
from django.db import models
from rest_framework import serializers
from rest_framework.settings import api_settings

from ledger import fields
from ledger.models import (
    Bill,
    Business,
    BusinessShare,
    Home,
    Improvement,
    OfficeArea,
    TaxYear,
    TaxYearHome,
)

BUSINESS_FIELDS = ("name", "kind")
HOME_FIELDS = (
    "key",
    "name",
    "total_area",
    "total_rooms",
    "area_method",
    "ownership",
    "occupied_from",
    "occupied_to",
    "cost_basis",
    "land_value",
    "fmv_at_first_business_use",
    "land_fmv_at_first_business_use",  # optional: line 38 uses it when lower than land_value
)
OFFICE_AREA_FIELDS = (
    "name",
    "area",
    "rooms",
    "use",
    "start",
    "end",
    # optional: the basis of a restart after a gap (a new placing in service)
    *OfficeArea.RESTART_FIELDS,
)
# The business that uses an office area (optional: the user's first business when not given):
# the API takes the business's id, the ledger file its name among the file's businesses.
OFFICE_AREA_REFERENCES = ("business",)
IMPROVEMENT_FIELDS = ("description", "cost", "placed_in_service")
BILL_FIELDS = (
    "home",
    "paid_on",
    "payee",
    "category",
    "amount",
    "scope",
    "business_use_percent",
    "service_start",
    "service_end",
    "note",
    "kind",  # optional: "payment" (the default) or "refund", which counts against its category
)
# A direct bill's office area (optional): the API takes the area's id, the ledger file its name
# among the office areas of the bill's home. Not a CSV column.
BILL_REFERENCES = ("office_area",)
TAX_YEAR_FIELDS = (
    "year",
    "filing_status",
    "itemizes",
    "state_local_income_or_sales_tax",
    "other_real_estate_taxes",
    "personal_property_taxes",
    "modified_agi",
    "adjusted_gross_income",  # optional: mortgage insurance premiums phase out with it
    "net_qualified_disaster_loss",  # optional, false by default
    "filed",
)
TAX_YEAR_HOME_FIELDS = (
    "home",
    "method",
    "gross_income_limit",
    "receives_carryover",
    "daycare_hours",
    "mortgage_interest_schedule_a_limit",
    "casualty_losses_direct",
    "casualty_losses_indirect",
    "excess_casualty_losses",
    "other_business_expenses",  # optional: farms and partners (Pub 587 worksheet line 11)
)
# A home's split of its deduction among its businesses in a year: the business (the API: its id;
# the ledger file: its name) and its percent.
BUSINESS_SHARE_FIELDS = ("percent",)
BUSINESS_SHARE_REFERENCES = ("business",)

# Examples shown in "must be a number like ..." messages, by field name.
NUMBER_EXAMPLES = {"total_area": "2000", "area": "200", "business_use_percent": "50"}
NUMBER_EXAMPLES["daycare_hours"] = "1200"


def context_owner(context: dict):
    """The owner of the records a serializer reads: `owner`, else the request's user."""
    if "owner" in context:
        return context["owner"]
    return context["request"].user


def serializer_errors(exc: DjangoValidationError) -> dict:
    """A model's ValidationError as DRF field errors: {field: [message, ...]}."""
    errors = serializers.as_serializer_error(exc)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


class HomeField(fields.ReadingField, serializers.PrimaryKeyRelatedField):
    """A home of the owner by id, key or name (`ledger.fields.HomeLookup`); shown by its id."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Home.objects.all())
        kwargs.setdefault(
            "help_text", "The home: its id, its key, or its name (if no other home has it)."
        )
        super().__init__(**kwargs)

    def lookup(self) -> fields.HomeLookup:
        context = self.context
        lookup = context.get("home_lookup")
        if lookup is None:
            homes = self.get_queryset().owned_by(context_owner(context)).order_by("id")
            lookup = fields.HomeLookup(homes)
            context["home_lookup"] = lookup  # the root's context: one query per request
        return lookup

    def run_validation(self, data=serializers.empty):
        # Not RelatedField's, whose blank text is null: what blank means is ReadingField's.
        return serializers.Field.run_validation(self, data)

    def read(self, data):
        return self.lookup().find(data)

    def to_representation(self, value):
        return value.pk


def _model_limits(model_field) -> tuple[int, int]:
    validators = model_field.validators
    low = max(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    high = min(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    return low, high


class RecordSerializer(serializers.ModelSerializer):
    """A ledger record read through `ledger.fields`, then checked by the model's `full_clean()`
    (unless `bulk`) before anything is saved; `prepare` may adjust the candidate record."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: fields.BooleanField,
        models.CharField: fields.TextField,
        models.DateField: fields.DateField,
        models.DecimalField: fields.DecimalField,
        models.IntegerField: fields.IntegerField,
        models.PositiveIntegerField: fields.IntegerField,
        models.PositiveSmallIntegerField: fields.IntegerField,
        models.SlugField: fields.TextField,
        models.SmallIntegerField: fields.IntegerField,
        models.TextField: fields.TextField,
    }
    serializer_choice_field = fields.ChoiceField

    @property
    def owner(self):
        return context_owner(self.context)

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if issubclass(field_class, fields.DecimalField) and field_name in NUMBER_EXAMPLES:
            kwargs["example"] = NUMBER_EXAMPLES[field_name]
        return field_class, kwargs

    def prepare(self, instance: models.Model, attrs: dict) -> None:
        """Last adjustments to the candidate record before `full_clean()`."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.context.get("bulk"):
            return attrs
        instance = self.instance or self.Meta.model(owner=self.owner)
        for name, value in attrs.items():
            setattr(instance, name, value)
        self.prepare(instance, attrs)
        # Non-editable fields (a bill's tax year, time stamps) are derived on save, as in a form.
        derived = [f.name for f in instance._meta.fields if not f.editable]
        try:
            instance.full_clean(exclude=derived)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializer_errors(exc)) from exc
        self._candidate = instance
        return attrs

    def _save(self) -> models.Model:
        instance = self._candidate
        instance._history_user = self.owner
        instance.save()
        return instance

    def create(self, validated_data):
        return self._save()

    def update(self, instance, validated_data):
        return self._save()


class BusinessSerializer(RecordSerializer):
    """A business: its name (one per name in a ledger) and its kind, which says where its
    deduction goes (`Business.Kind`)."""

    class Meta:
        model = Business
        fields = BUSINESS_FIELDS
        validators = []

    def validate_name(self, value):
        if self.context.get("bulk"):  # the ledger file checks its names together
            return value
        taken = Business.objects.owned_by(self.owner).filter(name=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(
                f"You already have a business named '{value}'.", code="duplicate"
            )
        return value


class HomeSerializer(RecordSerializer):
    key = fields.TextField(
        max_length=fields.HOME_KEY_MAX_LENGTH,
        required=False,
        allow_blank=True,
        allow_null=True,
        validators=[validate_slug],
        help_text="Short identifier used in ledger files; made from the name when left blank "
        "or null.",
    )

    class Meta:
        model = Home
        fields = HOME_FIELDS
        validators = []

    def validate_key(self, value):
        return value or ""  # null: made from the name, like blank


class OfficeAreaSerializer(RecordSerializer):
    """An office area's own fields; its home is the record it is listed under (the API adds
    `home`)."""

    class Meta:
        model = OfficeArea
        fields = OFFICE_AREA_FIELDS
        validators = []


class ImprovementSerializer(RecordSerializer):
    class Meta:
        model = Improvement
        fields = IMPROVEMENT_FIELDS
        validators = []


class BillSerializer(RecordSerializer):
    home = HomeField()

    class Meta:
        model = Bill
        fields = BILL_FIELDS
        validators = []


YEARS = _model_limits(TaxYear._meta.get_field("year"))
UNSUPPORTED_YEAR = "{value} is not supported; supported years are {min_value}-{max_value}"


class TaxYearSerializer(RecordSerializer):
    year = fields.IntegerField(
        min_value=YEARS[0],
        max_value=YEARS[1],
        example=2024,
        error_messages={"min_value": UNSUPPORTED_YEAR, "max_value": UNSUPPORTED_YEAR},
        help_text=f"The tax year, {YEARS[0]}-{YEARS[1]}.",
    )

    class Meta:
        model = TaxYear
        fields = TAX_YEAR_FIELDS
        validators = []


class TaxYearHomeSerializer(RecordSerializer):
    """A home's inputs in a tax year; the tax year is the record it is listed under (the API
    adds `tax_year`)."""

    home = HomeField()

    class Meta:
        model = TaxYearHome
        fields = TAX_YEAR_HOME_FIELDS
        validators = []


class BusinessShareSerializer(RecordSerializer):
    """A business's share of one home's deduction in a tax year; its home-year and business are
    the records it is listed under and names (the API adds both as ids)."""

    class Meta:
        model = BusinessShare
        fields = BUSINESS_SHARE_FIELDS
        validators = []
