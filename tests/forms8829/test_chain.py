"""The carryover chain through the stored ledger: selectors, services, the form8829 command.

Hand-checked cases for each rule of the spec that depends on dates and the chain of years.
"""

import datetime as dt
import json
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms8829 import chain, filing
from forms8829.models import ComputedForm
from ledger.models import Bill, OfficeArea, TaxYear, TaxYearHome
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

SPEC_BILLS = [  # the three-year chain of docs/tax-rules.md §8: (category, amount, scope)
    ("mortgage_interest", "10000", "indirect"),
    ("real_estate_tax", "4000", "indirect"),
    ("insurance", "1000", "indirect"),
    ("repairs", "2000", "indirect"),
    ("utilities", "3000", "indirect"),
    ("other", "100", "direct"),
]


def spec_home(user, first_use=dt.date(2018, 3, 1)):
    home = HomeFactory(
        owner=user,
        name="12 Elm St",
        total_area=D("2000"),
        cost_basis=D("250000"),
        land_value=D("50000"),
        fmv_at_first_business_use=D("300000"),
        occupied_from=dt.date(2015, 1, 1),
    )
    OfficeAreaFactory(home=home, area=D("200"), start=first_use)
    return home


def spec_year(user, home, year, income, method="regular"):
    for category, amount, scope in SPEC_BILLS:
        BillFactory(
            home=home,
            paid_on=dt.date(year, 6, 1),
            payee=category,
            category=category,
            amount=D(amount),
            scope=scope,
        )
    ty = TaxYearFactory(owner=user, year=year, itemizes=True)
    TaxYearHomeFactory(tax_year=ty, home=home, gross_income_limit=D(income), method=method)
    return ty


def lines(form, *keys):
    return {k: form.output["lines"][k] for k in keys}


def only_form(chain_year):
    assert len(chain_year.forms) == 1
    return chain_year.forms[0]


KEYS = ("8", "25", "31", "27", "33", "36", "43", "44")


@pytest.fixture
def spec_chain(user):
    home = spec_home(user)
    for year, income in [(2022, "1500"), (2023, "1500"), (2024, "20000")]:
        spec_year(user, home, year, income)
    return home


def test_three_year_chain_through_the_ledger(user, spec_chain):
    chain = filing.chain_recompute(owner=user)
    got = [lines(only_form(y), *KEYS) for y in chain]
    assert got == [
        dict(zip(KEYS, row, strict=True))
        for row in [
            ("1500.00", "0.00", "0.00", "100.00", "0.00", "1500.00", "600.00", "512.80"),
            ("1500.00", "600.00", "512.80", "100.00", "0.00", "1500.00", "1200.00", "1025.60"),
            ("20000.00", "1200.00", "1025.60", "1900.00", "1538.40", "4838.40", "0.00", "0.00"),
        ]
    ]
    assert ComputedForm.objects.filter(owner=user).count() == 3


def test_three_year_chain_from_an_imported_ledger_file(user):
    from ledger.ledger_file import ledger_import

    bills = [
        {
            "home": "elm",
            "paid_on": f"{year}-06-01",
            "payee": category,
            "category": category,
            "amount": amount,
            "scope": scope,
        }
        for year in (2022, 2023, 2024)
        for category, amount, scope in SPEC_BILLS
    ]
    ledger = {
        "format": "homeoffice-ledger/1",
        "homes": [
            {
                "key": "elm",
                "name": "12 Elm St",
                "total_area": "2000",
                "area_method": "square_feet",
                "ownership": "own",
                "occupied_from": "2015-01-01",
                "cost_basis": "250000.00",
                "land_value": "50000.00",
                "fmv_at_first_business_use": "300000.00",
                "office_areas": [
                    {"name": "Office", "area": "200", "use": "exclusive", "start": "2018-03-01"}
                ],
                "improvements": [],
            }
        ],
        "bills": bills,
        "tax_years": [
            {
                "year": year,
                "filing_status": "single",
                "itemizes": True,
                "homes": [{"home": "elm", "method": "regular", "gross_income_limit": income}],
            }
            for year, income in [(2022, "1500.00"), (2023, "1500.00"), (2024, "20000.00")]
        ],
    }
    ledger_import(owner=user, data=ledger)
    out = StringIO()
    call_command("form8829", user=user.username, year=2024, as_json=True, stdout=out)
    form = json.loads(out.getvalue())
    assert form["year"] == 2024 and form["home"] == "12 Elm St" and form["method"] == "regular"
    assert {k: form["lines"][k] for k in KEYS} == dict(
        zip(
            KEYS,
            ("20000.00", "1200.00", "1025.60", "1900.00", "1538.40", "4838.40", "0.00", "0.00"),
            strict=True,
        )
    )
    assert form["schedule_c_line_30"] == "4838.40"
    assert form["lines"]["41"] == "2.564" and form["lines"]["42"] == "512.80"


