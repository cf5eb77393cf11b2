"""Reads served from what the last write batch stored (forms8829.served): the same forms, carries,
warnings and comparisons as computing, in a constant handful of queries; computed again as soon
as a ledger record changes outside a batch."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from forms8829 import chain, filing, served
from forms8829.models import ServedChain
from ledger.models import Bill, TaxYear
from tests.factories import (
    BillFactory,
    HomeFactory,
    OfficeAreaFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
)
from tests.forms8829.test_chain import lines, spec_chain  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _plain(years):
    return [
        (
            y.year,
            y.tax_year.pk,
            y.filed,
            [(f.pk, f.home_id, f.output) for f in y.forms],
            y.carry_in,
            y.carry_out,
            y.warnings,
        )
        for y in years
    ]


def test_served_chain_is_the_computed_chain(user, spec_chain):  # noqa: F811
    filing.tax_year_file(tax_year=TaxYear.objects.get(owner=user, year=2023))
    # An earlier, open correction: reported on the filed year, carried into 2024.
    with filing.ledger_write(owner=user):
        bill = Bill.objects.get(owner=user, tax_year=2022, category="utilities")
        bill.amount = D("3500")
        bill.save()
    assert ServedChain.objects.filter(owner=user).exists()
    served = chain.chain_compute(owner=user)
    computed = chain.chain_compute_from_ledger(owner=user)
    assert _plain(served) == _plain(computed)
    assert served[1].warnings and served[1].comparisons is not None
    for year in (2022, 2023, 2024):
        current = chain.chain_compute_from_ledger(owner=user, through_year=year)[-1]
        assert chain.method_comparison(owner=user, year=year) == chain.method_comparison(
            owner=user, year=year, current=current
        )


def test_a_year_is_served_in_three_queries(user, spec_chain, django_assert_max_num_queries):  # noqa: F811
    filing.chain_recompute(owner=user)
    with django_assert_max_num_queries(3):
        result = chain.year_forms(owner=user, year=2024)
    assert lines(result.forms[0], "25")["25"] == "1200.00"
    with django_assert_max_num_queries(3):
        chain.chain_compute(owner=user)
    with django_assert_max_num_queries(3):
        chain.method_comparison(owner=user, year=2024)


def test_a_write_outside_a_batch_makes_reads_compute(user, spec_chain):  # noqa: F811
    filing.chain_recompute(owner=user)
    bill = Bill.objects.get(owner=user, tax_year=2024, category="utilities")
    bill.amount = D("4000")
    bill.save()  # no batch: the stored forms are no longer what the ledger gives
    assert not ServedChain.objects.filter(owner=user).exists()
    computed = chain.chain_compute_from_ledger(owner=user)
    assert _plain(chain.chain_compute(owner=user)) == _plain(computed)


def test_a_write_in_a_batch_is_served_at_once(user, spec_chain):  # noqa: F811
    filing.chain_recompute(owner=user)
    before = chain.year_forms(owner=user, year=2024).forms[0].output
    with filing.ledger_write(owner=user):
        bill = Bill.objects.get(owner=user, tax_year=2024, category="utilities")
        bill.amount += D("1000")
        bill.save()
    served = chain.year_forms(owner=user, year=2024)
    assert served.forms[0].output == chain.chain_compute_from_ledger(owner=user)[-1].forms[0].output
    assert served.forms[0].output != before


def test_a_rolled_back_batch_leaves_what_was_served(user, spec_chain):  # noqa: F811
    filing.chain_recompute(owner=user)
    brief = ServedChain.objects.get(owner=user).summary
    with pytest.raises(RuntimeError), filing.ledger_write(owner=user):
        BillFactory(home=spec_chain, paid_on=dt.date(2024, 2, 1), amount=D("999"))
        raise RuntimeError
    assert ServedChain.objects.get(owner=user).summary == brief


def test_where_the_stored_chain_stopped_the_read_raises_the_same_error(user):
    for name in ("A", "B"):
        home = HomeFactory(owner=user, name=name, occupied_from=dt.date(2015, 1, 1))
        OfficeAreaFactory(home=home, start=dt.date(2020, 1, 1))
        if name == "A":
            ty = TaxYearFactory(owner=user, year=2024)
        TaxYearHomeFactory(tax_year=ty, home=home, method="simplified")
    with pytest.raises(ValidationError) as computed:
        chain.chain_compute_from_ledger(owner=user)
    with filing.ledger_write(owner=user):  # a batch stores the chain up to the error
        BillFactory(home=home, paid_on=dt.date(2024, 2, 1))
    assert ServedChain.objects.get(owner=user).summary["error"]["year"] == 2024
    with pytest.raises(ValidationError) as served:
        chain.year_forms(owner=user, year=2024)
    assert served.value.messages == computed.value.messages


def test_every_record_the_forms_are_computed_from_is_watched(user, spec_chain):  # noqa: F811
    names = {model.__name__ for model in served.watched_models()}
    watched = {"Home", "OfficeArea", "Improvement", "Bill", "TaxYear", "TaxYearHome", "Receipt"}
    watched |= {"Business", "BusinessShare", "BillSchedule", "StatementImport", "StatementRow"}
    assert watched <= names
    filing.chain_recompute(owner=user)
    area = spec_chain.office_areas.get()
    area.area = D("300")
    area.save()  # outside a batch
    assert not ServedChain.objects.filter(owner=user).exists()
    assert _plain(chain.chain_compute(owner=user)) == _plain(
        chain.chain_compute_from_ledger(owner=user)
    )


def test_an_import_that_files_years_is_served(user, other_user, spec_chain):  # noqa: F811
    from ledger.ledger_file import ledger_export

    for year in (2022, 2023):
        filing.tax_year_file(tax_year=TaxYear.objects.get(owner=user, year=year))
    filing.ledger_file_import(owner=other_user, data=ledger_export(owner=user))
    assert TaxYear.objects.filter(owner=other_user, filed=True).count() == 2
    assert ServedChain.objects.filter(owner=other_user).exists()
    served = chain.chain_compute(owner=other_user)
    assert _plain(served) == _plain(chain.chain_compute_from_ledger(owner=other_user))
    assert [y.filed for y in served] == [True, True, False]
