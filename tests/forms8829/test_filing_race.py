"""Filing races with writes, on PostgreSQL (row locks; SQLite lets one writer in at a time).

Several clients POST bills dated in a year, one imports a CSV of bills of that year, and one
files the year, all at once, round after round. Every write either lands before the freeze (and
is in the filed form) or is refused with 409 after it; the filed form always equals a fresh
computation of the ledger as it stands; and a later write to an open year is never refused.
"""

import datetime as dt
import random
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forms8829.chain import year_forms
from forms8829.models import ComputedForm
from forms8829.selectors import fingerprint, ledger_inputs
from ledger.models import Bill, TaxYear
from tests.factories import (
    HomeFactory,
    OfficeAreaFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; CI runs it there"
    ),
]

ROUNDS = 12
WRITERS = 3
BILLS_PER_WRITER = 4


def client_of(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def in_thread(target):
    def run():
        try:
            target()
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def one_round(number: int) -> dict:
    user = UserFactory(username=f"racer{number}")
    home = HomeFactory(owner=user, name="Elm St", key="elm")
    OfficeAreaFactory(home=home, start=dt.date(2020, 1, 1))
    tax_year = TaxYearFactory(owner=user, year=2023)
    TaxYearHomeFactory(tax_year=tax_year, home=home)
    TaxYearFactory(owner=user, year=2024)

    start = threading.Barrier(WRITERS + 2)
    answers: list[tuple[str, int, str]] = []  # (kind, status, payee)
    lock = threading.Lock()

    def writer(n: int):
        client = client_of(user)
        start.wait()
        for i in range(BILLS_PER_WRITER):
            payee = f"W{n}-{i}"
            response = client.post(
                "/api/bills/",
                {
                    "home": home.pk,
                    "paid_on": f"2023-{1 + i:02d}-{10 + n:02d}",
                    "payee": payee,
                    "category": "utilities",
                    "amount": f"{100 + n * 10 + i}.25",
                },
                format="json",
            )
            with lock:
                answers.append(("bill", response.status_code, payee))

    def importer():
        client = client_of(user)
        rows = "\n".join(
            f"elm,2023-{month:02d}-20,CSV-{month},internet,{50 + month}.10,indirect,50,,,"
            for month in range(1, 7)
        )
        body = (
            "home,paid_on,payee,category,amount,scope,business_use_percent,"
            "service_start,service_end,note\n" + rows
        )
        start.wait()
        response = client.post("/api/bills/import/", body.encode(), content_type="text/csv")
        with lock:
            answers.append(("csv", response.status_code, "CSV"))

    def filer():
        client = client_of(user)
        start.wait()
        threading.Event().wait(random.uniform(0, 0.05))
        response = client.post(f"/api/tax-years/{tax_year.pk}/file/")
        with lock:
            answers.append(("file", response.status_code, ""))

    threads = [in_thread(lambda n=n: writer(n)) for n in range(WRITERS)]
    threads += [in_thread(importer), in_thread(filer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return {"user": user, "home": home, "tax_year": tax_year, "answers": answers}


def test_filing_and_writes_never_interleave():
    for number in range(ROUNDS):
        result = one_round(number)
        user, home, answers = result["user"], result["home"], result["answers"]
        statuses = {(kind, status) for kind, status, _ in answers}
        assert ("file", 200) in statuses, answers
        assert {status for _, status, _ in answers} <= {200, 201, 409}, answers  # never refused
        assert ("csv", 201) in statuses or ("csv", 409) in statuses, answers

        # A write answered 201 is stored; one answered 409 left nothing behind.
        stored = set(Bill.objects.filter(owner=user).values_list("payee", flat=True))
        for kind, status, payee in answers:
            if kind == "bill":
                assert (payee in stored) == (status == 201), (payee, status)
            if kind == "csv":
                assert any(p.startswith("CSV-") for p in stored) == (status == 201)

        # The filed form is the ledger as it stands: same engine input, nothing reported.
        assert TaxYear.objects.get(owner=user, year=2023).filed
        (form,) = ComputedForm.objects.filter(owner=user, year=2023)
        (fresh,) = ledger_inputs(owner=user, years=[2023])[2023]
        assert form.inputs_fingerprint == fingerprint(fresh.engine_input)
        assert year_forms(owner=user, year=2023).warnings == []
        counted = sum(
            Bill.objects.filter(owner=user, tax_year=2023, category="utilities").values_list(
                "amount", flat=True
            ),
            Decimal("0"),
        )
        assert Decimal(form.output["lines"]["21b"]) == counted  # every saved utility bill

        # Nothing stays refused: a write to the open year goes through.
        response = client_of(user).post(
            "/api/bills/",
            {
                "home": home.pk,
                "paid_on": "2024-02-01",
                "payee": "After",
                "category": "utilities",
                "amount": "10.00",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
