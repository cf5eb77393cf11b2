"""The ledger file (`homeoffice-ledger/1`): export shape, round trip, errors, replace, commands."""

import copy
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from forms8829.filing import YearFiledError, ledger_file_import
from ledger.fields import JSONNumber
from ledger.ledger_file import LedgerFileError, ledger_export
from ledger.models import Bill, Home, Improvement, OfficeArea, Receipt, TaxYear, TaxYearHome
from ledger.services import receipt_create
from tests.factories import (
    BillFactory,
    HomeFactory,
    ImprovementFactory,
    OfficeAreaFactory,
    RentedHomeFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Users are made in almost every test; the default hasher takes a third of a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


FORMAT = "homeoffice-ledger/1"
LEDGER_MODELS = (Home, OfficeArea, Improvement, Bill, Receipt, TaxYear, TaxYearHome)


def build_full_ledger(owner, *, filed=True):
    """Two homes (owned with a changing office and a roof; rented with no basis), bills with and
    without service periods, tax years with one and two homes."""
    elm = HomeFactory(owner=owner, key="elm", name="12 Elm St", occupied_to=dt.date(2025, 6, 30))
    harbor = RentedHomeFactory(
        owner=owner,
        key="harbor",
        name="Apt 4B, 88 Harbor Rd",
        total_area=Decimal("900.00"),
        total_rooms=None,
        occupied_from=dt.date(2025, 7, 1),
    )
    OfficeAreaFactory(
        home=elm, area=Decimal("200"), start=dt.date(2021, 3, 1), end=dt.date(2023, 6, 30)
    )
    OfficeAreaFactory(
        home=elm, name="Office (enlarged)", area=Decimal("240"), start=dt.date(2023, 7, 1)
    )
    OfficeAreaFactory(home=harbor, area=Decimal("120.50"), rooms=None, start=dt.date(2025, 7, 1))
    ImprovementFactory(home=elm)
    BillFactory(
        home=elm,
        paid_on=dt.date(2024, 1, 15),
        service_start=dt.date(2023, 12, 1),
        service_end=dt.date(2023, 12, 31),
    )
    BillFactory(
        home=elm,
        paid_on=dt.date(2024, 2, 5),
        payee="FastNet",
        category=Bill.Category.INTERNET,
        amount=Decimal("70.00"),
        business_use_percent=Decimal("50.00"),
        note="Half for the business.",
    )
    BillFactory(
        home=elm,
        paid_on=dt.date(2024, 3, 1),
        payee="Bank",
        category=Bill.Category.MORTGAGE_INTEREST,
        amount=Decimal("900.10"),
    )
    BillFactory(
        home=elm,
        paid_on=dt.date(2024, 9, 2),
        payee="Painter",
        category=Bill.Category.REPAIRS,
        amount=Decimal("650.00"),
        scope=Bill.Scope.DIRECT,
    )
    BillFactory(
        home=harbor,
        paid_on=dt.date(2025, 7, 1),
        payee="Landlord",
        category=Bill.Category.RENT,
        amount=Decimal("2150.00"),
    )
    y2024 = TaxYearFactory(owner=owner, year=2024, state_local_income_or_sales_tax=Decimal("5100"))
    TaxYearHomeFactory(
        tax_year=y2024,
        home=elm,
        gross_income_limit=Decimal("1500.00"),
        mortgage_interest_schedule_a_limit=Decimal("900.10"),
    )
    y2025 = TaxYearFactory(
        owner=owner, year=2025, modified_agi=Decimal("92000.00"), itemizes=False, filed=filed
    )
    TaxYearHomeFactory(tax_year=y2025, home=elm, gross_income_limit=Decimal("21000.00"))
    TaxYearHomeFactory(
        tax_year=y2025,
        home=harbor,
        method="simplified",
        gross_income_limit=Decimal("24500.00"),
        receives_carryover=True,
        daycare_hours=Decimal("1200"),
    )
    return elm, harbor


def minimal_document():
    """A small valid file, with every optional field left out."""
    return {
        "format": FORMAT,
        "homes": [
            {
                "key": "elm",
                "name": "12 Elm St",
                "total_area": "2000",
                "office_areas": [{"area": "200", "start": "2021-03-01"}],
                "improvements": [
                    {"description": "New roof", "cost": "12000", "placed_in_service": "2023-05-10"}
                ],
            }
        ],
        "bills": [
            {
                "home": "elm",
                "paid_on": "2023-01-15",
                "payee": "City Power",
                "category": "utilities",
                "amount": "180.00",
            }
        ],
        "tax_years": [{"year": 2023, "homes": [{"home": "elm", "gross_income_limit": "1500"}]}],
    }


def snapshot():
    """Everything the database holds about ledgers, history included."""
    counts = {model.__name__: model.objects.count() for model in LEDGER_MODELS}
    for model in LEDGER_MODELS:
        if hasattr(model, "history"):
            counts[f"history:{model.__name__}"] = model.history.count()
    counts["users"] = get_user_model().objects.count()
    return counts


def import_errors(owner, data, **kwargs) -> list[str]:
    with pytest.raises(LedgerFileError) as exc_info:
        ledger_file_import(owner=owner, data=data, **kwargs)
    return exc_info.value.errors


# --- Export ------------------------------------------------------------------------------------


def test_export_has_the_spec_shape(user):
    home = HomeFactory(owner=user, key="elm", name="12 Elm St")
    OfficeAreaFactory(home=home, start=dt.date(2021, 3, 1))
    ImprovementFactory(home=home)
    BillFactory(
        home=home,
        paid_on=dt.date(2023, 1, 15),
        service_start=dt.date(2022, 12, 1),
        service_end=dt.date(2022, 12, 31),
    )
    TaxYearHomeFactory(
        tax_year=TaxYearFactory(owner=user, year=2023), home=home, receives_carryover=True
    )

    assert ledger_export(owner=user) == {
        "format": FORMAT,
        # The office area's business, made when it was saved without one (Business.default_for).
        "businesses": [{"name": "My business", "kind": "sole_proprietor"}],
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
                "land_fmv_at_first_business_use": None,
                "office_areas": [
                    {
                        "name": "Office",
                        "area": "200.00",
                        "rooms": 1,
                        "use": "exclusive",
                        "start": "2021-03-01",
                        "end": None,
                        "restart_adjusted_basis": None,
                        "restart_fmv": None,
                        "restart_land_value": None,
                        "restart_land_fmv": None,
                        "business": "My business",
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
        "bills": [
            {
                "home": "elm",
                "paid_on": "2023-01-15",
                "payee": "City Power",
                "category": "utilities",
                "amount": "180.00",
                "scope": "indirect",
                "business_use_percent": None,
                "service_start": "2022-12-01",
                "service_end": "2022-12-31",
                "note": "",
            }
        ],
        "tax_years": [
            {
                "year": 2023,
                "filing_status": "single",
                "itemizes": True,
                "state_local_income_or_sales_tax": "0.00",
                "other_real_estate_taxes": "0.00",
                "personal_property_taxes": "0.00",
                "modified_agi": None,
                "adjusted_gross_income": None,
                "net_qualified_disaster_loss": False,
                "filed": False,
                "homes": [
                    {
                        "home": "elm",
                        "method": "regular",
                        "gross_income_limit": "40000.00",
                        "receives_carryover": True,
                        "daycare_hours": None,
                        "mortgage_interest_schedule_a_limit": None,
                        "casualty_losses_direct": "0.00",
                        "casualty_losses_indirect": "0.00",
                        "excess_casualty_losses": "0.00",
                        "other_business_expenses": "0.00",
                    }
                ],
            }
        ],
    }


def test_export_is_only_the_owners_ledger_and_json_ready(user, other_user):
    build_full_ledger(other_user)
    assert ledger_export(owner=user) == {
        "format": FORMAT,
        "businesses": [],
        "homes": [],
        "bills": [],
        "tax_years": [],
    }
    data = ledger_export(owner=other_user)
    assert json.loads(json.dumps(data)) == data


def test_export_order_is_deterministic(user):
    oak = HomeFactory(owner=user, key="oak")
    elm = HomeFactory(owner=user, key="elm")
    OfficeAreaFactory(home=elm, area=Decimal("10"), start=dt.date(2022, 1, 1))
    OfficeAreaFactory(home=elm, area=Decimal("20"), start=None)
    late = BillFactory(home=elm, paid_on=dt.date(2024, 3, 1), payee="A")
    b2 = BillFactory(home=oak, paid_on=dt.date(2024, 1, 1), payee="B", amount=Decimal("5"))
    b1 = BillFactory(home=elm, paid_on=dt.date(2024, 1, 1), payee="B", amount=Decimal("4"))
    b0 = BillFactory(home=elm, paid_on=dt.date(2024, 1, 1), payee="A", amount=Decimal("9"))
    b3 = BillFactory(home=oak, paid_on=dt.date(2024, 1, 1), payee="B", amount=Decimal("5"))
    TaxYearFactory(owner=user, year=2025)
    TaxYearFactory(owner=user, year=2019)

    data = ledger_export(owner=user)

    assert [h["key"] for h in data["homes"]] == ["elm", "oak"]
    assert [a["start"] for a in data["homes"][0]["office_areas"]] == [None, "2022-01-01"]
    expected = [b0, b1, b2, b3, late]
    assert [(b["paid_on"], b["payee"], b["amount"], b["home"]) for b in data["bills"]] == [
        (b.paid_on.isoformat(), b.payee, f"{b.amount:.2f}", b.home.key) for b in expected
    ]
    assert [t["year"] for t in data["tax_years"]] == [2019, 2025]


@pytest.mark.parametrize("bills", [10, 200])
def test_export_uses_a_constant_number_of_queries(user, django_assert_num_queries, bills):
    build_full_ledger(user)
    home = Home.objects.get(owner=user, key="elm")
    BillFactory.create_batch(bills, home=home)
    for year in (2019, 2020, 2021):
        TaxYearHomeFactory(tax_year=TaxYearFactory(owner=user, year=year), home=home)

    # Businesses, homes, office areas (with their businesses), improvements, bills, their
    # receipts, tax years, their homes, their business shares.
    with django_assert_num_queries(9):
        data = ledger_export(owner=user)

    assert len(data["bills"]) == bills + 5


# --- Round trip --------------------------------------------------------------------------------


def test_round_trip_is_lossless(user):
    build_full_ledger(user)
    exported = ledger_export(owner=user)
    fresh = UserFactory(username="fresh")

    summary = ledger_file_import(owner=fresh, data=copy.deepcopy(exported))

    assert ledger_export(owner=fresh) == exported
    assert (summary.homes, summary.office_areas, summary.improvements) == (2, 3, 1)
    assert (summary.bills, summary.tax_years, summary.tax_year_homes) == (5, 2, 3)
    harbor = Home.objects.get(owner=fresh, key="harbor")
    assert harbor.cost_basis is None and harbor.land_value is None
    assert OfficeArea.objects.get(home=harbor).end is None
    assert TaxYear.objects.get(owner=fresh, year=2025).filed_at is not None


def test_round_trip_through_json_text(user):
    build_full_ledger(user)
    text = json.dumps(ledger_export(owner=user), indent=2)
    fresh = UserFactory(username="fresh")

    ledger_file_import(owner=fresh, data=json.loads(text))

    assert json.dumps(ledger_export(owner=fresh), indent=2) == text


def test_missing_optional_fields_mean_not_given(user):
    ledger_file_import(owner=user, data=minimal_document())

    home = Home.objects.get(owner=user)
    assert (home.area_method, home.ownership, home.total_rooms) == ("square_feet", "own", None)
    assert home.cost_basis is None and home.occupied_from is None
    area = home.office_areas.get()
    assert (area.name, area.use, area.end, area.rooms) == ("Office", "exclusive", None, None)
    bill = Bill.objects.get(owner=user)
    assert (bill.scope, bill.business_use_percent, bill.note, bill.tax_year) == (
        "indirect",
        None,
        "",
        2023,
    )
    year_home = TaxYearHome.objects.get(owner=user)
    assert year_home.receives_carryover is None and year_home.method == "regular"
    assert year_home.tax_year.itemizes is False and year_home.tax_year.filed is False


def test_null_optional_fields_mean_not_given(user):
    data = minimal_document()
    data["bills"][0].update({"note": None, "scope": None, "business_use_percent": None})
    data["tax_years"][0].update({"itemizes": None, "modified_agi": None})
    data["tax_years"][0]["homes"][0]["receives_carryover"] = None

    ledger_file_import(owner=user, data=data)

    bill = Bill.objects.get(owner=user)
    assert (bill.note, bill.scope) == ("", "indirect")


def test_numbers_without_quotes_are_read_exactly(user):
    data = minimal_document()
    data["homes"][0]["total_area"] = 2000
    data["bills"][0]["amount"] = Decimal("180.10")  # what json.loads(parse_float=Decimal) gives

    ledger_file_import(owner=user, data=data)

    assert Home.objects.get(owner=user).total_area == Decimal("2000")
    assert Bill.objects.get(owner=user).amount == Decimal("180.10")


# --- Errors ------------------------------------------------------------------------------------


def _set(path, value):
    def change(data):
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


def _delete(path):
    def change(data):
        target = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return change


def _rekey(key):
    """Change the home's key, and the references to it, so that only the key is wrong."""

    def change(data):
        if not key:
            data["homes"][0]["key"] = key
            if key is None:
                del data["homes"][0]["key"]
            data["bills"] = []
            data["tax_years"] = []
        else:
            data["homes"][0]["key"] = key
            data["bills"][0]["home"] = key
            data["tax_years"][0]["homes"][0]["home"] = key

    return change


ERROR_CASES = [
    (_set(("format",), "homeoffice-ledger/2"), 'format: expected "homeoffice-ledger/1"'),
    (_delete(("format",)), 'format: expected "homeoffice-ledger/1"'),
    (_set(("extra",), 1), "extra: unknown field"),
    (_set(("bills", 0, "colour"), "red"), "bills[0].colour: unknown field"),
    (_set(("bills", 0, "amout"), "1"), 'bills[0].amout: unknown field; did you mean "amount"?'),
    (_set(("bills", 0, "amount"), "-1"), "bills[0].amount: must be >= 0"),
    (_set(("bills", 0, "amount"), "1.234"), "bills[0].amount: must have at most 2 decimal places"),
    (
        _set(("bills", 0, "amount"), "12345678901.00"),
        "bills[0].amount: is too large (at most 10 digits before the decimal point)",
    ),
    (
        _set(("bills", 0, "amount"), "12345678901"),
        "bills[0].amount: is too large (at most 10 digits before the decimal point)",
    ),
    (
        _set(("bills", 0, "amount"), "12,50"),
        'bills[0].amount: must be an amount like "1,250.00", not "12,50"',
    ),
    (
        _set(("bills", 0, "amount"), "1.25e2"),
        'bills[0].amount: must be written without an exponent, like "125", not "1.25e2"',
    ),
    (
        _set(("bills", 0, "amount"), JSONNumber("1.25e2")),
        'bills[0].amount: must be written without an exponent, like "125", not 1.25e2',
    ),
    (_set(("bills", 0, "amount"), 180.555), "bills[0].amount: must have at most 2 decimal places"),
    (
        _set(("bills", 0, "amount"), "NaN"),
        'bills[0].amount: must be an amount like "1,250.00", not "NaN"',
    ),
    (
        _set(("bills", 0, "amount"), True),
        'bills[0].amount: must be an amount like "1,250.00", not true',
    ),
    (_set(("bills", 0, "amount"), None), "bills[0].amount: is required"),
    (
        _set(("bills", 0, "business_use_percent"), "150"),
        "bills[0].business_use_percent: must be <= 100",
    ),
    (
        _set(("homes", 0, "total_area"), "abc"),
        'homes[0].total_area: must be a number like "2000", not "abc"',
    ),
    (
        _set(("homes", 0, "total_area"), [2000]),
        'homes[0].total_area: must be a number like "2000", not a list',
    ),
    (
        _set(("homes", 0, "total_area"), "$2000"),
        'homes[0].total_area: must be a number like "2000", not "$2000"',
    ),
    (_set(("homes", 0, "total_area"), "0"), "homes[0].total_area: must be >= 0.01"),
    (
        _set(("homes", 0, "total_rooms"), "8.5"),
        'homes[0].total_rooms: must be a whole number like 8, not "8.5"',
    ),
    (_set(("homes", 0, "total_rooms"), -1), "homes[0].total_rooms: must be >= 0"),
    (
        _rekey("my home"),
        "homes[0].key: Enter a valid “slug” consisting of letters, numbers, underscores or "
        "hyphens.",
    ),
    (_set(("homes", 0, "name"), ""), "homes[0].name: must not be empty"),
    (_set(("homes", 0, "name"), "x" * 201), "homes[0].name: must be at most 200 characters long"),
    (
        _set(("homes", 0, "ownership"), "leased"),
        'homes[0].ownership: must be one of "own", "rent", not "leased"',
    ),
    (_set(("bills", 0, "payee"), 3), "bills[0].payee: must be text in quotes, not 3"),
    (
        _set(("bills", 0, "paid_on"), "01/15/2023"),
        'bills[0].paid_on: must be a date written YYYY-MM-DD, like "2023-01-15", not "01/15/2023"',
    ),
    (
        _set(("bills", 0, "paid_on"), "2023-02-30"),
        'bills[0].paid_on: "2023-02-30" is not a real date',
    ),
    (
        _set(("bills", 0, "paid_on"), 20230115),
        'bills[0].paid_on: must be a date written YYYY-MM-DD, like "2023-01-15", not 20230115',
    ),
    (
        _set(("bills", 0, "home"), "oak"),
        "bills[0].home: no home with the key or name 'oak' in this file",
    ),
    (_set(("bills", 0, "home"), 3), "bills[0].home: must be a home's key or name, not 3"),
    (_delete(("bills", 0, "home")), "bills[0].home: is required"),
    (
        _set(("tax_years", 0, "year"), 2017),
        "tax_years[0].year: 2017 is not supported; supported years are 2018-2026",
    ),
    (
        _set(("tax_years", 0, "year"), 2027),
        "tax_years[0].year: 2027 is not supported; supported years are 2018-2026",
    ),
    (
        _set(("tax_years", 0, "year"), "twenty"),
        'tax_years[0].year: must be a whole number like 2024, not "twenty"',
    ),
    (
        _set(("tax_years", 0, "itemizes"), "maybe"),
        'tax_years[0].itemizes: must be true or false, not "maybe"',
    ),
    (
        _set(("tax_years", 0, "homes", 0, "home"), "oak"),
        "tax_years[0].homes[0].home: no home with the key or name 'oak' in this file",
    ),
    (
        _set(("tax_years", 0, "homes", 0, "casualty_losses_direct"), "-5"),
        "tax_years[0].homes[0].casualty_losses_direct: must be >= 0",
    ),
    (_set(("bills",), {"a": 1}), "bills: must be a list, not an object"),
    (_set(("bills", 0), "x"), 'bills[0]: must be an object {...}, not "x"'),
    (
        _set(("homes", 0, "office_areas"), "none"),
        'homes[0].office_areas: must be a list, not "none"',
    ),
    # The models' own validation (clean), mapped to the file's paths.
    (
        lambda d: d["bills"][0].update(category="mortgage_interest", scope="direct"),
        "bills[0].scope: Mortgage interest and mortgage insurance are never direct expenses.",
    ),
    (
        _set(("bills", 0, "service_start"), "2022-12-01"),
        "bills[0].service_end: Give both the start and the end of the service period, or neither.",
    ),
    (
        lambda d: d["bills"][0].update(service_start="2023-01-01", service_end="2022-12-01"),
        "bills[0].service_end: The service period cannot end before it starts.",
    ),
    (
        lambda d: d["homes"][0].update(ownership="rent", cost_basis="1000"),
        "homes[0].cost_basis: A rented home has no basis, land value or FMV (no Part III).",
    ),
    (
        lambda d: d["homes"][0].update(occupied_from="2020-01-01", occupied_to="2019-01-01"),
        "homes[0].occupied_to: Move-out date cannot be before the move-in date.",
    ),
    (
        _set(("homes", 0, "office_areas", 0, "area"), "3000"),
        "homes[0].office_areas[0].area: The office area (3000.00 sq ft) cannot be larger than the "
        "home (2000.00 sq ft).",
    ),
    (
        lambda d: d["homes"][0]["office_areas"].append({"area": "1900", "start": "2022-01-01"}),
        "homes[0].office_areas[1].area: Office areas in use at the same time add up to 2100.00 sq "
        "ft, more than the home's 2000.00 sq ft.",
    ),
    (
        lambda d: d["homes"][0].update(
            ownership="rent",
            improvements=[{"description": "Roof", "cost": "1", "placed_in_service": "2023-01-01"}],
        ),
        "homes[0].improvements[0]: Improvements are depreciated only on owned homes.",
    ),
    # A bill's receipts: their shape, and a file this import does not carry.
    (_set(("bills", 0, "receipts"), "none"), 'bills[0].receipts: must be a list, not "none"'),
    (_set(("bills", 0, "receipts"), [7]), "bills[0].receipts[0]: must be an object {...}, not 7"),
    (
        _set(("bills", 0, "receipts"), [{"file": "receipts/a.pdf"}]),
        "bills[0].receipts[0].sha256: is required",
    ),
    (
        _set(("bills", 0, "receipts"), [{"sha256": "a" * 64}]),
        "bills[0].receipts[0].file: is required",
    ),
    (
        _set(("bills", 0, "receipts"), [{"file": "receipts/a.pdf", "sha256": "a1b2"}]),
        "bills[0].receipts[0].sha256: must be the file's SHA-256, 64 hexadecimal digits, not "
        '"a1b2"',
    ),
    (
        _set(("bills", 0, "receipts"), [{"file": 3, "sha256": "a" * 64}]),
        "bills[0].receipts[0].file: must be text in quotes, not 3",
    ),
    (
        _set(("bills", 0, "receipts"), [{"file": "receipts/a.pdf", "sha256": "A" * 64}]),
        "bills[0].receipts[0].file: the file is not in this import; import the .zip archive (or "
        "import without receipts to leave them out)",
    ),
    # Duplicates within the file.
    (
        lambda d: d["homes"].append({"key": "elm", "name": "Other", "total_area": "100"}),
        "homes[1].key: 'elm' is already the key of homes[0]",
    ),
    (
        lambda d: d["tax_years"].append({"year": 2023}),
        "tax_years[1].year: 2023 is already listed at tax_years[0]",
    ),
    (
        lambda d: d["tax_years"][0]["homes"].append({"home": "elm"}),
        "tax_years[0].homes[1].home: 'elm' is already listed at tax_years[0].homes[0]",
    ),
]


@pytest.mark.parametrize(("change", "message"), ERROR_CASES)
def test_each_error_is_named_by_its_path(user, change, message):
    data = minimal_document()
    change(data)
    before = snapshot()

    errors = import_errors(user, data)

    assert errors == [message]
    assert snapshot() == before


# Import validates with the models' field validators and clean(), not by querying each database
# check constraint: every constraint must be mirrored, so that a bad file is reported, never an
# IntegrityError. A new constraint needs a case here (and a validator or clean() rule).
CHECK_CONSTRAINT_CASES = {
    "home_total_area_positive": _set(("homes", 0, "total_area"), "0"),
    "home_occupancy_ordered": lambda d: d["homes"][0].update(
        occupied_from="2020-01-01", occupied_to="2019-12-31"
    ),
    "home_money_not_negative": _set(("homes", 0, "cost_basis"), "-1"),
    "office_area_positive": _set(("homes", 0, "office_areas", 0, "area"), "0"),
    "office_area_dates_ordered": _set(("homes", 0, "office_areas", 0, "end"), "2021-02-28"),
    "office_area_restart_money_not_negative": _set(
        ("homes", 0, "office_areas", 0, "restart_fmv"), "-1"
    ),
    "improvement_cost_not_negative": _set(("homes", 0, "improvements", 0, "cost"), "-1"),
    "bill_amount_not_negative": _set(("bills", 0, "amount"), "-0.01"),
    "bill_business_use_percent_range": _set(("bills", 0, "business_use_percent"), "-1"),
    "bill_service_period_ordered": _set(("bills", 0, "service_end"), "2023-01-31"),
    "bill_mortgage_never_direct": lambda d: d["bills"][0].update(
        category="mortgage_insurance", scope="direct"
    ),
    "tax_year_taxes_not_negative": _set(("tax_years", 0, "personal_property_taxes"), "-1"),
    "tax_year_home_casualty_not_negative": _set(
        ("tax_years", 0, "homes", 0, "excess_casualty_losses"), "-1"
    ),
}


def test_every_check_constraint_has_a_case():
    from django.db.models import CheckConstraint

    names = {
        constraint.name
        for model in LEDGER_MODELS
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint)
    }
    assert names == set(CHECK_CONSTRAINT_CASES)


@pytest.mark.parametrize("constraint", sorted(CHECK_CONSTRAINT_CASES))
def test_check_constraints_are_reported_as_file_errors(user, constraint):
    data = minimal_document()
    CHECK_CONSTRAINT_CASES[constraint](data)

    errors = import_errors(user, data)

    assert len(errors) == 1


@pytest.mark.parametrize("data", [[], "text", None, 3])
def test_a_document_that_is_not_an_object_is_refused(user, data):
    errors = import_errors(user, data)
    assert len(errors) == 1 and errors[0].startswith("file: must be a JSON object")


def test_every_error_is_reported_in_file_order_and_nothing_is_written(user):
    build_full_ledger(user)
    data = ledger_export(owner=user)
    data["extra"] = True
    data["bills"][3]["amount"] = "-650.00"
    data["bills"][1]["paid_on"] = "soon"
    data["homes"][1]["total_area"] = "big"
    data["homes"][0]["office_areas"][1]["use"] = "gaming"
    data["tax_years"][1]["year"] = 2017
    data["tax_years"][0]["homes"][0]["home"] = "oak"
    fresh = UserFactory(username="fresh")
    before = snapshot()

    errors = import_errors(fresh, data)

    assert errors == [
        'homes[0].office_areas[1].use: must be one of "exclusive", "daycare", "storage", '
        'not "gaming"',
        'homes[1].total_area: must be a number like "2000", not "big"',
        'bills[1].paid_on: must be a date written YYYY-MM-DD, like "2023-01-15", not "soon"',
        "bills[3].amount: must be >= 0",
        "tax_years[0].homes[0].home: no home with the key or name 'oak' in this file",
        "tax_years[1].year: 2017 is not supported; supported years are 2018-2026",
        "extra: unknown field",
    ]
    assert snapshot() == before
    assert ledger_export(owner=fresh)["homes"] == []


def test_error_exception_text_lists_the_errors(user):
    data = minimal_document()
    data["bills"][0]["amount"] = "-1"
    with pytest.raises(LedgerFileError, match=r"1 error:\nbills\[0\]\.amount: must be >= 0"):
        ledger_file_import(owner=user, data=data)


# --- Existing ledgers: add or replace ----------------------------------------------------------


def test_without_replace_existing_keys_and_years_are_errors(user):
    HomeFactory(owner=user, key="elm")
    TaxYearFactory(owner=user, year=2023)
    before = snapshot()

    errors = import_errors(user, minimal_document())

    assert errors == [
        "homes[0].key: you already have a home with key 'elm'; import with replace to replace "
        "your whole ledger",
        "tax_years[0].year: you already have the tax year 2023; import with replace to replace "
        "your whole ledger",
    ]
    assert snapshot() == before


def test_without_replace_new_homes_and_years_are_added(user):
    other = HomeFactory(owner=user, key="oak")
    TaxYearFactory(owner=user, year=2024)

    ledger_file_import(owner=user, data=minimal_document())

    assert set(Home.objects.filter(owner=user).values_list("key", flat=True)) == {"oak", "elm"}
    assert set(TaxYear.objects.filter(owner=user).values_list("year", flat=True)) == {2023, 2024}
    assert Home.objects.filter(pk=other.pk).exists()


def test_another_users_ledger_does_not_conflict(user, other_user):
    build_full_ledger(other_user)
    theirs = ledger_export(owner=other_user)

    ledger_file_import(owner=user, data=copy.deepcopy(theirs))

    assert ledger_export(owner=user) == theirs == ledger_export(owner=other_user)


def _pdf_receipt(bill, text=b"one"):
    from django.core.files.base import ContentFile

    content = b"%PDF-1.4\n%" + text + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return receipt_create(bill=bill, file=ContentFile(content, name="r.pdf"))


# --- Receipts in the ledger file ---------------------------------------------------------------


def test_export_lists_each_bills_receipts_in_a_deterministic_order(user):
    build_full_ledger(user)
    bill = Bill.objects.filter(owner=user).order_by("paid_on").first()
    second = _pdf_receipt(bill, b"two")
    first = _pdf_receipt(bill, b"one")
    Receipt.objects.filter(pk=first.pk).update(original_name="a.pdf")
    Receipt.objects.filter(pk=second.pk).update(original_name="b.pdf")

    bills = ledger_export(owner=user)["bills"]

    assert bills[0]["receipts"] == [
        {
            "file": f"receipts/{first.sha256}.pdf",
            "name": "a.pdf",
            "sha256": first.sha256,
            "content_type": "application/pdf",
            "size": first.size,
        },
        {
            "file": f"receipts/{second.sha256}.pdf",
            "name": "b.pdf",
            "sha256": second.sha256,
            "content_type": "application/pdf",
            "size": second.size,
        },
    ]
    # A bill without receipts reads as it always did.
    assert all("receipts" not in b for b in bills[1:])


def test_receipts_without_their_files_are_errors_naming_each_path(user):
    build_full_ledger(user)
    bills = list(Bill.objects.filter(owner=user).order_by("paid_on"))
    _pdf_receipt(bills[0], b"one")
    _pdf_receipt(bills[2], b"two")
    data = ledger_export(owner=user)
    fresh = UserFactory(username="fresh")
    before = snapshot()

    errors = import_errors(fresh, data)

    hint = "the file is not in this import; import the .zip archive (or import without receipts"
    assert [e.split(": ", 1)[0] for e in errors] == [
        "bills[0].receipts[0].file",
        "bills[2].receipts[0].file",
    ]
    assert all(e.split(": ", 1)[1].startswith(hint) for e in errors)
    assert snapshot() == before


def test_without_receipts_leaves_the_listed_receipts_out(user):
    build_full_ledger(user)
    _pdf_receipt(Bill.objects.filter(owner=user).order_by("paid_on").first())
    data = ledger_export(owner=user)
    fresh = UserFactory(username="fresh")

    summary = ledger_file_import(owner=fresh, data=data, without_receipts=True)

    assert (summary.bills, summary.receipts, summary.receipts_left_out) == (5, 0, 1)
    assert "5 bills (1 receipt left out)" in str(summary)
    assert not Receipt.objects.filter(owner=fresh).exists()
    assert all("receipts" not in b for b in ledger_export(owner=fresh)["bills"])


def test_your_own_file_reimported_with_replace_keeps_its_receipts(
    user, django_capture_on_commit_callbacks
):
    build_full_ledger(user, filed=False)
    receipt = _pdf_receipt(Bill.objects.filter(owner=user).order_by("paid_on").first())
    exported = ledger_export(owner=user)
    exported["bills"][1]["amount"] = "71.00"  # an edit made in the file

    with django_capture_on_commit_callbacks(execute=True):
        summary = ledger_file_import(owner=user, data=copy.deepcopy(exported), replace=True)

    assert summary.receipts == 1
    assert ledger_export(owner=user) == exported
    copy_of = Receipt.objects.get(owner=user)
    assert copy_of.pk != receipt.pk
    assert copy_of.file.name == receipt.file.name
    assert receipt.file.storage.exists(receipt.file.name)


def test_another_users_receipt_files_are_never_used(user, other_user):
    build_full_ledger(other_user)
    _pdf_receipt(Bill.objects.filter(owner=other_user).order_by("paid_on").first())
    theirs = ledger_export(owner=other_user)
    before = snapshot()

    errors = import_errors(user, theirs)

    assert errors == [
        "bills[0].receipts[0].file: the file is not in this import; import the .zip archive (or "
        "import without receipts to leave them out)"
    ]
    assert snapshot() == before


def test_a_receipt_that_misdescribes_your_stored_file_is_an_error(user):
    build_full_ledger(user, filed=False)
    receipt = _pdf_receipt(Bill.objects.filter(owner=user).order_by("paid_on").first())
    data = ledger_export(owner=user)
    data["bills"][0]["receipts"][0]["size"] = receipt.size + 1
    before = snapshot()

    errors = import_errors(user, data, replace=True)

    assert errors == [
        f"bills[0].receipts[0].size: is {receipt.size + 1} but the file is {receipt.size} bytes"
    ]
    assert snapshot() == before


def test_replace_swaps_the_whole_ledger(user, other_user, django_capture_on_commit_callbacks):
    build_full_ledger(user, filed=False)
    receipt = _pdf_receipt(Bill.objects.filter(owner=user).first())
    stored = receipt.file.name
    storage = receipt.file.storage
    build_full_ledger(other_user)
    theirs = ledger_export(owner=other_user)

    with django_capture_on_commit_callbacks(execute=True):
        summary = ledger_file_import(owner=user, data=minimal_document(), replace=True)

    assert summary.replaced
    assert list(Home.objects.filter(owner=user).values_list("key", flat=True)) == ["elm"]
    assert Bill.objects.filter(owner=user).count() == 1
    assert list(TaxYear.objects.filter(owner=user).values_list("year", flat=True)) == [2023]
    assert not Receipt.objects.filter(owner=user).exists()
    assert not storage.exists(stored)
    assert ledger_export(owner=other_user) == theirs


def test_replace_then_reimport_the_same_file_gives_the_same_ledger(user):
    build_full_ledger(user, filed=False)
    exported = ledger_export(owner=user)

    ledger_file_import(owner=user, data=copy.deepcopy(exported), replace=True)

    assert ledger_export(owner=user) == exported


def test_replace_with_errors_keeps_the_old_ledger_and_its_files(
    user, django_capture_on_commit_callbacks
):
    build_full_ledger(user, filed=False)
    receipt = _pdf_receipt(Bill.objects.filter(owner=user).first())
    exported = ledger_export(owner=user)
    before = snapshot()
    data = minimal_document()
    data["bills"][0]["amount"] = "-1"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        errors = import_errors(user, data, replace=True)

    assert errors == ["bills[0].amount: must be >= 0"]
    assert callbacks == []
    assert snapshot() == before
    assert ledger_export(owner=user) == exported
    assert receipt.file.storage.exists(receipt.file.name)


def test_replace_is_refused_while_years_are_filed(user):
    build_full_ledger(user)
    TaxYearFactory(owner=user, year=2023, filed=True)
    before = snapshot()

    with pytest.raises(YearFiledError, match="Tax year 2023 is filed") as refused:
        ledger_file_import(owner=user, data=minimal_document(), replace=True)

    assert refused.value.year == 2023
    assert snapshot() == before


def test_bills_cannot_be_added_to_a_filed_year(user):
    TaxYearFactory(owner=user, year=2023, filed=True)
    data = minimal_document()
    data["tax_years"] = []
    before = snapshot()

    with pytest.raises(YearFiledError, match="Tax year 2023 is filed"):
        ledger_file_import(owner=user, data=data)

    assert snapshot() == before


def test_a_filed_year_is_imported_filed_with_its_homes_and_bills(user):
    data = minimal_document()
    data["tax_years"][0]["filed"] = True

    ledger_file_import(owner=user, data=data)

    tax_year = TaxYear.objects.get(owner=user, year=2023)
    assert tax_year.filed and tax_year.filed_at is not None
    assert tax_year.homes.count() == 1
    assert Bill.objects.filter(owner=user, tax_year=2023).count() == 1
    assert ledger_export(owner=user)["tax_years"][0]["filed"] is True


# --- Commands ----------------------------------------------------------------------------------


def run(name, *args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_import_command_creates_the_user_and_prints_a_summary(db, tmp_path):
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(minimal_document()), encoding="utf-8")

    out, err = run("import_ledger", str(path), "--user", "newbie")

    user = get_user_model().objects.get(username="newbie")
    assert not user.has_usable_password()
    assert out == (
        "Imported into newbie's ledger (new user): 1 home (1 office area, 1 improvement), "
        # A file from before businesses: its office area goes to a new "My business".
        "1 bill, 1 tax year (1 home-year), 1 business.\n"
    )
    # Progress, on stderr only (a line each, stderr not being a terminal); see test_progress.
    assert err.splitlines() == [
        "checked: 7 / 7",
        "businesses: 1 / 1",
        "homes: 1 / 1",
        "tax years: 1 / 1",
        "office areas: 1 / 1",
        "improvements: 1 / 1",
        "bills: 1 / 1",
        "home-years: 1 / 1",
        "forms: 1 / 1",
    ]
    assert ledger_export(owner=user)["bills"][0]["amount"] == "180.00"


def test_import_command_reads_standard_input(user, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(minimal_document())))

    out, _ = run("import_ledger", "-", "--user", "alice")

    assert out.startswith("Imported into alice's ledger: 1 home")
    assert Home.objects.filter(owner=user, key="elm").exists()


def test_import_command_reads_numbers_as_decimals(user, tmp_path):
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(minimal_document()).replace('"180.00"', "180.10"), encoding="utf-8")

    run("import_ledger", str(path), "--user", "alice")

    assert Bill.objects.get(owner=user).amount == Decimal("180.10")


