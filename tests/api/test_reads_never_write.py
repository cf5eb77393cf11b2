"""Reads never write: every GET of the API, of the admin's year-end review (with its downloads)
and of the admin's lists and pages, and the `form8829` command, run no INSERT, UPDATE or DELETE
and take no row lock (`SELECT ... FOR UPDATE`), on an open year and on a filed one."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from forms8829.filing import chain_recompute, tax_year_file
from ledger.models import BusinessShare
from tests.api.conftest import make_ledger
from tests.factories import BillFactory, TaxYearFactory, TaxYearHomeFactory

pytestmark = pytest.mark.django_db

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b|\bFOR\s+UPDATE\b", re.IGNORECASE)


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if WRITES.search(q["sql"])]


@pytest.fixture
def books(user):
    """An open year 2024 and a filed year 2023, so both paths of the chain are read; the
    stored forms are left stale on purpose (a bill added with no write batch), which a read
    that refreshed them would have to write."""
    ledger = make_ledger(user, year=2024)
    share = BusinessShare.objects.create(
        owner=user, tax_year_home=ledger["tax_year_home"], business=ledger["business"], percent=100
    )
    filed = TaxYearFactory(owner=user, year=2023)
    TaxYearHomeFactory(tax_year=filed, home=ledger["home"])
    BillFactory(home=ledger["home"], paid_on=ledger["bills"][0].paid_on.replace(year=2023))
    tax_year_file(tax_year=filed)
    chain_recompute(owner=user)
    BillFactory(home=ledger["home"], paid_on=ledger["bills"][0].paid_on, payee="Not stored")
    return {
        **ledger,
        "business_share": share,
        "filed": filed,
        **statement_records(user, ledger["home"]),
    }


def statement_records(user, home) -> dict:
    """An account, a statement file, one of its lines in the inbox, a rule, a recurring bill."""
    from ledger.statement_models import (
        BillSchedule,
        PayeeRule,
        StatementAccount,
        StatementImport,
        StatementRow,
    )

    account = StatementAccount.objects.create(owner=user, name="Checking")
    statement = StatementImport.objects.create(
        owner=user, account=account, file_name="s.csv", file_format="csv", content=b"x",
        sha256="0" * 64, size=1,
    )  # fmt: skip
    line = StatementRow.objects.create(
        owner=user, account=account, statement_import=statement, line=2,
        posted_on=home.occupied_from, amount=-10, description="CITY POWER", match_key="k",
    )  # fmt: skip
    rule = PayeeRule.objects.create(owner=user, pattern="power", category="utilities")
    schedule = BillSchedule.objects.create(
        owner=user, payee="City Power", category="utilities", home=home,
        starts_on=home.occupied_from,
    )  # fmt: skip
    return {
        "statement-accounts": account,
        "statements": statement,
        "statement-lines": line,
        "payee-rules": rule,
        "bill-schedules": schedule,
    }


def api_get_paths() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(path for path, operations in schema["paths"].items() if "get" in operations)


def fill(path: str, books) -> str:
    resource = path.split("/")[2]
    ids = {
        "businesses": books["business"].pk,
        "business-shares": books["business_share"].pk,
        "homes": books["home"].pk,
        "office-areas": books["office_area"].pk,
        "improvements": books["improvement"].pk,
        "bills": books["bill"].pk,
        "receipts": books["receipt"].pk,
        "tax-years": books["tax_year"].pk,
        "tax-year-homes": books["tax_year_home"].pk,
        **{
            name: books[name].pk
            for name in (
                "statement-accounts",
                "statements",
                "statement-lines",
                "payee-rules",
                "bill-schedules",
            )
        },
    }
    return (
        path.replace("{id}", str(ids.get(resource, 0)))
        .replace("{home_id}", str(books["home"].pk))
        .replace("{year}", str(books["tax_year"].year))
    )


def test_every_api_get_route_reads_only(api, books):
    paths = api_get_paths()
    assert len(paths) >= 20  # the schema lists the routes; none may slip through
    for template in paths:
        for year in (2024, 2023):
            url = fill(template, books).replace("/2024/", f"/{year}/")
            with CaptureQueriesContext(connection) as ctx:
                response = api.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert writes(ctx.captured_queries) == [], url


def admin_get_urls(books) -> list[str]:
    urls = [reverse("admin:index")]
    models = ("home", "officearea", "improvement", "bill", "receipt", "taxyear", "taxyearhome")
    for model in ("business", *models):
        urls.append(reverse(f"admin:ledger_{model}_changelist"))
        obj = books["tax_year_home" if model == "taxyearhome" else _key(model)]
        urls.append(reverse(f"admin:ledger_{model}_change", args=[obj.pk]))
        urls.append(reverse(f"admin:ledger_{model}_history", args=[obj.pk]))
    urls.append(reverse("admin:forms8829_computedform_changelist"))
    for tax_year in (books["tax_year"], books["filed"]):
        pk = tax_year.pk
        urls += [
            reverse(f"admin:ledger_taxyear_{name}", args=[pk])
            for name in ("review", "review_pdf", "review_csv", "review_zip")
        ]
        urls.append(f"{reverse('admin:ledger_bill_changelist')}?tax_year={tax_year.year}")
        urls.append(
            f"{reverse('admin:ledger_bill_changelist')}?form_line=utilities_b&counted=yes"
            f"&tax_year={tax_year.year}"
        )
    urls.append(reverse("admin:ledger_taxyear_review_file", args=[books["tax_year"].pk]))
    urls.append(reverse("admin:ledger_taxyear_review_reopen", args=[books["filed"].pk]))
    urls.append(reverse("admin:ledger_bill_import"))
    return urls


def _key(model: str) -> str:
    return {
        "business": "business",
        "home": "home",
        "officearea": "office_area",
        "improvement": "improvement",
        "bill": "bill",
        "receipt": "receipt",
        "taxyear": "tax_year",
    }[model]


def test_every_admin_page_and_review_download_reads_only(admin_client_for, user, books):
    client = admin_client_for(user)
    for url in admin_get_urls(books):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert writes(ctx.captured_queries) == [], url


def test_the_form8829_command_reads_only(user, books):
    for year in (2023, 2024):
        with CaptureQueriesContext(connection) as ctx:
            call_command("form8829", user=user.username, year=year, json=True, stdout=io.StringIO())
        assert writes(ctx.captured_queries) == []


def test_the_check_sees_what_a_refreshing_read_would_do(user, books):
    """The stale stored forms of `books` are what a read that refreshed them would write."""
    with CaptureQueriesContext(connection) as ctx:
        chain_recompute(owner=user)
    seen = writes(ctx.captured_queries)
    assert any(sql.lstrip().upper().startswith("UPDATE") for sql in seen)
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in sql.upper() for sql in seen)
