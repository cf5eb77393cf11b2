"""Businesses in the ledger file (docs/ledger-format.md §1): the top-level `businesses`, each
office area's `business`, a tax year's home's `other_business_expenses` and `business_shares`;
files from before businesses; errors named by their JSON path."""

import copy
import json
from decimal import Decimal

import pytest

from forms8829.chain import FormError, year_forms
from forms8829.filing import ledger_file_import
from ledger.ledger_file import LedgerFileError, ledger_export
from ledger.ledger_stream import ledger_file_chunks
from ledger.models import Business, BusinessShare, Home, OfficeArea, TaxYearHome
from tests.factories import (
    BusinessFactory,
    HomeFactory,
    OfficeAreaFactory,
    UserFactory,
    ledger_file_businesses,
)
from tests.factories import ledger_file_document as base_document

pytestmark = pytest.mark.django_db


def document(**changes) -> dict:
    """A file of two Schedule C businesses sharing one home, their 2024 shares and line 11."""
    data = ledger_file_businesses(base_document(bills=2))
    for path, value in changes.items():
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return data


def errors_of(owner, data, **kwargs) -> list[str]:
    with pytest.raises(LedgerFileError) as exc_info:
        ledger_file_import(owner=owner, data=data, **kwargs)
    return exc_info.value.errors


def nothing_of(owner) -> bool:
    return not any(
        model.objects.filter(owner=owner).exists()
        for model in (Business, Home, OfficeArea, TaxYearHome, BusinessShare)
    )


# --- Round trip --------------------------------------------------------------------------------


def test_businesses_round_trip_through_the_file_and_the_stream(user):
    ledger_file_import(owner=user, data=document())

    exported = ledger_export(owner=user)
    assert exported["businesses"] == document()["businesses"]
    areas = exported["homes"][0]["office_areas"]
    assert [(a["name"], a["business"]) for a in areas] == [
        ("Office", "Design studio"),
        ("Desk", "Tutoring"),
    ]
    (year_home,) = exported["tax_years"][0]["homes"]
    assert year_home["business_shares"] == document()["tax_years"][0]["homes"][0]["business_shares"]
    # The streamed file (the command, the API, the archive) writes the same bytes.
    assert "".join(ledger_file_chunks(owner=user)) == json.dumps(exported, indent=2)

    fresh = UserFactory(username="fresh")
    ledger_file_import(owner=fresh, data=json.loads(json.dumps(exported)))
    assert ledger_export(owner=fresh) == exported


def test_the_first_business_stays_first_after_a_round_trip(user):
    """The businesses are written in the order they were made, which an import keeps: the
    default business (an office area saved without one) is the same after a move."""
    later = BusinessFactory(owner=user, name="A farm", kind=Business.Kind.FARM)
    home = HomeFactory(owner=user)
    OfficeAreaFactory(home=home, business=later)
    OfficeAreaFactory(home=home, name="Desk", area=Decimal("10"))  # the default: the farm
    assert Business.default_for(user.pk) == later

    BusinessFactory(owner=user, name="0 first by name", kind=Business.Kind.PARTNER)
    exported = ledger_export(owner=user)
    assert [b["name"] for b in exported["businesses"]] == ["A farm", "0 first by name"]

    fresh = UserFactory(username="fresh")
    ledger_file_import(owner=fresh, data=exported)
    assert Business.default_for(fresh.pk).name == "A farm"
    assert ledger_export(owner=fresh) == exported


def test_business_shares_are_left_out_when_a_home_has_none(user):
    ledger_file_import(owner=user, data=document(**{"tax_years.0.homes.0.business_shares": []}))

    (year_home,) = ledger_export(owner=user)["tax_years"][0]["homes"]
    assert "business_shares" not in year_home
    assert year_home["other_business_expenses"] == "0.00"


def test_other_business_expenses_are_read_like_money(user):
    data = document(**{"tax_years.0.homes.0.other_business_expenses": "$1,200.50"})
    ledger_file_import(owner=user, data=data)

    assert TaxYearHome.objects.get(owner=user).other_business_expenses == Decimal("1200.50")


