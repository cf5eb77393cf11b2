"""`manage.py demo`: load the demo ledger for the user `demo` (password `demo`), idempotently.

Running it again resets the demo user's ledger to the same data. See `interface.demo_data`.
"""

from __future__ import annotations

from dataclasses import replace

from django.core.management.base import BaseCommand

from interface.demo_data import ADMIN_URL, DEMO_PASSWORD, DEMO_USERNAME, demo_load


class Command(BaseCommand):
    help = "Load a realistic demo ledger for the user 'demo' (replacing any previous demo data)."

    def handle(self, *args, **options):
        result = demo_load()
        action = "Created" if result.user_created else "Reset"
        loaded = replace(result.summary, replaced=False)  # always a replace; not news here
        self.stdout.write(
            f"{action} the demo ledger: {loaded}, {result.receipts} receipts attached."
        )
        self.stdout.write(
            f"Log in to the admin at {ADMIN_URL} as user '{DEMO_USERNAME}' with password "
            f"'{DEMO_PASSWORD}' (run `python manage.py runserver` first)."
        )
