"""Two users: every endpoint answers 404 for the other user's records, and changes nothing.

Alice has her own ledger for 2024; Mallory's ledger is for 2023. Each case is one way Alice could
reach a record of Mallory's: by URL (detail, update, delete, download, history, computed), by a
reference in the body (a bill pointing at Mallory's home), or by a filter (`?home=`).
"""

import json

import pytest

from ledger.models import (
    Bill,
    Business,
    BusinessShare,
    Home,
    Improvement,
    OfficeArea,
    Receipt,
    TaxYear,
    TaxYearHome,
)
from tests.api.conftest import make_ledger as make_ledger_without_shares

pytestmark = pytest.mark.django_db

RESOURCES = {
    "businesses": "business",
    "homes": "home",
    "office-areas": "office_area",
    "improvements": "improvement",
    "bills": "bill",
    "receipts": "receipt",
    "tax-years": "tax_year",
    "tax-year-homes": "tax_year_home",
    "business-shares": "business_share",
}
WRITABLE = [r for r in RESOURCES if r != "receipts"]
WITH_HISTORY = ["businesses", "homes", "office-areas", "bills", "tax-years"]
MODELS = (Business, Home, OfficeArea, Improvement, Bill, Receipt, TaxYear, TaxYearHome)
# Alice's own records a case names ({my_business} is mine["business"], ...).
MY_IDS = ("my_business", "my_office_area", "my_tax_year_home", "my_business_share")


def make_ledger(owner, *, year: int = 2024) -> dict:
    """`tests.api.conftest.make_ledger` with the home's business taking all of its deduction
    in the year (a business share)."""
    ledger = make_ledger_without_shares(owner, year=year)
    ledger["business_share"] = BusinessShare.objects.create(
        owner=owner, tax_year_home=ledger["tax_year_home"], business=ledger["business"], percent=100
    )
    return ledger


# (name, method, url template, body template). {x} fields are the other user's records' ids.
CASES = [
    *[(f"detail {r}", "get", f"/api/{r}/{{{k}}}/", None) for r, k in RESOURCES.items()],
    *[(f"put {r}", "put", f"/api/{r}/{{{k}}}/", {}) for r, k in RESOURCES.items() if r in WRITABLE],
    *[
        (f"patch {r}", "patch", f"/api/{r}/{{{k}}}/", {})
        for r, k in RESOURCES.items()
        if r in WRITABLE
    ],
    *[(f"delete {r}", "delete", f"/api/{r}/{{{k}}}/", None) for r, k in RESOURCES.items()],
    *[(f"history {r}", "get", f"/api/{r}/{{{RESOURCES[r]}}}/history/", None) for r in WITH_HISTORY],
    ("download receipt", "get", "/api/receipts/{receipt}/download/", None),
    ("depreciation", "get", "/api/homes/{home}/depreciation/", None),
    ("file tax year", "post", "/api/tax-years/{tax_year}/file/", {}),
    ("reopen tax year", "post", "/api/tax-years/{tax_year}/reopen/", {"reason": "x"}),
    # References in the body
    (
        "bill -> their home",
        "post",
        "/api/bills/",
        {
            "home": "{home}",
            "paid_on": "2024-01-02",
            "payee": "x",
            "category": "rent",
            "amount": "1",
        },
    ),
    ("my bill moved to their home", "patch", "/api/bills/{my_bill}/", {"home": "{home}"}),
    ("office area -> their home", "post", "/api/office-areas/", {"home": "{home}", "area": "10"}),
    (
        "improvement -> their home",
        "post",
        "/api/improvements/",
        {"home": "{home}", "description": "x", "cost": "1", "placed_in_service": "2024-01-01"},
    ),
    (
        "tax-year-home -> their tax year",
        "post",
        "/api/tax-year-homes/",
        {"tax_year": "{tax_year}", "home": "{my_home}"},
    ),
    (
        "tax-year-home -> their home",
        "post",
        "/api/tax-year-homes/",
        {"tax_year": "{my_tax_year}", "home": "{home}"},
    ),
    ("receipt -> their bill", "post", "/api/receipts/", "RECEIPT"),
    (
        "office area -> their business",
        "post",
        "/api/office-areas/",
        {"home": "{my_home}", "area": "10", "business": "{business}"},
    ),
    (
        "my office area moved to their business",
        "patch",
        "/api/office-areas/{my_office_area}/",
        {"business": "{business}"},
    ),
    (
        "business share -> their tax-year-home",
        "post",
        "/api/business-shares/",
        {"tax_year_home": "{tax_year_home}", "business": "{my_business}", "percent": "50"},
    ),
    (
        "business share -> their business",
        "post",
        "/api/business-shares/",
        {"tax_year_home": "{my_tax_year_home}", "business": "{business}", "percent": "50"},
    ),
    (
        "my business share moved to their business",
        "patch",
        "/api/business-shares/{my_business_share}/",
        {"business": "{business}"},
    ),
    # Filters
    ("bills ?home=", "get", "/api/bills/?home={home}", None),
    ("bills export ?home=", "get", "/api/bills/export.csv?home={home}", None),
    ("office areas ?home=", "get", "/api/office-areas/?home={home}", None),
    ("improvements ?home=", "get", "/api/improvements/?home={home}", None),
    ("tax-year-homes ?tax_year=", "get", "/api/tax-year-homes/?tax_year={tax_year}", None),
    ("tax-year-homes ?home=", "get", "/api/tax-year-homes/?home={home}", None),
    ("office areas ?business=", "get", "/api/office-areas/?business={business}", None),
    (
        "business shares ?tax_year_home=",
        "get",
        "/api/business-shares/?tax_year_home={tax_year_home}",
        None,
    ),
    ("business shares ?business=", "get", "/api/business-shares/?business={business}", None),
    ("receipts ?bill=", "get", "/api/receipts/?bill={bill}", None),
    # Computed
    ("form of their home", "get", "/api/forms/2024/{home}/", None),
    ("form of their year", "get", "/api/forms/2023/", None),
    ("form of their year and home", "get", "/api/forms/2023/{home}/", None),
    ("method comparison of their year", "get", "/api/forms/2023/method-comparison/", None),
    ("support package of their year", "get", "/api/tax-years/2023/support.zip", None),
]


