"""The businesses migration (ledger 0004-0006): every ledger before businesses was one Schedule C
business, so each user with a home gets one ("My business") and every office area is its; the
migrated ledger computes exactly what the same ledger entered today computes."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from forms8829.chain import chain_compute
from ledger.models import Business, OfficeArea
from tests.factories import (
    BillFactory,
    HomeFactory,
    OfficeAreaFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
    UserFactory,
)

BEFORE = [("ledger", "0003_statements")]
AFTER = [("ledger", "0006_worksheet_line_11")]
BILLS = (("mortgage_interest", "9000"), ("utilities", "2400"), ("insurance", "800"))


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_user_gets_one_schedule_c_business_and_the_same_forms():
    apps = migrate(BEFORE)
    try:
        User = apps.get_model("auth", "User")
        Home = apps.get_model("ledger", "Home")
        Area = apps.get_model("ledger", "OfficeArea")
        TaxYear = apps.get_model("ledger", "TaxYear")
        TaxYearHome = apps.get_model("ledger", "TaxYearHome")
        Bill = apps.get_model("ledger", "Bill")
        old = User.objects.create(username="before")
        User.objects.create(username="no-home-yet")
        home = Home.objects.create(
            owner=old,
            name="Elm",
            key="elm",
            total_area=D("2000"),
            occupied_from=dt.date(2020, 1, 1),
            cost_basis=D("250000"),
            land_value=D("50000"),
            fmv_at_first_business_use=D("300000"),
        )
        for start, end in (
            (dt.date(2023, 1, 1), dt.date(2023, 6, 30)),
            (dt.date(2023, 7, 1), None),
        ):
            Area.objects.create(owner=old, home=home, area=D("250"), start=start, end=end)
        ty = TaxYear.objects.create(owner=old, year=2023, filing_status="single", itemizes=True)
        TaxYearHome.objects.create(owner=old, tax_year=ty, home=home, gross_income_limit=D("8000"))
        for category, amount in BILLS:
            Bill.objects.create(
                owner=old,
                home=home,
                paid_on=dt.date(2023, 5, 1),
                tax_year=2023,
                payee=category,
                category=category,
                amount=D(amount),
                scope="indirect",
            )
    finally:
        migrate(AFTER)
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    (business,) = Business.objects.all()
    assert (business.owner.username, business.name, business.kind) == (
        "before",
        "My business",
        Business.Kind.SOLE_PROPRIETOR,
    )
    assert set(OfficeArea.objects.values_list("business_id", flat=True)) == {business.pk}
    (record,) = business.history.all()
    assert record.history_type == "+" and "before businesses" in record.history_change_reason

    # The same ledger entered today (its office areas get the user's first business).
    new = UserFactory(username="today")
    same = HomeFactory(
        owner=new, name="Elm", total_area=D("2000"), occupied_from=dt.date(2020, 1, 1)
    )
    OfficeAreaFactory(home=same, area=D("250"), start=dt.date(2023, 1, 1), end=dt.date(2023, 6, 30))
    OfficeAreaFactory(home=same, area=D("250"), start=dt.date(2023, 7, 1))
    year = TaxYearFactory(owner=new, year=2023, filing_status="single", itemizes=True)
    TaxYearHomeFactory(tax_year=year, home=same, gross_income_limit=D("8000"))
    for category, amount in BILLS:
        BillFactory(
            home=same,
            paid_on=dt.date(2023, 5, 1),
            payee=category,
            category=category,
            amount=D(amount),
            scope="indirect",
        )

    (migrated,) = chain_compute(owner=business.owner)[0].forms
    (entered,) = chain_compute(owner=new)[0].forms
    assert migrated.output["notes"] == entered.output["notes"]
    assert migrated.output["lines"] == entered.output["lines"]
    # 12.5% of 9,000 interest + 12.5% of 3,200 operating + 25,000 x 2.461% depreciation
    assert migrated.output["lines"]["36"] == "2140.25"
    assert migrated.output["businesses"][0]["name"] == "My business"
