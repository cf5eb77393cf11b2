"""The paths `benchmarks/load.py` measures, in the queries and the work they cost (issue 11):
the form endpoint served from the stored brief in one query after the token's; a bill written
through the API recomputes only its year and the later ones, storing what a recompute of the
whole chain stores."""

import datetime as dt
from decimal import Decimal

import pytest

from forms8829 import chain
from forms8829.chain import chain_compute_to_store
from forms8829.filing import chain_recompute, ledger_write
from forms8829.models import ComputedForm, ServedChain
from tests.api.conftest import make_ledger
from tests.factories import BillFactory, TaxYearFactory, TaxYearHomeFactory

pytestmark = pytest.mark.django_db

YEARS = (2022, 2023, 2024, 2025)


def _ledger(user):
    """A home in use 2022-2025, a tax year and bills in each, the forms stored by a batch."""
    ledger = make_ledger(user, year=YEARS[0], bills=4)
    for year in YEARS[1:]:
        tax_year = TaxYearFactory(owner=user, year=year)
        TaxYearHomeFactory(tax_year=tax_year, home=ledger["home"])
        for month in (2, 5, 9):
            BillFactory(home=ledger["home"], paid_on=dt.date(year, month, 3), amount=Decimal("450"))
    chain_recompute(owner=user)
    return ledger


def _stored(user) -> tuple:
    """What the batches stored: the brief (less its time) and every stored form's numbers."""
    served = ServedChain.objects.get(owner=user)
    forms = sorted(
        ComputedForm.objects.filter(owner=user).values_list(
            "year", "home_id", "chain_fingerprint", "inputs_fingerprint", "output"
        )
    )
    return served.engine_version, served.summary, forms


def _bill(home, paid_on: dt.date, amount: str = "3000.00") -> dict:
    return {
        "home": home.pk,
        "paid_on": paid_on.isoformat(),
        "payee": "Roofer",
        "category": "repairs",
        "amount": amount,
        "scope": "indirect",
    }


def _same_as_whole_recompute(user) -> None:
    after_write = _stored(user)
    chain_recompute(owner=user)
    assert _stored(user) == after_write


def test_the_form_endpoint_is_served_in_two_queries_after_the_token(
    api, user, django_assert_num_queries
):
    ledger = _ledger(user)
    response = api.post("/api/bills/", _bill(ledger["home"], dt.date(2024, 3, 1)), format="json")
    assert response.status_code == 201, response.content
    with django_assert_num_queries(2):  # token, the brief joined to the year's forms
        served = api.get("/api/forms/2024/")
    assert served.status_code == 200
    computed = chain.chain_compute_from_ledger(owner=user, through_year=2024)[-1]
    assert served.json() == [{**f.output, "warnings": computed.warnings} for f in computed.forms]


def test_the_form_endpoint_without_a_current_brief_computes_and_answers_the_same(api, user):
    ledger = _ledger(user)
    served = api.get("/api/forms/2023/").json()
    BillFactory(home=ledger["home"], paid_on=dt.date(2025, 1, 9))  # outside a batch: forgotten
    assert not ServedChain.objects.filter(owner=user).exists()
    assert api.get("/api/forms/2023/").json() == served
    assert api.get("/api/forms/2019/").status_code == 404  # no such tax year
    assert api.get("/api/forms/2030/").status_code == 400  # not a supported year


def test_a_bill_written_through_the_api_stores_what_a_whole_recompute_stores(api, user):
    ledger = _ledger(user)
    home = ledger["home"]
    # A repair in 2023: 2023 changes, and its carry-out moves 2024 and 2025.
    created = api.post("/api/bills/", _bill(home, dt.date(2023, 6, 1), "9000.00"), format="json")
    assert created.status_code == 201, created.content
    _same_as_whole_recompute(user)
    # Moved to an earlier year (2025 to 2022): the year it left and the one it went to.
    later = api.post("/api/bills/", _bill(home, dt.date(2025, 6, 1)), format="json").json()
    moved = api.patch(f"/api/bills/{later['id']}/", {"paid_on": "2022-07-01"}, format="json")
    assert moved.status_code == 200, moved.content
    _same_as_whole_recompute(user)
    assert api.delete(f"/api/bills/{created.json()['id']}/").status_code == 204
    _same_as_whole_recompute(user)
    # Not a bill (the home): every year is computed.
    changed = api.patch(f"/api/homes/{home.pk}/", {"cost_basis": "250000.00"}, format="json")
    assert changed.status_code == 200, changed.content
    _same_as_whole_recompute(user)


def test_the_years_before_the_written_bills_are_taken_from_the_brief(user):
    _ledger(user)
    with ledger_write(owner=user):
        narrowed = chain_compute_to_store(owner=user, since_year=2024)
        whole = chain_compute_to_store(owner=user)
    assert [yf.year for yf in narrowed] == list(YEARS)
    assert [yf.brief is not None for yf in narrowed] == [True, True, False, False]
    for a, b in zip(narrowed, whole, strict=True):
        assert [f.pk for f in a.forms] == [f.pk for f in b.forms]
        assert (a.carry_in, a.carry_out, a.warnings) == (b.carry_in, b.carry_out, b.warnings)


def test_a_filed_year_before_the_written_bill_still_refuses_its_change(api, user):
    ledger = _ledger(user)
    assert api.post(f"/api/tax-years/{ledger['tax_year'].pk}/file/").status_code == 200
    bill = ledger["bills"][1]  # 2022, filed
    moved = api.patch(f"/api/bills/{bill.pk}/", {"paid_on": "2024-02-01"}, format="json")
    assert moved.status_code == 409, moved.content
    created = api.post("/api/bills/", _bill(ledger["home"], dt.date(2024, 3, 1)), format="json")
    assert created.status_code == 201, created.content
    _same_as_whole_recompute(user)
