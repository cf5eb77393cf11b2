"""Businesses through the stored ledger and the chain (docs/tax-rules.md §6a): hand-derived
cases — two Schedule C businesses in one home with a carryover, a farm year between two
Schedule C years, an employee's year — and the chain's conservation across business kinds."""

import datetime as dt
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from forms8829 import chain
from ledger.models import Business, BusinessShare, TaxYear
from review.page import year_review
from tests.factories import (
    BillFactory,
    BusinessFactory,
    OfficeAreaFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
    UserFactory,
)
from tests.forms8829.test_chain import spec_home

pytestmark = pytest.mark.django_db

KIND = Business.Kind


def year_of_bills(home, year):
    """Indirect bills of one year: mortgage interest 10,000, taxes 4,000, utilities 3,000."""
    for category, amount in (
        ("mortgage_interest", "10000"),
        ("real_estate_tax", "4000"),
        ("utilities", "3000"),
    ):
        BillFactory(
            home=home,
            paid_on=dt.date(year, 6, 1),
            payee=category,
            category=category,
            amount=D(amount),
            scope="indirect",
        )


def add_year(user, home, year, income, **inputs):
    year_of_bills(home, year)
    ty = TaxYearFactory(owner=user, year=year, itemizes=True)
    return TaxYearHomeFactory(tax_year=ty, home=home, gross_income_limit=D(income), **inputs)


def forms_by_year(user):
    return {yf.year: yf.forms for yf in chain.chain_compute(owner=user)}


def money(text) -> D:
    return D(text or "0")


def conserved(forms) -> tuple[D, D]:
    """(what the years made eligible, what they allowed plus what is still carried): equal
    when nothing is lost (docs/tax-rules.md §5)."""
    eligible = allowed = D(0)
    regular = [f for f in forms if f.method == "regular"]
    for form in regular:
        lines = form.output["lines"]
        eligible += money(lines["26"]) - money(lines["25"])  # this year's own operating part
        eligible += money(lines["32"]) - money(lines["31"])  # own casualty and depreciation
        allowed += money(lines["27"]) + money(lines["33"])
    last = regular[-1].output["lines"]
    return eligible, allowed + money(last["43"]) + money(last["44"])


def test_two_schedule_c_businesses_in_one_home_with_a_carryover():
    user = UserFactory()
    home = spec_home(user, first_use=dt.date(2022, 1, 1))
    home.office_areas.all().delete()
    design = BusinessFactory(owner=user, name="Design studio")
    tutoring = BusinessFactory(owner=user, name="Tutoring", kind=KIND.STATUTORY_EMPLOYEE)
    OfficeAreaFactory(home=home, business=design, area=D("150"), start=dt.date(2022, 1, 1))
    OfficeAreaFactory(home=home, business=tutoring, area=D("50"), start=dt.date(2022, 1, 1))
    add_year(user, home, 2023, "1500")  # 10% of 14,000 interest and taxes = 1,400 on line 14
    add_year(user, home, 2024, "50000")

    forms = forms_by_year(user)
    (first,), (second,) = forms[2023], forms[2024]
    # 2023: line 15 = 100 allows 100 of the 300 operating expenses; 200 carries over.
    assert first.output["lines"]["36"] == "1500.00" and first.output["lines"]["43"] == "200.00"
    shares = {p["name"]: p["deduction"] for p in first.output["businesses"]}
    assert shares == {"Design studio": "1125.00", "Tutoring": "375.00"}
    # 2024 takes the carryovers on lines 25 and 31 (the 2023 depreciation, 512.80): 1,400 +
    # 300 + 200 + 512.80 + 512.80, allocated 3:1 by area again.
    assert second.output["lines"]["25"] == "200.00"
    assert second.output["lines"]["31"] == first.output["lines"]["44"] == "512.80"
    assert second.output["lines"]["36"] == "2925.60"
    assert [p["deduction"] for p in second.output["businesses"]] == ["2194.20", "731.40"]
    assert {p["deduction_goes_to"] for p in second.output["businesses"]} == {
        "Schedule C (Form 1040), line 30"
    }
    eligible, accounted = conserved([first, second])
    assert eligible == accounted

    # The user's own split, on the home's 2024 inputs.
    tyh = second.tax_year.homes.get()
    BusinessShare.objects.create(tax_year_home=tyh, business=design, percent=D("50"))
    BusinessShare.objects.create(tax_year_home=tyh, business=tutoring, percent=D("50"))
    (second,) = forms_by_year(user)[2024]
    assert [p["deduction"] for p in second.output["businesses"]] == ["1462.80", "1462.80"]
    assert {p["allocated_by"] for p in second.output["businesses"]} == {"user"}

    review = year_review(tax_year=second.tax_year)
    (home_review,) = review.homes
    assert home_review.deduction_label == "Split by business"
    assert [(b.name, b.deduction) for b in home_review.businesses] == [
        ("Design studio", "$1,462.80"),
        ("Tutoring", "$1,462.80"),
    ]