def test_editing_an_earlier_bill_changes_later_carry_ins_on_next_read(user, spec_chain):
    filing.chain_recompute(owner=user)
    bill = Bill.objects.get(owner=user, tax_year=2022, category="utilities")
    bill.amount = D("4000")  # +1,000 indirect -> +100 business share in 2022
    bill.save()
    chain = filing.chain_recompute(owner=user)
    assert lines(only_form(chain[0]), "43")["43"] == "700.00"
    assert lines(only_form(chain[1]), "25", "43") == {"25": "700.00", "43": "1300.00"}
    assert lines(only_form(chain[2]), "25")["25"] == "1300.00"


def test_simplified_year_between_regular_years_keeps_the_carryover(user):
    home = spec_home(user)
    spec_year(user, home, 2022, "1500")
    spec_year(user, home, 2023, "5000", method="simplified")
    spec_year(user, home, 2024, "20000")
    chain = filing.chain_recompute(owner=user)
    simplified = only_form(chain[1])
    assert simplified.output["lines"] is None
    worksheet = simplified.output["simplified_worksheet"]
    assert worksheet["2"] == "200.00" and worksheet["5"] == "1000.00"
    assert (worksheet["6a"], worksheet["6b"]) == ("600.00", "512.80")
    assert simplified.depreciation_allowable == 0
    # The next regular year picks the carryover up untouched, and uses the 2-39 rate.
    assert lines(only_form(chain[2]), "25", "31", "41") == {
        "25": "600.00",
        "31": "512.80",
        "41": "2.564",
    }


def test_year_without_a_tax_year_passes_the_carryover_on(user):
    home = spec_home(user)
    spec_year(user, home, 2022, "1500")
    spec_year(user, home, 2024, "20000")  # 2023 has no tax year: no Form 8829 that year
    chain = filing.chain_recompute(owner=user)
    assert [y.year for y in chain] == [2022, 2024]
    assert lines(only_form(chain[1]), "25", "31") == {"25": "600.00", "31": "512.80"}


def test_move_mid_year_gives_two_forms_and_carry_goes_to_largest_line_8(user):
    old = spec_home(user, first_use=dt.date(2020, 1, 1))
    old.occupied_to = dt.date(2024, 6, 30)
    old.save()
    new = RentedHomeFactory(owner=user, name="Apt 4B", total_area=D("900"))
    new.occupied_from = dt.date(2024, 7, 1)
    new.save()
    OfficeAreaFactory(home=new, area=D("90"), start=dt.date(2024, 7, 1))
    ty = TaxYearFactory(owner=user, year=2024, itemizes=False)
    TaxYearHomeFactory(tax_year=ty, home=old, gross_income_limit=D("3000"))
    TaxYearHomeFactory(tax_year=ty, home=new, gross_income_limit=D("9000"))
    BillFactory(home=old, paid_on=dt.date(2024, 3, 1), category="utilities", amount=D("300"))
    # Paid after moving out: not a business-use day of the old home (project rule,
    # docs/tax-rules.md §3).
    BillFactory(home=old, paid_on=dt.date(2024, 8, 1), category="utilities", amount=D("999"))
    BillFactory(home=new, paid_on=dt.date(2024, 8, 1), category="rent", amount=D("1500"))
    forms = {f.output["home"]: f for f in chain.year_forms(owner=user, year=2024).forms}
    assert set(forms) == {"12 Elm St", "Apt 4B"}
    assert forms["12 Elm St"].output["lines"]["21b"] == "300.00"
    assert forms["Apt 4B"].output["lines"]["19b"] == "1500.00"
    assert forms["Apt 4B"].output["lines"]["37"] is None  # renters: no Part III
    assert forms["Apt 4B"].receives_carryover and not forms["12 Elm St"].receives_carryover
    # Old home: business use stops June 30 -> stop-year rate 2.564 x 5.5 / 12.
    assert forms["12 Elm St"].output["lines"]["41"] == "1.175"


