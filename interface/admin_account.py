"""The admin's "Your account" page: the person's own settings (their time zone), nobody else's.

The zone is kept in the session at login and when changed here, so activating it costs no query
per request (`interface.middleware.user_time_zone`).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from interface.models import TIME_ZONES, Account, account_of

TIME_ZONE_SESSION_KEY = "time_zone"


def remember_time_zone(request, account: Account) -> None:
    request.session[TIME_ZONE_SESSION_KEY] = account.time_zone


class AccountForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=[(name, name.replace("_", " ")) for name in TIME_ZONES],
        help_text="Dates and times in the admin are shown in this zone.",
    )

    class Meta:
        model = Account
        fields = ("time_zone",)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    form = AccountForm

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # Seeing and changing it are the owners' group's permissions (interface.accounts); the
    # queryset keeps it to the person's own.

    def changelist_view(self, request, extra_context=None):
        # One row, the person's own: the list is their settings page.
        account = account_of(request.user)
        return HttpResponseRedirect(reverse("admin:interface_account_change", args=[account.pk]))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        remember_time_zone(request, obj)

    def response_change(self, request, obj):
        self.message_user(request, f"Dates and times are now shown in {obj.time_zone}.")
        return HttpResponseRedirect(reverse("admin:index"))
