"""Query filters of the API lists (django-filter) and their stable ordering.

A filter that names another record (`?home=`, `?tax_year=`, `?bill=`) accepts only the user's
own records: someone else's id is a 404, exactly like an id that does not exist. Every ordering
ends with `id`, so pages never skip or repeat a row.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from rest_framework.filters import OrderingFilter

from interface.api.exceptions import ReferenceNotFound
from ledger.models import (
    Bill,
    Business,
    BusinessShare,
    Home,
    Improvement,
    OfficeArea,
    Receipt,
    TaxYear,
    TaxYearHome,
)


class StableOrderingFilter(OrderingFilter):
    """`?ordering=` as usual, always completed by `id` so the order is total."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering is None:
            return None
        ordering = list(ordering)
        if not any(term.lstrip("-") in ("id", "pk") for term in ordering):
            ordering.append("id")
        return ordering


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class StrictBooleanField(forms.Field):
    """true/false (or 1/0, yes/no); anything else is an error, not "no filter"."""

    widget = forms.TextInput
    words = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def to_python(self, value):
        text = (value or "").strip().lower()
        if not text:
            return None
        if text not in self.words:
            raise forms.ValidationError(f"'{value}' is not true or false.")
        return self.words[text]


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class OwnedReferenceFilter(IntegerFilter):
    """`?home=<id>`: one of the request user's own records, else 404."""

    def __init__(self, *args, model, **kwargs):
        # Not `self.model`: the FilterSet sets that to the listed model.
        self.reference_model = model
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        user = self.parent.request.user
        model = self.reference_model
        if not model.objects.owned_by(user).filter(pk=value).exists():
            raise ReferenceNotFound(self.field_name, model._meta.verbose_name, value)
        return super().filter(qs, value)


def _home(**kwargs):
    return OwnedReferenceFilter(model=Home, field_name="home", help_text="A home's id.", **kwargs)


class BillFilter(django_filters.FilterSet):
    year = IntegerFilter(field_name="tax_year", help_text="Tax year (the payment date's year).")
    home = _home()
    category = django_filters.ChoiceFilter(choices=Bill.Category.choices)
    scope = django_filters.ChoiceFilter(choices=Bill.Scope.choices)
    paid_on_after = django_filters.DateFilter(
        field_name="paid_on", lookup_expr="gte", help_text="Paid on or after (YYYY-MM-DD)."
    )
    paid_on_before = django_filters.DateFilter(
        field_name="paid_on", lookup_expr="lte", help_text="Paid on or before (YYYY-MM-DD)."
    )
    has_receipt = StrictBooleanFilter(
        method="filter_has_receipt", help_text="Only bills with (true) or without (false) one."
    )

    class Meta:
        model = Bill
        fields = ("year", "home", "category", "scope", "paid_on_after", "paid_on_before")

    def filter_has_receipt(self, queryset, name, value):
        receipts = Exists(Receipt.objects.filter(bill=OuterRef("pk")))
        return queryset.filter(receipts if value else ~receipts)


def _business(**kwargs):
    return OwnedReferenceFilter(
        model=Business, field_name="business", help_text="A business's id.", **kwargs
    )


class OfficeAreaFilter(django_filters.FilterSet):
    home = _home()
    business = _business()

    class Meta:
        model = OfficeArea
        fields = ("home", "business")


class ImprovementFilter(django_filters.FilterSet):
    home = _home()

    class Meta:
        model = Improvement
        fields = ("home",)


class TaxYearFilter(django_filters.FilterSet):
    year = IntegerFilter(field_name="year")
    filed = StrictBooleanFilter(field_name="filed")

    class Meta:
        model = TaxYear
        fields = ("year", "filed")


class TaxYearHomeFilter(django_filters.FilterSet):
    tax_year = OwnedReferenceFilter(
        model=TaxYear, field_name="tax_year", help_text="A tax year's id."
    )
    home = _home()
    method = django_filters.ChoiceFilter(choices=TaxYearHome.Method.choices)

    class Meta:
        model = TaxYearHome
        fields = ("tax_year", "home", "method")


class BusinessShareFilter(django_filters.FilterSet):
    tax_year_home = OwnedReferenceFilter(
        model=TaxYearHome, field_name="tax_year_home", help_text="A tax-year-home's id."
    )
    business = _business()

    class Meta:
        model = BusinessShare
        fields = ("tax_year_home", "business")


class ReceiptFilter(django_filters.FilterSet):
    bill = OwnedReferenceFilter(model=Bill, field_name="bill", help_text="A bill's id.")

    class Meta:
        model = Receipt
        fields = ("bill",)