def test_import_command_errors_go_to_stderr_and_change_nothing(db, tmp_path):
    data = minimal_document()
    data["bills"][0]["amount"] = "-1"
    data["tax_years"][0]["year"] = 2017
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = snapshot()
    err = io.StringIO()

    with pytest.raises(CommandError) as exc_info:
        call_command(
            "import_ledger", str(path), "--user", "newbie", stdout=io.StringIO(), stderr=err
        )

    assert exc_info.value.returncode == 1
    assert str(exc_info.value) == f"2 errors in {path}; nothing was imported."
    assert err.getvalue() == (
        "bills[0].amount: must be >= 0\n"
        "tax_years[0].year: 2017 is not supported; supported years are 2018-2026\n"
    )
    assert snapshot() == before
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_import_command_reports_invalid_json_with_line_and_column(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "homeoffice-ledger/1",\n  "homes": [,]\n}\n', encoding="utf-8")

    with pytest.raises(CommandError, match=r"not valid JSON: .* at line 3, column 13\."):
        run("import_ledger", str(path), "--user", "newbie")

    assert not get_user_model().objects.filter(username="newbie").exists()


def test_import_command_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("import_ledger", str(tmp_path / "nope.json"), "--user", "newbie")


def test_import_command_replace(user, tmp_path):
    build_full_ledger(user, filed=False)
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(minimal_document()), encoding="utf-8")

    with pytest.raises(CommandError):
        run("import_ledger", str(path), "--user", "alice")
    out, _ = run("import_ledger", str(path), "--user", "alice", "--replace")

    assert out.endswith(", replacing the previous ledger.\n")
    assert Home.objects.filter(owner=user).count() == 1