def test_carryover_goes_to_the_chosen_home(user):
    a = spec_home(user, first_use=dt.date(2020, 1, 1))
    b = HomeFactory(owner=user, name="Cabin", occupied_from=dt.date(2015, 1, 1))
    OfficeAreaFactory(home=b, area=D("100"), start=dt.date(2020, 1, 1))
    spec_year(user, a, 2022, "1500")
    ty = TaxYearFactory(owner=user, year=2023)
    TaxYearHomeFactory(tax_year=ty, home=a, gross_income_limit=D("50000"))
    TaxYearHomeFactory(tax_year=ty, home=b, gross_income_limit=D("10000"), receives_carryover=True)
    forms = {f.output["home"]: f for f in chain.year_forms(owner=user, year=2023).forms}
    assert forms["Cabin"].output["lines"]["25"] == "600.00"
    assert forms["12 Elm St"].output["lines"]["25"] == "0.00"


def test_office_enlarged_mid_year_uses_the_day_weighted_area(user):
    home = HomeFactory(owner=user, total_area=D("2000"), occupied_from=dt.date(2015, 1, 1))
    OfficeAreaFactory(home=home, area=D("200"), start=dt.date(2020, 1, 1), end=dt.date(2023, 6, 30))
    OfficeAreaFactory(home=home, area=D("300"), start=dt.date(2023, 7, 1))
    TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2023, home=home)
    form = only_form(chain.year_forms(owner=user, year=2023))
    # (181 x 200 + 184 x 300) / 365 = 250.41
    assert form.output["lines"]["1"] == "250.41"
    assert form.output["lines"]["3"] == "12.52"
    assert any("day-weighted" in note for note in form.output["notes"])


def test_office_started_mid_year_prorates_bills_with_a_service_period(user):
    home = HomeFactory(owner=user, occupied_from=dt.date(2015, 1, 1))
    OfficeAreaFactory(home=home, area=D("200"), start=dt.date(2024, 3, 16))
    TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024, home=home)
    # Service March 1-31 (31 days), 16 of them in business use: 100 x 16 / 31 = 51.61.
    BillFactory(
        home=home,
        paid_on=dt.date(2024, 4, 2),
        category="utilities",
        amount=D("100.00"),
        service_start=dt.date(2024, 3, 1),
        service_end=dt.date(2024, 3, 31),
    )
    BillFactory(  # entirely before business use: nothing
        home=home,
        paid_on=dt.date(2024, 3, 20),
        category="utilities",
        amount=D("80.00"),
        service_start=dt.date(2024, 2, 1),
        service_end=dt.date(2024, 2, 29),
    )
    BillFactory(home=home, paid_on=dt.date(2024, 5, 2), category="utilities", amount=D("10"))
    BillFactory(home=home, paid_on=dt.date(2024, 1, 2), category="utilities", amount=D("7"))
    form = only_form(chain.year_forms(owner=user, year=2024))
    assert form.output["lines"]["21b"] == "61.61"
    # First year of use, March: 2.033%.
    assert form.output["lines"]["41"] == "2.033"


def test_daycare_started_mid_year(user):
    home = HomeFactory(owner=user, total_area=D("3200"), occupied_from=dt.date(2015, 1, 1))
    OfficeAreaFactory(home=home, area=D("1600"), use="daycare", start=dt.date(2024, 7, 1))
    TaxYearHomeFactory(
        tax_year__owner=user, tax_year__year=2024, home=home, daycare_hours=D("1000")
    )
    form = only_form(chain.year_forms(owner=user, year=2024))
    got = {k: form.output["lines"][k] for k in ("1", "3", "4", "5", "6", "7")}
    # 184 days x 24 = 4,416 hours available; 1000 / 4416 = .2264; 50% x .2264 = 11.32%
    assert got == {
        "1": "1600.00",
        "3": "50.00",
        "4": "1000.00",
        "5": "4416.00",
        "6": "0.2264",
        "7": "11.32",
    }


def test_improvement_after_business_use_began_is_depreciated_separately(user):
    home = spec_home(user)
    ImprovementFactory(home=home, cost=D("12000"), placed_in_service=dt.date(2023, 5, 10))
    spec_year(user, home, 2023, "50000")
    form = only_form(chain.year_forms(owner=user, year=2023))
    # Building 512.80 + roof 12,000 x 10% x 1.605% (May, year 1) = 19.26
    assert form.output["lines"]["42"] == "532.06"
    statement = form.details["improvement_statement"]
    assert statement[0]["description"] == "New roof"
    assert statement[0]["depreciation"] == "19.26"


