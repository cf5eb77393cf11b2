"""The statement import through the REST API: upload (answered with its preview), preview again
with choices, confirm; the inbox and its classification; payee rules and recurring bills. Owner
scoped (another user's record is a 404), all or nothing, 409 for a filed year."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms8829.filing import tax_year_file
from ledger.models import Bill, TaxYear
from ledger.statement_models import PayeeRule, StatementImport, StatementRow
from tests.ledger.statements.conftest import FIXTURES, import_file, make_rules, renter_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(client_for):
    owner = renter_ledger()
    make_rules(owner)
    return owner, client_for(owner)


def post_file(api, name, **extra):
    with (FIXTURES / name).open("rb") as handle:
        return api.post("/api/statements/", {"file": handle, **extra}, format="multipart")


def test_upload_answers_the_preview_then_confirm_imports(dana):
    owner, api = dana
    response = post_file(api, "card-charges-positive.csv")
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["dry_run"] is True and report["account"] is None
    assert report["layout"]["preset"] == "card-charges-positive"
    assert [line["outcome"] for line in report["lines"]] == [
        "inbox", "ignore", "bill", "ignore", "bill",
    ]  # fmt: skip
    comcast = report["lines"][2]
    assert comcast["amount"] == "-89.99" and comcast["bill"]["category"] == "internet"
    assert comcast["rule"].startswith("#20 Description contains")
    assert not Bill.objects.exists()

    statement = report["statement"]
    again = api.post(f"/api/statements/{statement}/preview/", {"account_name": "Discover"})
    assert again.status_code == 200 and again.json()["account_name"] == "Discover"

    done = api.post(f"/api/statements/{statement}/confirm/", {"account_name": "Discover"})
    assert done.status_code == 201
    assert done.json()["created_bills"] == 2 and done.json()["dry_run"] is False
    assert Bill.objects.filter(owner=owner).count() == 2
    stored = api.get(f"/api/statements/{statement}/").json()
    assert stored["status"] == "imported" and stored["report"]["counts"]["bill"] == 2
    assert api.post(f"/api/statements/{statement}/confirm/").status_code == 409  # imported


def test_a_layout_chosen_by_hand_is_checked_and_used(dana):
    _, api = dana
    statement = post_file(api, "headerless-five.csv").json()["statement"]
    layout = {"width": 5, "date": 0, "amount": 1, "description": 4, "charges": "negative",
              "date_format": "MM/DD/YYYY"}  # fmt: skip
    bad = api.post(
        f"/api/statements/{statement}/preview/", {"layout": {**layout, "description": 0}},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400
    assert "one column is chosen for two roles" in str(bad.json())
    good = api.post(f"/api/statements/{statement}/preview/", {"layout": layout}, format="json")
    assert good.status_code == 200 and good.json()["counts"]["bill"] == 3


def test_a_filed_year_is_a_409_and_nothing_changes(dana):
    owner, api = dana
    tax_year_file(tax_year=TaxYear.objects.get(owner=owner, year=2026))
    response = post_file(api, "card-debit-credit.csv")
    assert response.status_code == 409
    assert "reopen" in str(response.json()).lower()
    assert not Bill.objects.exists() and StatementImport.objects.get().status == "pending"


def test_another_users_statements_and_lines_are_404(dana, other_user, client_for):
    owner, _ = dana
    import_file(owner, "bank-of-america.csv")
    other = client_for(other_user)
    statement = StatementImport.objects.get(owner=owner)
    row = StatementRow.objects.filter(owner=owner).first()
    assert other.get(f"/api/statements/{statement.pk}/").status_code == 404
    assert (
        other.post(f"/api/statement-lines/{row.pk}/classify/", {"action": "ignore"}).status_code
        == 404
    )
    assert other.get("/api/statement-lines/").json()["count"] == 0


def test_the_inbox_suggests_and_classifies_with_a_rule(dana):
    owner, api = dana
    import_file(owner, "checking-details-feb.csv")
    import_file(owner, "bank-of-america.csv")
    inbox = api.get("/api/statement-lines/?status=inbox").json()["results"]
    by_text = {line["description"][:10]: line for line in inbox}
    refund = by_text["CITY POWER"]
    assert refund["suggestion"].startswith("Refund from City Power & Light")
    assert refund["suggested_bill"]["category"] == "utilities"

    accepted = api.post(
        f"/api/statement-lines/{refund['id']}/classify/",
        {"action": "bill", "payee": "City Power & Light", "category": "Utilities"},
    )
    assert accepted.status_code == 200, accepted.json()
    assert Bill.objects.get(pk=accepted.json()["bill"]).kind == "refund"

    depot = by_text["HOME DEPOT"]
    made = api.post(
        f"/api/statement-lines/{depot['id']}/classify/",
        {"action": "bill", "category": "repairs", "make_rule": True},
    ).json()
    rule = PayeeRule.objects.get(pk=made["rule"])
    assert (rule.pattern, rule.category, made["line"]["status"]) == (
        "HOME DEPOT",
        "repairs",
        "bill",
    )
    assert api.post("/api/statement-lines/apply-rules/").json() == {"decided": 0}
    missing = api.post(f"/api/statement-lines/{depot['id']}/classify/", {"action": "bill"})
    assert missing.status_code == 400


def test_rules_and_recurring_bills_read_like_every_record(dana):
    owner, api = dana
    home = owner_home(owner)
    created = api.post(
        "/api/payee-rules/",
        {"position": 5, "match": "Description starts with", "pattern": "PUGET SOUND",
         "action": "bill", "payee": "Puget Sound Energy", "category": "Utilities",
         "home": home.key, "amount_max": "$1,000.00"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    assert created.json()["match"] == "starts_with" and created.json()["amount_max"] == "1000.00"
    bad = api.post(
        "/api/payee-rules/", {"match": "regex", "pattern": "(", "action": "ignore"}, format="json"
    )
    assert bad.status_code == 400 and "not a valid regular expression" in str(bad.json())
    schedule = api.post(
        "/api/bill-schedules/",
        {"payee": "Comcast", "category": "internet", "home": home.pk, "expected_day": 15,
         "amount_kind": "fixed", "amount": "89.99", "business_use_percent": "50",
         "starts_on": "2026-01-01"},
        format="json",
    )  # fmt: skip
    assert schedule.status_code == 201, schedule.json()
    fixed = api.post(
        "/api/bill-schedules/",
        {"payee": "X", "category": "rent", "home": home.pk, "amount_kind": "fixed",
         "starts_on": "2026-01-01"},
        format="json",
    )  # fmt: skip
    assert fixed.status_code == 400 and "needs its amount" in str(fixed.json())


def owner_home(owner):
    from ledger.models import Home

    return Home.objects.get(owner=owner)


def test_the_inbox_list_runs_the_same_queries_for_3_and_30_lines(dana):
    owner, api = dana
    import_file(owner, "bank-of-america.csv")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/statement-lines/?status=inbox").status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    pending = import_file(owner, "card-charges-positive.csv").plan.account
    rows = [
        StatementRow(
            owner=owner, account=pending, statement_import=StatementImport.objects.first(),
            line=100 + i, posted_on=dt.date(2026, 9, 1), amount=Decimal("-1.00") * (i + 1),
            description=f"SHOP {i}", match_key=f"k{i}",
        )
        for i in range(30)
    ]  # fmt: skip
    StatementRow.objects.bulk_create(rows)
    assert queries() == few
