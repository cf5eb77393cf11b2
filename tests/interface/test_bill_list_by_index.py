"""The admin bill list reads by index: the same queries for 10 bills or many, no DISTINCT or
date truncation over every bill, no totals past the count's cap; and it shows what it showed:
Django's own date drill-down choices, the user's own years and homes, search by payee and note,
inputs marked up as Django's widgets mark them up. The search counts to its own, lower cap
("more than"), reads nothing after a count of none, and on PostgreSQL is served by the trigram
indexes. (Timing at a million bills: make bench.)"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import date_hierarchy as django_date_hierarchy
from django.db import connection
from django.db.models import Q
from django.forms.utils import ErrorList
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interface import paging
from interface.date_drilldown import date_hierarchy, years_with_rows
from interface.list_widgets import (
    PlainCheckboxInput,
    PlainErrorList,
    PlainHiddenInput,
    PlainTextInput,
)
from ledger.models import Bill
from tests.factories import BillFactory, HomeFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/ledger/bill/"


def _bills(home, count: int, years=(2021, 2022, 2024)):
    """`count` bills spread over the years (2023 left empty) and their months and days."""
    Bill.objects.bulk_create(
        Bill(
            owner=home.owner,
            home=home,
            paid_on=dt.date(years[n % len(years)], 1 + n % 12, 1 + n % 28),
            tax_year=years[n % len(years)],
            payee="City Water" if n % 3 == 0 else f"Payee {n}",
            note="meter read" if n % 5 == 0 else "",
            category=Bill.Category.UTILITIES,
            amount=Decimal(n) + Decimal("0.25"),
        )
        for n in range(count)
    )


def _queries(client, url: str) -> list[str]:
    client.get(url)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?tax_year=2024",
        "?q=Water",
        "?paid_on__year=2024",
        "?paid_on__year=2024&paid_on__month=3",
    ],
)
def test_the_bill_list_runs_the_same_queries_for_few_bills_or_many(user, admin_client_for, query):
    home = HomeFactory(owner=user, key="elm")
    client = admin_client_for(user)
    # More than a page of 50 in each list but the month's (a list of one page is read in one
    # query, of more in two: the page's keys, then its rows).
    _bills(home, 330)
    few = _queries(client, CHANGELIST + query)
    _bills(home, 170)
    many = _queries(client, CHANGELIST + query)
    assert len(many) == len(few), "\n".join(many)
    for sql in many:
        # Nothing reads every bill to list choices: no DISTINCT, no date truncated per row.
        assert "SELECT DISTINCT" not in sql.upper(), sql
        assert "date_trunc" not in sql.lower(), sql
        if sql.startswith("SELECT COUNT(*)"):
            assert "LIMIT" in sql, sql  # the capped count, never the whole table


def _sums(client, url: str) -> list[str]:
    return [s for s in _queries(client, url) if "SUM(" in s.upper()]


def test_totals_are_a_tax_years_within_the_cap_and_the_page_says_how_to_see_them(
    user, admin_client_for, monkeypatch
):
    monkeypatch.setattr(paging.CappedCountPaginator, "cap", 30)
    _bills(HomeFactory(owner=user, key="elm"), 120)  # 40 bills a year: past the cap of 30
    client = admin_client_for(user)

    for query, hint in [
        ("", "Choose a tax year to see its bills' totals"),  # several years: not summed
        ("?q=Payee", "Choose a tax year to see its bills' totals"),
        ("?tax_year=2021", "Totals by category are shown for up to 30 bills"),
    ]:
        assert not _sums(client, CHANGELIST + query), query
        page = client.get(CHANGELIST + query).content.decode()
        assert 'id="bill-totals"' not in page and hint in page, query

    for query, bills in [("?tax_year=2021&q=meter", 8), ("?paid_on__year=2022&q=meter", 8)]:
        assert len(_sums(client, CHANGELIST + query)) == 1
        page = client.get(CHANGELIST + query).content.decode()
        assert f"Totals of the {bills} bills shown" in page, query


def _cl(client, query: str):
    response = client.get(CHANGELIST + query)
    assert response.status_code == 200
    return response.context["cl"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?q=Water",
        "?q=meter",
        "?tax_year=2022",
        "?paid_on__year=2024",
        "?paid_on__year=2024&paid_on__month=2",
        "?paid_on__year=2024&paid_on__month=2&paid_on__day=6",
        "?paid_on__year=2023",
        "?q=nothing-like-this",
    ],
)
def test_the_date_drill_down_offers_what_djangos_own_offers(user, admin_client_for, query):
    _bills(HomeFactory(owner=user, key="elm"), 80)
    cl = _cl(admin_client_for(user), query)
    assert date_hierarchy(cl) == django_date_hierarchy(cl)


@pytest.mark.parametrize(
    "paid_on", [[dt.date(2024, 3, 9)], [dt.date(2024, 3, 9), dt.date(2024, 3, 20)]]
)
def test_one_year_or_one_month_starts_the_drill_down_there(user, admin_client_for, paid_on):
    home = HomeFactory(owner=user, key="elm")
    for day in paid_on:
        BillFactory(home=home, paid_on=day)
    cl = _cl(admin_client_for(user), "")
    assert date_hierarchy(cl) == django_date_hierarchy(cl)
    assert date_hierarchy(cl)["back"]["title"] == "2024"


def test_tax_years_and_homes_offered_are_the_users_own(user, admin_client_for):
    mine = HomeFactory(owner=user, key="elm")
    _bills(mine, 30)
    HomeFactory(owner=user, key="cabin", name="Cabin")  # two homes: the filter is shown
    mallory = UserFactory(username="mallory")
    theirs = HomeFactory(owner=mallory, key="theirs", name="Mallory Manor")
    BillFactory(home=theirs, paid_on=dt.date(2019, 4, 1))
    BillFactory(home=theirs, paid_on=dt.date(2023, 4, 1))

    assert years_with_rows(Bill.objects.owned_by(user), "paid_on") == [2021, 2022, 2024]
    page = admin_client_for(user).get(CHANGELIST).content.decode()
    offered = set(re.findall(r"\?tax_year=(\d+)", page))
    assert offered == {"2021", "2022", "2024"}  # not 2023 (a gap, and Mallory's), nor 2019
    assert "paid_on__year=2019" not in page and "paid_on__year=2023" not in page
    assert f"home__id__exact={mine.pk}" in page
    assert f"home__id__exact={theirs.pk}" not in page and "Mallory Manor" not in page


def test_a_tax_year_lists_that_years_bills(user, admin_client_for):
    home = HomeFactory(owner=user, key="elm")
    _bills(home, 30)
    BillFactory(
        home=HomeFactory(owner=UserFactory(username="mallory")), paid_on=dt.date(2022, 5, 1)
    )
    cl = _cl(admin_client_for(user), "?tax_year=2022")
    expected = Bill.objects.owned_by(user).filter(tax_year=2022)
    assert {b.pk for b in cl.result_list} == set(expected.values_list("pk", flat=True))


@pytest.mark.parametrize("year", ["abc", "99999", "0"])
def test_a_tax_year_that_is_no_year_is_a_bad_lookup_not_an_error(user, admin_client_for, year):
    BillFactory(home=HomeFactory(owner=user))  # a year to offer: the filter is shown
    response = admin_client_for(user).get(f"{CHANGELIST}?tax_year={year}")
    assert response.status_code == 302 and response.url.endswith("?e=1")


def test_search_finds_payees_and_notes_in_any_case(user, admin_client_for):
    home = HomeFactory(owner=user, key="elm")
    by_payee = BillFactory(home=home, payee="Springfield WATER Works")
    by_note = BillFactory(home=home, payee="City", note="the water heater's part")
    BillFactory(home=home, payee="Gas Co")
    BillFactory(home=HomeFactory(owner=UserFactory(username="mallory")), payee="Water")
    client = admin_client_for(user)
    found = {b.pk for b in _cl(client, "?q=water").result_list}
    assert found == {by_payee.pk, by_note.pk}


WIDGETS = [
    (forms.TextInput, PlainTextInput, {"inputmode": "decimal"}, "form-0-amount", "1,250.00"),
    (forms.HiddenInput, PlainHiddenInput, {}, "form-0-id", 12),
    (forms.TextInput, PlainTextInput, {"data-x": 'a"<b>&', "required": True}, "n", None),
    (forms.TextInput, PlainTextInput, {"disabled": False, "title": "x"}, "n", "<script>"),
    (forms.CheckboxInput, PlainCheckboxInput, {"class": "action-select"}, "_selected_action", "7"),
    (forms.CheckboxInput, PlainCheckboxInput, {}, "on", True),
]


@pytest.mark.parametrize(("django_widget", "plain", "attrs", "name", "value"), WIDGETS)
def test_plain_widgets_render_as_djangos(django_widget, plain, attrs, name, value):
    extra = {"id": f"id_{name}"}
    expected = django_widget(dict(attrs)).render(name, value, attrs=extra)
    assert plain(dict(attrs)).render(name, value, attrs=extra) == expected


@pytest.mark.parametrize("errors", [[], ["Enter a number & <more>."], ["One.", "Two."]])
def test_plain_error_lists_render_as_djangos(errors):
    for method in ("__str__", "as_ul", "as_text"):
        expected = getattr(ErrorList(errors, field_id="id_x"), method)()
        assert getattr(PlainErrorList(errors, field_id="id_x"), method)() == expected


def test_the_list_rows_are_marked_up_as_djangos_widgets_mark_them_up(user, admin_client_for):
    bill = BillFactory(home=HomeFactory(owner=user), amount=Decimal("1250.00"), payee="A & B")
    page = admin_client_for(user).get(CHANGELIST).content.decode()
    checkbox = forms.CheckboxInput(
        {"class": "action-select", "aria-label": f"Select this object for an action - {bill}"},
        lambda value: False,
    ).render("_selected_action", str(bill.pk))
    assert checkbox in page
    amount = forms.TextInput({"inputmode": "decimal"})
    assert amount.render("form-0-amount", "1250.00", attrs={"id": "id_form-0-amount"}) in page
    assert f'<input type="hidden" name="form-0-id" value="{bill.pk}" id="id_form-0-id">' in page
    assert reverse("admin:ledger_bill_change", args=[bill.pk]) in page


def test_each_rows_link_carries_the_lists_filters_back(user, admin_client_for):
    bill = BillFactory(home=HomeFactory(owner=user), paid_on=dt.date(2024, 3, 9))
    client = admin_client_for(user)
    change = reverse("admin:ledger_bill_change", args=[bill.pk])
    page = client.get(f"{CHANGELIST}?tax_year=2024&q=City").content.decode()
    assert f'href="{change}?_changelist_filters=tax_year%3D2024%26q%3DCity"' in page
    assert f'href="{change}"' in client.get(CHANGELIST).content.decode()


@pytest.mark.parametrize("order", ["", "&o=4", "&o=-2.4", "&o=-10"])
def test_a_deep_page_reads_its_keys_then_only_its_rows(user, admin_client_for, order):
    """`?p=3`: the keys of the page (the OFFSET on keys alone), then that page's rows by key,
    in the list's order whichever column sorts it (amount, payee, receipts)."""
    home = HomeFactory(owner=user, key="elm")
    _bills(home, 250)
    client = admin_client_for(user)
    first = _cl(client, f"?p=1{order}")
    ordered = list(first.queryset.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        cl = _cl(client, f"?p=3{order}")
    size = cl.list_per_page
    assert [b.pk for b in cl.result_list] == ordered[2 * size : 3 * size]
    offsets = [q["sql"] for q in ctx.captured_queries if f"OFFSET {2 * size}" in q["sql"]]
    assert len(offsets) == 1 and offsets[0].startswith('SELECT "ledger_bill"."id" AS "pk" FROM')


def test_a_filtered_pages_rows_are_read_by_key_alone(user, admin_client_for):
    """The keys were read through the filters; the rows are not filtered again (SQLite would
    walk the filter's date range in the index instead of seeking the keys). Still the user's."""
    _bills(HomeFactory(owner=user, key="elm"), 250)
    with CaptureQueriesContext(connection) as ctx:
        cl = _cl(admin_client_for(user), "?tax_year=2024&q=Payee&p=2")
    expected = Bill.objects.owned_by(user).filter(tax_year=2024, payee__icontains="Payee")
    assert [b.pk for b in cl.result_list] == list(expected.values_list("pk", flat=True))[50:100]
    (rows,) = [q["sql"] for q in ctx.captured_queries if "ORDER BY (CASE" in q["sql"]]
    assert "BETWEEN" not in rows and "LIKE" not in rows and '"owner_id" = ' in rows


def test_a_filter_that_matches_nothing_shows_an_empty_list(user, admin_client_for):
    """No office area in use: `counted=yes` is a filter known to match nothing (Django compiles
    no SQL for it); the drill-down and the counts answer without a query, not with an error."""
    BillFactory(home=HomeFactory(owner=user), paid_on=dt.date(2024, 3, 9))
    cl = _cl(admin_client_for(user), "?counted=yes&tax_year=2024")
    assert list(cl.result_list) == []
    assert date_hierarchy(cl) == django_date_hierarchy(cl)


def _found(client, query: str) -> set[int]:
    return {bill.pk for bill in _cl(client, query).result_list}


def test_search_finds_the_users_bills_by_payee_and_note_in_any_case(user, admin_client_for):
    home = HomeFactory(owner=user, key="elm")
    by_payee = BillFactory(home=home, payee="Café Ünïcode")
    by_note = BillFactory(home=home, payee="City", note="paid at the café downstairs")
    BillFactory(home=home, payee="Cafeteria", note="cafe")  # no accent: another word
    BillFactory(home=HomeFactory(owner=UserFactory(username="mallory")), payee="Café")
    client = admin_client_for(user)

    for query in ("Café", "café", "CAFé"):
        assert _found(client, f"?q={query}") == {by_payee.pk, by_note.pk}, query
    assert _found(client, "?q=DOWNSTAIRS") == {by_note.pk}
    assert _found(client, "?q=ÜnïCODE") == {by_payee.pk}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's LIKE folds ASCII letters only (Django's icontains); PostgreSQL's UPPER all",
)
def test_search_folds_non_ascii_letters_on_postgresql(user, admin_client_for):
    home = HomeFactory(owner=user, key="elm")
    cafe = BillFactory(home=home, payee="Café Ünïcode")
    client = admin_client_for(user)
    assert _found(client, "?q=CAFÉ") == {cafe.pk}
    assert _found(client, "?q=üNÏCODE") == {cafe.pk}


