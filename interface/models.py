"""A person's settings for their account (not their ledger): the time zone they work in.

Owned by the edges: nothing in the ledger or the tax package reads it. Times shown in the admin
(a receipt's upload, a year's filing) are in this zone; the admin's note about the server's time
disappears once it matches the browser's.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

TIME_ZONES = sorted(
    name for name in zoneinfo.available_timezones() if "/" in name and not name.startswith("Etc/")
)


class Account(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account"
    )
    # The zones come from the machine's tz database: the form offers them, the model checks
    # them (choices on the field would write that list into a migration).
    time_zone = models.CharField(
        max_length=64,
        default=settings.TIME_ZONE,
        help_text="Dates and times in the admin are shown in this zone.",
    )

    class Meta:
        verbose_name = "your account"
        verbose_name_plural = "your account"

    def __str__(self) -> str:
        return f"{self.user.get_username()}'s settings"

    def clean(self) -> None:
        if self.time_zone not in zoneinfo.available_timezones():
            raise ValidationError(
                {"time_zone": f"'{self.time_zone}' is not a time zone; choose one from the list."}
            )


def account_of(user) -> Account:
    """The user's settings, made with the defaults on first use."""
    account, _ = Account.objects.get_or_create(user=user)
    return account
