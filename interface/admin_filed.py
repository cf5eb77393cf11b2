"""Filed years read as filed in the admin, and a refused change keeps what was typed.

- The pages of a filed year's records (the tax year, its per-home inputs, its bills and their
  receipts) are read-only, with a banner that says why and links to the review, where the year
  is reopened. Their Delete is gone (asked for by URL, it says why). A receipt may still be
  added to a filed year's bill (it changes no number: docs/write-path.md), so the bill page
  keeps its receipts inline's "Add" and one Save; existing receipts cannot change or go.
- Other records (homes, office areas, improvements) stay editable: only a change that alters a
  filed year's form is refused. The refusal re-shows the form with everything typed, the
  message under the field that changed (or above the form), and the heading as stored.
- Amounts edited in a list (list_editable) that are refused are shown again as typed, the
  message on the row of the filed year (the admin's own changelist formset with errors).

Used by `interface.admin_ledger` (OwnedModelAdmin and OwnedInline); holds no rule of its own:
the refusal itself is `forms8829.filing`'s.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.messages.storage import default_storage
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from ledger.models import Bill, Receipt, TaxYear, TaxYearHome
from review.links import review_url


def filed_tax_year(obj) -> TaxYear | None:
    """The filed tax year a record belongs to, if any (one query at most)."""
    if obj is None or obj.pk is None:
        return None
    if isinstance(obj, TaxYear):
        return obj if obj.filed else None
    if isinstance(obj, TaxYearHome):
        return obj.tax_year if obj.tax_year.filed else None
    if isinstance(obj, Receipt):
        obj = obj.bill
    if isinstance(obj, Bill):
        return TaxYear.objects.filter(owner_id=obj.owner_id, year=obj.tax_year, filed=True).first()
    return None


def _banner(tax_year: TaxYear) -> dict:
    return {
        "year": tax_year.year,
        "review_url": review_url(tax_year.pk),
        "reopen_url": review_url(tax_year.pk, "review_reopen"),
    }


class FiledYearAdminMixin:
    """For OwnedModelAdmin: read-only pages for a filed year's records; refusals keep input."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if filed_tax_year(obj) is not None:
            readonly += [
                f.name
                for f in self.model._meta.fields
                if f.editable and not f.primary_key and f.name not in readonly
            ]
        return readonly

    def delete_view(self, request, object_id, extra_context=None):
        """A filed year's record is not deleted: the page says why and where to reopen."""
        obj = self.get_object(request, object_id)
        tax_year = filed_tax_year(obj)
        if tax_year is None:
            return super().delete_view(request, object_id, extra_context)
        self.message_user(
            request,
            f"Tax year {tax_year.year} is filed, so this {self.opts.verbose_name} cannot be "
            f"deleted. Reopen {tax_year.year} first (from its year-end review), then delete it.",
            level=messages.ERROR,
        )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id) if object_id else None
        tax_year = filed_tax_year(obj)
        if tax_year is not None:
            extra_context["filed_year"] = _banner(tax_year)
            extra_context["show_save_and_add_another"] = False
            extra_context["show_save_and_continue"] = False
            extra_context["show_delete"] = False
            # Only a bill takes something new (a receipt); the other pages only show.
            extra_context["show_save"] = isinstance(obj, Bill)
        return super().change_view(request, object_id, form_url, extra_context)

    def _refused_keep_typed(self, request, exc, view, *args):
        """Show the form again as typed, with the refusal under the field that changed."""
        # "Saved" was said inside the rolled-back batch: a fresh store, without it (iterating the
        # old one would still show it on the page rendered in this request).
        request._messages = default_storage(request)
        request._year_refusal = exc
        return view(*args)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_year_refusal", None)
        return form if refusal is None else _refusing(form, refusal)

    def get_changelist_formset(self, request, **kwargs):
        formset = super().get_changelist_formset(request, **kwargs)
        refusal = getattr(request, "_year_refusal", None)
        return formset if refusal is None else _refusing_rows(formset, refusal)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if getattr(request, "_year_refusal", None) is not None and obj is not None and obj.pk:
            # The heading shows the record as stored, not the refused values.
            context["original"] = type(obj)._default_manager.get(pk=obj.pk)
        return super().render_change_form(request, context, add, change, form_url, obj)


def _refusing(form_class, refusal):
    class RefusedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            changed = [name for name in self.changed_data if name in self.fields]
            self.add_error(changed[0] if changed else None, " ".join(refusal.messages))
            return cleaned

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


def _refusing_rows(formset_class, refusal):
    """The list's edits shown again as typed (the admin's own invalid changelist formset), the
    refusal on each changed row of the refused year, under the value that changed; on every
    changed row when none is of that year (an open year's change reaching a filed one)."""

    class RefusedFormSet(formset_class):
        def clean(self):
            super().clean()
            message = " ".join(refusal.messages)
            changed = [form for form in self.forms if form.has_changed()]
            in_year = [
                form
                for form in changed
                if getattr(filed_tax_year(form.instance), "year", None) == refusal.year
            ]
            for form in in_year or changed:
                fields = [name for name in form.changed_data if name in form.fields]
                form.add_error(fields[0] if fields else None, message)
            if not changed:
                raise ValidationError(message)

    RefusedFormSet.__name__ = formset_class.__name__
    return RefusedFormSet


class FiledYearInlineMixin:
    """For OwnedInline: a filed parent's inline rows can be neither changed nor removed; new
    rows only where `add_when_filed` (receipts)."""

    add_when_filed = False

    def has_add_permission(self, request, obj=None):
        if not self.add_when_filed and filed_tax_year(obj) is not None:
            return False
        return super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if filed_tax_year(obj) is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if filed_tax_year(obj) is not None:
            return False
        return super().has_delete_permission(request, obj)