def _page(client, query: str):
    client.get(CHANGELIST + query)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(CHANGELIST + query)
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


def test_a_search_counts_to_its_own_cap_and_says_more_than(user, admin_client_for, monkeypatch):
    monkeypatch.setattr(paging.CappedCountPaginator, "search_cap", 30)
    _bills(HomeFactory(owner=user, key="elm"), 120)  # 40 from City Water, 24 noted "meter"
    client = admin_client_for(user)

    response, sql = _page(client, "?q=water")
    cl = response.context["cl"]
    assert cl.result_count == 30 and cl.paginator.capped
    # The count reads the matches' keys, unordered, one past the cap; no COUNT(*) of its own.
    (count,) = [s for s in sql if "LIKE" in s and "LIMIT 31" in s]
    assert count.startswith('SELECT "ledger_bill"."id"') and "ORDER BY" not in count, count
    assert not [s for s in sql if s.startswith("SELECT COUNT(*)")]
    page = response.content.decode()
    assert 'id="search-count-capped">more than 30 results' in page
    assert "more than 30 bills" in page

    # Below the search's cap the count is exact and says so; the list's own cap is unchanged.
    response, _sql = _page(client, "?q=METER")
    assert response.context["cl"].result_count == 24
    assert not response.context["cl"].paginator.capped
    assert "24 results" in response.content.decode()
    assert "more than" not in response.content.decode()
    response, _sql = _page(client, "")
    assert response.context["cl"].result_count == 120


