"""The review page of a demo-like ledger: every part, line and number of the engine's forms."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from forms8829.render import FORM_8829
from ledger.models import OfficeArea, TaxYearHome
from review.page import line_value, money
from tests.factories import HomeFactory, OfficeAreaFactory, TaxYearHomeFactory
from tests.review.conftest import form_of, forms_of, html, review_url, row_html

pytestmark = pytest.mark.django_db


def test_review_shows_each_homes_form_with_the_engines_numbers(demo, user, client_of):
    client = client_of(user)
    response = client.get(review_url(demo["years"][2025]))
    assert response.status_code == 200
    page = html(response)
    forms = forms_of(user, 2025)
    assert {f.home.name for f in forms} == {"12 Elm St", "Apt 4B, 88 Harbor Rd"}
    for part in FORM_8829:
        assert part.title in page
    for form in forms:
        lines = form.output["lines"]
        for part in FORM_8829:
            for line in part.lines:
                row = row_html(page, form.home_id, line.number)
                assert line.title in row
                keys = [f"{line.number}a", f"{line.number}b"] if line.columns else [line.number]
                for key in keys:
                    assert line_value(lines[key], line.kind) in row, (form.home.name, key)
        assert f"Schedule C line 30: {money(form.deduction)}" in page
        assert money(form.output["schedule_c_other"]["internet"]) in page
    # The owned house's statements and notes, project rules marked.
    assert "See attached: Line 42: depreciation of improvements" in page
    assert "New roof" in page
    assert "Part-year use (project rule; Pub 587, Part-Year Use)" in page
    assert '<span class="badge rule">Project rule</span>' in page


def test_review_has_comparison_chart_and_chain(demo, user, client_of):
    page = html(client_of(user).get(review_url(demo["years"][2025])))
    # Method comparison: both methods, the better marked.
    assert "Method comparison" in page
    assert 'class="method-regular current"' in page
    assert '<span class="badge better">better</span>' in page
    # Charts: inline SVG, no script.
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 4
    assert "<script src=" not in page.split('id="content-main"')[1]
    assert "by month and category" in page and "Deductible (line 36)" in page
    # The chain: every year with a link to its review, the current year marked.
    chain = page.split('id="chain"')[1]
    for tax_year in demo["years"].values():
        assert f'href="{review_url(tax_year)}">{tax_year.year}</a>' in chain
    form_2023 = form_of(user, 2023)
    assert money(form_2023.carryover_operating_out) in chain
    assert money(form_2023.carryover_casualty_depreciation_out) in chain


def test_line_11_worksheet_is_attached_when_taxes_exceed_the_cap(demo, user, client_of):
    tax_year = demo["years"][2024]
    page = html(client_of(user).get(review_url(tax_year)))
    form = form_of(user, 2024)
    assert form.details["line_11_worksheet"], "the ledger is made to exceed the SALT cap"
    assert "See attached: Line 11 Worksheet" in page
    assert money(form.details["line_11_worksheet"]["line_10_to_form_line_11a"]) in page


def test_simplified_year_shows_the_worksheet_and_the_chain_marks_it(demo, user, client_of):
    TaxYearHome.objects.filter(tax_year=demo["years"][2024]).update(method="simplified")
    page = html(client_of(user).get(review_url(demo["years"][2024])))
    form = form_of(user, 2024)
    assert form.method == "simplified"
    assert "Simplified Method Worksheet (Rev. Proc. 2013-13)" in page
    assert money(form.output["simplified_worksheet"]["5"]) in page
    assert "Part I — Part of Your Home Used for Business" not in page
    assert '<span class="badge simplified">simplified</span>' in page
    assert 'class="method-simplified' in page


def test_daycare_special_computation_is_attached(user, client_of):
    home = HomeFactory(owner=user, occupied_from=dt.date(2020, 1, 1))
    OfficeAreaFactory(home=home, area=Decimal("200"), start=dt.date(2020, 1, 1))
    OfficeAreaFactory(
        home=home,
        name="Playroom",
        area=Decimal("600"),
        use=OfficeArea.Use.DAYCARE,
        start=dt.date(2020, 1, 1),
    )
    tyh = TaxYearHomeFactory(
        tax_year__owner=user, tax_year__year=2024, home=home, daycare_hours=Decimal("3000")
    )
    page = html(client_of(user).get(review_url(tyh.tax_year)))
    assert "See attached: Line 7: daycare special computation" in page
    assert re.search(r"Line 7: See attached computation\. Exclusive area", page)


def test_no_home_used_and_forms_that_cannot_be_computed_are_explained(user, client_of):
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024)
    page = html(client_of(user).get(review_url(tyh.tax_year)))
    assert "No home was used for business in 2024" in page
    other = HomeFactory(owner=user)
    OfficeAreaFactory(home=tyh.home, start=dt.date(2020, 1, 1))
    OfficeAreaFactory(home=other, start=dt.date(2020, 1, 1))
    TaxYearHome.objects.filter(pk=tyh.pk).update(method="simplified")
    TaxYearHomeFactory(tax_year=tyh.tax_year, home=other, method="simplified")
    page = html(client_of(user).get(review_url(tyh.tax_year)))
    assert "The forms cannot be computed" in page
    assert "the simplified method may be used for one home only" in page


def test_tax_year_change_page_and_changelist_link_to_the_review(demo, user, client_of):
    client = client_of(user)
    tax_year = demo["years"][2025]
    change = html(client.get(reverse("admin:ledger_taxyear_change", args=[tax_year.pk])))
    assert f'href="{review_url(tax_year)}" class="reviewlink">Year-end review</a>' in change
    listing = html(client.get(reverse("admin:ledger_taxyear_changelist")))
    for year in demo["years"].values():
        assert f'<a href="{review_url(year)}">Year-end review {year.year}</a>' in listing
