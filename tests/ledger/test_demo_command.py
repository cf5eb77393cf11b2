"""`manage.py demo`: the demo user and ledger, loaded idempotently through the ledger file."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from forms8829.chain import year_forms
from forms8829.filing import ledger_archive_restore
from interface.demo_data import demo_ledger
from ledger.ledger_archive import ledger_archive_export
from ledger.ledger_file import ledger_export
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
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


LEDGER_MODELS = (Business, Home, OfficeArea, Improvement, Bill, Receipt, TaxYear, TaxYearHome)


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def demo_counts(user) -> dict[str, int]:
    return {m.__name__: m.objects.filter(owner=user).count() for m in LEDGER_MODELS}


def test_demo_creates_the_user_and_the_ledger():
    out = run_demo()

    user = get_user_model().objects.get(username="demo")
    assert user.is_staff and user.is_active and not user.is_superuser
    assert user.check_password("demo")
    assert "http://127.0.0.1:8000/admin/" in out and "'demo'" in out
    counts = demo_counts(user)
    assert counts["Business"] == 2
    assert counts["Home"] == 2
    assert counts["OfficeArea"] == 4
    assert counts["Improvement"] == 1
    assert counts["TaxYear"] == 3
    assert counts["TaxYearHome"] == 4
    assert counts["Receipt"] == 4
    assert counts["Bill"] > 150
    # Some bills have receipts, most do not.
    assert Bill.objects.filter(owner=user, receipts__isnull=True).exists()
    assert set(Receipt.objects.filter(owner=user).values_list("content_type", flat=True)) == {
        "application/pdf",
        "image/png",
    }
    for receipt in Receipt.objects.filter(owner=user):
        assert receipt.file.storage.exists(receipt.file.name)


def test_demo_ledger_tells_the_story():
    run_demo()
    user = get_user_model().objects.get(username="demo")

    elm = Home.objects.get(owner=user, key="elm")
    harbor = Home.objects.get(owner=user, key="harbor")
    assert (elm.name, elm.ownership, elm.total_area) == ("12 Elm St", "own", Decimal("2000"))
    assert elm.cost_basis and elm.land_value and elm.fmv_at_first_business_use
    assert (harbor.name, harbor.ownership, harbor.cost_basis) == (
        "Apt 4B, 88 Harbor Rd",
        "rent",
        None,
    )
    assert list(elm.office_areas.order_by("start").values_list("area", "start", "end")) == [
        (Decimal("200"), *map(dt.date.fromisoformat, ("2021-03-01", "2023-06-30"))),
        (Decimal("240"), *map(dt.date.fromisoformat, ("2023-07-01", "2025-06-30"))),
    ]
    assert elm.improvements.get().cost == Decimal("12000")
    # The apartment's office room (120 sq ft) is shared: 90 for consulting, 30 for photo prints.
    assert sorted(harbor.office_areas.values_list("business__name", "area")) == [
        ("Consulting", Decimal("90")),
        ("Photo prints", Decimal("30")),
    ]
    assert set(elm.office_areas.values_list("business__name", flat=True)) == {"Consulting"}
    assert list(Business.objects.filter(owner=user).values_list("name", "kind")) == [
        ("Consulting", "sole_proprietor"),
        ("Photo prints", "sole_proprietor"),
    ]
    limits = {
        (h.tax_year.year, h.home.key): h.gross_income_limit
        for h in TaxYearHome.objects.filter(owner=user).select_related("tax_year", "home")
    }
    assert limits[(2023, "elm")] == Decimal("1500")
    assert limits[(2024, "elm")] > Decimal("10000")
    assert {key for year, key in limits if year == 2025} == {"elm", "harbor"}
    # A bill for every month of every year, rent only for the apartment, mortgage only for the
    # house; internet at 50 % business use.
    months = {
        (d.year, d.month) for d in Bill.objects.filter(owner=user).values_list("paid_on", flat=True)
    }
    assert months == {(y, m) for y in (2023, 2024, 2025) for m in range(1, 13)}
    assert set(
        Bill.objects.filter(owner=user, category="rent").values_list("home__key", flat=True)
    ) == {"harbor"}
    assert set(
        Bill.objects.filter(owner=user, category="mortgage_interest").values_list(
            "home__key", flat=True
        )
    ) == {"elm"}
    assert set(
        Bill.objects.filter(owner=user, category="internet").values_list(
            "business_use_percent", flat=True
        )
    ) == {Decimal("50")}
    assert Bill.objects.filter(owner=user, scope="direct", category="repairs").exists()


def test_demo_twice_leaves_the_same_data(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_demo()
    user = get_user_model().objects.get(username="demo")
    first_counts, first_export = demo_counts(user), ledger_export(owner=user)
    TaxYear.objects.filter(owner=user, year=2023).update(filed=True)  # a visitor filed a year

    with django_capture_on_commit_callbacks(execute=True):
        out = run_demo()

    assert out.startswith("Reset the demo ledger")
    assert get_user_model().objects.filter(username="demo").count() == 1
    assert demo_counts(user) == first_counts
    assert ledger_export(owner=user) == first_export
    for receipt in Receipt.objects.filter(owner=user):
        assert receipt.file.storage.exists(receipt.file.name)


def test_demo_user_can_log_in_to_the_admin(client):
    run_demo()

    assert client.login(username="demo", password="demo")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/ledger/bill/").status_code == 200


def test_exported_demo_ledger_reimports_without_error():
    run_demo()
    demo = get_user_model().objects.get(username="demo")
    exported = ledger_export(owner=demo)
    other = UserFactory(username="copy")

    ledger_archive_restore(owner=other, data=ledger_archive_export(owner=demo))

    assert ledger_export(owner=other) == exported


def test_demo_document_is_what_gets_loaded():
    run_demo()
    document = demo_ledger()
    exported = ledger_export(owner=get_user_model().objects.get(username="demo"))

    assert len(exported["bills"]) == len(document["bills"])
    assert [h["key"] for h in exported["homes"]] == ["elm", "harbor"]
    assert exported["tax_years"] == sorted(
        (
            {**year, "homes": sorted(year["homes"], key=lambda h: h["home"])}
            for year in document["tax_years"]
        ),
        key=lambda y: y["year"],
    )


def test_the_apartments_2025_deduction_is_allocated_between_the_two_businesses():
    """The review's allocation box has something to show: two Schedule C businesses in one home,
    split by their areas (no shares given), the house's form all the consulting's."""
    run_demo()
    user = get_user_model().objects.get(username="demo")

    forms = {form.output["home"]: form.output for form in year_forms(owner=user, year=2025).forms}

    harbor = forms["Apt 4B, 88 Harbor Rd"]["businesses"]
    assert [(b["name"], b["share_percent"], b["allocated_by"]) for b in harbor] == [
        ("Consulting", "75.00", "area"),
        ("Photo prints", "25.00", "area"),
    ]
    total = forms["Apt 4B, 88 Harbor Rd"]["schedule_c_line_30"]
    assert sum(Decimal(b["deduction"]) for b in harbor) == Decimal(total) > 0
    assert [b["name"] for b in forms["12 Elm St"]["businesses"]] == ["Consulting"]
