"""Multi-year chains through the rules of the harder cases (docs/tax-rules.md), through the
stored ledger: a casualty loss carried and allowed later, a restart after a year without an
office, a move between two owned homes with taxes above the cap. Each gives the same forms
computed as one chain or year by year, through the `form8829` command, the API and the review.
"""

import datetime as dt
import json
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from forms8829 import chain, filing
from forms8829.models import ComputedForm
from forms8829.selectors import ENGINE_VERSION
from ledger.models import TaxYear
from review.page import year_review
from tests.factories import (
    BillFactory,
    HomeFactory,
    OfficeAreaFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
)

pytestmark = pytest.mark.django_db


def owned_home(user, name="12 Elm St", **fields):
    values = {
        "owner": user,
        "name": name,
        "total_area": D("2000"),
        "cost_basis": D("250000"),
        "land_value": D("50000"),
        "fmv_at_first_business_use": D("300000"),
        "occupied_from": dt.date(2015, 1, 1),
        **fields,
    }
    return HomeFactory(**values)


def year_inputs(user, home, year, income, **tax_year):
    ty = TaxYear.objects.filter(owner=user, year=year).first() or TaxYearFactory(
        owner=user, year=year, itemizes=True, **tax_year
    )
    TaxYearHomeFactory(tax_year=ty, home=home, gross_income_limit=D(income))
    return ty


def lines(output, *keys):
    return {k: output["lines"][k] for k in keys}


def outputs_everywhere(user, year: int) -> list[list[dict]]:
    """The year's form outputs by home: as one chain, year by year, the command, the API and
    the review (each without what is not the form: the API's warnings)."""
    whole_chain = next(y for y in chain.chain_compute(owner=user) if y.year == year)
    alone = chain.year_forms(owner=user, year=year)
    out = StringIO()
    try:
        call_command("form8829", user=user.username, year=year, as_json=True, stdout=out)
    except CommandError as exc:
        assert "there is no Form 8829" in str(exc)
        command = []
    else:
        command = json.loads(out.getvalue())
        command = command if isinstance(command, list) else [command]
    api = APIClient()
    api.force_authenticate(user)
    from_api = [
        {k: v for k, v in form.items() if k != "warnings"}
        for form in api.get(f"/api/forms/{year}/").json()
    ]
    review = year_review(tax_year=TaxYear.objects.get(owner=user, year=year))
    return [
        [f.output for f in whole_chain.forms],
        [f.output for f in alone.forms],
        command,
        from_api,
        [h.form.output for h in review.homes],
    ]


def assert_same_everywhere(user, years) -> dict[int, list[dict]]:
    forms = {}
    for year in years:
        each = outputs_everywhere(user, year)
        assert all(outputs == each[0] for outputs in each), year
        forms[year] = each[0]
    # Stored by a recompute, the forms are the same again.
    filing.chain_recompute(owner=user)
    for year, outputs in forms.items():
        stored = ComputedForm.objects.filter(owner=user, year=year).order_by("home_id")
        assert [f.output for f in stored] == outputs
        assert all(f.engine_version == ENGINE_VERSION for f in stored)
    return forms


