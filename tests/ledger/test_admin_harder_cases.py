"""The admin asks for the inputs of the harder cases (docs/tax-rules.md): a restart's basis when
a home's business use stops and starts again, the land's FMV, a direct bill's office area, the
year's AGI and net qualified disaster loss."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ledger.models import OfficeArea
from tests.factories import HomeFactory, OfficeAreaFactory, TaxYearFactory

pytestmark = pytest.mark.django_db


def restarted_home(user):
    home = HomeFactory(owner=user, name="12 Elm St")
    OfficeAreaFactory(home=home, start=dt.date(2021, 1, 1), end=dt.date(2022, 6, 30))
    later = OfficeAreaFactory(home=home, name="Office again", start=dt.date(2024, 4, 1))
    return home, later


def test_home_page_asks_for_the_restart_basis(user, admin_client_for):
    home, later = restarted_home(user)
    client = admin_client_for(user)
    url = reverse("admin:ledger_home_change", args=[home.pk])
    page = client.get(url)
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0]
    assert set(OfficeArea.RESTART_FIELDS) <= set(inline.formset.form.base_fields)
    assert "land_fmv_at_first_business_use" in page.context["adminform"].form.fields
    text = page.content.decode()
    assert "Stopped Jun 30, 2022, started again Apr 01, 2024" in text
    assert "its basis is missing" in text

    later.restart_adjusted_basis = D("240000")
    later.restart_fmv = D("280000")
    later.save()
    assert "basis given on &#x27;Office again&#x27;" in client.get(url).content.decode()


def test_home_without_a_restart_keeps_the_inline_short(user, admin_client_for):
    home = HomeFactory(owner=user)
    OfficeAreaFactory(home=home)
    page = admin_client_for(user).get(reverse("admin:ledger_home_change", args=[home.pk]))
    inline = page.context["inline_admin_formsets"][0]
    assert not set(OfficeArea.RESTART_FIELDS) & set(inline.formset.form.base_fields)


def test_restart_values_are_checked(user, admin_client_for):
    _, later = restarted_home(user)
    later.restart_adjusted_basis = D("240000")
    with pytest.raises(ValidationError) as caught:
        later.full_clean()
    assert "restart_fmv" in caught.value.message_dict


def test_bill_and_tax_year_pages_ask_for_the_new_inputs(user, admin_client_for):
    home, _ = restarted_home(user)
    OfficeAreaFactory(home=HomeFactory(), name="Someone else's")
    client = admin_client_for(user)
    bill_form = client.get(reverse("admin:ledger_bill_add")).context["adminform"].form
    assert set(bill_form.fields["office_area"].queryset) == set(home.office_areas.all())
    tax_year = TaxYearFactory(owner=user, year=2024)
    year_form = client.get(reverse("admin:ledger_taxyear_change", args=[tax_year.pk]))
    fields = year_form.context["adminform"].form.fields
    assert {"adjusted_gross_income", "net_qualified_disaster_loss"} <= set(fields)
