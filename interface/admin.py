"""The admin: every ModelAdmin of the project (Django's autodiscovery imports this module)."""

from interface import admin_account, admin_forms, admin_ledger, admin_statements  # noqa: F401
