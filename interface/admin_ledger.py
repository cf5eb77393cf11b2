"""Admin for the ledger: where a user keeps their records and does the year-end review.

Every staff user manages their own records (ownership is the permission); a superuser sees all.
The admin holds no tax arithmetic: it calls `ledger.services`, and every POST is a write batch of
`forms8829.filing`.

- Tax years: a "Review" column and a button on the change page lead to the year-end review,
  whose views (`review.views`) are mounted by `TaxYearAdmin.get_urls` under
  `<id>/review/` (recompute, file, reopen, PDF, CSV, ZIP).
- Businesses: each one's kind and where its deduction goes (`forms8829.businesses`), the office
  areas that use it and its shares of homes' deductions; an office area picks its business
  among the user's own; a home's split among its businesses in a year is set on that home's
  page of the year (the tax year's homes link to it).
- Bills: the review's drill-down filters (`form_line`, `counted`, `has_receipt`), totals of the
  filtered rows per category and form line above the list, the "Copy to the following months"
  action and the "Import bills (CSV)" page (`ledger.bill_import`).
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack, contextmanager
from urllib.parse import parse_qsl, urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path, quote
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from forms8829 import businesses as business_kinds
from forms8829.filing import YearFiledError, bills_csv_import, filing_state_keep, ledger_write
from forms8829.models import ComputedForm
from forms8829.selectors import (
    bill_count_filters,
    bills_behind_q,
    home_restarts,
    homes_in_use,
    office_areas_prefetch,
)
from interface.admin_filed import FiledYearAdminMixin, FiledYearInlineMixin
from interface.admin_import_stream import bill_import_streamed
from interface.admin_scope import owner_scoped
from interface.date_drilldown import years_with_rows
from interface.list_widgets import (
    PlainCheckboxInput,
    PlainHiddenInput,
    PlainTextInput,
    RowsFormSet,
)
from interface.paging import CappedCountPaginator
from interface.pending_imports import pending_import_keep, pending_import_take
from interface.receipt_views import receipt_inline_url, receipt_preview, size_mb
from interface.year_grid import next_month, year_grid_view
from ledger import services
from ledger.bill_import import CSV_MAX_BYTES
from ledger.checks import (
    bill_warnings,
    home_warnings,
    office_area_entry_errors,
    year_warnings,
)
from ledger.fields import DateFormField, DecimalFormField, decimal_limits, plain_decimal
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
    capacity_errors,
)
from review import page as review_data
from review.links import add_url, review_url


def money(value) -> str:
    if value is None:
        return "—"
    return f"${value:,.2f}"


def owned_form(form_class, owner):
    """The form with its instance's owner set before validation, so that model `clean()` and
    the (owner, ...) unique constraints are checked even when the owner field is not shown."""

    class OwnedForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if not self.instance.owner_id and owner is not None:
                self.instance.owner = owner

        def _get_validation_exclusions(self):
            exclusions = super()._get_validation_exclusions()
            exclusions.discard("owner")
            return exclusions

    OwnedForm.__name__ = form_class.__name__
    return OwnedForm


class OwnValuesFieldListFilter(admin.AllValuesFieldListFilter):
    """A filter on a related record's value (`tax_year__year`) offering only the values of the
    user's own rows: Django's own looks them up in every user's records."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        rows = model_admin.get_queryset(request).order_by(field_path)
        self.lookup_choices = rows.values_list(field_path, flat=True).distinct()


class OwnRecordsFieldListFilter(admin.RelatedFieldListFilter):
    """A filter on a foreign key to an owned model (a bill's home) offering the user's own
    records of that model, read from that model's few rows. Django's `RelatedOnlyFieldListFilter`
    reads the keys of every row of the list (a DISTINCT over a million bills for two homes)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        mine = {} if model_admin._sees_all(request) else {"owner": request.user}
        return field.get_choices(include_blank=False, limit_choices_to=mine, ordering=ordering)


def owned_list_filter(model, entry):
    """A `list_filter` entry whose choices come from the user's own rows: a foreign key lists
    the user's own records of an owned model (Django's plain filter lists every user's homes),
    else only the records those rows use; a value across a relation only the values they hold.
    Filter classes and pairs are left as given."""
    if not isinstance(entry, str):
        return entry
    field = get_fields_from_path(model, entry)[-1]
    if field.is_relation and owner_scoped(field.related_model):
        return (entry, OwnRecordsFieldListFilter)
    if field.is_relation:
        return (entry, admin.RelatedOnlyFieldListFilter)
    if LOOKUP_SEP in entry:
        return (entry, OwnValuesFieldListFilter)
    return entry


# Plain words for the fields whose names are the engine's (the model keeps its names; the admin
# says what the person types).
PLAIN_LABELS = {
    "mortgage_interest_schedule_a_limit": "Deductible mortgage interest (Schedule A)",
    "receives_carryover": "Takes last year's carryover",
    "gross_income_limit": "Gross income from the business (line 8)",
    "other_business_expenses": "Business expenses not from the home (farms, partners)",
}


def _once(field):
    """A choice field whose choices are read once for every row of an inline, not once a row."""
    if field is not None:
        field.choices = list(field.choices)
    return field


class BusinessChoiceMixin:
    """An office area's business, among the user's own (`OwnedAdminMixin`); left blank, the
    model saves the user's first business (`Business.default_for`)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != "business":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        kwargs["empty_label"] = "Your first business"
        return _once(super().formfield_for_foreignkey(db_field, request, **kwargs))


