"""Model validation (`clean`) and the database constraints behind it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ledger.models import Bill, Home, OfficeArea, TaxYear
from tests.factories import (
    BillFactory,
    HomeFactory,
    OfficeAreaFactory,
    RentedHomeFactory,
    TaxYearFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def errors_of(instance) -> dict:
    with pytest.raises(ValidationError) as exc:
        instance.full_clean()
    return exc.value.message_dict


def test_bill_tax_year_is_the_payment_year():
    bill = BillFactory(paid_on=dt.date(2023, 12, 31))
    assert bill.tax_year == 2023
    bill.paid_on = dt.date(2024, 1, 2)
    bill.save()
    assert Bill.objects.get(pk=bill.pk).tax_year == 2024


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"amount": Decimal("-1.00")}, "amount", "greater than or equal to 0"),
        ({"business_use_percent": Decimal("100.01")}, "business_use_percent", "less than or equal"),
        ({"business_use_percent": Decimal("-0.01")}, "business_use_percent", "greater than"),
        (
            {"category": "mortgage_interest", "scope": "direct"},
            "scope",
            "never direct",
        ),
        (
            {"service_start": dt.date(2024, 2, 1), "service_end": dt.date(2024, 1, 1)},
            "service_end",
            "cannot end before it starts",
        ),
        ({"service_start": dt.date(2024, 2, 1)}, "service_end", "both the start and the end"),
    ],
)
def test_bill_validation(changes, field, words):
    bill = BillFactory.build(home=HomeFactory(), **changes)
    bill.owner = bill.home.owner
    errors = errors_of(bill)
    assert field in errors
    assert words in " ".join(errors[field])


def test_bill_home_must_belong_to_the_bill_owner():
    bill = BillFactory.build(home=HomeFactory(), owner=UserFactory())
    assert "home" in errors_of(bill)


def test_bill_constraints_hold_in_the_database():
    bill = BillFactory()
    for field, value in [
        ("amount", Decimal("-5")),
        ("business_use_percent", Decimal("101")),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Bill.objects.filter(pk=bill.pk).update(**{field: value})
    with pytest.raises(IntegrityError), transaction.atomic():
        Bill.objects.filter(pk=bill.pk).update(category="mortgage_interest", scope="direct")


def test_office_area_not_larger_than_home():
    home = HomeFactory(total_area=Decimal("1000"))
    area = OfficeArea(
        home=home, owner=home.owner, area=Decimal("1000.01"), start=dt.date(2024, 1, 1)
    )
    assert "larger than the home" in errors_of(area)["area"][0]


def test_office_areas_overlapping_in_time_add_up():
    home = HomeFactory(total_area=Decimal("1000"))
    OfficeAreaFactory(home=home, area=Decimal("600"), start=dt.date(2024, 1, 1), end=None)
    overlapping = OfficeArea(
        home=home, owner=home.owner, area=Decimal("500"), start=dt.date(2024, 6, 1)
    )
    assert "add up to 1100" in errors_of(overlapping)["area"][0]
    # The same area after the first one ended is fine.
    first = home.office_areas.get()
    first.end = dt.date(2024, 5, 31)
    first.save()
    overlapping.full_clean()


def test_areas_that_never_overlap_each_other_do_not_add_up():
    home = HomeFactory(total_area=Decimal("2000"))
    OfficeAreaFactory(home=home, area=Decimal("1000"), start=dt.date(2020, 1, 1))
    OfficeAreaFactory(
        home=home, area=Decimal("900"), start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31)
    )
    later = OfficeArea(home=home, owner=home.owner, area=Decimal("900"), start=dt.date(2021, 1, 1))
    later.full_clean()  # the busiest day has 1,900 sq ft in use, not 2,800


def test_office_area_end_not_before_start():
    home = HomeFactory()
    area = OfficeArea(
        home=home,
        owner=home.owner,
        area=Decimal("100"),
        start=dt.date(2024, 5, 1),
        end=dt.date(2024, 4, 30),
    )
    assert "end" in errors_of(area)


def test_rooms_method_needs_rooms():
    home = HomeFactory(area_method=Home.AreaMethod.ROOMS, total_rooms=4)
    area = OfficeArea(home=home, owner=home.owner, area=Decimal("100"), start=dt.date(2024, 1, 1))
    assert "rooms" in errors_of(area)
    home_without_rooms = HomeFactory.build(
        owner=home.owner, area_method=Home.AreaMethod.ROOMS, total_rooms=None
    )
    assert "total_rooms" in errors_of(home_without_rooms)


def test_renter_has_no_basis_and_land_not_above_basis():
    renter = RentedHomeFactory.build(owner=UserFactory(), cost_basis=Decimal("1"))
    assert "cost_basis" in errors_of(renter)
    owner = HomeFactory.build(
        owner=UserFactory(), cost_basis=Decimal("100"), land_value=Decimal("101")
    )
    assert "land_value" in errors_of(owner)


def test_home_occupancy_ordered():
    home = HomeFactory.build(
        owner=UserFactory(), occupied_from=dt.date(2024, 1, 2), occupied_to=dt.date(2024, 1, 1)
    )
    assert "occupied_to" in errors_of(home)
    with pytest.raises(IntegrityError), transaction.atomic():
        home.save()


def test_one_tax_year_per_owner_and_year():
    ty = TaxYearFactory(year=2024)
    duplicate = TaxYear(owner=ty.owner, year=2024)
    assert "__all__" in errors_of(duplicate)
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxYear.objects.create(owner=ty.owner, year=2024)
    TaxYear.objects.create(owner=UserFactory(), year=2024)  # another user may


def test_tax_year_supported_range():
    assert "year" in errors_of(TaxYear(owner=UserFactory(), year=2017))
    assert "year" in errors_of(TaxYear(owner=UserFactory(), year=2027))


def test_home_key_made_from_name_and_unique_per_owner():
    home = HomeFactory(name="12 Elm St", key="")
    assert home.key == "12-elm-st"
    with pytest.raises(IntegrityError), transaction.atomic():
        HomeFactory(owner=home.owner, name="Other", key="12-elm-st")
