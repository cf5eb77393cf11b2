"""All test factories, in one place."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from ledger.models import Bill, Home, Improvement, OfficeArea, Receipt, TaxYear, TaxYearHome


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.django.Password("pw-for-tests-123")


class HomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Home

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"{n} Elm St")
    total_area = Decimal("2000.00")
    total_rooms = 8
    area_method = Home.AreaMethod.SQUARE_FEET
    ownership = Home.Ownership.OWN
    occupied_from = dt.date(2019, 6, 1)
    occupied_to = None
    cost_basis = Decimal("250000.00")
    land_value = Decimal("50000.00")
    fmv_at_first_business_use = Decimal("300000.00")


class RentedHomeFactory(HomeFactory):
    ownership = Home.Ownership.RENT
    cost_basis = None
    land_value = None
    fmv_at_first_business_use = None


class OfficeAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficeArea

    home = factory.SubFactory(HomeFactory)
    owner = factory.SelfAttribute("home.owner")
    name = "Office"
    area = Decimal("200.00")
    rooms = 1
    use = OfficeArea.Use.EXCLUSIVE
    start = dt.date(2020, 1, 1)
    end = None


class ImprovementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Improvement

    home = factory.SubFactory(HomeFactory)
    owner = factory.SelfAttribute("home.owner")
    description = "New roof"
    cost = Decimal("12000.00")
    placed_in_service = dt.date(2023, 5, 10)


class BillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bill

    home = factory.SubFactory(HomeFactory)
    owner = factory.SelfAttribute("home.owner")
    paid_on = dt.date(2024, 1, 15)
    payee = "City Power"
    category = Bill.Category.UTILITIES
    amount = Decimal("180.00")
    scope = Bill.Scope.INDIRECT
    business_use_percent = None
    service_start = None
    service_end = None
    note = ""


class TaxYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxYear
        django_get_or_create = ("owner", "year")

    owner = factory.SubFactory(UserFactory)
    year = 2024
    filing_status = "single"
    itemizes = True


class TaxYearHomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxYearHome

    tax_year = factory.SubFactory(TaxYearFactory)
    home = factory.SubFactory(HomeFactory, owner=factory.SelfAttribute("..tax_year.owner"))
    owner = factory.SelfAttribute("tax_year.owner")
    method = TaxYearHome.Method.REGULAR
    gross_income_limit = Decimal("40000.00")


class ReceiptFactory(factory.django.DjangoModelFactory):
    """A receipt row with a real (tiny) PDF file in the receipts storage."""

    class Meta:
        model = Receipt

    bill = factory.SubFactory(BillFactory)
    owner = factory.SelfAttribute("bill.owner")
    original_name = "receipt.pdf"
    content_type = "application/pdf"
    file = factory.django.FileField(
        filename="receipt.pdf", data=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    )
    size = 44
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