class CarryoverSelect(forms.NullBooleanSelect):
    """Whether a home takes the prior year's carryover, in words (not Unknown/Yes/No)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("unknown", "Automatically (the home with the largest line 8)"),
            ("true", "Yes, this home"),
            ("false", "No, another home"),
        ]


class OwnedAdminMixin:
    """Scope querysets, choices and permissions to the request's user (superusers see all).

    Dates and amounts are typed as people type them and read by `ledger.fields`, as the API, the
    ledger file and the CSV read them: dates YYYY-MM-DD or MM/DD/YYYY, money `$1,250.00`."""

    formfield_overrides = {
        models.DateField: {"form_class": DateFormField, "widget": widgets.AdminDateWidget},
        models.DecimalField: {"form_class": DecimalFormField, "widget": DecimalFormField.widget},
    }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if type(db_field) is models.DecimalField:  # its limits, in the readers' words
            limits = decimal_limits(db_field)
            kwargs.setdefault("minimum", limits.get("minimum"))
            kwargs.setdefault("maximum", limits.get("maximum"))
        if db_field.name == "receives_carryover":
            kwargs["widget"] = CarryoverSelect
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in PLAIN_LABELS:
            field.label = PLAIN_LABELS[db_field.name]
        return field

    def _sees_all(self, request) -> bool:
        # A superuser administers accounts, not other people's ledgers: everyone sees their own.
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if self._sees_all(request) else qs.filter(owner=request.user)

    def get_list_filter(self, request):
        return [owned_list_filter(self.model, f) for f in super().get_list_filter(request)]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.related_model
        if hasattr(model, "owner") and not self._sees_all(request):
            kwargs["queryset"] = model.objects.filter(owner=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not self._sees_all(request):
            exclude.append("owner")
        return exclude

    def _may(self, request, obj=None, action: str = "view") -> bool:
        """The model permission (the "Ledger owners" group of `interface.accounts` holds them)
        and, for a record, ownership."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        opts = self.model._meta
        if not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            return False
        return obj is None or self._sees_all(request) or obj.owner_id == user.pk

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request, *args):
        return self._may(request, action="add")

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj, action="change")

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj, action="delete")


def _write_owners(model_admin, request, object_id=None) -> list[int]:
    """Whose ledgers a POST writes to: the edited record's owner, the owner chosen on the form
    (a superuser's), the owners of the records an action was run on; else the user's own."""
    model = model_admin.model
    owners: set[int] = set()
    pks = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
    if object_id is not None:
        pks.append(object_id)
    pks = [pk for pk in pks if str(pk).isdigit()]
    if pks:
        owners |= set(model.objects.filter(pk__in=pks).values_list("owner_id", flat=True))
    chosen = request.POST.get("owner", "")
    if chosen.isdigit() and model_admin._sees_all(request):
        owners.add(int(chosen))
    return sorted(owners) or [request.user.pk]


@contextmanager
def _write_batch(owner_ids: list[int]):
    with transaction.atomic(), ExitStack() as stack:
        for owner_id in owner_ids:  # in order: two batches never wait on each other crosswise
            stack.enter_context(ledger_write(owner=owner_id))
        yield


