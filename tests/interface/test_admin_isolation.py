"""The isolation matrix of the admin and the browsable API: every list (with every filter shown),
every add and change form (every choice list) shows only the user's own records, superusers
included; a superuser is told plainly on the pages that list every account's rows."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from interface.admin_scope import owner_scoped
from tests.api.conftest import make_ledger
from tests.factories import BillFactory, HomeFactory, UserFactory

pytestmark = pytest.mark.django_db

THEIR_YEAR = 2019  # none of Alice's records is of 2019


@pytest.fixture
def two_ledgers():
    alice = UserFactory(username="alice")
    mallory = UserFactory(username="mallory")
    mine = make_ledger(alice, year=2024)
    theirs = make_ledger(mallory, year=THEIR_YEAR)
    theirs["home"].name = "Mallory Manor"
    theirs["home"].key = "mallory-manor"
    theirs["home"].save()
    theirs["business"].name = "Mallory Holdings"
    theirs["business"].save()
    for n, bill in enumerate(theirs["bills"]):
        bill.payee = f"Mallory Power {n}"
        bill.save()
    return alice, mine, theirs


def choices(html: str) -> dict[str, set[str]]:
    """The option values of every select of the page, by the select's name (without a form
    prefix: `receipts-0-bill` is `bill`)."""
    found: dict[str, set[str]] = {}
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        field = name.rsplit("-", 1)[-1]
        found.setdefault(field, set()).update(re.findall(r'<option value="([^"]*)"', body))
    return found


def leaks(html: str, theirs: dict) -> list[str]:
    """Every trace of Mallory's ledger in a page: names, keys, years, ids in choices, filters."""
    home = theirs["home"]
    signs = {
        "their home's name": "Mallory Manor",
        "their home's key": "mallory-manor",
        "their payee": f">{theirs['bill'].payee}<",
        "their home in a filter": f"home__id__exact={home.pk}",
        "their year in a filter": f"__year={THEIR_YEAR}",
        "their owner": "mallory",
        "their business's name": "Mallory Holdings",
    }
    found = [name for name, sign in signs.items() if sign in html]
    options = choices(html)
    for field, record in (
        ("home", home),
        ("business", theirs["business"]),
        ("bill", theirs["bill"]),
        ("tax_year", theirs["tax_year"]),
    ):
        if str(record.pk) in options.get(field, set()):
            found.append(f"their {field} as a choice")
    return found


def owned_admins():
    for model, model_admin in admin.site._registry.items():
        if owner_scoped(model):
            yield model, model_admin


def pages(mine):
    """Every list with all filters, and every add and change form, of the owner-scoped admin."""
    for model, model_admin in owned_admins():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        yield f"{name} list", reverse(f"{name}_changelist") + "?_facets=1"
        yield f"{name} list by year", reverse(f"{name}_changelist") + f"?tax_year={THEIR_YEAR}"
        if model_admin.has_add_permission is not None:
            yield f"{name} add", reverse(f"{name}_add")
        own = model.objects.filter(owner=mine["home"].owner).first()
        if own is not None:
            yield f"{name} change", reverse(f"{name}_change", args=[own.pk])


@pytest.mark.parametrize("superuser", [False, True], ids=["staff", "superuser"])
def test_no_admin_page_shows_another_users_records(client, two_ledgers, superuser):
    alice, mine, theirs = two_ledgers
    alice.is_superuser = superuser
    alice.save()
    client.force_login(alice)
    found, visited = {}, 0
    for name, url in pages(mine):
        response = client.get(url)
        if response.status_code == 403:
            continue
        assert response.status_code in (200, 302), (name, url, response.status_code)
        visited += 1
        if leaks(response.content.decode(), theirs):
            found[name] = leaks(response.content.decode(), theirs)
    assert visited >= 20
    assert found == {}


def test_the_filters_offer_only_the_users_homes_and_years(client, two_ledgers):
    alice, mine, theirs = two_ledgers
    BillFactory(home=HomeFactory(owner=alice, name="Cabin"), paid_on=dt.date(2024, 5, 1))
    client.force_login(alice)
    page = client.get(reverse("admin:ledger_taxyearhome_changelist")).content.decode()
    assert "tax_year__year=2024" in page and f"tax_year__year={THEIR_YEAR}" not in page
    page = client.get(reverse("admin:ledger_bill_changelist")).content.decode()
    assert f"home__id__exact={mine['home'].pk}" in page
    assert f"home__id__exact={theirs['home'].pk}" not in page


@pytest.mark.parametrize(
    "resource",
    ["businesses", "homes", "office-areas", "improvements", "bills", "receipts", "tax-year-homes"],
)
def test_no_browsable_api_form_offers_another_users_records(client, two_ledgers, resource):
    alice, mine, theirs = two_ledgers
    client.force_login(alice)
    for url in (f"/api/{resource}/", f"/api/{resource}/{mine[resource_key(resource)].pk}/"):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert leaks(response.content.decode(), theirs) == [], url


def resource_key(resource: str) -> str:
    keys = {
        "businesses": "business",
        "homes": "home",
        "office-areas": "office_area",
        "tax-year-homes": "tax_year_home",
    }
    return keys.get(resource, resource.rstrip("s"))


def test_a_superuser_is_told_when_a_page_lists_every_account(client, two_ledgers):
    alice, *_ = two_ledgers
    alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    page = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert 'id="all-accounts-notice"' in page
    assert "this page shows the users of every account, not only yours" in page
    ledger_page = client.get(reverse("admin:ledger_bill_changelist")).content.decode()
    assert "all-accounts-notice" not in ledger_page
