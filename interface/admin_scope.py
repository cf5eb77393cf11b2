"""Tells a superuser plainly when an admin page shows more than their own ledger.

Every ledger page of the admin is scoped to the user's own records (interface.admin_ledger,
admin_forms), superusers included. The pages that are not (accounts, groups, API tokens, the
login lockout's records) list every account's rows; on those, `admin_scope_notice` (a context
processor, shown by the admin's base template) says so. Must not import the ledger's models.
"""

from __future__ import annotations

from django.contrib import admin


def _model_of(url_name: str):
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if url_name.startswith(prefix):
            return model
    return None


def owner_scoped(model) -> bool:
    return any(field.name == "owner" for field in model._meta.get_fields())


def admin_scope_notice(request) -> dict:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    if not (user and user.is_superuser and match and match.namespace == "admin"):
        return {}
    model = _model_of(match.url_name or "")
    if model is None or owner_scoped(model):
        return {}
    what = model._meta.verbose_name_plural
    return {
        "all_accounts_notice": (
            f"You are a superuser: this page shows the {what} of every account, not only "
            "yours. Ledger pages (homes, bills, tax years, reviews) show only your own records."
        )
    }
