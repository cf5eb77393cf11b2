"""Businesses in the admin: their pages (kind, where the deduction goes, the areas and shares),
an office area's business among the user's own, a home's split among its businesses on its page
of the year, line 11 on the tax year's homes; filed years stay read-only; the owners' group may
keep businesses."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest

from forms8829 import businesses as business_kinds
from forms8829.filing import tax_year_file
from interface.accounts import owner_permissions
from ledger.models import Business, BusinessShare, OfficeArea, TaxYearHome
from tests.factories import (
    BusinessFactory,
    OfficeAreaFactory,
    TaxYearHomeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_businesses(user):
    """Alice's home in 2024 used by her first business (the office) and a second one (a desk)."""
    year_home = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024)
    office = OfficeAreaFactory(home=year_home.home)
    studio = office.business
    tutoring = BusinessFactory(owner=user, name="Tutoring")
    desk = OfficeAreaFactory(
        home=year_home.home, name="Desk", area=Decimal("50"), business=tutoring
    )
    return year_home, studio, tutoring, office, desk


def select_options(page: str, name: str) -> dict[str, str]:
    """The options of the select named `name`: value -> label."""
    (body,) = re.findall(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', body))


def year_home_data(year_home: TaxYearHome, shares=(), initial: int = 0, **changes) -> dict:
    """The POST of a home's page of the year, its fields as stored, with `shares` (business,
    percent, id or None) in its business shares inline."""
    data = {
        "tax_year": year_home.tax_year_id,
        "home": year_home.home_id,
        "method": year_home.method,
        "gross_income_limit": str(year_home.gross_income_limit),
        "receives_carryover": "unknown",
        "daycare_hours": "",
        "mortgage_interest_schedule_a_limit": "",
        "casualty_losses_direct": "0",
        "casualty_losses_indirect": "0",
        "excess_casualty_losses": "0",
        "other_business_expenses": "0",
        "business_shares-TOTAL_FORMS": str(len(shares)),
        "business_shares-INITIAL_FORMS": str(initial),
        **changes,
    }
    for i, (business, percent, pk) in enumerate(shares):
        data |= {
            f"business_shares-{i}-business": business.pk,
            f"business_shares-{i}-percent": percent,
            f"business_shares-{i}-id": pk or "",
            f"business_shares-{i}-tax_year_home": year_home.pk,
        }
    return data


def test_the_business_pages_say_where_the_deduction_goes(two_businesses, user, admin_client_for):
    year_home, _studio, tutoring, _office, desk = two_businesses
    BusinessShare.objects.create(owner=user, tax_year_home=year_home, business=tutoring, percent=30)
    BusinessFactory(owner=user, name="Day job", kind=Business.Kind.EMPLOYEE)
    client = admin_client_for(user)

    listing = unescape(client.get("/admin/ledger/business/").content.decode())
    assert "Tutoring" in listing and "Day job" in listing
    assert business_kinds.DESTINATIONS["sole_proprietor"].deduction in listing
    page = unescape(client.get(f"/admin/ledger/business/{tutoring.pk}/change/").content.decode())
    assert business_kinds.DESTINATIONS["statutory_employee"].deduction in page
    assert f'href="/admin/ledger/officearea/{desk.pk}/change/"' in page
    assert f"{year_home.home.name}: Desk" in page
    assert f'href="/admin/ledger/taxyearhome/{year_home.pk}/change/"' in page
    assert f"2024, {year_home.home.name}: 30%" in page
    employee = Business.objects.get(owner=user, name="Day job")
    page = unescape(client.get(f"/admin/ledger/business/{employee.pk}/change/").content.decode())
    assert business_kinds.EMPLOYEE_EXPLANATION in page


def test_an_office_areas_business_is_chosen_among_your_own(
    two_businesses, user, other_user, admin_client_for
):
    year_home, studio, tutoring, _office, desk = two_businesses
    theirs = BusinessFactory(owner=other_user, name="Mallory Holdings")
    client = admin_client_for(user)

    page = unescape(client.get(f"/admin/ledger/home/{year_home.home_id}/change/").content.decode())
    options = select_options(page, "office_areas-0-business")
    assert options == {
        "": "Your first business",
        str(studio.pk): studio.name,
        str(tutoring.pk): "Tutoring",
    }
    assert "Mallory Holdings" not in page
    page = client.get(f"/admin/ledger/officearea/{desk.pk}/change/").content.decode()
    assert set(select_options(page, "business")) == {"", str(studio.pk), str(tutoring.pk)}

    data = {
        "home": year_home.home_id,
        "name": "Desk",
        "area": "50",
        "rooms": "1",
        "use": "exclusive",
        "start": "2020-01-01",
        "end": "",
        "restart_adjusted_basis": "",
        "restart_fmv": "",
        "restart_land_value": "",
        "restart_land_fmv": "",
    }
    refused = client.post(
        f"/admin/ledger/officearea/{desk.pk}/change/", {**data, "business": theirs.pk}
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.context["adminform"].form.errors["business"][0]
    assert OfficeArea.objects.get(pk=desk.pk).business == tutoring
    blank = client.post(f"/admin/ledger/officearea/{desk.pk}/change/", {**data, "business": ""})
    assert blank.status_code == 302
    assert OfficeArea.objects.get(pk=desk.pk).business == studio  # the first business


def test_a_homes_split_among_businesses_is_set_on_its_page_of_the_year(
    two_businesses, user, admin_client_for
):
    year_home, studio, tutoring, _office, _desk = two_businesses
    client = admin_client_for(user)

    year_page = unescape(
        client.get(f"/admin/ledger/taxyear/{year_home.tax_year_id}/change/").content.decode()
    )
    assert "Business expenses not from the home (farms, partners)" in year_page
    assert 'name="homes-0-other_business_expenses"' in year_page
    assert "By each business's part of the office area" in year_page
    assert f'href="/admin/ledger/taxyearhome/{year_home.pk}/change/"' in year_page

    url = f"/admin/ledger/taxyearhome/{year_home.pk}/change/"
    page = unescape(client.get(url).content.decode())
    assert "Split among businesses" in page
    assert set(select_options(page, "business_shares-__prefix__-business")) == {
        "",
        str(studio.pk),
        str(tutoring.pk),
    }
    shares = [(studio, "70%", None), (tutoring, "30", None)]
    response = client.post(url, year_home_data(year_home, shares, other_business_expenses="$10"))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert sorted(
        BusinessShare.objects.filter(tax_year_home=year_home).values_list("business", "percent")
    ) == sorted([(studio.pk, Decimal("70.00")), (tutoring.pk, Decimal("30.00"))])
    year_home.refresh_from_db()
    assert year_home.other_business_expenses == Decimal("10.00")
    year_page = unescape(
        client.get(f"/admin/ledger/taxyear/{year_home.tax_year_id}/change/").content.decode()
    )
    assert f"{studio.name} 70%, Tutoring 30%" in year_page


def test_a_business_used_by_office_areas_is_not_deleted(two_businesses, user, admin_client_for):
    _year_home, _studio, tutoring, _office, _desk = two_businesses
    client = admin_client_for(user)

    page = client.get(f"/admin/ledger/business/{tutoring.pk}/delete/")
    assert page.status_code == 200
    text = unescape(page.content.decode())
    assert "would require deleting the following protected related objects" in text
    assert "Desk" in text
    response = client.post(f"/admin/ledger/business/{tutoring.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200  # the same page again: nothing to confirm
    assert "protected related objects" in unescape(response.content.decode())
    assert Business.objects.filter(pk=tutoring.pk).exists()


def test_a_filed_years_split_is_read_only_and_a_kind_change_is_refused(
    two_businesses, user, admin_client_for
):
    year_home, studio, tutoring, _office, _desk = two_businesses
    BusinessShare.objects.create(owner=user, tax_year_home=year_home, business=studio, percent=80)
    BusinessShare.objects.create(owner=user, tax_year_home=year_home, business=tutoring, percent=20)
    tax_year_file(tax_year=year_home.tax_year)
    client = admin_client_for(user)

    page = unescape(
        client.get(f"/admin/ledger/taxyearhome/{year_home.pk}/change/").content.decode()
    )
    assert "this page is read-only" in page
    assert 'name="business_shares-0-percent"' not in page
    assert "business_shares-empty" not in page  # no row can be added
    response = client.post(
        f"/admin/ledger/business/{tutoring.pk}/change/", {"name": "Tutoring", "kind": "farm"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["kind"][0].startswith("Tax year 2024 is filed")
    tutoring.refresh_from_db()
    assert tutoring.kind == "sole_proprietor"


def test_a_ledger_owner_may_keep_businesses_and_their_shares(client):
    codenames = set(owner_permissions().values_list("codename", flat=True))
    for model in ("business", "businessshare"):
        assert {f"{a}_{model}" for a in ("add", "change", "delete", "view")} <= codenames
    owner = UserFactory(username="newcomer")
    client.force_login(owner)
    assert client.get("/admin/ledger/business/add/").status_code == 200
    response = client.post("/admin/ledger/business/add/", {"name": "Bakery", "kind": "farm"})
    assert response.status_code == 302
    assert Business.objects.get(owner=owner).kind == "farm"
    outsider = UserFactory(username="outsider", ledger_owner=False)
    client.force_login(outsider)
    assert client.get("/admin/ledger/business/").status_code == 403


def test_the_new_persons_first_office_area_makes_my_business(user, admin_client_for):
    from tests.factories import HomeFactory

    home = HomeFactory(owner=user)
    page = admin_client_for(user).get(f"/admin/ledger/home/{home.pk}/change/").content.decode()
    # One business (or none yet): the table of office areas does not ask which.
    assert 'name="office_areas-__prefix__-name"' in page
    assert 'name="office_areas-__prefix__-business"' not in page
    data = {
        "name": home.name,
        "key": home.key,
        "ownership": "own",
        "area_method": "square_feet",
        "total_area": "2000",
        "total_rooms": "8",
        "occupied_from": "2019-06-01",
        "occupied_to": "",
        "cost_basis": "250000",
        "land_value": "50000",
        "fmv_at_first_business_use": "300000",
        "land_fmv_at_first_business_use": "",
        "office_areas-TOTAL_FORMS": "1",
        "office_areas-INITIAL_FORMS": "0",
        "office_areas-0-name": "Office",
        "office_areas-0-business": "",
        "office_areas-0-area": "200",
        "office_areas-0-rooms": "1",
        "office_areas-0-use": "exclusive",
        "office_areas-0-start": dt.date(2024, 1, 1).isoformat(),
        "office_areas-0-end": "",
        "improvements-TOTAL_FORMS": "0",
        "improvements-INITIAL_FORMS": "0",
    }
    response = admin_client_for(user).post(f"/admin/ledger/home/{home.pk}/change/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    (business,) = Business.objects.filter(owner=user)
    assert (business.name, business.kind) == ("My business", "sole_proprietor")
    assert OfficeArea.objects.get(home=home).business == business