class DateSafeChangeList(ChangeList):
    """A date drill-down past the dates a ledger holds (`?paid_on__year=9999`) is a bad lookup,
    answered like any other (the list with "?e=1"), never a server error.

    Each row links to its record's page carrying the list's filters back
    (`?_changelist_filters=...`), as Django's rows do; the link is made once for the page and
    each row's key put in it (Django reverses the URL for every row, and resolves it again to
    add the filters).

    A list counted empty reads no rows and no drill-down; a search's one page of matches is
    read by the keys its count read (`get_results`)."""

    KEY = "__key__"

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        query = urlencode(parse_qsl(self.preserved_filters))
        self.preserved_filters = ""  # in row_link, not added again row by row
        link = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(self.KEY,),
            current_app=self.model_admin.admin_site.name,
        )
        self.row_link = f"{link}?{query}" if query else link

    def row_key(self, result) -> str:
        """The row's key as its change URL carries it."""
        return str(quote(getattr(result, self.pk_attname)))

    def url_for_result(self, result):
        return self.row_link.replace(self.KEY, self.row_key(result), 1)

    def get_results(self, request):
        super().get_results(request)
        if self.result_count == 0:
            # Counted and none found (a search for a word no bill holds): the rows and the
            # date drill-down read nothing, rather than each walking the user's bills by date
            # looking for a match (SQLite, 100,000 bills: 0.4 s).
            self.queryset = self.queryset.none()
            self.result_list = self.queryset
        elif getattr(self.paginator, "few_keys", None) is not None:
            # A search's one page of matches, their keys read by the count: the rows and the
            # drill-down seek them (interface.paging).
            self.queryset = self.queryset.filter(pk__in=self.paginator.few_keys)
            self.result_list = self.queryset._clone()

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class OwnedModelAdmin(FiledYearAdminMixin, OwnedAdminMixin, SimpleHistoryAdmin):
    """Every POST that can write (a form with its inlines, a delete, an action, a history
    revert) is one write batch of the owner's ledger (`forms8829.filing.ledger_write`): a change
    that would alter a filed year is refused as a whole, with a message; nothing changes."""

    def _refused(self, request, exc: ValidationError):
        # The view may have queued "saved successfully"; the batch was rolled back, so drop it.
        for _ in messages.get_messages(request):
            pass
        self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def _batched(self, request, view, *args, object_id=None, keep_typed=False):
        if request.method != "POST":
            return view(*args)
        try:
            with _write_batch(_write_owners(self, request, object_id)):
                return view(*args)
        except YearFiledError as exc:
            if keep_typed:  # a form: shown again as typed (interface.admin_filed)
                return self._refused_keep_typed(request, exc, view, *args)
            return self._refused(request, exc)

    # Django's list, its rows made once a column (interface.list_rows); a model's own list
    # template extends this one.
    change_list_template = "admin/owned_change_list.html"

    def get_changelist(self, request, **kwargs):
        return DateSafeChangeList

    def action_checkbox(self, obj):
        # Django's row checkbox, the same markup made without a template (one a row).
        attrs = {
            "class": "action-select",
            "aria-label": format_html(gettext("Select this object for an action - {}"), str(obj)),
        }
        checkbox = PlainCheckboxInput(attrs, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        parent = super().changeform_view
        args = (request, object_id, form_url, extra_context)
        return self._batched(request, parent, *args, object_id=object_id, keep_typed=True)

    def delete_view(self, request, object_id, extra_context=None):
        parent, args = super().delete_view, (request, object_id, extra_context)
        return self._batched(request, parent, *args, object_id=object_id)

    def changelist_view(self, request, extra_context=None):
        # Values edited in the list (list_editable's Save) are shown again as typed when
        # refused; an action's refusal is a message (nothing was typed).
        edits = bool(self.list_editable) and "_save" in request.POST
        parent, args = super().changelist_view, (request, extra_context)
        return self._batched(request, parent, *args, keep_typed=edits)

    def get_deleted_objects(self, objs, request):
        """The stored forms (`ComputedForm`) of a record's years are derived, not kept by hand:
        they go with the record and need no permission of their own. A filed year's are
        protected by the write batch, which refuses the delete in words."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(ComputedForm._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request._reverting = True  # a revert saves the old version even where the form is as-is
        parent = super().history_form_view
        args = (request, object_id, version_id, extra_context)
        return self._batched(request, parent, *args, object_id=object_id)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return owned_form(form, obj.owner if obj is not None else request.user)

    def save_model(self, request, obj, form, change):
        if not obj.owner_id:
            obj.owner = request.user
        if change and not form.has_changed() and not getattr(request, "_reverting", False):
            # Nothing of the record changed (only an inline, say a receipt added to a filed
            # year's bill): it is not saved again, so its history and time stamp stay true.
            return
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            instance = inline_form.instance
            if hasattr(instance, "owner_id") and not instance.owner_id:
                instance.owner_id = form.instance.owner_id
        super().save_formset(request, form, formset, change)


class OwnedInline(FiledYearInlineMixin, OwnedAdminMixin):
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = owned_form(formset.form, obj.owner if obj is not None else request.user)
        return formset


class OfficeAreaFormSet(forms.BaseInlineFormSet):
    """Areas added or changed together are checked together against the home's size."""

    def clean(self):
        super().clean()
        home = self.instance
        for form in self.forms:  # early check: no office before the move-in date
            if form.cleaned_data and not form.cleaned_data.get("DELETE"):
                for field, message in office_area_entry_errors(form.instance, home).items():
                    form.add_error(field, message)
        if home.total_area is None or any(form.errors for form in self.forms):
            return
        kept = [
            form.instance
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.instance.area is not None
        ]
        edited = {a.pk for a in kept if a.pk} | {
            form.instance.pk for form in self.forms if form.cleaned_data.get("DELETE")
        }
        untouched = [] if home.pk is None else home.office_areas.exclude(pk__in=edited)
        areas = [*untouched, *kept]
        errors = capacity_errors(home, areas)
        if errors:
            raise ValidationError(list(errors.values()))
        mixed = _mixed_forms(home, areas)
        if mixed:
            raise ValidationError(mixed)


def _mixed_forms(home, areas) -> str | None:
    """Early check (docs/tax-rules.md §6a): one home, one kind of form a year."""
    if not home.owner_id:
        return None
    first = Business.objects.filter(owner_id=home.owner_id).order_by("id").first()
    rows = [
        (b.name, b.kind, a.start, a.end)
        for a in areas
        if (b := a.business if a.business_id else first) is not None
    ]
    years = business_kinds.mixed_form_years(rows)
    if not years:
        return None
    year, names = next(iter(years.items()))
    return (
        f"In {year} this home would be used by {' and '.join(names)}, whose deductions are "
        "figured on different forms (Form 8829 for a Schedule C business, Pub 587's worksheet "
        "for a farm or a partnership), and the ledger computes one form per home and year: "
        "give them office areas in different years, or correct a business's kind."
    )


class OfficeAreaInline(BusinessChoiceMixin, OwnedInline, admin.TabularInline):
    model = OfficeArea
    formset = OfficeAreaFormSet
    fields = ("name", "area", "rooms", "use", "start", "end")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if _several_businesses(request):  # else every area is the one business's
            fields = (fields[0], "business", *fields[1:])
        # Business use that stops and starts again is a new placing in service with its own
        # basis (docs/tax-rules.md §4): asked for when the owned home has a restart,
        # on the area that starts it.
        if obj is not None and obj.is_owned and home_restarts(obj):
            return (*fields, *OfficeArea.RESTART_FIELDS)
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "business" and field is not None:
            # A row of the table: no add/change/view pop-up links beside the choice.
            for link in ("add", "change", "view", "delete"):
                setattr(field.widget, f"can_{link}_related", False)
        return field


def _several_businesses(request) -> bool:
    """Whether the user has more than one business (asked once a request): only then does a
    home's table of office areas ask which business uses each (the area's own page always)."""
    if not hasattr(request, "_several_businesses"):
        mine = Business.objects.filter(owner=request.user)
        request._several_businesses = mine[:2].count() > 1
    return request._several_businesses


class ImprovementInline(OwnedInline, admin.TabularInline):
    model = Improvement
    fields = ("description", "cost", "placed_in_service")


class ReceiptForm(forms.ModelForm):
    """Uploads go through the receipt service: real type by content, size limit, SHA-256."""

    class Meta:
        model = Receipt
        fields = ("file",)
        widgets = {"file": forms.FileInput}  # the stored name is a hash: the preview names it

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            try:
                self._info = services.receipt_inspect(file=upload)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["file"]) from exc
            owner = self.instance.owner if self.instance.owner_id else None
            existing = owner and services.receipt_duplicate_of(
                owner=owner, sha256=self._info.sha256
            )
            if existing:  # as the API answers (409): one file, one receipt
                raise ValidationError(
                    f"This file is already stored as receipt {existing.pk} "
                    f"('{existing.original_name}') of the bill {existing.bill}."
                )
        return upload

    def save(self, commit=True):
        receipt = super().save(commit=False)
        info = getattr(self, "_info", None)
        if info is not None:
            receipt.original_name = services.safe_file_name(
                self.cleaned_data["file"].name, info.extension
            )
            receipt.size = info.size
            receipt.content_type = info.content_type
            receipt.sha256 = info.sha256
        if commit:
            receipt.save()
        return receipt


