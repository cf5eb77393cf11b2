"""One reader per field: the same bill through every door, the same answer.

Each case is one bill, sent as JSON text (so a number is written exactly as given) to
`POST /api/bills/`, inside a ledger file to `POST /api/ledger/import/` and to
`manage.py import_ledger`, and as a CSV line to `POST /api/bills/import/`. Every door must accept
it and store the same row, or refuse it naming the same field with the same words.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ledger.models import Bill
from ledger.serializers import BILL_FIELDS
from tests.factories import HomeFactory, UserFactory, ledger_file_document

pytestmark = pytest.mark.django_db

D = Decimal


class Raw:
    """A JSON number written as this text (`1.25e2`); the CSV cell is the same text."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


BASE = {
    "home": "elm",
    "paid_on": "2024-01-15",
    "payee": "City Power",
    "category": "utilities",
    "amount": "180.00",
}

STORED = {
    "home": "elm",
    "paid_on": dt.date(2024, 1, 15),
    "payee": "City Power",
    "category": "utilities",
    "amount": D("180.00"),
    "scope": "indirect",
    "business_use_percent": None,
    "service_start": None,
    "service_end": None,
    "note": "",
    "kind": "payment",
}


def refused(field: str, message: str) -> tuple[str, str]:
    return (field, message)


CASES = [
    ("plain", {}, {}),
    ("whole number text", {"amount": "1250"}, {"amount": D("1250.00")}),
    ("thousands commas", {"amount": "1,250.00"}, {"amount": D("1250.00")}),
    ("dollar sign", {"amount": "$1,250.00"}, {"amount": D("1250.00")}),
    ("JSON integer", {"amount": 1250}, {"amount": D("1250.00")}),
    ("JSON number with cents", {"amount": Raw("12.5")}, {"amount": D("12.50")}),
    ("trailing zero", {"amount": Raw("12.500")}, {"amount": D("12.50")}),
    (
        "exponent in text",
        {"amount": "1.25e2"},
        refused("amount", 'must be written without an exponent, like "125", not "1.25e2"'),
    ),
    (
        "exponent as a JSON number",
        {"amount": Raw("1.25e2")},
        refused("amount", 'must be written without an exponent, like "125", not 1.25e2'),
    ),
    (
        "three decimals",
        {"amount": "12.345"},
        refused("amount", "must have at most 2 decimal places"),
    ),
    (
        "three decimals, JSON number",
        {"amount": Raw("12.345")},
        refused("amount", "must have at most 2 decimal places"),
    ),
    ("NaN", {"amount": "NaN"}, refused("amount", 'must be an amount like "1,250.00", not "NaN"')),
    (
        "Infinity",
        {"amount": "Infinity"},
        refused("amount", 'must be an amount like "1,250.00", not "Infinity"'),
    ),
    ("negative", {"amount": "-5"}, refused("amount", "must be >= 0")),
    (
        "decimal comma",
        {"amount": "12,50"},
        refused("amount", 'must be an amount like "1,250.00", not "12,50"'),
    ),
    (
        "too large",
        {"amount": "12345678901"},
        refused("amount", "is too large (at most 10 digits before the decimal point)"),
    ),
    (
        "not a real date",
        {"paid_on": "2024-02-30"},
        refused("paid_on", '"2024-02-30" is not a real date'),
    ),
    (
        "date out of range",
        {"paid_on": "9999-12-31"},
        refused(
            "paid_on",
            '"9999-12-31" is out of range: dates must be from 1900-01-01 to 2100-12-31',
        ),
    ),
    ("category by label", {"category": "Repairs and maintenance"}, {"category": "repairs"}),
    ("category in capitals", {"category": "UTILITIES"}, {}),
    (
        "unknown category",
        {"category": "groceries"},
        refused(
            "category",
            'must be one of "mortgage_interest", "mortgage_insurance", "real_estate_tax", '
            '"insurance", "rent", "repairs", "utilities", "other", "internet", "phone", '
            'not "groceries"',
        ),
    ),
    (
        "scope by label",
        {"category": "repairs", "scope": "Direct (business part only)"},
        {"category": "repairs", "scope": "direct"},
    ),
    ("home by name", {"home": "12 Elm St"}, {}),
    ("home by name, any case", {"home": "12 ELM ST"}, {}),
    ("unknown home", {"home": "barn"}, refused("home", "no home with the key or name 'barn'")),
    (
        "percent",
        {"category": "internet", "business_use_percent": Raw("40.5")},
        {"category": "internet", "business_use_percent": D("40.50")},
    ),
    (
        "percent over 100",
        {"business_use_percent": "150"},
        refused("business_use_percent", "must be <= 100"),
    ),
    (
        "service period",
        {"service_start": "2023-12-01", "service_end": "2023-12-31"},
        {"service_start": dt.date(2023, 12, 1), "service_end": dt.date(2023, 12, 31)},
    ),
    (
        "half a service period",
        {"service_start": "2023-12-01"},
        refused(
            "service_end", "Give both the start and the end of the service period, or neither."
        ),
    ),
    (
        "mortgage interest is never direct",
        {"category": "mortgage_interest", "scope": "direct"},
        refused("scope", "Mortgage interest and mortgage insurance are never direct expenses."),
    ),
    (
        "payee too long",
        {"payee": "x" * 201},
        refused("payee", "must be at most 200 characters long"),
    ),
    ("payee trimmed", {"payee": "  City Power "}, {}),
    ("note", {"note": "December, estimated"}, {"note": "December, estimated"}),
]


