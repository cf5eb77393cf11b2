"""A realistic demo ledger for the user `demo`, loaded by `manage.py demo`.

The ledger is built as a `homeoffice-ledger/1` document and loaded through
`forms8829.filing.ledger_file_import(replace=True)`, so the demo exercises the same path as a user's
own file and loading it again leaves the same data. A few small, real receipt files (PDF made with
reportlab, PNG made with Pillow, both in memory) are then attached through
`ledger.services.receipt_create`.

The story: a single filer with a side business (consulting, Schedule C) works from an owned
house, 12 Elm St (office of 200 sq ft from 2021-03-01, enlarged to 240 sq ft on 2023-07-01, new
roof in May 2023), and moves on 2025-06-30 to a rented apartment, Apt 4B, 88 Harbor Rd, whose
120 sq ft office is shared with a second Schedule C business started there, photo prints (a
30 sq ft desk of it), so the apartment's 2025 deduction is allocated between the two businesses
by their areas (75% / 25%). In 2023 the consulting earns little (gross income limit $1,500), so
expenses carry over to 2024 and 2025. No tax arithmetic here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw
from reportlab.pdfgen import canvas

from forms8829.filing import ledger_file_import, ledger_write, tax_year_reopen
from interface.accounts import account_make_owner
from ledger.ledger_file import FORMAT, ImportSummary
from ledger.models import Bill, TaxYear
from ledger.services import receipt_create

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # a published demo login, for local use only
ADMIN_URL = "http://127.0.0.1:8000/admin/"

YEARS = (2023, 2024, 2025)
ELM, HARBOR = "elm", "harbor"
CONSULTING, PHOTO = "Consulting", "Photo prints"
BUSINESSES = [
    {"name": CONSULTING, "kind": "sole_proprietor"},
    {"name": PHOTO, "kind": "sole_proprietor"},
]
MOVE_OUT = dt.date(2025, 6, 30)
MOVE_IN = dt.date(2025, 7, 1)
CENT = Decimal("0.01")

# Gross income limit (line 8) per year and home: low in 2023 so that expenses carry over.
GROSS_INCOME_LIMITS = {
    2023: {ELM: Decimal("1500.00")},
    2024: {ELM: Decimal("38000.00")},
    2025: {ELM: Decimal("21000.00"), HARBOR: Decimal("24500.00")},
}
# Line 11 Worksheet inputs (single filer, itemizes).
STATE_LOCAL_INCOME_TAX = {2023: "3900.00", 2024: "5100.00", 2025: "4800.00"}
PERSONAL_PROPERTY_TAX = {2023: "260.00", 2024: "275.00", 2025: "290.00"}
MODIFIED_AGI = {2023: None, 2024: None, 2025: "92000.00"}

# Monthly utility amounts by service month (Jan..Dec) in the house; the apartment uses less.
UTILITIES = {
    "electric": (112, 104, 96, 88, 92, 128, 164, 158, 118, 92, 98, 116),
    "gas": (186, 172, 134, 86, 48, 31, 27, 27, 36, 74, 122, 168),
    "water": (41, 39, 42, 45, 51, 58, 64, 62, 53, 46, 42, 40),
}
UTILITY_PAYEES = {
    ELM: {
        "electric": "Elmwood Power & Light",
        "gas": "Northeast Gas Co.",
        "water": "Elmwood Water Dept.",
    },
    HARBOR: {
        "electric": "Harbor Electric",
        "gas": "Harbor Gas Service",
        "water": "Harbor City Water",
    },
}
APARTMENT_SHARE = Decimal("0.55")
PRICE_LEVEL = {
    2022: Decimal("0.97"),
    2023: Decimal("1.00"),
    2024: Decimal("1.04"),
    2025: Decimal("1.07"),
}


def _money(value) -> str:
    return f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _home_on(day: dt.date) -> str:
    return ELM if day <= MOVE_OUT else HARBOR


def _bill(
    home, paid_on, payee, category, amount, *, scope="indirect", percent=None, service=None, note=""
) -> dict:
    return {
        "home": home,
        "paid_on": paid_on.isoformat(),
        "payee": payee,
        "category": category,
        "amount": _money(amount),
        "scope": scope,
        "business_use_percent": percent,
        "service_start": service[0].isoformat() if service else None,
        "service_end": service[1].isoformat() if service else None,
        "note": note,
    }


def _monthly_bills() -> list[dict]:
    bills = []
    for year in YEARS:
        for month in range(1, 13):
            # Utilities: paid on the 15th for the previous month's service, by the home served.
            service_year, service_month = _previous_month(year, month)
            start = dt.date(service_year, service_month, 1)
            end = _last_day(service_year, service_month)
            home = _home_on(start)
            share = APARTMENT_SHARE if home == HARBOR else Decimal(1)
            for utility, amounts in UTILITIES.items():
                amount = Decimal(amounts[service_month - 1]) * PRICE_LEVEL[service_year] * share
                bills.append(
                    _bill(
                        home,
                        dt.date(year, month, 15),
                        UTILITY_PAYEES[home][utility],
                        "utilities",
                        amount,
                        service=(start, end),
                    )
                )
            # Internet: half business use, a Schedule C expense rather than a Form 8829 one.
            paid_on = dt.date(year, month, 5)
            home = _home_on(paid_on)
            internet = {ELM: ("Elmwood Cable Internet", "69.99" if year == 2023 else "74.99")}
            internet[HARBOR] = ("Harbor Fiber", "60.00")
            payee, amount = internet[home]
            bills.append(
                _bill(
                    home,
                    paid_on,
                    payee,
                    "internet",
                    amount,
                    percent="50.00",
                    note="About half of the connection's use is for the business.",
                )
            )
            # Mortgage interest (the interest part of each payment) while the house is owned.
            paid_on = dt.date(year, month, 1)
            if paid_on <= MOVE_OUT:
                payments_made = (year - 2023) * 12 + month - 1
                interest = Decimal("912.40") - Decimal("1.85") * payments_made
                bills.append(
                    _bill(
                        ELM,
                        paid_on,
                        "Lakeside Savings Bank",
                        "mortgage_interest",
                        interest,
                        note="Interest part of the monthly mortgage payment (Form 1098).",
                    )
                )
            # Rent of the apartment, from the move in.
            if paid_on >= MOVE_IN:
                bills.append(_bill(HARBOR, paid_on, "Harbor Rd Properties LLC", "rent", "2150.00"))
    return bills


def _other_bills() -> list[dict]:
    d = dt.date
    bills = [
        _bill(ELM, d(2023, 4, 15), "Town of Elmwood Tax Collector", "real_estate_tax", "2460.00"),
        _bill(ELM, d(2023, 10, 15), "Town of Elmwood Tax Collector", "real_estate_tax", "2460.00"),
        _bill(ELM, d(2024, 4, 15), "Town of Elmwood Tax Collector", "real_estate_tax", "2530.00"),
        _bill(ELM, d(2024, 10, 15), "Town of Elmwood Tax Collector", "real_estate_tax", "2530.00"),
        _bill(ELM, d(2025, 4, 15), "Town of Elmwood Tax Collector", "real_estate_tax", "2610.00"),
        _bill(
            ELM,
            d(2023, 9, 12),
            "Brush & Roll Painters",
            "repairs",
            "650.00",
            scope="direct",
            note="Painting the home office.",
        ),
        _bill(
            ELM,
            d(2024, 10, 8),
            "Northside HVAC",
            "repairs",
            "189.00",
            note="Furnace tune-up for the whole house.",
        ),
        _bill(
            HARBOR,
            d(2025, 7, 1),
            "Bayside Renters Insurance",
            "insurance",
            "186.00",
            service=(d(2025, 7, 1), d(2026, 6, 30)),
            note="Renter's insurance, one year.",
        ),
    ]
    for year, premium in ((2023, "1380.00"), (2024, "1440.00"), (2025, "1512.00")):
        start = d(year, 3, 1)
        end = d(year + 1, 3, 1) - dt.timedelta(days=1)
        bills.append(
            _bill(
                ELM,
                start,
                "Granite Mutual Insurance",
                "insurance",
                premium,
                service=(start, end),
                note="Homeowner's insurance, one year.",
            )
        )
    return bills


def _tax_year(year: int, bills: list[dict]) -> dict:
    homes = []
    for key, limit in GROSS_INCOME_LIMITS[year].items():
        interest = sum(
            (
                Decimal(b["amount"])
                for b in bills
                if b["home"] == key
                and b["category"] == "mortgage_interest"
                and b["paid_on"].startswith(str(year))
            ),
            Decimal(0),
        )
        homes.append(
            {
                "home": key,
                "method": "regular",
                "gross_income_limit": _money(limit),
                # The apartment, with the larger income in 2025, takes the carryover; said
                # explicitly here, the house leaves it "not given".
                "receives_carryover": True if key == HARBOR else None,
                "daycare_hours": None,
                # All of the interest is deductible on Schedule A (a loan under the limit).
                "mortgage_interest_schedule_a_limit": _money(interest) if interest else None,
                "casualty_losses_direct": "0.00",
                "casualty_losses_indirect": "0.00",
                "excess_casualty_losses": "0.00",
                "other_business_expenses": "0.00",  # Schedule C: no worksheet line 11
            }
        )
    return {
        "year": year,
        "filing_status": "single",
        "itemizes": True,
        "state_local_income_or_sales_tax": STATE_LOCAL_INCOME_TAX[year],
        "other_real_estate_taxes": "0.00",
        "personal_property_taxes": PERSONAL_PROPERTY_TAX[year],
        "modified_agi": MODIFIED_AGI[year],
        "adjusted_gross_income": MODIFIED_AGI[year],  # no adjustments that MAGI adds back
        "net_qualified_disaster_loss": False,
        "filed": False,
        "homes": homes,
    }


def demo_ledger() -> dict:
    """The demo ledger as a `homeoffice-ledger/1` document."""
    bills = _monthly_bills() + _other_bills()
    return {
        "format": FORMAT,
        "businesses": BUSINESSES,
        "homes": [
            {
                "key": ELM,
                "name": "12 Elm St",
                "total_area": "2000.00",
                "total_rooms": 8,
                "area_method": "square_feet",
                "ownership": "own",
                "occupied_from": "2019-06-01",
                "occupied_to": MOVE_OUT.isoformat(),
                "cost_basis": "300000.00",
                "land_value": "60000.00",
                "fmv_at_first_business_use": "340000.00",
                "office_areas": [
                    {
                        "name": "Office",
                        "area": "200.00",
                        "rooms": 1,
                        "use": "exclusive",
                        "start": "2021-03-01",
                        "end": "2023-06-30",
                        "business": CONSULTING,
                    },
                    {
                        "name": "Office (enlarged)",
                        "area": "240.00",
                        "rooms": 1,
                        "use": "exclusive",
                        "start": "2023-07-01",
                        "end": MOVE_OUT.isoformat(),
                        "business": CONSULTING,
                    },
                ],
                "improvements": [
                    {
                        "description": "New roof",
                        "cost": "12000.00",
                        "placed_in_service": "2023-05-10",
                    }
                ],
            },
            {
                "key": HARBOR,
                "name": "Apt 4B, 88 Harbor Rd",
                "total_area": "900.00",
                "total_rooms": 4,
                "area_method": "square_feet",
                "ownership": "rent",
                "occupied_from": MOVE_IN.isoformat(),
                "occupied_to": None,
                "cost_basis": None,
                "land_value": None,
                "fmv_at_first_business_use": None,
                # One office room shared by the two businesses, each using its own part.
                "office_areas": [
                    {
                        "name": "Office",
                        "area": "90.00",
                        "rooms": 1,
                        "use": "exclusive",
                        "start": MOVE_IN.isoformat(),
                        "end": None,
                        "business": CONSULTING,
                    },
                    {
                        "name": "Photo desk",
                        "area": "30.00",
                        "rooms": None,
                        "use": "exclusive",
                        "start": MOVE_IN.isoformat(),
                        "end": None,
                        "business": PHOTO,
                    },
                ],
                "improvements": [],
            },
        ],
        "bills": bills,
        "tax_years": [_tax_year(year, bills) for year in YEARS],
    }


def _pdf(lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    # `invariant` leaves out the creation date and random id: the same receipt, the same bytes.
    pdf = canvas.Canvas(buffer, pagesize=(360, 220), invariant=1)
    pdf.setFont("Helvetica", 11)
    for row, line in enumerate(lines):
        pdf.drawString(24, 190 - 18 * row, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _png(lines: list[str]) -> bytes:
    image = Image.new("RGB", (320, 30 + 18 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((14, 14 + 18 * row), line, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# (home, paid_on, payee) of the bill, the file's name, its maker and its text.
RECEIPTS = (
    (
        ELM,
        dt.date(2023, 9, 12),
        "Brush & Roll Painters",
        "painting-invoice.pdf",
        _pdf,
        ["Brush & Roll Painters", "Invoice 2023-114", "Paint home office, 12 Elm St", "$650.00"],
    ),
    (
        ELM,
        dt.date(2024, 3, 1),
        "Granite Mutual Insurance",
        "homeowners-policy-2024.pdf",
        _pdf,
        ["Granite Mutual Insurance", "Homeowner's policy HO-3", "2024-03-01 to 2025-02-28"],
    ),
    (
        HARBOR,
        dt.date(2025, 7, 1),
        "Harbor Rd Properties LLC",
        "rent-receipt-2025-07.png",
        _png,
        ["Harbor Rd Properties LLC", "Rent July 2025, Apt 4B", "Received $2,150.00"],
    ),
    (
        HARBOR,
        dt.date(2025, 8, 5),
        "Harbor Fiber",
        "harbor-fiber-2025-08.png",
        _png,
        ["Harbor Fiber", "Statement August 2025", "Amount paid $60.00"],
    ),
)


@dataclass(frozen=True)
class DemoLoadResult:
    user: object
    user_created: bool
    summary: ImportSummary
    receipts: int


@transaction.atomic
def demo_load() -> DemoLoadResult:
    """Create (or reset) the `demo` staff user and load the demo ledger, replacing any previous."""
    User = get_user_model()
    user, created = User.objects.get_or_create(**{User.USERNAME_FIELD: DEMO_USERNAME})
    user.is_active = True
    user.is_staff = True
    user.is_superuser = False
    user.set_password(DEMO_PASSWORD)
    user.save()
    account_make_owner(user)
    # A visitor may have filed demo years in the admin; a reset starts them over, open.
    for tax_year in TaxYear.objects.owned_by(user).filter(filed=True):
        tax_year_reopen(tax_year=tax_year, reason="The demo ledger was reset")
    summary = ledger_file_import(owner=user, data=demo_ledger(), replace=True)
    with ledger_write(owner=user):
        for home, paid_on, payee, name, make, lines in RECEIPTS:
            bill = Bill.objects.owned_by(user).get(home__key=home, paid_on=paid_on, payee=payee)
            receipt_create(bill=bill, file=ContentFile(make(lines), name=name), original_name=name)
    return DemoLoadResult(user=user, user_created=created, summary=summary, receipts=len(RECEIPTS))