def test_internet_and_phone_are_schedule_c_amounts(user):
    home = spec_home(user)
    spec_year(user, home, 2024, "20000")
    for month in range(1, 13):
        BillFactory(
            home=home,
            paid_on=dt.date(2024, month, 5),
            category="internet",
            amount=D("70"),
            business_use_percent=D("50"),
        )
    BillFactory(home=home, paid_on=dt.date(2024, 2, 5), category="phone", amount=D("40"))
    form = only_form(chain.year_forms(owner=user, year=2024))
    assert form.output["schedule_c_other"] == {"internet": "420.00", "phone": "0.00"}
    assert any("without a business-use percent" in n for n in form.output["notes"])
    assert form.output["lines"]["21b"] == "3000.00"  # not on the form


def test_two_simplified_homes_in_a_year_are_refused(user):
    ty = TaxYearFactory(owner=user, year=2024)
    for name in ("A", "B"):
        home = HomeFactory(owner=user, name=name, occupied_from=dt.date(2015, 1, 1))
        OfficeAreaFactory(home=home, start=dt.date(2020, 1, 1))
        TaxYearHome.objects.create(owner=user, tax_year=ty, home=home, method="simplified")
    with pytest.raises(chain.FormError, match="one home only"):
        chain.year_forms(owner=user, year=2024)


def test_unsupported_and_missing_years_are_clear_errors(user, spec_chain):
    with pytest.raises(chain.FormError, match="supported years are 2018-2026"):
        chain.year_forms(owner=user, year=2017)
    with pytest.raises(chain.FormError, match="no tax year 2021"):
        chain.year_forms(owner=user, year=2021)


# --- Filed years -------------------------------------------------------------------------------


def test_filed_year_is_frozen_and_edits_that_would_change_it_are_refused(user, spec_chain):
    ty_2023 = TaxYear.objects.get(owner=user, year=2023)
    filing.tax_year_file(tax_year=ty_2023)
    frozen = ComputedForm.objects.get(owner=user, year=2023)

    bill = Bill.objects.get(owner=user, tax_year=2023, category="utilities")
    bill.amount = D("1")
    # No surrounding transaction: the batch's own rolls the write back.
    refusal = pytest.raises(filing.YearFiledError, match="2023 is filed")
    with refusal as refused, filing.ledger_write(owner=user):
        bill.save()
    assert (refused.value.year, refused.value.tax_year_id) == (2023, ty_2023.pk)
    assert Bill.objects.get(pk=bill.pk).amount == D("3000")
    with pytest.raises(filing.YearFiledError), filing.ledger_write(owner=user):
        Bill.objects.get(pk=bill.pk).delete()
    bill.refresh_from_db()
    bill.note = "A note changes no number, but the filed year's records stay as filed."
    with pytest.raises(filing.YearFiledError), filing.ledger_write(owner=user):
        bill.save()
    area = OfficeArea.objects.get(home=spec_chain)
    area.area = D("300")
    with pytest.raises(filing.YearFiledError), filing.ledger_write(owner=user):
        area.save()
    assert Bill.objects.get(pk=bill.pk).amount == D("3000")
    assert ComputedForm.objects.get(pk=frozen.pk).output == frozen.output

    # An office change that starts after the filed year is fine.
    area.refresh_from_db()
    area.end = dt.date(2024, 6, 30)
    with filing.ledger_write(owner=user):
        area.save()


def test_earlier_unfiled_correction_is_reported_not_applied_to_a_filed_year(user, spec_chain):
    filing.tax_year_file(tax_year=TaxYear.objects.get(owner=user, year=2023))
    bill = Bill.objects.get(owner=user, tax_year=2022, category="utilities")
    bill.amount = D("4000")
    bill.save()
    chain = filing.chain_recompute(owner=user)
    assert lines(only_form(chain[0]), "43")["43"] == "700.00"
    filed = chain[1]
    assert lines(only_form(filed), "25", "43") == {"25": "600.00", "43": "1200.00"}
    assert any("reopen 2023" in w for w in filed.warnings)
    # Later years keep using the filed year's stored carry-outs.
    assert lines(only_form(chain[2]), "25")["25"] == "1200.00"


def test_reopen_needs_a_reason_and_then_recomputes(user, spec_chain):
    ty = TaxYear.objects.get(owner=user, year=2023)
    filing.tax_year_file(tax_year=ty)
    with pytest.raises(ValidationError):
        filing.tax_year_reopen(tax_year=ty, reason="  ")
    filing.tax_year_reopen(tax_year=ty, reason="Corrected the December power bill")
    assert ty.history.first().history_change_reason.startswith("Reopened: Corrected")
    bill = Bill.objects.get(owner=user, tax_year=2023, category="utilities")
    bill.amount = D("4000")
    bill.save()
    assert lines(chain.year_forms(owner=user, year=2023).forms[0], "43")["43"] == "1300.00"