class ReceiptInline(OwnedInline, admin.TabularInline):
    model = Receipt
    form = ReceiptForm
    add_when_filed = True  # a receipt changes no number (docs/write-path.md)
    fields = ("file", "preview", "size_display")
    readonly_fields = ("preview", "size_display")
    show_change_link = False

    @admin.display(description="Receipt")
    def preview(self, obj):
        return receipt_preview(obj)

    @admin.display(description="Size")
    def size_display(self, obj):
        return size_mb(obj.size)


class TaxYearHomeInline(OwnedInline, admin.StackedInline):
    model = TaxYearHome
    fields = (
        ("home", "method", "receives_carryover"),
        ("gross_income_limit", "daycare_hours", "mortgage_interest_schedule_a_limit"),
        ("casualty_losses_direct", "casualty_losses_indirect", "excess_casualty_losses"),
        ("other_business_expenses", "split_display"),
    )
    readonly_fields = ("split_display",)

    def get_queryset(self, request):
        # Each row's title names its year and home, and its split among businesses: read with
        # the rows, not queries a row.
        shares = BusinessShare.objects.select_related("business").order_by("business_id")
        return (
            super()
            .get_queryset(request)
            .select_related("tax_year", "home")
            .prefetch_related(models.Prefetch("business_shares", queryset=shares))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "home":
            _once(field)
        return field

    @admin.display(description="Split among businesses")
    def split_display(self, obj):
        return split_text(obj)


def split_text(year_home):
    """How a home's deduction of a year is split among its businesses, linking to where the
    split is set (the home's page of the year)."""
    if year_home is None or year_home.pk is None:
        return "Save the year first; then set the split on this home's page of the year."
    shares = year_home.business_shares.all()
    text = (
        ", ".join(f"{share.business.name} {plain_decimal(share.percent)}%" for share in shares)
        if shares
        else "By each business's part of the office area"
    )
    url = reverse("admin:ledger_taxyearhome_change", args=[year_home.pk])
    return format_html('{} (<a href="{}">change</a>)', text, url)


class BusinessShareInline(OwnedInline, admin.TabularInline):
    """The user's own split of the home's deduction in the year (docs/tax-rules.md §6a)."""

    model = BusinessShare
    fields = ("business", "percent")
    show_change_link = False
    verbose_name = "business's share of this home's deduction"
    verbose_name_plural = (
        "Split among businesses: leave empty to split by each business's part of the office "
        "area; else give every business that uses the home this year, adding up to 100%"
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _once(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("business")


@admin.register(Home)
class HomeAdmin(OwnedModelAdmin):
    list_display = (
        "name",
        "ownership",
        "total_area",
        "area_method",
        "occupied_from",
        "occupied_to",
        "basis_display",
    )
    list_filter = ("ownership", "area_method")
    search_fields = ("name", "key")
    inlines = [OfficeAreaInline, ImprovementInline]
    fieldsets = (
        (None, {"fields": ("owner", "name", "key", "ownership")}),
        ("Area", {"fields": ("area_method", "total_area", "total_rooms")}),
        ("Occupancy", {"fields": ("occupied_from", "occupied_to")}),
        (
            "Basis (owned homes, Form 8829 Part III)",
            {
                "fields": (
                    "cost_basis",
                    "land_value",
                    "fmv_at_first_business_use",
                    "land_fmv_at_first_business_use",
                )
            },
        ),
    )
    readonly_fields = ("restarts_display",)

    def get_fieldsets(self, request, obj=None):
        fieldsets = self._own_fieldsets(request, obj)
        if obj is None or not obj.is_owned:
            return fieldsets
        return (*fieldsets, ("Business use that stopped and started again", _RESTARTS))

    @admin.display(description="Restarts")
    def restarts_display(self, obj):
        restarts = home_restarts(obj) if obj is not None and obj.pk else []
        if not restarts:
            return "None: business use has not stopped and started again."
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((_restart_text(r),) for r in restarts)),
        )

    def _own_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._sees_all(request):
            return fieldsets
        first = dict(fieldsets[0][1])
        first["fields"] = tuple(f for f in first["fields"] if f != "owner")
        return ((None, first), *fieldsets[1:])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for warning in home_warnings(form.instance):
            self.message_user(request, warning, level=messages.WARNING)

    @admin.display(description="Cost basis", ordering="cost_basis")
    def basis_display(self, obj):
        return money(obj.cost_basis)


_RESTARTS = {
    "fields": ("restarts_display",),
    "description": "A restart is a new placing in service (Treas. Reg. 1.168(i)-4; Pub 587, "
    "Depreciating Your Home): give the home's adjusted basis and fair market value on the "
    "restart date on the office area that starts it.",
}


def _restart_text(restart) -> str:
    text = (
        f"Stopped {restart.stopped:%b %d, %Y}, started again {restart.restarted:%b %d, %Y} "
        f"(a gap of {restart.gap_days} day(s))"
    )
    if restart.short:
        text += " — only a few days: if that is a typing slip, correct the areas' dates"
    if restart.area is None:
        return f"{text}: its basis is missing, so it gets no depreciation."
    return f"{text}: basis given on '{restart.area.name}'."


class OfficeAreaForm(forms.ModelForm):
    def _post_clean(self):
        super()._post_clean()
        for field, message in office_area_entry_errors(self.instance).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        area = self.instance
        if area.home_id and not self.errors:
            others = area.home.office_areas.exclude(pk=area.pk).select_related("business")
            mixed = _mixed_forms(area.home, [*others, area])
            if mixed:
                self.add_error("business" if "business" in self.fields else None, mixed)


@admin.register(Business)
class BusinessAdmin(OwnedModelAdmin):
    list_display = ("name", "kind", "destination_display", "areas_count")
    list_filter = ("kind",)
    search_fields = ("name",)
    fields = ("name", "kind", "destination_display", "areas_display", "shares_display")
    readonly_fields = ("destination_display", "areas_display", "shares_display")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(areas=Count("office_areas"))

    @admin.display(description="Its deduction goes to")
    def destination_display(self, obj):
        if obj is None or not obj.kind:
            return "—"
        destination = business_kinds.DESTINATIONS.get(obj.kind)
        if destination is None:  # an employee's
            return business_kinds.EMPLOYEE_EXPLANATION
        return destination.deduction

    @admin.display(description="Office areas", ordering="areas")
    def areas_count(self, obj):
        return obj.areas

    @admin.display(description="Office areas it uses")
    def areas_display(self, obj):
        areas = [] if obj is None or obj.pk is None else obj.office_areas.select_related("home")
        if not areas:
            return "None yet: choose this business on an office area (Homes, or Office areas)."
        return _links(
            (reverse("admin:ledger_officearea_change", args=[a.pk]), f"{a.home.name}: {a}")
            for a in areas.order_by("home__name", "start", "id")
        )

    @admin.display(description="Its shares of a home's deduction")
    def shares_display(self, obj):
        shares = (
            []
            if obj is None or obj.pk is None
            else obj.shares.select_related("tax_year_home__tax_year", "tax_year_home__home")
        )
        if not shares:
            return (
                "None: each home's deduction is split by each business's part of the office "
                "area. To set a split, open a tax year's home (Tax years, then the home's "
                "'Change' link)."
            )
        rows = sorted(
            shares, key=lambda s: (s.tax_year_home.tax_year.year, s.tax_year_home.home.name)
        )
        return _links(
            (
                reverse("admin:ledger_taxyearhome_change", args=[s.tax_year_home_id]),
                f"{s.tax_year_home.tax_year.year}, {s.tax_year_home.home.name}: "
                f"{plain_decimal(s.percent)}%",
            )
            for s in rows
        )


def _links(rows) -> str:
    return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', rows))


@admin.register(OfficeArea)
class OfficeAreaAdmin(BusinessChoiceMixin, OwnedModelAdmin):
    form = OfficeAreaForm
    list_display = ("name", "home", "business", "area", "rooms", "use", "start", "end")
    list_filter = ("use", "home", "business")
    list_select_related = ("home", "business")
    search_fields = ("name", "home__name", "business__name")
    date_hierarchy = "start"
    fieldsets = (
        (None, {"fields": ("home", "name", "business", "area", "rooms", "use", ("start", "end"))}),
        (
            "Restart after a gap (a new placing in service, owned homes)",
            {"fields": OfficeArea.RESTART_FIELDS, "classes": ("collapse",)},
        ),
    )


@admin.register(Improvement)
class ImprovementAdmin(OwnedModelAdmin):
    list_display = ("description", "home", "cost_display", "placed_in_service")
    list_filter = ("home",)
    list_select_related = ("home",)
    search_fields = ("description", "home__name")
    date_hierarchy = "placed_in_service"

    @admin.display(description="Cost", ordering="cost")
    def cost_display(self, obj):
        return money(obj.cost)


class TaxYearListFilter(admin.SimpleListFilter):
    title = "tax year"
    parameter_name = "tax_year"

    def lookups(self, request, model_admin):
        # A bill's tax year is its payment's year (`Bill.save`): read by index seeks on
        # (owner, paid_on), not by a DISTINCT over every bill.
        years = years_with_rows(model_admin.get_queryset(request), "paid_on")
        return [(str(y), str(y)) for y in reversed(years)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            year = int(self.value())
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        except ValueError as exc:  # ?tax_year=abc or 99999: the list with "?e=1"
            raise IncorrectLookupParameters(exc) from exc
        # The year's payment dates rather than `tax_year` (the same bills): the list's order,
        # newest first, is then read from the (owner, paid_on) index, a page of rows, instead
        # of sorting all the year's bills.
        return queryset.filter(paid_on__range=(first, last))


def _year_param(request) -> int | None:
    value = request.GET.get("tax_year", "")
    return int(value) if value.isdigit() else None


class FormLineFilter(admin.SimpleListFilter):
    """The bills behind one Form 8829 line (category and column), the review's drill-down."""

    title = "Form 8829 line"
    parameter_name = "form_line"

    def lookups(self, request, model_admin):
        return list(review_data.DRILL_TARGETS.items())

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(bills_behind_q(self.value(), year=_year_param(request)))
        return queryset


class CountedFilter(admin.SimpleListFilter):
    """Whether a bill counts on its home's form: paid or served during business use
    (docs/tax-rules.md §3)."""

    title = "counts on the form"
    parameter_name = "counted"

    def lookups(self, request, model_admin):
        return [
            ("yes", "Counts (in full or prorated)"),
            ("full", "Counts in full"),
            ("prorated", "Prorated (service period crosses business use)"),
            ("no", "Does not count (outside business use)"),
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        homes = list(
            Home.objects.filter(pk__in=queryset.values("home_id")).prefetch_related(
                office_areas_prefetch()
            )
        )
        full, prorated = bill_count_filters(homes_in_use(homes))
        conditions = {
            "yes": full | prorated,
            "full": full,
            "prorated": prorated,
            "no": ~(full | prorated),
        }
        return queryset.filter(conditions.get(self.value(), full | prorated))


class HasReceiptFilter(admin.SimpleListFilter):
    title = "receipt"
    parameter_name = "has_receipt"

    def lookups(self, request, model_admin):
        return [("yes", "With a receipt"), ("no", "Without a receipt")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(receipt_total__gt=0)
        if self.value() == "no":
            return queryset.filter(receipt_total=0)
        return queryset


class BillImportForm(forms.Form):
    file = forms.FileField(
        required=False, help_text="A CSV file of bills (UTF-8), one bill per row."
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > CSV_MAX_BYTES:
            raise ValidationError(
                f"The file is {upload.size:,} bytes; the limit is {CSV_MAX_BYTES:,} bytes."
            )
        return upload

    def csv_text(self) -> str:
        upload = self.cleaned_data.get("file")
        try:
            return upload.read().decode("utf-8-sig") if upload else ""
        except UnicodeDecodeError as exc:
            raise ValidationError("The file is not UTF-8 text; save it as CSV UTF-8.") from exc


@admin.register(Bill)
class BillAdmin(OwnedModelAdmin):
    # A ledger of a million bills is not counted whole on every page (interface.paging).
    paginator = CappedCountPaginator
    show_full_result_count = False
    # 50 bills a page, as the API's pages: each row is nine cells and an editable amount, and
    # Django's 100 rows cost several times the rest of the page (the index's time).
    list_per_page = 50
    list_display = (
        "paid_on",
        "payee",
        "category",
        "amount",
        "kind",
        "scope",
        "business_use_percent",
        "home",
        "receipts_display",
    )
    list_filter = (
        TaxYearListFilter,
        FormLineFilter,
        CountedFilter,
        HasReceiptFilter,
        "category",
        "kind",
        "scope",
        "home",
    )
    list_select_related = ("home",)
    change_list_template = "admin/ledger/bill/change_list.html"
    search_fields = ("payee", "note")
    date_hierarchy = "paid_on"
    inlines = [ReceiptInline]
    # Amounts are edited in the list (one write batch for the page); the rest on the bill's page.
    list_editable = ("amount",)
    # A refund (which counts against its category) is made from a statement's credit, in the
    # inbox; shown here, not typed.
    readonly_fields = ("kind",)
    actions = ["copy_to_following_months"]
    fields = (
        "home",
        "paid_on",
        "payee",
        "category",
        "amount",
        "kind",
        "scope",
        "office_area",
        "business_use_percent",
        ("service_start", "service_end"),
        "note",
    )

    def get_queryset(self, request):
        # A subquery, not a join: the changelist's totals sum amounts over the same rows.
        receipts = (
            Receipt.objects.filter(bill=OuterRef("pk"))
            .order_by()
            .values("bill")
            .annotate(n=Count("id"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                receipt_total=Coalesce(Subquery(receipts, output_field=IntegerField()), Value(0))
            )
            # As a plain list: a prefetch into the related manager builds a queryset a bill.
            .prefetch_related(Prefetch("receipts", to_attr="receipt_list"))
        )

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return ["owner", *fields] if self._sees_all(request) else fields

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # A page's rows by key from this admin's queryset (the user's, annotated, the home
        # joined), not through the list's filters again (interface.paging).
        rows = self.get_queryset(request).select_related(*self.list_select_related)
        paginator = self.paginator(queryset, per_page, orphans, allow_empty_first_page, rows=rows)
        if request.GET.get(SEARCH_VAR, "").strip():
            # A search counts its matches to a lower cap: its count reads bills until it has
            # found them all or the cap (the page then says "more than 1,000").
            paginator.cap = min(paginator.cap, paginator.search_cap)
            paginator.counts_keys = True
        return paginator

    def get_changelist_formset(self, request, **kwargs):
        # Each row's amount and its hidden key, made without a template (interface.list_widgets).
        amount = PlainTextInput(DecimalFormField.widget.attrs)
        kwargs.setdefault("widgets", {"id": PlainHiddenInput, "amount": amount})
        kwargs.setdefault("formset", RowsFormSet)
        return super().get_changelist_formset(request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in bill_warnings(obj):
            self.message_user(request, warning, level=messages.WARNING)

    def response_add(self, request, obj, post_url_continue=None):
        """ "Save and add another" keeps the home, payee, category, scope, office area and
        percent (as typed: `40`, not the stored `40.00`), and moves the date a month on (the
        next bill from the same payee, usually). The amount, note and service dates are new."""
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST and response.status_code == 302:
            initial = {
                "home": obj.home_id,
                "payee": obj.payee,
                "category": obj.category,
                "scope": obj.scope,
                "office_area": obj.office_area_id,
                "business_use_percent": plain_decimal(obj.business_use_percent),
                "paid_on": next_month(obj.paid_on).isoformat(),
            }
            return HttpResponseRedirect(add_url(Bill, **initial))
        return response

    @admin.display(description="Receipts", ordering="receipt_total")
    def receipts_display(self, obj):
        receipts = getattr(obj, "receipt_list", None)
        if receipts is None:  # a bill not read by this admin's queryset
            receipts = list(obj.receipts.all())
        if not receipts:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}" target="_blank">{}</a>',
            ((receipt_inline_url(r), r.original_name) for r in receipts),
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and context.get("cl") is not None:
            cl = context["cl"]
            # Totals by Form 8829 line are a tax year's (the review's drill-down always names
            # one): a list of several years is not summed. They sum every row of the list, so
            # past the count's cap (a large ledger's year) they are left out too, and the page
            # says how to see them: a page costs the same at a million bills as at a thousand.
            years = (TaxYearListFilter.parameter_name, f"{cl.date_hierarchy}__year")
            if not any(cl.params.get(name) for name in years):
                context["bill_totals_hint"] = "year"
            elif getattr(cl.paginator, "capped", False):
                context["bill_totals_hint"] = f"{cl.paginator.cap:,}"
            else:
                context["bill_totals"] = review_data.bill_totals(cl.queryset)
        return response

    @admin.action(description="Copy to the following months (recurring bill)")
    def copy_to_following_months(self, request, queryset):
        try:
            created = services.bills_copy_to_following_months(bills=list(queryset))
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
            return None
        if created:
            self.message_user(
                request,
                f"Created {len(created)} bill(s) in the following months "
                f"({created[0].paid_on:%b %d} to {created[-1].paid_on:%b %d}); months that "
                "already had a bill from the same payee were left alone.",
                level=messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                "No bill was created: every following month of the year already has a bill "
                "from the same payee.",
                level=messages.WARNING,
            )
        return None

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        import_view = self.admin_site.admin_view(self.import_view)
        import_view.request_max_bytes = CSV_MAX_BYTES + 64 * 1024  # the form around the file
        return [
            path("import/", import_view, name=f"{name}_import"),
            path(
                "year/",
                self.admin_site.admin_view(lambda request: year_grid_view(self, request)),
                name=f"{name}_year_grid",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a CSV, preview the dry run, then confirm: `ledger.bill_import`; the confirmed
        import shows its progress and its result on a streamed page
        (`interface.admin_import_stream`)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BillImportForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import bills (CSV)",
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            # The preview keeps the upload on the server (interface.pending_imports); the
            # confirmation names it by its token.
            confirm = "confirm" in request.POST
            try:
                if confirm:
                    text = pending_import_take(user=request.user, token=form.cleaned_data["token"])
                    if text is None:
                        raise ValidationError(
                            "This preview has expired or was imported already; choose the file "
                            "again."
                        )
                else:
                    text = form.csv_text()
                if not text.strip():
                    raise ValidationError("Choose a CSV file to import.")
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if confirm:  # its progress, then its result, on one streamed page
                    return bill_import_streamed(request, text=text, context=context)
                try:
                    report = bills_csv_import(owner=request.user, data=text, dry_run=True)
                except YearFiledError as exc:
                    form.add_error(None, exc)
                    return TemplateResponse(request, "admin/ledger/bill/import.html", context)
                token = pending_import_keep(user=request.user, text=text) if report.ok else ""
                context.update(preview=True, report=report, token=token)
        return TemplateResponse(request, "admin/ledger/bill/import.html", context)


def name_of(model_admin) -> str:
    return f"{model_admin.opts.app_label}_{model_admin.opts.model_name}"


@admin.register(Receipt)
class ReceiptAdmin(OwnedModelAdmin):
    list_display = ("original_name", "bill", "content_type", "size_display", "created_at")
    list_select_related = ("bill",)
    search_fields = ("original_name", "bill__payee")
    list_filter = ("content_type",)
    form = ReceiptForm

    def get_fields(self, request, obj=None):
        return ("bill", "file") if obj is None else ("bill", "preview", "size_display")

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "preview", "size_display") if obj else ()

    @admin.display(description="Receipt")
    def preview(self, obj):
        return receipt_preview(obj)

    @admin.display(description="Size", ordering="size")
    def size_display(self, obj):
        return size_mb(obj.size)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = ("bill", "file")
        return super().get_form(request, obj, change, **kwargs)


@admin.register(TaxYear)
class TaxYearAdmin(OwnedModelAdmin):
    list_display = ("year", "filing_status", "itemizes", "filed", "filed_at", "review_link")
    list_filter = ("filed", "filing_status", "itemizes")
    inlines = [TaxYearHomeInline]
    # Filing and reopening are actions with their own checks (forms8829.filing), not a checkbox.
    readonly_fields = ("filed", "filed_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "owner",
                    "year",
                    "filing_status",
                    "itemizes",
                    "net_qualified_disaster_loss",
                    "filed",
                    "filed_at",
                )
            },
        ),
        (
            "Itemizers: the Line 11 Worksheet (state and local taxes) and the phase-outs",
            {
                "fields": (
                    "state_local_income_or_sales_tax",
                    "other_real_estate_taxes",
                    "personal_property_taxes",
                    "modified_agi",
                    "adjusted_gross_income",
                )
            },
        ),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._sees_all(request):
            return fieldsets
        first = dict(fieldsets[0][1])
        first["fields"] = tuple(f for f in first["fields"] if f != "owner")
        return ((None, first), *fieldsets[1:])

    def save_model(self, request, obj, form, change):
        # A form or a history revert edits the year's inputs, never its filing state.
        filing_state_keep(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for _home, warning in year_warnings(owner=form.instance.owner, year=form.instance.year):
            self.message_user(request, warning, level=messages.WARNING)

    @admin.display(description="Review")
    def review_link(self, obj):
        return format_html('<a href="{}">Year-end review {}</a>', review_url(obj.pk), obj.year)

    def get_urls(self):
        from review import views

        def wrap(view):
            def wrapper(request, *args, **kwargs):
                return view(self, request, *args, **kwargs)

            return self.admin_site.admin_view(wrapper)

        name = name_of(self)
        routes = [
            ("review/", views.review, "review"),
            ("review/recompute/", views.recompute, "review_recompute"),
            ("review/file/", views.file_year, "review_file"),
            ("review/reopen/", views.reopen, "review_reopen"),
            ("review/form8829.pdf", views.pdf, "review_pdf"),
            ("review/bills.csv", views.bills_csv, "review_csv"),
            ("review/support.zip", views.support_zip, "review_zip"),
            ("review/area-method/<int:home_id>/", views.area_method, "review_area_method"),
        ]
        custom = [
            path(f"<int:object_id>/{route}", wrap(view), name=f"{name}_{suffix}")
            for route, view, suffix in routes
        ]
        return custom + super().get_urls()


@admin.register(TaxYearHome)
class TaxYearHomeAdmin(OwnedModelAdmin):
    list_display = ("tax_year", "home", "method", "gross_income_limit", "takes_carryover")
    list_filter = ("method", "home", "tax_year__year")
    list_select_related = ("tax_year", "home")
    inlines = [BusinessShareInline]

    @admin.display(description=PLAIN_LABELS["receives_carryover"], ordering="receives_carryover")
    def takes_carryover(self, obj):
        if obj.receives_carryover is None:
            return "Automatically"
        return "Yes" if obj.receives_carryover else "No"
