"""Only the owner reaches a year's review, actions and downloads (a superuser administers
accounts, not ledgers), and the review costs the same number of queries whatever the number
of bills."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms8829.models import ComputedForm
from ledger.models import Bill, TaxYear
from tests.factories import HomeFactory, OfficeAreaFactory, TaxYearHomeFactory, UserFactory
from tests.review.conftest import html, review_url

pytestmark = pytest.mark.django_db

ACTIONS = ["review", "review_pdf", "review_csv", "review_zip", "review_file", "review_reopen"]


@pytest.mark.parametrize("action", ACTIONS)
def test_another_users_year_is_a_404(action, user, other_user, client_of):
    theirs = TaxYearHomeFactory(tax_year__owner=other_user, tax_year__year=2024).tax_year
    client = client_of(user)
    assert client.get(review_url(theirs, action)).status_code == 404
    assert client.post(review_url(theirs, action), {"reason": "x"}).status_code == 404
    assert not TaxYear.objects.get(pk=theirs.pk).filed


def test_recompute_of_another_users_year_is_a_404(user, other_user, client_of):
    theirs = TaxYearHomeFactory(tax_year__owner=other_user, tax_year__year=2024).tax_year
    assert client_of(user).post(review_url(theirs, "review_recompute")).status_code == 404


def test_anonymous_and_non_staff_users_are_sent_to_the_login(user, client, db):
    tax_year = TaxYearHomeFactory(tax_year__owner=user).tax_year
    response = client.get(review_url(tax_year, "review_pdf"))
    assert response.status_code == 302 and "/admin/login/" in response.url
    outsider = UserFactory(username="nostaff", is_staff=False)
    client.force_login(outsider)
    response = client.get(review_url(tax_year))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_superuser_administers_accounts_not_other_peoples_ledgers(demo, user, client):
    boss = UserFactory(username="boss", is_superuser=True, ledger_owner=False)
    client.force_login(boss)
    tax_year = demo["years"][2025]
    assert client.get(review_url(tax_year)).status_code == 404
    assert client.post(review_url(tax_year, "review_file")).status_code == 404
    assert not TaxYear.objects.get(pk=tax_year.pk).filed
    listing = client.get("/admin/ledger/taxyear/")
    assert not listing.context["cl"].queryset.exists()
    assert client.get("/admin/auth/user/").status_code == 200
    assert not ComputedForm.objects.filter(owner=boss).exists()


def test_other_users_bills_never_reach_my_drilldown(demo, user, other_user, client_of):
    theirs = HomeFactory(owner=other_user)
    Bill.objects.create(
        owner=other_user,
        home=theirs,
        paid_on=dt.date(2025, 3, 15),
        payee="Elmwood Power",
        category="utilities",
        amount=Decimal("5"),
    )
    url = "/admin/ledger/bill/?tax_year=2025&form_line=21b&counted=yes"
    shown = client_of(user).get(url).context["cl"].queryset
    assert shown.exists() and not shown.filter(owner=other_user).exists()


def bulk_bills(owner, home, count: int) -> None:
    Bill.objects.bulk_create(
        Bill(
            owner=owner,
            home=home,
            paid_on=dt.date(2024, 1 + i % 12, 1 + i % 28),
            tax_year=2024,
            payee=f"Payee {i % 7}",
            category=("utilities", "internet", "repairs", "insurance")[i % 4],
            amount=Decimal("10.00") + i,
            business_use_percent=Decimal("50") if i % 4 == 1 else None,
            service_start=dt.date(2023, 12, 20) if i % 9 == 0 else None,
            service_end=dt.date(2024, 1, 19) if i % 9 == 0 else None,
        )
        for i in range(count)
    )


def count_review_queries(client, url) -> int:
    client.get(url)  # stores the recomputed forms
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_review_query_count_does_not_grow_with_bills(user, client_of):
    home = HomeFactory(owner=user, occupied_from=dt.date(2024, 1, 1))
    OfficeAreaFactory(home=home, start=dt.date(2024, 1, 10))
    tax_year = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024, home=home).tax_year
    client = client_of(user)
    bulk_bills(user, home, 10)
    few = count_review_queries(client, review_url(tax_year))
    bulk_bills(user, home, 290)
    assert Bill.objects.count() == 300
    many = count_review_queries(client, review_url(tax_year))
    assert many == few


def test_computed_forms_admin_is_read_only_and_owner_scoped(demo, user, other_user, client_of):
    client = client_of(user)
    from forms8829.filing import chain_recompute

    chain_recompute(owner=user)  # stores the forms
    theirs = TaxYearHomeFactory(tax_year__owner=other_user, tax_year__year=2024)
    OfficeAreaFactory(home=theirs.home, start=dt.date(2020, 1, 1))
    chain_recompute(owner=other_user)
    listing = client.get("/admin/forms8829/computedform/")
    shown = {f.owner_id for f in listing.context["cl"].queryset}
    assert shown == {user.pk}
    assert f'href="{review_url(demo["years"][2025])}"' in html(listing)
    mine = ComputedForm.objects.filter(owner=user).first()
    page = client.get(f"/admin/forms8829/computedform/{mine.pk}/change/")
    assert page.status_code == 200 and 'type="submit"' not in html(page).split("content-main")[1]
    assert client.get("/admin/forms8829/computedform/add/").status_code == 403
    other = ComputedForm.objects.get(owner=other_user)
    assert client.get(f"/admin/forms8829/computedform/{other.pk}/change/").status_code == 302
