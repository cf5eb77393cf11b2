"""What the engine computed, stored per home and year, so the chain and filed years persist.

A row is written by `forms8829.filing` only (under the user's lock). A filed year's rows never
change: later years read their stored carry-outs, and a change that would alter them is refused
or reported.
"""

from django.conf import settings
from django.db import models

MONEY = {"max_digits": 12, "decimal_places": 2}


class ComputedFormQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(owner=user)


class ComputedForm(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tax_year = models.ForeignKey(
        "ledger.TaxYear", on_delete=models.CASCADE, related_name="computed_forms"
    )
    home = models.ForeignKey("ledger.Home", on_delete=models.CASCADE, related_name="computed_forms")
    year = models.PositiveSmallIntegerField(db_index=True)
    method = models.CharField(max_length=12)
    # The form output contract (docs/ledger-format.md §3), exactly as `form8829 --json` prints it.
    output = models.JSONField()
    # What the review and PDF need beyond the contract: Line 11 Worksheet, improvement statement.
    details = models.JSONField(default=dict)
    receives_carryover = models.BooleanField(default=False)
    carryover_operating_in = models.DecimalField(**MONEY)
    carryover_casualty_depreciation_in = models.DecimalField(**MONEY)
    carryover_operating_out = models.DecimalField(**MONEY)
    carryover_casualty_depreciation_out = models.DecimalField(**MONEY)
    # The casualty parts of line 31 (in) and line 44 (out); the rest of each is depreciation.
    # Part IV keeps them apart: next year's line 33 allows casualty losses first.
    carryover_casualty_in = models.DecimalField(**MONEY, default=0)
    carryover_casualty_out = models.DecimalField(**MONEY, default=0)
    depreciation_allowable = models.DecimalField(**MONEY)
    depreciation_allowed = models.DecimalField(**MONEY)
    deduction = models.DecimalField(**MONEY, help_text="Schedule C line 30.")
    # SHA-256 of the engine input without the carry-ins (the year's own ledger data) and with them.
    inputs_fingerprint = models.CharField(max_length=64)
    chain_fingerprint = models.CharField(max_length=64)
    # The rules the form was computed under (forms8829.selectors.ENGINE_VERSION); a filed form of
    # earlier rules is compared with what the current rules give, not with its fingerprint.
    engine_version = models.CharField(max_length=16, default="1")
    computed_at = models.DateTimeField()

    objects = ComputedFormQuerySet.as_manager()

    class Meta:
        ordering = ["year", "home_id"]
        constraints = [
            models.UniqueConstraint(fields=["tax_year", "home"], name="computed_form_per_home_year")
        ]

    def __str__(self) -> str:
        return f"Form 8829 {self.year} — {self.output.get('home', '')}"


class ServedChain(models.Model):
    """What the last write batch stored for a user, in brief: per tax year its forms' ids and
    chain fingerprints, carry-in and carry-out, warnings and method comparison (or where the
    chain stopped). Reads serve the stored forms when this row is there and agrees with the
    tax years and forms they read; `forms8829.served` writes it (batches, filing, reopening,
    recompute) and deletes it when a ledger record is saved outside a batch."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    engine_version = models.CharField(max_length=16)
    summary = models.JSONField()
    stored_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Forms served to user {self.owner_id}, stored {self.stored_at:%Y-%m-%d %H:%M}"
