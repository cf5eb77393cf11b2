"""A read-only admin of the stored forms (what the engine computed, per home and year).

The forms are written by `forms8829.filing` only (under the user's lock): nobody adds, edits or
deletes one here. Each user sees their own; a superuser sees all. The year-end review (a view of
the tax-year admin) is where the forms are read, filed and reopened; each row links there.
"""

from django.contrib import admin
from django.utils.html import format_html

from forms8829.models import ComputedForm
from review.links import review_url
from review.page import money


@admin.register(ComputedForm)
class ComputedFormAdmin(admin.ModelAdmin):
    list_display = (
        "year",
        "home",
        "method",
        "deduction_display",
        "carry_out_display",
        "filed",
        "computed_at",
        "review_link",
    )
    list_filter = ("year", "method", "tax_year__filed")
    list_select_related = ("home", "tax_year")
    readonly_fields = [f.name for f in ComputedForm._meta.fields]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(owner=request.user)  # a superuser's too: accounts, not ledgers

    def _may(self, request, obj=None) -> bool:
        user = request.user
        allowed = user.is_active and user.is_staff and user.has_perm("forms8829.view_computedform")
        return allowed and (obj is None or obj.owner_id == user.pk)

    def has_module_permission(self, request):
        # Off the index: the year-end review is where a form is read (as the form).
        return False

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Schedule C line 30", ordering="deduction")
    def deduction_display(self, obj):
        return money(obj.deduction)

    @admin.display(description="Carried out (43 / 44)")
    def carry_out_display(self, obj):
        return (
            f"{money(obj.carryover_operating_out)} / "
            f"{money(obj.carryover_casualty_depreciation_out)}"
        )

    @admin.display(description="Filed", boolean=True, ordering="tax_year__filed")
    def filed(self, obj):
        return obj.tax_year.filed

    @admin.display(description="Review")
    def review_link(self, obj):
        return format_html(
            '<a href="{}">Year-end review {}</a>', review_url(obj.tax_year_id), obj.year
        )
