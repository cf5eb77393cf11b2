"""`manage.py create_account NAME --email ADDRESS`: the operator makes a person's account.

A normal ledger owner (staff, in the "Ledger owners" group, never superuser): see
`interface.accounts`. The password is asked for twice unless `--password` is given (scripts).
"""

from __future__ import annotations

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from interface.accounts import account_create


class Command(BaseCommand):
    help = "Create a ledger owner's account (never a superuser)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--password", help="Else asked for twice on the terminal.")

    def handle(self, *args, **options):
        password = options["password"]
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ; nothing was created.")
        try:
            user = account_create(
                username=options["username"],
                password=password,
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()
            )
            raise CommandError(f"No account was created. {problems}") from exc
        self.stdout.write(
            f"Created the account '{user.username}'. They log in at /admin/ and can reset "
            "their password from the login page."
        )
