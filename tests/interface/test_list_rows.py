"""The changelist's rows made once a column (`interface.list_rows.page_results`) are Django's
rows (`admin_list.results`), cell for cell: every list of the admin over the demo ledger, and the
bill list over bills of every shape, filtered, searched, sorted, paged and with a refused edit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from interface.admin_ledger import DateSafeChangeList
from interface.demo_data import DEMO_USERNAME, demo_load
from interface.list_rows import page_results
from ledger.models import Bill, Home
from ledger.statement_models import BillSchedule
from tests.factories import (
    BillFactory,
    HomeFactory,
    OfficeAreaFactory,
    ReceiptFactory,
)
from tests.ledger.statements.conftest import import_file, make_rules, renter_ledger

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/ledger/bill/"


def _rows(rows) -> list[tuple]:
    return [(row.form, list(row)) for row in rows]


def assert_rows_are_djangos(response):
    assert response.status_code == 200, response.status_code
    cl = response.context["cl"]
    assert isinstance(cl, DateSafeChangeList)
    ours, djangos = _rows(page_results(cl)), _rows(results(cl))
    assert ours == djangos
    # And the page shows them: its list is made by `page_results`.
    assert "admin/owned_change_list.html" in [t.name for t in response.templates]
    page = response.content.decode()
    for _form, cells in ours:
        assert "<tr>" + "".join(cells) + "</tr>" in page
    return cl, ours


@pytest.fixture
def bills(user):
    home = HomeFactory(owner=user, name="Maple <St> & Co")
    area = OfficeAreaFactory(home=home)
    made = [
        BillFactory(home=home, payee="A & B <i>", amount=Decimal("1250.00")),
        BillFactory(home=home, payee="  ", note="blank payee", amount=Decimal("3.10")),
        BillFactory(
            home=home,
            category=Bill.Category.INTERNET,
            business_use_percent=Decimal("40.00"),
            paid_on=dt.date(2024, 2, 29),
        ),
        BillFactory(home=home, kind=Bill.Kind.REFUND, amount=Decimal("12.00")),
        BillFactory(
            home=home,
            scope=Bill.Scope.DIRECT,
            office_area=area,
            category=Bill.Category.REPAIRS,
            paid_on=dt.date(2025, 12, 31),
        ),
    ]
    ReceiptFactory(bill=made[0])
    ReceiptFactory(bill=made[0], original_name='scan "2" <b>.pdf')
    return made


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?tax_year=2024",
        "?q=A+%26+B",
        "?o=-3.2",
        "?o=9",
        "?paid_on__year=2024&paid_on__month=2",
        "?home__id__exact=0",
        "?category__exact=internet&kind__exact=payment",
    ],
)
def test_the_bill_lists_rows_are_djangos(user, bills, admin_client_for, query):
    _cl, rows = assert_rows_are_djangos(admin_client_for(user).get(CHANGELIST + query))
    if not query:
        assert len(rows) == len(bills)


def test_a_page_of_many_rows_and_a_later_page_are_djangos(user, admin_client_for):
    home = HomeFactory(owner=user)
    for n in range(60):
        BillFactory(home=home, payee=f"Payee {n}", amount=Decimal(n) + Decimal("0.5"))
    client = admin_client_for(user)
    _cl, first = assert_rows_are_djangos(client.get(CHANGELIST))
    _cl, second = assert_rows_are_djangos(client.get(CHANGELIST + "?p=2"))
    assert (len(first), len(second)) == (50, 10)


def test_a_refused_edit_comes_back_with_djangos_rows_and_errors(user, bills, admin_client_for):
    client = admin_client_for(user)
    page = client.get(CHANGELIST)
    form = page.context["cl"].formset
    data = {
        "form-TOTAL_FORMS": str(form.total_form_count()),
        "form-INITIAL_FORMS": str(form.initial_form_count()),
        "_save": "Save",
    }
    for n, row in enumerate(form.forms):
        data[f"form-{n}-id"] = str(row.instance.pk)
        data[f"form-{n}-amount"] = "not money" if n == 0 else str(row.instance.amount)
    response = client.post(CHANGELIST, data)
    _cl, rows = assert_rows_are_djangos(response)
    assert rows[0][0].errors
    assert 'class="errorlist' in "".join(rows[0][1])


def _every_list_is_djangos(client) -> set[str]:
    """Each list of the admin the client's user opens, compared; the lists with rows."""
    seen = set()
    for model in admin.site._registry:
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        response = client.get(url)
        if response.status_code != 200 or "cl" not in (response.context or {}):
            continue
        if not isinstance(response.context["cl"], DateSafeChangeList):
            continue
        _cl, rows = assert_rows_are_djangos(response)
        if rows:
            seen.add(model.__name__)
    return seen


def test_every_list_of_the_admin_is_djangos_over_the_demo_ledger(client):
    demo_load()
    client.force_login(get_user_model().objects.get(username=DEMO_USERNAME))
    seen = _every_list_is_djangos(client)
    assert {"Home", "OfficeArea", "Bill", "Receipt", "TaxYear", "TaxYearHome"} <= seen


def test_the_statement_lists_are_djangos(client):
    owner = renter_ledger()
    owner.is_staff = True
    owner.save()
    make_rules(owner)
    for name in ("checking-details-jan.csv", "checking-v1.qfx"):
        import_file(owner, name)
    BillSchedule.objects.create(
        owner=owner,
        payee="Town <Tax> & Co",
        category="real_estate_tax",
        home=Home.objects.get(owner=owner),
        starts_on=dt.date(2024, 1, 1),
    )
    client.force_login(owner)
    seen = _every_list_is_djangos(client)
    assert {
        "PayeeRule",
        "StatementImport",
        "StatementRow",
        "StatementAccount",
        "BillSchedule",
    } <= seen