def test_casualty_loss_carried_and_allowed_later(user):
    # 10% office, building 200,000 -> line 30 = 20,000 x 2.564% = 512.80 each year.
    home = owned_home(user)
    OfficeAreaFactory(home=home, area=D("200"), start=dt.date(2018, 3, 1))
    for year in (2022, 2023):
        BillFactory(home=home, paid_on=dt.date(year, 6, 1), category="utilities", amount=D("1000"))
    ty = year_inputs(user, home, 2022, "50")
    ty.homes.update(excess_casualty_losses=D("2000"))
    year_inputs(user, home, 2023, "3000")
    forms = assert_same_everywhere(user, [2022, 2023])

    # 2022: line 15 = 50; line 27 = min(50, 100) = 50; line 28 = 0; line 32 = 2,000 + 512.80;
    # nothing allowed: line 44 = 2,512.80 = 2,000 casualty + 512.80 depreciation.
    (y2022,) = forms[2022]
    assert lines(y2022, "27", "29", "30", "33", "35", "36", "43", "44") == {
        "27": "50.00",
        "29": "2000.00",
        "30": "512.80",
        "33": "0.00",
        "35": "0.00",
        "36": "50.00",
        "43": "50.00",
        "44": "2512.80",
    }
    assert y2022["casualty_and_depreciation"]["carryover_out"] == {
        "casualty": "2000.00",
        "depreciation": "512.80",
    }
    # 2023: line 26 = 100 + 50 = 150 = line 27; line 28 = 3,000 - 150 = 2,850; line 32 =
    # 512.80 + 2,512.80 = 3,025.60; line 33 = 2,850: the 2,000 casualty first, 850 depreciation.
    # Line 35 = 2,000 (to Form 4684); line 36 = 3,000 - 2,000 = 1,000; line 44 = 175.60.
    (y2023,) = forms[2023]
    assert lines(y2023, "25", "31", "33", "34", "35", "36", "44") == {
        "25": "50.00",
        "31": "2512.80",
        "33": "2850.00",
        "34": "3000.00",
        "35": "2000.00",
        "36": "1000.00",
        "44": "175.60",
    }
    assert y2023["casualty_and_depreciation"] == {
        "carryover_in": {"casualty": "2000.00", "depreciation": "512.80"},
        "allowed": {"casualty": "2000.00", "depreciation": "850.00"},
        "carryover_out": {"casualty": "0.00", "depreciation": "175.60"},
    }
    # The depreciation ledger counts only depreciation: 0 + 850 allowed.
    ledger = chain.depreciation_ledger(owner=user, home=home)
    assert [(r.year, r.allowable, r.allowed) for r in ledger.rows] == [
        (2022, D("512.80"), D("0.00")),
        (2023, D("512.80"), D("850.00")),
    ]
    assert (ledger.total_allowed, ledger.after_may_6_1997) == (D("850.00"), D("1025.60"))


def test_restart_after_a_year_without_an_office(user):
    home = owned_home(user)
    OfficeAreaFactory(home=home, area=D("200"), start=dt.date(2021, 1, 1), end=dt.date(2022, 6, 30))
    OfficeAreaFactory(
        home=home,
        area=D("200"),
        start=dt.date(2024, 4, 1),
        restart_adjusted_basis=D("240000"),
        restart_fmv=D("280000"),
        restart_land_value=D("60000"),
    )
    BillFactory(home=home, paid_on=dt.date(2022, 3, 1), category="utilities", amount=D("1000"))
    year_inputs(user, home, 2022, "100")
    TaxYearFactory(owner=user, year=2023, itemizes=True)  # no office: no Form 8829
    year_inputs(user, home, 2024, "100000")
    forms = assert_same_everywhere(user, [2022, 2023, 2024])

    # 2022: recovery year 2 of a January placing in service, stopped June 30:
    # 2.564 x (6 - 0.5) / 12 = 1.17516 -> 1.175; 20,000 x 1.175% = 235.00. Line 27 = 100 (the
    # limit), line 28 = 0: line 44 = 235.00.
    (y2022,) = forms[2022]
    assert lines(y2022, "37", "41", "42", "27", "44") == {
        "37": "250000.00",
        "41": "1.175",
        "42": "235.00",
        "27": "100.00",
        "44": "235.00",
    }
    assert forms[2023] == []
    # 2024: a new placing in service on April 1: line 37 = min(240,000, 280,000), land 60,000,
    # 180,000 x 10% = 18,000 x 1.819% (April, year 1) = 327.42. Line 31 = 235.00 kept through
    # 2023; line 33 = 327.42 + 235.00 = 562.42.
    (y2024,) = forms[2024]
    assert lines(y2024, "31", "37", "38", "39", "40", "41", "42", "33", "44") == {
        "31": "235.00",
        "37": "240000.00",
        "38": "60000.00",
        "39": "180000.00",
        "40": "18000.00",
        "41": "1.819",
        "42": "327.42",
        "33": "562.42",
        "44": "0.00",
    }
    assert any("Business use started again on 2024-04-01" in n for n in y2024["notes"])
    ledger = chain.depreciation_ledger(owner=user, home=home)
    assert [
        [(p.placed_in_service, p.restart, p.allowable) for p in row.placements]
        for row in ledger.rows
    ] == [
        [(dt.date(2021, 1, 1), False, D("235.00"))],
        [(dt.date(2024, 4, 1), True, D("327.42"))],
    ]