def test_a_kind_by_its_label_and_a_percent_with_a_sign_are_read(user):
    data = document(
        **{
            "businesses.1.kind": "Statutory employee (Schedule C)",
            "tax_years.0.homes.0.business_shares.1.percent": "30%",
            "homes.0.office_areas.1.business": "TUTORING",  # any case, when only one has it
        }
    )
    ledger_file_import(owner=user, data=data)

    tutoring = Business.objects.get(owner=user, name="Tutoring")
    assert tutoring.kind == Business.Kind.STATUTORY_EMPLOYEE
    assert tutoring.office_areas.get().name == "Desk"
    assert BusinessShare.objects.get(business=tutoring).percent == Decimal("30.00")


def test_a_business_without_a_kind_is_a_sole_proprietorship(user):
    data = document(**{"businesses.1": {"name": "Tutoring"}})
    ledger_file_import(owner=user, data=data)

    assert Business.objects.get(owner=user, name="Tutoring").kind == "sole_proprietor"


# --- Files from before businesses --------------------------------------------------------------


def test_a_file_without_businesses_gives_its_office_areas_one_schedule_c_business(user):
    summary = ledger_file_import(owner=user, data=base_document(bills=1))

    (business,) = Business.objects.filter(owner=user)
    assert (business.name, business.kind) == (Business.DEFAULT_NAME, "sole_proprietor")
    assert [a.business_id for a in OfficeArea.objects.filter(owner=user)] == [business.pk]
    assert summary.businesses == 1
    assert str(summary).endswith(", 1 business")


def test_without_replace_a_file_without_businesses_uses_your_first_business(user):
    mine = BusinessFactory(owner=user, name="Bakery")
    BusinessFactory(owner=user, name="Later")

    summary = ledger_file_import(owner=user, data=base_document(bills=1))

    assert Business.objects.filter(owner=user).count() == 2
    assert OfficeArea.objects.get(owner=user).business == mine
    assert summary.businesses == 0


def test_with_replace_an_old_file_replaces_your_businesses_too(user):
    BusinessFactory(owner=user, name="Orchard", kind=Business.Kind.FARM)

    ledger_file_import(owner=user, data=base_document(bills=1), replace=True)

    assert list(Business.objects.filter(owner=user).values_list("name", "kind")) == [
        ("My business", "sole_proprietor")
    ]


def test_a_file_with_businesses_but_an_area_without_one_uses_the_first(user):
    data = document()
    del data["homes"][0]["office_areas"][1]["business"]

    ledger_file_import(owner=user, data=data)

    assert OfficeArea.objects.get(owner=user, name="Desk").business.name == "Design studio"
    assert not Business.objects.filter(owner=user, name="My business").exists()


# --- Adding to a ledger (no replace) -----------------------------------------------------------


def test_without_replace_a_business_you_have_is_named_again_not_doubled(user):
    studio = BusinessFactory(owner=user, name="Design studio")

    summary = ledger_file_import(owner=user, data=document())

    assert Business.objects.filter(owner=user).count() == 2
    assert OfficeArea.objects.get(owner=user, name="Office").business == studio
    assert summary.businesses == 1  # Tutoring


def test_without_replace_an_area_may_name_a_business_only_your_ledger_has(user):
    BusinessFactory(owner=user, name="Bakery", kind=Business.Kind.FARM)
    data = document(**{"homes.0.office_areas.1.business": "Bakery"})
    data["tax_years"][0]["homes"][0]["business_shares"][1]["business"] = "Bakery"

    ledger_file_import(owner=user, data=data)

    assert OfficeArea.objects.get(owner=user, name="Desk").business.name == "Bakery"


def test_without_replace_a_business_you_have_keeps_its_kind(user):
    BusinessFactory(owner=user, name="Tutoring", kind=Business.Kind.FARM)

    assert errors_of(user, document()) == [
        "businesses[1].kind: you already have the business 'Tutoring' as Farm (Schedule F); "
        "change its kind first, or import with replace to replace your whole ledger"
    ]
    assert Business.objects.filter(owner=user).count() == 1


# --- Errors, by their path ---------------------------------------------------------------------