def test_import_command_names_receipts_without_files_and_can_leave_them_out(user, tmp_path):
    build_full_ledger(user)
    _pdf_receipt(Bill.objects.filter(owner=user).order_by("paid_on").first())
    path = tmp_path / "ledger.json"
    run("export_ledger", "--user", "alice", "--output", str(path))
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"^1 error in .*; nothing was imported\.$"):
        call_command("import_ledger", str(path), "--user", "bob", stdout=io.StringIO(), stderr=err)
    out, _ = run("import_ledger", str(path), "--user", "bob", "--without-receipts")

    assert err.getvalue().startswith("bills[0].receipts[0].file: the file is not in this import")
    assert "5 bills (1 receipt left out)" in out


def test_export_command_writes_pretty_json_to_stdout(user):
    build_full_ledger(user)

    out, _ = run("export_ledger", "--user", "alice")

    assert out == json.dumps(ledger_export(owner=user), indent=2) + "\n"
    assert out.startswith('{\n  "format": "homeoffice-ledger/1",\n')


def test_export_command_writes_a_file_that_imports_back(user, tmp_path):
    build_full_ledger(user)
    path = tmp_path / "out.json"

    out, _ = run("export_ledger", "--user", "alice", "--output", str(path))
    run("import_ledger", str(path), "--user", "bob")

    assert "2 homes, 5 bills, 2 tax years" in out
    assert path.read_text(encoding="utf-8").endswith("}\n")
    bob = get_user_model().objects.get(username="bob")
    assert ledger_export(owner=bob) == ledger_export(owner=user)


def test_export_command_unknown_user(db):
    with pytest.raises(CommandError, match=r"There is no user named 'ghost'\."):
        run("export_ledger", "--user", "ghost")
