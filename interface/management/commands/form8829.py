"""`manage.py form8829 --user NAME --year YYYY [--home NAME] [--json]`: one year's Form 8829s.

Prints the form output contract (docs/ledger-format.md §3) with `--json` (one object per home, a
list when there are several), else the same form as a readable table.
"""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from forms8829.businesses import EMPLOYEE_EXPLANATION
from forms8829.chain import year_forms
from forms8829.render import form_as_text, whole_dollar_output
from forms8829.selectors import employee_businesses, office_areas_prefetch
from ledger.models import Home


class Command(BaseCommand):
    help = "Compute and print a year's Form 8829 for each home (carryovers included)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username whose ledger to use.")
        parser.add_argument("--year", required=True, type=int, help="Tax year, e.g. 2024.")
        parser.add_argument("--home", help="Only the home with this name (or key).")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the JSON form output."
        )
        parser.add_argument(
            "--whole-dollars", action="store_true", help="Round each money line to whole dollars."
        )

    def handle(self, *args, user, year, home, as_json, whole_dollars, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user named {user!r}.")
        try:
            result = year_forms(owner=owner, year=year)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        forms = result.forms
        if home:
            forms = [f for f in forms if home in (f.output["home"], f.home.key)]
            if not forms:
                names = ", ".join(f.output["home"] for f in result.forms) or "none"
                raise CommandError(f"No Form 8829 for a home named {home!r} in {year} ({names}).")
        if not forms:
            employees = employee_businesses(
                Home.objects.owned_by(owner).prefetch_related(office_areas_prefetch()), year
            )
            why = f" {', '.join(employees)}: {EMPLOYEE_EXPLANATION}" if employees else ""
            raise CommandError(
                f"No home was used for business in {year}: there is no Form 8829.{why}"
            )
        outputs = [form_output(f, whole_dollars) for f in forms]
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if as_json:
            payload = outputs[0] if len(outputs) == 1 else outputs
            self.stdout.write(json.dumps(payload, indent=2))
        else:
            self.stdout.write("\n\n".join(form_as_text(o) for o in outputs))


def form_output(form, whole_dollars: bool = False) -> dict:
    return whole_dollar_output(form.output) if whole_dollars else form.output