def json_text(value) -> str:
    """JSON text of `value`, with each `Raw` written as its own digits."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        items = (f"{json.dumps(key)}: {json_text(item)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(json_text(item) for item in value) + "]"
    return json.dumps(value)


def csv_text(bill: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(BILL_FIELDS)
    cell = lambda v: "" if v is None else (v.text if isinstance(v, Raw) else str(v))  # noqa: E731
    writer.writerow([cell(bill.get(name)) for name in BILL_FIELDS])
    return out.getvalue()


def stored(owner) -> tuple:
    bill = Bill.objects.select_related("home").get(owner=owner)
    return tuple(getattr(bill, name) if name != "home" else bill.home.key for name in BILL_FIELDS)


def _where(message: str) -> str:
    # A home is looked up in your ledger (API, CSV) or in the file (ledger file): same rule.
    return message.removesuffix(" in your ledger").removesuffix(" in this file")


def post(client_for, username: str, url: str, body: str, content_type: str, *, home: bool):
    """POST as a new user (with the home `elm` when `home`): the stored bill, or the 400's body
    (the API's 404 for a home it does not have, in the reader's words)."""
    owner = UserFactory(username=username)
    if home:
        HomeFactory(owner=owner, key="elm", name="12 Elm St")
    response = client_for(owner).generic("POST", url, body, content_type=content_type)
    if response.status_code == 201:
        return stored(owner), None
    assert response.status_code in (400, 404), response.content
    assert response.status_code == 400 or url == "/api/bills/", response.content
    return None, response.json()


def through_api(client_for, bill):
    row, body = post(
        client_for, "api", "/api/bills/", json_text(bill), "application/json", home=True
    )
    if row:
        return row
    fields = {k: v for k, v in body.items() if k not in ("detail", "code")}  # the error shape
    ((field, messages),) = fields.items()
    return (field, _where(messages[0]))


def document_text(bill) -> str:
    document = ledger_file_document(bills=0)
    document["tax_years"] = []
    return json_text({**document, "bills": [bill]})


def from_file_errors(errors: list[str]):
    assert len(errors) == 1, errors
    path, message = errors[0].split(": ", 1)
    assert path.startswith("bills[0].")
    return (path.removeprefix("bills[0]."), _where(message))


def through_file_api(client_for, bill):
    url, text = "/api/ledger/import/", document_text(bill)
    row, body = post(client_for, "file-api", url, text, "application/json", home=False)
    return row or from_file_errors(body["errors"])


def through_command(tmp_path, bill):
    path = tmp_path / "ledger.json"
    path.write_text(document_text(bill), encoding="utf-8")
    err = io.StringIO()
    try:
        call_command("import_ledger", str(path), "--user", "cmd", stdout=io.StringIO(), stderr=err)
    except CommandError:
        return from_file_errors(err.getvalue().splitlines())
    return stored(UserFactory(username="cmd"))


def through_csv(client_for, bill):
    url, text = "/api/bills/import/", csv_text(bill)
    row, body = post(client_for, "csv", url, text, "text/csv", home=True)
    if row:
        return row
    (error,) = body["errors"]
    return (error["column"], _where(error["message"]))


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_door_reads_a_bill_the_same_way(change, expected, client_for, tmp_path):
    bill = {**BASE, **change}
    if isinstance(expected, dict):
        expected = tuple({**STORED, **expected}[name] for name in BILL_FIELDS)

    csv_answer = through_csv(client_for, bill)
    if len(expected) == 2:  # refused: (field, message)
        for raw in (v for v in bill.values() if isinstance(v, Raw)):
            # A CSV cell is text, so its echo is quoted where JSON shows the bare number.
            csv_answer = (csv_answer[0], csv_answer[1].replace(f'"{raw.text}"', raw.text))
    answers = {
        "POST /api/bills/": through_api(client_for, bill),
        "POST /api/ledger/import/": through_file_api(client_for, bill),
        "manage.py import_ledger": through_command(tmp_path, bill),
        "POST /api/bills/import/ (CSV)": csv_answer,
    }

    assert answers == dict.fromkeys(answers, expected)


def test_where_people_type_dates_they_may_also_write_mm_dd_yyyy(client_for, tmp_path):
    """The one intended difference: a CSV (typed by a person, like the admin) also takes
    MM/DD/YYYY; the API and the ledger file, written by programs, take ISO dates only."""
    bill = {**BASE, "paid_on": "01/15/2024"}
    iso_only = (
        "paid_on",
        'must be a date written YYYY-MM-DD, like "2023-01-15", not "01/15/2024"',
    )
    assert through_api(client_for, bill) == iso_only
    assert through_file_api(client_for, bill) == iso_only
    assert through_command(tmp_path, bill) == iso_only
    assert through_csv(client_for, bill) == tuple(STORED[name] for name in BILL_FIELDS)
