"""All test factories, in one place."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from ledger.models import (
    Bill,
    Business,
    Home,
    Improvement,
    OfficeArea,
    Receipt,
    TaxYear,
    TaxYearHome,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.django.Password("pw-for-tests-123")

    @factory.post_generation
    def ledger_owner(self, create, extracted, **kwargs):
        """Every test user is a ledger owner (interface.accounts), unless `ledger_owner=False`."""
        if create and extracted is not False:
            from interface.accounts import account_make_owner

            account_make_owner(self)


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


class BusinessFactory(factory.django.DjangoModelFactory):
    """A business of the user's; an office area without one gets the user's first business
    (`Business.default_for`)."""

    class Meta:
        model = Business

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Business {n}")
    kind = Business.Kind.SOLE_PROPRIETOR


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


# ---------------------------------------------------------------------------------------------
# A ledger like the demo (tests/review): an owned house 2021-2025 with an enlarged office and a
# new roof, a move to a rented apartment mid-2025, tax years 2023-2025, monthly bills, receipts.
# ---------------------------------------------------------------------------------------------

MOVE_OUT = dt.date(2025, 6, 30)
MOVE_IN = dt.date(2025, 7, 1)


def _month_end(year: int, month: int) -> dt.date:
    import calendar

    return dt.date(year, month, calendar.monthrange(year, month)[1])


def demo_like_bills(owner, house, apartment, years=(2023, 2024, 2025)) -> list:
    """Monthly bills as the demo has them (utilities paid on the 15th for the previous month,
    internet at 50% on the 5th, mortgage interest on the 1st, rent after the move), unsaved."""
    bills = []

    def bill(home, paid_on, payee, category, amount, **extra):
        bills.append(
            Bill(
                owner=owner,
                home=home,
                paid_on=paid_on,
                tax_year=paid_on.year,
                payee=payee,
                category=category,
                amount=Decimal(amount),
                scope=extra.pop("scope", Bill.Scope.INDIRECT),
                **extra,
            )
        )

    for year in years:
        for month in range(1, 13):
            service_year, service_month = (year - 1, 12) if month == 1 else (year, month - 1)
            start = dt.date(service_year, service_month, 1)
            home = house if start <= MOVE_OUT else apartment
            payee = "Elmwood Power" if home is house else "Harbor Electric"
            bill(
                home,
                dt.date(year, month, 15),
                payee,
                Bill.Category.UTILITIES,
                f"{100 + month}.00",
                service_start=start,
                service_end=_month_end(service_year, service_month),
            )
            paid_on = dt.date(year, month, 5)
            home = house if paid_on <= MOVE_OUT else apartment
            bill(
                home,
                paid_on,
                "Elmwood Cable" if home is house else "Harbor Fiber",
                Bill.Category.INTERNET,
                "70.00",
                business_use_percent=Decimal("50.00"),
            )
            paid_on = dt.date(year, month, 1)
            if paid_on <= MOVE_OUT:
                bill(house, paid_on, "Lakeside Bank", Bill.Category.MORTGAGE_INTEREST, "900.00")
            if paid_on >= MOVE_IN:
                bill(apartment, paid_on, "Harbor Properties", Bill.Category.RENT, "2150.00")
        bill(house, dt.date(year, 4, 15), "Town Tax", Bill.Category.REAL_ESTATE_TAX, "2500.00")
        bill(
            house,
            dt.date(year, 3, 1),
            "Granite Mutual",
            Bill.Category.INSURANCE,
            "1200.00",
            service_start=dt.date(year, 3, 1),
            service_end=dt.date(year + 1, 2, 28),
        )
    bill(
        house,
        dt.date(2023, 9, 12),
        "Brush & Roll Painters",
        Bill.Category.REPAIRS,
        "650.00",
        scope=Bill.Scope.DIRECT,
    )
    return bills


def demo_like_ledger(owner, *, receipts: int = 3) -> dict:
    """Create the demo-like ledger for `owner`; returns its homes and tax years by name."""
    house = HomeFactory(
        owner=owner,
        name="12 Elm St",
        occupied_from=dt.date(2019, 6, 1),
        occupied_to=MOVE_OUT,
        cost_basis=Decimal("300000.00"),
        land_value=Decimal("60000.00"),
        fmv_at_first_business_use=Decimal("340000.00"),
    )
    OfficeAreaFactory(
        home=house, area=Decimal("200"), start=dt.date(2021, 3, 1), end=dt.date(2023, 6, 30)
    )
    OfficeAreaFactory(
        home=house,
        name="Office (enlarged)",
        area=Decimal("240"),
        start=dt.date(2023, 7, 1),
        end=MOVE_OUT,
    )
    ImprovementFactory(home=house, description="New roof", placed_in_service=dt.date(2023, 5, 10))
    apartment = RentedHomeFactory(
        owner=owner, name="Apt 4B, 88 Harbor Rd", total_area=Decimal("900"), occupied_from=MOVE_IN
    )
    OfficeAreaFactory(home=apartment, area=Decimal("120"), start=MOVE_IN)
    bills = Bill.objects.bulk_create(demo_like_bills(owner, house, apartment))
    years = {}
    limits = {
        2023: {house: "1500.00"},
        2024: {house: "38000.00"},
        2025: {house: "21000.00", apartment: "24500.00"},
    }
    for year, homes in limits.items():
        years[year] = TaxYearFactory(
            owner=owner, year=year, itemizes=True, state_local_income_or_sales_tax=Decimal("8000")
        )
        for home, limit in homes.items():
            TaxYearHomeFactory(
                tax_year=years[year],
                home=home,
                gross_income_limit=Decimal(limit),
                receives_carryover=True if home is apartment else None,
            )
    with_receipt = [b for b in bills if b.category in (Bill.Category.REPAIRS, Bill.Category.RENT)]
    made = [
        ReceiptFactory(
            bill=b,
            original_name=f"receipt {i}.pdf",
            file=factory.django.FileField(
                filename=f"r{i}.pdf", data=b"%PDF-1.4\n%% receipt " + str(i).encode() + b"\n%%EOF\n"
            ),
        )
        for i, b in enumerate(with_receipt[:receipts])
    ]
    return {"house": house, "apartment": apartment, "years": years, "receipts": made}


# ---------------------------------------------------------------------------------------------
# A ledger file (`homeoffice-ledger/1`) of any size, for imports: one owned home with an office
# and a roof, `bills` bills of 2024, the tax year 2024 with the home's inputs.
# ---------------------------------------------------------------------------------------------


def ledger_file_bill(i: int, **fields) -> dict:
    return {
        "home": "elm",
        "paid_on": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "payee": f"Payee {i}",
        "category": ("utilities", "internet", "repairs", "insurance")[i % 4],
        "amount": f"{10 + i % 300}.{i % 100:02d}",
        "scope": "indirect",
        "business_use_percent": "40.00" if i % 4 == 1 else None,
        "service_start": "2023-12-01" if i % 3 == 0 else None,
        "service_end": "2023-12-31" if i % 3 == 0 else None,
        "note": "",
        **fields,
    }


def ledger_file_document(*, bills: int = 1, **bill_fields) -> dict:
    return {
        "format": "homeoffice-ledger/1",
        "homes": [
            {
                "key": "elm",
                "name": "12 Elm St",
                "total_area": "2000.00",
                "total_rooms": 8,
                "area_method": "square_feet",
                "ownership": "own",
                "occupied_from": "2019-06-01",
                "occupied_to": None,
                "cost_basis": "250000.00",
                "land_value": "50000.00",
                "fmv_at_first_business_use": "300000.00",
                "office_areas": [
                    {
                        "name": "Office",
                        "area": "200.00",
                        "rooms": 1,
                        "use": "exclusive",
                        "start": "2021-03-01",
                        "end": None,
                    }
                ],
                "improvements": [
                    {
                        "description": "New roof",
                        "cost": "12000.00",
                        "placed_in_service": "2023-05-10",
                    }
                ],
            }
        ],
        "bills": [ledger_file_bill(i, **bill_fields) for i in range(bills)],
        "tax_years": [
            {
                "year": 2024,
                "filing_status": "single",
                "itemizes": True,
                "state_local_income_or_sales_tax": "5000.00",
                "other_real_estate_taxes": "0.00",
                "personal_property_taxes": "0.00",
                "modified_agi": None,
                "filed": False,
                "homes": [{"home": "elm", "method": "regular", "gross_income_limit": "40000.00"}],
            }
        ],
    }


def ledger_file_businesses(document: dict) -> dict:
    """`ledger_file_document` with two Schedule C businesses sharing its home (the office, and a
    50 sq ft desk), their 70/30 shares of the 2024 deduction and the worksheet's line 11: every
    table of the ledger file."""
    document["businesses"] = [
        {"name": "Design studio", "kind": "sole_proprietor"},
        {"name": "Tutoring", "kind": "statutory_employee"},
    ]
    (home,) = document["homes"]
    home["office_areas"][0]["business"] = "Design studio"
    home["office_areas"].append(
        {**home["office_areas"][0], "name": "Desk", "area": "50.00", "business": "Tutoring"}
    )
    (year_home,) = document["tax_years"][0]["homes"]
    year_home["other_business_expenses"] = "0.00"
    year_home["business_shares"] = [
        {"business": "Design studio", "percent": "70.00"},
        {"business": "Tutoring", "percent": "30.00"},
    ]
    return document
