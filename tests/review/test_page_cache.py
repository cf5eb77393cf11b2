"""The review page is kept, per browser session, until the ledger changes (review.page_cache): a
repeated look reads neither a bill nor a form, and no change to the ledger is ever shown late."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forms8829 import filing
from forms8829.models import ServedChain
from ledger.models import Bill, TaxYear
from ledger.statement_models import BillSchedule
from tests.factories import BillFactory, ReceiptFactory
from tests.review.conftest import html, review_url
from tests.review.test_review_reads import _page

pytestmark = pytest.mark.django_db


def _reads(captured) -> list[str]:
    """The queries that read the ledger's bills or the stored forms."""
    return [
        q["sql"]
        for q in captured
        if "ledger_bill" in q["sql"] or "forms8829_computedform" in q["sql"]
    ]


def _look(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, captured


@pytest.fixture
def year_2024(demo, user):
    filing.chain_recompute(owner=user)  # what any write batch stores
    return TaxYear.objects.get(owner=user, year=2024)


def test_a_repeated_look_reads_no_bill_and_no_form(user, client_of, year_2024):
    client = client_of(user)
    _look(client, review_url(year_2024))  # a first look sets the session's CSRF cookie
    first, computed = _look(client, review_url(year_2024))
    again, kept = _look(client, review_url(year_2024))
    assert _reads(computed)
    assert again.content == first.content
    assert _reads(kept) == []
    assert len(kept) <= 7, [q["sql"][:80] for q in kept]


def test_a_write_batch_shows_at_once(user, client_of, year_2024, demo):
    client = client_of(user)
    url = review_url(year_2024)
    before = _page(client, url)
    with filing.ledger_write(owner=user):
        BillFactory(
            home=demo["apartment"],
            paid_on=dt.date(2024, 3, 5),
            amount=Decimal("1234.56"),
            payee="Late Power",
        )
    after = _page(client, url)
    assert after != before
    fresh = Client()  # a session with nothing kept: the same page
    fresh.force_login(user)
    assert _page(fresh, url) == after


def _receipt(user, demo):
    ReceiptFactory(bill=Bill.objects.filter(owner=user, tax_year=2024, receipts=None).first())


def _schedule(user, demo):
    BillSchedule.objects.create(
        owner=user,
        payee="Town Tax",  # paid in April only: eleven months now due
        category="real_estate_tax",
        home=demo["house"],
        starts_on=dt.date(2024, 1, 1),
    )


@pytest.mark.parametrize("write", [_receipt, _schedule])
def test_a_record_saved_outside_a_batch_is_never_shown_late(
    write, user, client_of, year_2024, demo
):
    client = client_of(user)
    url = review_url(year_2024)
    _look(client, url)
    before = _page(client, url)
    write(user, demo)  # outside a batch: the brief is dropped, nothing kept is served
    assert not ServedChain.objects.filter(owner=user).exists()
    with CaptureQueriesContext(connection) as after:
        page = _page(client, url)
    assert _reads(after)
    assert page != before


def test_without_a_brief_nothing_is_kept(user, client_of, year_2024):
    ServedChain.objects.filter(owner=user).delete()
    client = client_of(user)
    _look(client, review_url(year_2024))
    _, again = _look(client, review_url(year_2024))
    assert _reads(again)


def test_the_kept_page_forms_carry_this_sessions_token(user, year_2024):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = review_url(year_2024)
    _look(client, url)
    _look(client, url)
    kept, captured = _look(client, url)
    assert _reads(captured) == []
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html(kept)).group(1)
    posted = client.post(review_url(year_2024, "review_recompute"), {"csrfmiddlewaretoken": token})
    assert posted.status_code == 302


def test_each_session_gets_its_own_page(user, year_2024):
    url = review_url(year_2024)
    first, second = Client(), Client()
    for client in (first, second):
        client.force_login(user)
    for _ in range(3):
        _look(first, url)
    _look(second, url)
    _, other = _look(second, url)
    assert _reads(other)  # not the first session's page (its forms carry that session's token)


def test_a_page_with_messages_is_shown_once_and_not_kept(user, client_of, year_2024):
    client = client_of(user)
    url = review_url(year_2024)
    _look(client, url)
    _look(client, url)
    client.post(review_url(year_2024, "review_recompute"))
    said = "Recomputed every year"
    with_message, _ = _look(client, url)
    assert said in html(with_message)
    again, captured = _look(client, url)
    assert said not in html(again)
    assert _reads(captured)  # the page with the message was not kept
    kept, captured = _look(client, url)
    assert _reads(captured) == []
    assert kept.content == again.content


def test_another_users_session_never_gets_the_page(user, other_user, client_of, year_2024):
    client = client_of(user)
    for _ in range(3):
        _look(client, review_url(year_2024))
    intruder = Client()
    intruder.force_login(other_user)
    assert intruder.get(review_url(year_2024)).status_code == 404
