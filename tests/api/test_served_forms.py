"""A form GET after a write is served from what the write stored: a handful of queries, the same
body as computing it from the ledger."""

import datetime as dt

import pytest

from forms8829 import chain
from tests.api.conftest import make_ledger

pytestmark = pytest.mark.django_db


def test_form_and_chain_are_served_in_constant_queries(api, user, django_assert_max_num_queries):
    ledger = make_ledger(user, year=2024, bills=3)
    response = api.post(
        "/api/bills/",
        {
            "home": ledger["home"].pk,
            "paid_on": dt.date(2024, 3, 1).isoformat(),
            "payee": "City Power",
            "category": "utilities",
            "amount": "120.00",
            "scope": "indirect",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    with django_assert_max_num_queries(5):  # token, tax year, brief, tax years, forms
        form = api.get("/api/forms/2024/")
    assert form.status_code == 200
    computed = chain.chain_compute_from_ledger(owner=user, through_year=2024)[-1]
    assert [f["lines"] for f in form.json()] == [f.output["lines"] for f in computed.forms]
    with django_assert_max_num_queries(6):  # and the home
        assert api.get(f"/api/forms/2024/{ledger['home'].pk}/").status_code == 200
    with django_assert_max_num_queries(4):
        assert api.get("/api/carryovers/").status_code == 200
    with django_assert_max_num_queries(5):
        assert api.get("/api/forms/2024/method-comparison/").status_code == 200
