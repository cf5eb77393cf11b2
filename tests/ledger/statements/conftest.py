"""A renter's ledger and the payee rules the statement fixtures are imported with."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from forms8829.statement_writes import statement_file_import, statement_file_upload
from ledger.models import Bill
from ledger.statement_models import PayeeRule
from tests.factories import OfficeAreaFactory, RentedHomeFactory, TaxYearHomeFactory, UserFactory

FIXTURES = Path(__file__).parent / "fixtures"
# In the order a user would bring in a year: monthly checking exports that overlap, then the
# other accounts, then an OFX download and the next one of the same account.
FILES = (
    "checking-details-jan.csv",
    "checking-details-feb.csv",
    "bank-of-america.csv",
    "card-debit-credit.csv",
    "card-charges-positive.csv",
    "headerless-five.csv",
    "card-charges-negative.csv",
    "checking-v1.qfx",
    "checking-v2.ofx",
)


@pytest.fixture
def renter(db):
    return renter_ledger()


def renter_ledger(username: str = "dana"):
    """A renter since 2024 with an office, and the 2026 tax year (statements are of 2026)."""
    owner = UserFactory(username=username)
    home = RentedHomeFactory(
        owner=owner, name="Harbor Apartment", occupied_from=dt.date(2024, 1, 1)
    )
    OfficeAreaFactory(home=home, area=Decimal("150.00"), start=dt.date(2024, 1, 1))
    TaxYearHomeFactory(tax_year__owner=owner, tax_year__year=2026, home=home)
    return owner


def make_rules(owner):
    """A handful of rules: four bills, then what is not a bill (their order matters: the State
    Farm autopay is a bill before "AUTOPAY" is a transfer)."""
    C = Bill.Category
    rules = [
        ("contains", "city power", "City Power & Light", C.UTILITIES, None),
        ("contains", "comcast", "Comcast", C.INTERNET, Decimal("50")),
        ("contains", "oak street properties", "Oak Street Properties", C.RENT, None),
        ("starts_with", "state farm", "State Farm", C.INSURANCE, None),
    ]
    made = [
        PayeeRule.objects.create(
            owner=owner,
            position=10 * (i + 1),
            match=match,
            pattern=pattern,
            payee=payee,
            category=category,
            business_use_percent=percent,
        )
        for i, (match, pattern, payee, category, percent) in enumerate(rules)
    ]
    for position, pattern in [
        (50, r"SAFEWAY|TRADER JOE|WHOLE FOODS|STARBUCKS|NETFLIX|SHELL OIL"),  # personal
        (60, r"TRANSFER|AUTOPAY|PAYMENT THANK|PAYMENT - THANK|MOBILE PYMT"),  # money moved
        (70, r"PAYROLL"),  # income
    ]:
        made.append(
            PayeeRule.objects.create(
                owner=owner, position=position, match="regex", pattern=pattern, action="ignore"
            )
        )
    return made


def upload(owner, name, **options):
    return statement_file_upload(
        owner=owner, data=(FIXTURES / name).read_bytes(), file_name=name, **options
    )


def import_file(owner, name, *, dry_run=False, **choices):
    return statement_file_import(upload=upload(owner, name), dry_run=dry_run, **choices)