def test_restart_without_its_basis_gets_no_depreciation_and_says_so(user):
    home = owned_home(user)
    OfficeAreaFactory(home=home, area=D("200"), start=dt.date(2021, 1, 1), end=dt.date(2024, 3, 31))
    OfficeAreaFactory(home=home, area=D("200"), start=dt.date(2024, 4, 4))
    year_inputs(user, home, 2024, "100000")
    (form,) = chain.year_forms(owner=user, year=2024).forms
    notes = form.output["notes"]
    assert any("until then the restart gets no depreciation" in n for n in notes)
    assert any("after a gap of 3 day(s)" in n for n in notes)  # April 1-3: a likely slip
    # Only the first placing in service, stopped March 31: 2.564 x 2.5 / 12 = 0.534.
    assert lines(form.output, "41", "42") == {"41": "0.534", "42": "106.80"}


def test_move_between_two_owned_homes_with_taxes_above_the_cap(user):
    old = owned_home(user, "Old house", occupied_to=dt.date(2024, 6, 30))
    OfficeAreaFactory(home=old, area=D("200"), start=dt.date(2020, 1, 1))
    new = owned_home(user, "New house", total_area=D("2500"), occupied_from=dt.date(2024, 7, 1))
    OfficeAreaFactory(home=new, area=D("250"), start=dt.date(2024, 7, 1))
    BillFactory(home=old, paid_on=dt.date(2024, 3, 1), category="real_estate_tax", amount=D("3000"))
    BillFactory(home=new, paid_on=dt.date(2024, 9, 1), category="real_estate_tax", amount=D("4000"))
    year_inputs(user, old, 2024, "10000", state_local_income_or_sales_tax=D("5000"))
    year_inputs(user, new, 2024, "10000")
    forms = assert_same_everywhere(user, [2024])
    by_home = {f["home"]: f for f in forms[2024]}
    # Each worksheet: line 1 5,000 + line 2 this home's + line 3 the other home's = 12,000 >
    # 10,000. Old: WS6 = 10% x 3,000 = 300, WS7 = 11,700, WS9 = 0 -> 11(a) 0, 17(a) 300.
    # New: WS6 = 10% x 4,000 = 400, WS7 = 11,600 -> 0 / 400. (Each home's taxes alone, with
    # the state tax, stay under 10,000, and would have escaped the cap on line 11(b).)
    assert lines(by_home["Old house"], "11a", "11b", "17a", "14") == {
        "11a": "0.00",
        "11b": "0.00",
        "17a": "300.00",
        "14": "0.00",
    }
    assert lines(by_home["New house"], "11a", "11b", "17a", "14") == {
        "11a": "0.00",
        "11b": "0.00",
        "17a": "400.00",
        "14": "0.00",
    }
    stored = {f.output["home"]: f for f in ComputedForm.objects.filter(owner=user, year=2024)}
    worksheet = stored["Old house"].details["line_11_worksheet"]
    assert (
        worksheet["line_2_real_estate_taxes_this_home"],
        worksheet["line_3_other_real_estate_taxes"],
        worksheet["line_5_total_taxes"],
    ) == ("3000.00", "4000.00", "12000.00")


def test_a_form_filed_under_earlier_rules_is_kept_and_compared(user):
    home = owned_home(user)
    OfficeAreaFactory(home=home, area=D("200"), start=dt.date(2018, 3, 1))
    BillFactory(home=home, paid_on=dt.date(2023, 6, 1), category="utilities", amount=D("1000"))
    ty = year_inputs(user, home, 2023, "20000")
    filing.tax_year_file(tax_year=ty)
    form = ComputedForm.objects.get(owner=user, year=2023)
    assert chain.year_forms(owner=user, year=2023).warnings == []
    # As an upgrade finds it: computed under version 1, its line 21(b) then 900.00.
    output = dict(form.output)
    output["lines"] = {**output["lines"], "21b": "900.00"}
    ComputedForm.objects.filter(pk=form.pk).update(
        engine_version="1", inputs_fingerprint="old", output=output
    )
    (warning,) = chain.year_forms(owner=user, year=2023).warnings
    assert "was filed under earlier rules" in warning and "line 21b would differ" in warning
    assert chain.year_forms(owner=user, year=2023).forms[0].output["lines"]["21b"] == "900.00"
    # The same numbers under the new rules: no warning.
    ComputedForm.objects.filter(pk=form.pk).update(output=form.output)
    assert chain.year_forms(owner=user, year=2023).warnings == []