def test_every_business_error_is_named_by_its_path_and_nothing_is_saved(user):
    data = document()
    data["businesses"].append({"name": "Design studio", "kind": "llc"})
    data["businesses"].append({"name": 12, "kind": "farm"})
    data["homes"][0]["office_areas"][0]["business"] = "Orchard"
    data["homes"][0]["office_areas"][1]["business"] = ["Tutoring"]
    data["tax_years"][0]["homes"][0]["business_shares"] = [
        {"business": "Design studio", "percent": "101"},
        {"business": "Design studio", "percent": "30"},
        {"percent": "10"},
        {"business": "Nobody", "percent": "5"},
        {"business": "Tutoring"},
        {"business": "Tutoring", "percent": "1", "share": "x"},
        "half",
    ]

    errors = errors_of(user, data)

    kinds = ", ".join(f'"{k}"' for k in Business.Kind.values)
    assert errors == [
        "businesses[2].name: 'Design studio' is already the name of businesses[0]",
        f'businesses[2].kind: must be one of {kinds}, not "llc"',
        "businesses[3].name: must be text in quotes, not 12",
        "homes[0].office_areas[0].business: no business named 'Orchard' in this file or your "
        'ledger; list it in the file\'s "businesses" (name and kind)',
        "homes[0].office_areas[1].business: must be text in quotes, not a list",
        "tax_years[0].homes[0].business_shares[0].percent: must be <= 100",
        "tax_years[0].homes[0].business_shares[1].business: 'Design studio' is already listed "
        "at tax_years[0].homes[0].business_shares[0]",
        "tax_years[0].homes[0].business_shares[2].business: is required",
        "tax_years[0].homes[0].business_shares[3].business: no business named 'Nobody' in this "
        'file or your ledger; list it in the file\'s "businesses" (name and kind)',
        "tax_years[0].homes[0].business_shares[4].percent: is required",
        "tax_years[0].homes[0].business_shares[5].business: 'Tutoring' is already listed at "
        "tax_years[0].homes[0].business_shares[4]",
        "tax_years[0].homes[0].business_shares[5].share: unknown field",
        'tax_years[0].homes[0].business_shares[6]: must be an object {...}, not "half"',
    ]
    assert nothing_of(user)


def test_with_replace_an_unknown_business_is_not_looked_for_in_your_ledger(user):
    BusinessFactory(owner=user, name="Bakery")
    data = document(**{"homes.0.office_areas.1.business": "Bakery"})

    assert errors_of(user, data, replace=True) == [
        "homes[0].office_areas[1].business: no business named 'Bakery' in this file; list it in "
        'the file\'s "businesses" (name and kind)'
    ]
    assert Business.objects.get(owner=user).name == "Bakery"


def test_businesses_must_be_a_list_and_unknown_fields_are_named(user):
    assert errors_of(user, document(businesses={"name": "x"})) == [
        "businesses: must be a list, not an object"
    ]
    data = document()
    data["businesses"][0]["kinds"] = "farm"
    assert errors_of(user, data) == ['businesses[0].kinds: unknown field; did you mean "kind"?']


def test_shares_that_do_not_add_up_are_the_engines_to_report(user):
    """Shares are entered one at a time in the admin and the API, so a ledger may hold shares
    that do not (yet) add up to 100%; the file carries them like the ledger does (a round trip
    loses nothing) and the engine says what is wrong, on the review and the forms."""
    data = document(**{"tax_years.0.homes.0.business_shares.1.percent": "20"})

    ledger_file_import(owner=user, data=data)

    assert sorted(BusinessShare.objects.filter(owner=user).values_list("percent", flat=True)) == [
        Decimal("20.00"),
        Decimal("70.00"),
    ]
    with pytest.raises(FormError, match=r"add up to 90\.00%, not 100%"):
        year_forms(owner=user, year=2024).forms  # noqa: B018
    assert ledger_export(owner=user)["tax_years"][0]["homes"][0]["business_shares"][1] == {
        "business": "Tutoring",
        "percent": "20.00",
    }


def test_an_import_is_checked_against_a_copy_not_the_callers_document(user):
    data = document()
    before = copy.deepcopy(data)
    ledger_file_import(owner=user, data=data)
    assert data == before