def test_filed_tax_year_cannot_be_deleted(user, spec_chain):
    ty = TaxYear.objects.get(owner=user, year=2023)
    filing.tax_year_file(tax_year=ty)
    pk = ty.pk
    with pytest.raises(filing.YearFiledError), filing.ledger_write(owner=user):
        ty.delete()
    assert TaxYear.objects.get(pk=pk).filed


def test_a_home_with_a_filed_form_cannot_be_deleted_even_without_bills(user):
    home = HomeFactory(owner=user, occupied_from=dt.date(2015, 1, 1))
    OfficeAreaFactory(home=home, start=dt.date(2020, 1, 1))
    ty = TaxYearFactory(owner=user, year=2024)
    TaxYearHomeFactory(tax_year=ty, home=home, method="simplified")
    filing.tax_year_file(tax_year=ty)
    pk = home.pk
    with (
        pytest.raises(filing.YearFiledError, match="2024 is filed"),
        filing.ledger_write(owner=user),
    ):
        home.delete()
    assert ComputedForm.objects.filter(home_id=pk).exists()


# --- Reads cost a constant number of queries ---------------------------------------------------


def _bills(home, count):
    Bill.objects.bulk_create(
        Bill(
            owner=home.owner,
            home=home,
            paid_on=dt.date(2024, 1 + i % 12, 1 + i % 28),
            tax_year=2024,
            payee=f"Payee {i % 7}",
            category=("utilities", "repairs", "insurance", "internet")[i % 4],
            amount=D("10.00") + i,
            scope="indirect",
            business_use_percent=D("50") if i % 4 == 3 else None,
            service_start=dt.date(2024, 1, 1) if i % 5 == 0 else None,
            service_end=dt.date(2024, 1, 31) if i % 5 == 0 else None,
        )
        for i in range(count)
    )


def _queries_for_a_year(user):
    chain.year_forms(owner=user, year=2024)
    with CaptureQueriesContext(connection) as ctx:
        chain.year_forms(owner=user, year=2024)
    return len(ctx)


def test_computing_a_year_costs_the_same_queries_for_10_and_5000_bills():
    small, large = UserFactory(), UserFactory()
    for user, count in ((small, 10), (large, 5000)):
        home = spec_home(user)
        spec_year(user, home, 2024, "20000")
        _bills(home, count)
    assert _queries_for_a_year(small) == _queries_for_a_year(large)


# --- Views on the chain ------------------------------------------------------------------------


def test_method_comparison(user, spec_chain):
    [comparison] = chain.method_comparison(owner=user, year=2022)
    assert comparison.regular.deduction == D("1500.00")
    assert comparison.regular.carryover_operating_out == D("600.00")
    # Simplified: 200 sq ft x $5 = 1,000; the carry-in (0) passes through.
    assert comparison.simplified.deduction == D("1000.00")
    assert comparison.better == "regular"


def test_depreciation_ledger(user, spec_chain):
    ledger = chain.depreciation_ledger(owner=user, home=spec_chain)
    assert [(r.year, r.allowable, r.allowed) for r in ledger.rows] == [
        (2022, D("512.80"), D("0.00")),
        (2023, D("512.80"), D("0.00")),
        (2024, D("512.80"), D("1538.40")),
    ]
    assert ledger.total_allowable == D("1538.40") == ledger.total_allowed


# --- The command -------------------------------------------------------------------------------


def test_form8829_command_table_home_filter_and_errors(user, spec_chain):
    out = StringIO()
    call_command("form8829", user=user.username, year=2024, stdout=out)
    text = out.getvalue()
    assert "Part IV" in text and "4838.40" in text
    out = StringIO()
    call_command(
        "form8829",
        user=user.username,
        year=2024,
        home="12 Elm St",
        as_json=True,
        whole_dollars=True,
        stdout=out,
    )
    assert json.loads(out.getvalue())["lines"]["42"] == "513"
    with pytest.raises(CommandError, match="No Form 8829 for a home named 'Nope'"):
        call_command("form8829", user=user.username, year=2024, home="Nope")
    with pytest.raises(CommandError, match="No user named"):
        call_command("form8829", user="nobody", year=2024)
    with pytest.raises(CommandError, match="2017 is not supported"):
        call_command("form8829", user=user.username, year=2017)
