"""Fixtures of the year-end review tests: a demo-like ledger and the review's URLs."""

import re

import pytest
from django.urls import reverse

from tests.factories import demo_like_ledger


@pytest.fixture
def demo(user):
    return demo_like_ledger(user)


@pytest.fixture
def client_of(admin_client_for):
    return admin_client_for


def review_url(tax_year, action: str = "review") -> str:
    return reverse(f"admin:ledger_taxyear_{action}", args=[tax_year.pk])


def html(response) -> str:
    return response.content.decode()


def row_html(page: str, home_pk: int, number: str) -> str:
    """The <tr> of one form line of one home on the review page."""
    match = re.search(rf'<tr[^>]*id="h{home_pk}-line-{number}">(.*?)</tr>', page, re.S)
    assert match, f"line {number} of home {home_pk} missing"
    return match.group(1)


def forms_of(owner, year: int) -> list:
    """The year's forms as the review shows them: computed from the ledger (a filed year's, as
    stored). Reads never store forms, so tests read them here, not from the table."""
    from forms8829.chain import year_forms

    return year_forms(owner=owner, year=year).forms


def form_of(owner, year: int, home=None):
    forms = [f for f in forms_of(owner, year) if home is None or f.home_id == home.pk]
    assert len(forms) == 1, forms
    return forms[0]