def test_direct_bills_name_their_office_area(user):
    # 2023: 200 sq ft exclusive + 400 sq ft daycare of 2,000; 4,380 of 8,760 hours: line 6 = .5,
    # line 7 = 10% + 20% x .5 = 20%. Direct repairs: office 100 in full, daycare room 300 x .5 =
    # 150, and 200 naming no area, taken as the daycare area's (project rule) x .5 = 100.
    home = owned_home(user)
    office = OfficeAreaFactory(home=home, area=D("200"), start=dt.date(2020, 1, 1))
    room = OfficeAreaFactory(
        home=home, name="Daycare", area=D("400"), use="daycare", start=dt.date(2020, 1, 1)
    )
    for amount, area in (("100", office), ("300", room), ("200", None)):
        BillFactory(
            home=home,
            paid_on=dt.date(2023, 5, 1),
            category="repairs",
            scope="direct",
            amount=D(amount),
            office_area=area,
        )
    year_inputs(user, home, 2023, "50000")
    TaxYear.objects.get(owner=user, year=2023).homes.update(daycare_hours=D("4380"))
    (form,) = chain.year_forms(owner=user, year=2023).forms
    assert lines(form.output, "6", "7", "20a") == {"6": "0.5000", "7": "20.00", "20a": "350.00"}
    assert any("name no office area" in n for n in form.output["notes"])


def test_tax_year_inputs_reach_the_form(user):
    # Office from July 1, 2026: mortgage interest 1,000 paid on the 1st of each month -> 6,000
    # in business use of 12,000 paid; Schedule A limit 9,000 = 75% -> 10(b) 4,500 + premiums.
    # Premiums 1,200 in July, AGI 104,500: 5 steps -> 50% -> 600 deductible, 600 excess.
    home = owned_home(user, occupied_from=dt.date(2015, 1, 1))
    OfficeAreaFactory(home=home, area=D("200"), start=dt.date(2026, 7, 1))
    for month in range(1, 13):
        BillFactory(
            home=home,
            paid_on=dt.date(2026, month, 1),
            category="mortgage_interest",
            amount=D("1000"),
        )
    BillFactory(
        home=home, paid_on=dt.date(2026, 7, 1), category="mortgage_insurance", amount=D("1200")
    )
    year_inputs(user, home, 2026, "50000", adjusted_gross_income=D("104500"))
    TaxYear.objects.get(owner=user, year=2026).homes.update(
        mortgage_interest_schedule_a_limit=D("9000")
    )
    (form,) = chain.year_forms(owner=user, year=2026).forms
    assert lines(form.output, "10b", "16b") == {"10b": "5100.00", "16b": "2100.00"}


def test_land_fmv_and_disaster_loss_from_the_ledger(user):
    # Land 50,000 but worth 40,000 when business use began: line 38 = 40,000; 210,000 x 10% x
    # 2.564% = 538.44. A standard-deduction filer with a net qualified disaster loss keeps the
    # 1,000 casualty loss on line 9(b).
    home = owned_home(user, land_fmv_at_first_business_use=D("40000"))
    OfficeAreaFactory(home=home, area=D("200"), start=dt.date(2020, 1, 1))
    ty = TaxYearFactory(owner=user, year=2024, itemizes=False, net_qualified_disaster_loss=True)
    TaxYearHomeFactory(
        tax_year=ty, home=home, gross_income_limit=D("50000"), casualty_losses_indirect=D("1000")
    )
    (form,) = chain.year_forms(owner=user, year=2024).forms
    assert lines(form.output, "38", "42", "9b", "29") == {
        "38": "40000.00",
        "42": "538.44",
        "9b": "1000.00",
        "29": "0.00",
    }