def studio_years_around(user, name: str, kind: str):
    """A home whose office is a Schedule C studio's in 2023 and from 2025, and in 2024 the
    business `name` of `kind`'s: (the home, that business)."""
    home = spec_home(user, first_use=dt.date(2023, 1, 1))
    home.office_areas.all().delete()
    studio = BusinessFactory(owner=user, name="Studio")
    middle = BusinessFactory(owner=user, name=name, kind=kind)
    area = {"area": D("200"), "home": home}
    OfficeAreaFactory(business=studio, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31), **area)
    OfficeAreaFactory(business=middle, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), **area)
    OfficeAreaFactory(business=studio, start=dt.date(2025, 1, 1), **area)
    return home, middle


def test_a_farm_year_between_two_schedule_c_years_carries_the_chain():
    user = UserFactory()
    home, _ = studio_years_around(user, "Orchard", KIND.FARM)
    add_year(user, home, 2023, "1500")
    # The farm's worksheet: gross income 9,000 less 7,000 of other farm expenses = a limit of
    # 2,000 where Form 8829 would take line 8.
    add_year(user, home, 2024, "9000", other_business_expenses=D("7000"))
    add_year(user, home, 2025, "50000")

    forms = forms_by_year(user)
    (c1,), (f,), (c2,) = forms[2023], forms[2024], forms[2025]
    assert (c1.output["form"], f.output["form"], c2.output["form"]) == (
        "form_8829",
        "pub587_worksheet",
        "form_8829",
    )
    ws = f.output["worksheet"]
    assert (ws["4"], ws["11"], ws["12"], ws["13"]) == ("9000.00", "7000.00", "8400.00", "600.00")
    # Worksheet line 23 is the 2023 Form 8829's line 43; its lines 41/42 feed 2025's 25/31.
    assert ws["23"] == c1.output["lines"]["43"] == "200.00"
    assert c2.output["lines"]["25"] == ws["41"]
    assert c2.output["lines"]["31"] == ws["42"]
    (part,) = f.output["businesses"]
    assert part["deduction"] == ws["34"] == f.output["schedule_c_line_30"]
    assert part["deduction_goes_to"].startswith("Schedule F (Form 1040), line 32")
    eligible, accounted = conserved([c1, f, c2])
    assert eligible == accounted

    (farm_review,) = year_review(tax_year=f.tax_year).homes
    assert farm_review.form_title.startswith("Pub 587 Worksheet")
    assert farm_review.deduction_label == "Schedule F line 32"
    assert [row.number for row in farm_review.parts[1].rows][:3] == ["4", "5", "6"]


def test_an_employee_year_has_no_form_and_keeps_the_carryover():
    user = UserFactory()
    home, _ = studio_years_around(user, "Day job", KIND.EMPLOYEE)
    add_year(user, home, 2023, "1500")
    add_year(user, home, 2024, "0")
    add_year(user, home, 2025, "50000")

    forms = forms_by_year(user)
    assert forms[2024] == []
    assert forms[2025][0].output["lines"]["25"] == forms[2023][0].output["lines"]["43"]
    review = year_review(tax_year=user_tax_year(user, 2024))
    assert review.homes == []
    (text,) = [t for t in review.attention if "Day job" in t]
    assert "IRC §67(g)" in text and "P.L. 119-21" in text
    with pytest.raises(CommandError, match=r"Day job: An employee .* P\.L\. 119-21"):
        call_command("form8829", user=user.username, year=2024, stdout=StringIO())