def test_a_search_that_finds_nothing_reads_nothing_after_its_count(user, admin_client_for):
    _bills(HomeFactory(owner=user, key="elm"), 120)
    client = admin_client_for(user)
    response, sql = _page(client, "?q=nothing-like-this")
    assert response.context["cl"].result_count == 0
    searched = [s for s in sql if "nothing-like-this" in s or "NOTHING-LIKE-THIS" in s]
    # The count alone: no rows read, no first and last date, no year looked for.
    assert len(searched) == 1 and "ORDER BY" not in searched[0], searched
    assert "0 results" in response.content.decode()


@pytest.mark.parametrize("query", ["?q=meter&tax_year=2022", "?q=meter&o=2.-1", "?q=Payee 1"])
def test_a_searchs_one_page_is_read_by_the_keys_its_count_read(user, admin_client_for, query):
    """Matches few enough for one page: the rows and the date drill-down seek the keys the
    count read (SQLite would walk the user's bills by date looking for each); the rows, their
    order and the drill-down's choices are those of the search, and only the user's."""
    _bills(HomeFactory(owner=user, key="elm"), 120)
    BillFactory(home=HomeFactory(owner=UserFactory(username="mallory")), payee="Payee 1 meter")
    client = admin_client_for(user)
    response, sql = _page(client, query)
    cl = response.context["cl"]
    assert 0 < cl.result_count <= cl.list_per_page
    count, *after = [s for s in sql if "LIKE" in s]
    assert "ORDER BY" not in count and " IN (" not in count, count
    assert after and all(" IN (" in s for s in after), after

    expected = Bill.objects.owned_by(user)
    for term in query.split("&")[0].removeprefix("?q=").split():  # each word, payee or note
        expected = expected.filter(Q(payee__icontains=term) | Q(note__icontains=term))
    if "tax_year" in query:
        expected = expected.filter(tax_year=2022)
    ordering = ("payee", "-paid_on", "-pk") if "o=2" in query else ("-paid_on", "-pk")
    assert [b.pk for b in cl.result_list] == list(
        expected.order_by(*ordering).values_list("pk", flat=True)
    )
    assert date_hierarchy(cl) == django_date_hierarchy(cl)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's"
)
def test_the_searchs_filter_is_served_by_the_trigram_indexes(user, rf):
    """The admin's own search filter (Django's `UPPER(...::text) LIKE UPPER(...)`) matches the
    indexed expressions of migration 0008: with every other way of reading the bills priced
    out, both indexes are used (a small table is otherwise read whole, as it should be)."""
    bill_admin = admin.site.get_model_admin(Bill)
    request = rf.get(CHANGELIST, {"q": "water"})
    request.user = user
    searched, _duplicates = bill_admin.get_search_results(request, Bill.objects.all(), "water")
    with connection.cursor() as cursor:
        for kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
    plan = searched.order_by().values("pk").explain()
    assert "bill_payee_trgm" in plan and "bill_note_trgm" in plan, plan
