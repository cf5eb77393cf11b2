"""`manage.py import_statement`: the same import as the admin and the API, file by file."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from forms8829.filing import tax_year_file
from ledger.models import Bill, TaxYear
from ledger.statement_models import StatementAccount, StatementImport
from tests.ledger.statements.conftest import FIXTURES, make_rules


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_statement", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_reports_and_keeps_nothing_then_overlapping_files_import(renter):
    make_rules(renter)
    jan, feb = FIXTURES / "checking-details-jan.csv", FIXTURES / "checking-details-feb.csv"

    text = run(str(jan), "--user", "dana", "--dry-run")
    assert text.startswith("Would import") and "3 bill(s)" in text
    assert "layout: Preset: Checking export" in text
    assert not (Bill.objects.exists() or StatementImport.objects.exists())
    assert not StatementAccount.objects.exists()

    text = run(str(jan), str(feb), "--user", "dana", "--account", "Everyday checking")
    assert (
        "Imported checking-details-feb.csv" in text.splitlines()[1] or "7 already imported" in text
    )
    assert "already imported from checking-details-jan.csv" in text
    assert StatementAccount.objects.get().name == "Everyday checking"
    assert Bill.objects.filter(owner=renter).count() == 6


def test_json_report_and_a_filed_year_stops_the_command(renter):
    make_rules(renter)
    report = json.loads(run(str(FIXTURES / "checking-v1.qfx"), "--user", "dana", "--json"))
    assert report["counts"]["bill"] == 3 and report["account_name"] == "Checking …2333"

    tax_year_file(tax_year=TaxYear.objects.get(owner=renter, year=2026))
    with pytest.raises(CommandError, match="Tax year 2026 is filed"):
        run(str(FIXTURES / "checking-v2.ofx"), "--user", "dana")
    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        run(str(FIXTURES / "checking-v2.ofx"), "--user", "nobody")