def user_tax_year(user, year):
    return TaxYear.objects.get(owner=user, year=year)


def test_a_home_shared_by_a_schedule_c_business_and_a_farm_is_refused_in_words():
    user = UserFactory()
    home = spec_home(user, first_use=dt.date(2024, 1, 1))
    farm = BusinessFactory(owner=user, name="Orchard", kind=KIND.FARM)
    OfficeAreaFactory(home=home, business=farm, area=D("100"), start=dt.date(2024, 1, 1))
    add_year(user, home, 2024, "5000")
    with pytest.raises(chain.FormError, match="different forms"):
        chain.chain_compute(owner=user)


def test_the_pdf_and_the_command_show_the_worksheet_and_where_each_part_goes():
    import io
    import json

    from pypdf import PdfReader

    from review.pdf import form_pdf

    user = UserFactory()
    home = spec_home(user, first_use=dt.date(2024, 1, 1))
    home.office_areas.all().delete()
    farm = BusinessFactory(owner=user, name="Orchard", kind=KIND.FARM)
    partner = BusinessFactory(owner=user, name="Firm", kind=KIND.PARTNER)
    OfficeAreaFactory(home=home, business=farm, area=D("150"), start=dt.date(2024, 1, 1))
    OfficeAreaFactory(home=home, business=partner, area=D("50"), start=dt.date(2024, 1, 1))
    add_year(user, home, 2024, "50000", other_business_expenses=D("1000"))

    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(form_pdf(owner=user, year=2024))).pages
    )
    flat = " ".join(text.split())
    assert "Pub 587 Worksheet To Figure the Deduction for Business Use of Your Home" in flat
    assert "Business expenses not from business use of home" in flat
    assert "Orchard (75.00%): to Schedule F (Form 1040), line 32" in flat
    assert "Firm (25.00%): to Schedule E (Form 1040), line 28" in flat

    out = StringIO()
    call_command("form8829", user=user.username, year=2024, as_json=True, stdout=out)
    form = json.loads(out.getvalue())
    assert form["form"] == "pub587_worksheet"
    assert [p["kind"] for p in form["businesses"]] == ["farm", "partner"]
    assert sum(D(p["deduction"]) for p in form["businesses"]) == D(form["worksheet"]["34"])
    out = StringIO()
    call_command("form8829", user=user.username, year=2024, stdout=out)
    assert "Where the deduction goes" in out.getvalue()
    assert "Firm: " in out.getvalue() and "Schedule E" in out.getvalue()


def test_a_filed_year_refuses_any_change_to_its_split_even_one_the_form_leaves_out():
    from forms8829 import filing

    user = UserFactory()
    home = spec_home(user, first_use=dt.date(2024, 1, 1))
    idle = BusinessFactory(owner=user, name="Idle side business")
    tyh = add_year(user, home, 2024, "50000")
    filing.tax_year_file(tax_year=tyh.tax_year)
    with pytest.raises(filing.YearFiledError), filing.ledger_write(owner=user):
        BusinessShare.objects.create(tax_year_home=tyh, business=idle, percent=D("10"))
    assert not BusinessShare.objects.exists()


def test_a_split_naming_a_business_without_an_office_here_is_left_out_with_a_note():
    user = UserFactory()
    home = spec_home(user, first_use=dt.date(2024, 1, 1))
    idle = BusinessFactory(owner=user, name="Idle side business")
    tyh = add_year(user, home, 2024, "50000")
    (only,) = Business.objects.filter(owner=user).exclude(pk=idle.pk)
    BusinessShare.objects.create(tax_year_home=tyh, business=only, percent=D("100"))
    BusinessShare.objects.create(tax_year_home=tyh, business=idle, percent=D("0"))
    (form,) = forms_by_year(user)[2024]
    assert form.output["businesses"][0]["allocated_by"] == "only business"
    assert any("names Idle side business" in note for note in form.output["notes"])
