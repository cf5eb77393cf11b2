"""The admin: every ModelAdmin of the project (Django's autodiscovery imports this module)."""

from interface import admin_forms, admin_ledger  # noqa: F401