def _fill(template, ids):
    if isinstance(template, str):
        return template.format(**ids)
    if isinstance(template, dict):
        return {k: _fill(v, ids) for k, v in template.items()}
    return template


def _snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("id", "updated_at"))
        for model in (*MODELS, BusinessShare)
        if model is not Receipt
    } | {"Receipt": sorted(Receipt.objects.values_list("id", "sha256"))}


@pytest.mark.parametrize(("name", "method", "url", "body"), CASES, ids=[c[0] for c in CASES])
def test_other_users_records_are_404(name, method, url, body, api, user, other_user):
    mine = make_ledger(user, year=2024)
    theirs = make_ledger(other_user, year=2023)
    ids = {key: getattr(value, "pk", None) for key, value in theirs.items()}
    ids |= {"my_bill": mine["bill"].pk, "my_home": mine["home"].pk}
    ids |= {"my_tax_year": mine["tax_year"].pk}
    ids |= {key: mine[key[3:]].pk for key in MY_IDS}
    before = _snapshot()

    if body == "RECEIPT":
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.api.conftest import pdf_bytes

        upload = SimpleUploadedFile("r.pdf", pdf_bytes(), content_type="application/pdf")
        response = api.post(
            "/api/receipts/", {"bill": ids["bill"], "file": upload}, format="multipart"
        )
    else:
        response = getattr(api, method)(_fill(url, ids), _fill(body, ids), format="json")

    assert response.status_code == 404, (name, response.status_code, response.content[:300])
    assert str(theirs["home"].name) not in response.content.decode(errors="replace")
    assert _snapshot() == before


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_lists_show_only_own_records(resource, api, user, other_user):
    mine = make_ledger(user, year=2024)
    make_ledger(other_user, year=2023)
    response = api.get(f"/api/{resource}/")
    assert response.status_code == 200
    expected = (
        [b.pk for b in mine["bills"]] if resource == "bills" else [mine[RESOURCES[resource]].pk]
    )
    assert sorted(row["id"] for row in response.json()["results"]) == sorted(expected)


def test_computed_endpoints_use_only_own_records(api, user, other_user):
    mine = make_ledger(user, year=2024)
    make_ledger(other_user, year=2024)
    forms = api.get("/api/forms/2024/").json()
    assert [form["home"] for form in forms] == [mine["home"].name]
    chain = api.get("/api/carryovers/").json()
    assert [form["home_id"] for year in chain for form in year["forms"]] == [mine["home"].pk]
    export = json.loads(api.get("/api/ledger/export/").getvalue())
    assert [home["name"] for home in export["homes"]] == [mine["home"].name]
    csv = api.get("/api/bills/export.csv").getvalue().decode()
    assert "mallory" not in csv


def test_another_users_id_and_a_missing_id_get_the_same_answer(api, user, other_user):
    make_ledger(user)
    theirs = make_ledger(other_user)
    missing = Home.objects.order_by("-pk").first().pk + 1000
    for template in ("/api/homes/{}/", "/api/homes/{}/history/", "/api/forms/2024/{}/"):
        a, b = api.get(template.format(theirs["home"].pk)), api.get(template.format(missing))
        assert (
            (a.status_code, a.json().keys())
            == (b.status_code, b.json().keys())
            == (
                404,
                {"detail", "code"},
            )
        )
