"""The year-end review of the harder cases (docs/tax-rules.md): casualty and depreciation parts,
each placing in service, restarts and short gaps, a MAGI that must be final, and rooms against
square feet with the one-step switch."""

import datetime as dt
from decimal import Decimal as D

import pytest

from ledger.models import Home
from review.links import area_method_url, review_url
from tests.factories import (
    BillFactory,
    HomeFactory,
    OfficeAreaFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
)

pytestmark = pytest.mark.django_db


def owned_home(user, **fields):
    values = {"owner": user, "name": "12 Elm St", "occupied_from": dt.date(2015, 1, 1), **fields}
    return HomeFactory(**values)


def year_of(user, home, year, income, **tax_year):
    ty = TaxYearFactory(owner=user, year=year, itemizes=True, **tax_year)
    TaxYearHomeFactory(tax_year=ty, home=home, gross_income_limit=D(income))
    return ty


def page_of(admin_client_for, user, tax_year) -> str:
    response = admin_client_for(user).get(review_url(tax_year.pk))
    assert response.status_code == 200
    return response.content.decode()


def test_casualty_and_depreciation_parts_are_shown(user, admin_client_for):
    home = owned_home(user)
    OfficeAreaFactory(home=home, area=D("200"), start=dt.date(2018, 3, 1))
    first = year_of(user, home, 2022, "0")
    first.homes.update(excess_casualty_losses=D("2000"))
    second = year_of(user, home, 2023, "3000")
    page = page_of(admin_client_for, user, second)
    assert "Lines 31, 33 and 44: casualty losses and depreciation kept apart" in page
    assert "casualty-parts" in page
    # 2022 carried 2,000 of casualty losses; 2023 allows them first.
    assert '<td>Allowed (33)</td><td class="num">$2,000.00</td>' in page


def test_restarts_are_listed_and_missing_basis_is_asked_for(user, admin_client_for):
    home = owned_home(user)
    OfficeAreaFactory(home=home, start=dt.date(2021, 1, 1), end=dt.date(2024, 3, 31))
    OfficeAreaFactory(home=home, name="Office again", start=dt.date(2024, 4, 4))
    ty = year_of(user, home, 2024, "100000")
    page = page_of(admin_client_for, user, ty)
    assert "a new placing in service without its basis" in page
    assert "a gap of 3 day(s); if that is a typing slip" in page


def test_each_placing_in_service_is_an_attached_statement(user, admin_client_for):
    home = owned_home(user)
    OfficeAreaFactory(home=home, start=dt.date(2021, 1, 1), end=dt.date(2024, 3, 15))
    OfficeAreaFactory(
        home=home,
        name="Office again",
        start=dt.date(2024, 9, 1),
        restart_adjusted_basis=D("240000"),
        restart_fmv=D("260000"),
    )
    ty = year_of(user, home, 2024, "100000")
    page = page_of(admin_client_for, user, ty)
    assert "Line 42: each placing in service of the home this year" in page
    assert "2024-09-01" in page and "2021-01-01" in page


def test_a_magi_in_the_phase_down_range_must_be_final(user, admin_client_for):
    home = owned_home(user)
    OfficeAreaFactory(home=home)
    ty = year_of(user, home, 2025, "50000", modified_agi=D("550000"))
    page = page_of(admin_client_for, user, ty)
    assert "warning-box attention" in page
    assert "enter your final MAGI" in page


def test_rooms_or_square_feet_side_by_side_and_switched_in_one_step(user, admin_client_for):
    # 200 of 2,000 sq ft = 10%; 2 of 8 rooms = 25%: rooms are larger.
    home = owned_home(user, total_area=D("2000"), total_rooms=8)
    OfficeAreaFactory(home=home, area=D("200"), rooms=2, start=dt.date(2020, 1, 1))
    ty = year_of(user, home, 2024, "50000")
    page = page_of(admin_client_for, user, ty)
    assert "Rooms or square feet" in page
    assert "10.00%" in page and "25.00%" in page
    assert "Use rooms (they are of about the same size)" in page

    client = admin_client_for(user)
    url = area_method_url(tax_year_id=ty.pk, home_id=home.pk)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == review_url(ty.pk)
    home.refresh_from_db()
    assert home.area_method == Home.AreaMethod.ROOMS
    assert home.history.first().history_change_reason == (
        "Area method: rooms (rooms of about the same size, Pub 587)"
    )
    page = page_of(admin_client_for, user, ty)
    assert "Use rooms" not in page
    row = page[page.index(f'id="h{home.pk}-line-3"') :]
    assert "25.00%" in row[: row.index("</tr>")]  # line 3 = 2 / 8 rooms


def test_no_comparison_without_both_measures(user, admin_client_for):
    home = owned_home(user, total_rooms=None)
    OfficeAreaFactory(home=home, rooms=None)
    BillFactory(home=home, paid_on=dt.date(2024, 3, 1))
    ty = year_of(user, home, 2024, "50000")
    assert "Rooms or square feet" not in page_of(admin_client_for, user, ty)


def test_another_users_home_cannot_be_switched(user, other_user, admin_client_for):
    ty = year_of(user, owned_home(user), 2024, "50000")
    theirs = HomeFactory(owner=other_user, total_rooms=8)
    OfficeAreaFactory(home=theirs, rooms=2)
    response = admin_client_for(user).post(area_method_url(tax_year_id=ty.pk, home_id=theirs.pk))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.area_method == Home.AreaMethod.SQUARE_FEET
