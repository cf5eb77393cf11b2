import sqlite3

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def sqlite_variable_limit(sender, connection, **kwargs) -> None:
    """Let bulk inserts use the SQLite library's real limit of variables per statement.

    Django 5.2 assumes SQLite's old default of 999, which splits a 2,000-bill import into dozens
    of INSERTs (71 bills each); SQLite has allowed 32,766 since 3.32 and Debian builds 250,000,
    so an import inserts each table in one statement. PostgreSQL needs nothing: Django inserts
    there with UNNEST, a fixed number of parameters whatever the rows.
    """
    if connection.vendor == "sqlite":
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        connection.features.max_query_params = limit


class LedgerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        connection_created.connect(sqlite_variable_limit, dispatch_uid="ledger-sqlite-limit")
        from ledger import receipt_files

        receipt_files.connect()  # receipt files follow their rows
