"""Every write to the ledger passes the filed-year guard, whatever its entry point.

The admin, the API, the import and the shell all save models; a `post_save`/`post_delete` here
re-checks the user's filed years inside the same transaction, so a refused change is rolled back
with it. Filing and reopening (which only touch `filed`/`filed_at`) are not checked.
"""

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from forms8829.models import ComputedForm
from forms8829.services import YearFiledError, filed_years_guard
from ledger.models import Bill, Home, Improvement, OfficeArea, Receipt, TaxYear, TaxYearHome

GUARDED = (Home, OfficeArea, Improvement, Bill, TaxYear, TaxYearHome)
FILING_FIELDS = {"filed", "filed_at", "updated_at"}


def _guard(sender, instance, **kwargs):
    update_fields = kwargs.get("update_fields")
    if sender is TaxYear and update_fields and set(update_fields) <= FILING_FIELDS:
        return
    if kwargs.get("raw"):  # loaddata
        return
    filed_years_guard(owner_id=instance.owner_id)


for model in GUARDED:
    post_save.connect(_guard, sender=model, dispatch_uid=f"filed-guard-save-{model.__name__}")
    post_delete.connect(_guard, sender=model, dispatch_uid=f"filed-guard-del-{model.__name__}")


@receiver(pre_delete, sender=TaxYear, dispatch_uid="filed-guard-delete-tax-year")
def _refuse_deleting_filed_year(sender, instance, **kwargs):
    if instance.filed:
        raise YearFiledError(
            f"Tax year {instance.year} is filed and cannot be deleted. Reopen it first.",
            year=instance.year,
        )


@receiver(pre_delete, sender=Home, dispatch_uid="filed-guard-delete-home")
def _refuse_deleting_a_home_of_a_filed_year(sender, instance, **kwargs):
    """Its stored forms would go with it (cascade), so the guard after the delete would not see
    what was lost."""
    year = (
        ComputedForm.objects.filter(home=instance, tax_year__filed=True)
        .values_list("year", flat=True)
        .first()
    )
    if year is not None:
        raise YearFiledError(
            f"{instance.name} has a Form 8829 in filed year {year} and cannot be deleted. "
            f"Reopen {year} first.",
            year=year,
        )


@receiver(pre_delete, sender=Receipt, dispatch_uid="filed-guard-delete-receipt")
def _keep_receipts_of_filed_years(sender, instance, **kwargs):
    """Receipts do not change a form, but a filed year's evidence stays complete."""
    if TaxYear.objects.filter(
        owner_id=instance.owner_id, year=instance.bill.tax_year, filed=True
    ).exists():
        raise YearFiledError(
            f"Tax year {instance.bill.tax_year} is filed: its receipts are kept. Reopen it first.",
            year=instance.bill.tax_year,
        )
