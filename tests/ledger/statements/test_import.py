"""Importing statements of every preset layout and both OFX versions, with a handful of rules,
ends with exactly the expected bills, once each, and nothing personal; repeats are skipped and
reported; the inbox holds the rest until it is classified."""

import datetime as dt
from decimal import Decimal

import pytest

from forms8829.filing import YearFiledError, tax_year_file
from forms8829.statement_writes import (
    statement_file_import,
    statement_file_upload,
    statement_row_decide,
)
from ledger.models import Bill, TaxYear
from ledger.statement_import import statement_plan
from ledger.statement_models import StatementAccount, StatementImport, StatementRow
from tests.factories import BillFactory
from tests.ledger.statements.conftest import FILES, FIXTURES, import_file, make_rules, upload

D = Decimal
RENT, NET, POWER, INSURE = "rent", "internet", "utilities", "insurance"
EXPECTED = sorted(
    [
        *[("Oak Street Properties", day, RENT, D("2150.00")) for day in
          ("01-02", "02-02", "03-02", "06-01", "07-01", "08-03")],
        *[("Comcast", day, NET, D("89.99")) for day in
          ("01-15", "02-13", "05-14", "06-15", "07-15", "08-14", "09-03")],
        ("City Power & Light", "01-28", POWER, D("112.40")),
        ("City Power & Light", "02-25", POWER, D("98.15")),
        ("City Power & Light", "03-27", POWER, D("90.00")),
        ("City Power & Light", "04-03", POWER, D("101.10")),
        ("City Power & Light", "05-26", POWER, D("95.20")),
        ("City Power & Light", "06-28", POWER, D("106.75")),
        ("City Power & Light", "07-28", POWER, D("130.02")),
        ("City Power & Light", "08-27", POWER, D("121.37")),
        ("City Power & Light", "09-20", POWER, D("88.40")),
        ("State Farm", "03-05", INSURE, D("64.61")),
        ("State Farm", "04-12", INSURE, D("1180.00")),
        ("State Farm", "09-25", INSURE, D("64.61")),
    ]
)  # fmt: skip
PERSONAL = ("SAFEWAY", "TRADER", "WHOLE FOODS", "STARBUCKS", "NETFLIX", "SHELL", "AMAZON")


def bills(owner):
    return sorted(
        (b.payee, b.paid_on.strftime("%m-%d"), b.category, b.amount)
        for b in Bill.objects.filter(owner=owner, kind=Bill.Kind.PAYMENT)
    )


def import_everything(owner):
    results = {}
    for name in FILES:
        result = import_file(owner, name)
        assert result.ok, (name, result.plan.problems)
        results[name] = result
    return results


def test_a_year_of_statements_ends_with_the_expected_bills_once_each(renter):
    make_rules(renter)
    results = import_everything(renter)

    assert bills(renter) == EXPECTED
    assert all(b.tax_year == 2026 for b in Bill.objects.filter(owner=renter))
    comcast = Bill.objects.filter(owner=renter, payee="Comcast")
    assert {b.business_use_percent for b in comcast} == {D("50.00")}
    # Nothing personal, no income, no transfer became a bill.
    for bill in Bill.objects.filter(owner=renter):
        assert not any(word in bill.note.upper() for word in PERSONAL), bill.note
        assert "PAYROLL" not in bill.note and "TRANSFER" not in bill.note
    # Every line of every file is accounted for: imported (bill, ignored, inbox) or a repeat.
    for name, result in results.items():
        counts = result.plan.counts()
        assert sum(counts.values()) == len(result.plan.statement.lines), name
    inbox = StatementRow.objects.filter(owner=renter, status="inbox")
    assert sorted(r.description[:18] for r in inbox) == [
        "AMAZON.COM*2K4LM0P",
        "CITY POWER & LIGHT",
        "HOME DEPOT #4711 S",
    ]


def test_overlapping_statements_are_skipped_and_say_why(renter):
    make_rules(renter)
    import_file(renter, "checking-details-jan.csv")
    feb = import_file(renter, "checking-details-feb.csv")

    assert feb.plan.account.name == "Account (checking-details)"  # recognized by its header
    repeats = [line for line in feb.plan.lines if line.outcome == "repeat"]
    assert [line.line for line in repeats] == list(range(8, 15))  # Jan 24-30, both coffees
    assert all("already imported from checking-details-jan.csv" in r.reason for r in repeats)
    assert feb.created_bills == 3
    assert (
        StatementImport.objects.get(file_name="checking-details-feb.csv").report["counts"]["repeat"]
        == 7
    )

    v1 = import_file(renter, "checking-v1.qfx")
    v2 = import_file(renter, "checking-v2.ofx")
    assert v2.plan.account == v1.plan.account
    assert [line.reason for line in v2.plan.lines[:2]] == [
        "already imported from checking-v1.qfx (the bank's id 202607280004)",
        "already imported from checking-v1.qfx (the bank's id 202607300005)",
    ]


def test_importing_a_file_twice_changes_nothing(renter):
    make_rules(renter)
    import_file(renter, "bank-of-america.csv")
    before = Bill.objects.count(), StatementRow.objects.count()

    again = import_file(renter, "bank-of-america.csv")

    assert again.created_bills == 0
    assert {line.outcome for line in again.plan.lines} == {"repeat"}
    assert (Bill.objects.count(), StatementRow.objects.count()) == before


def test_a_bill_already_typed_in_is_not_doubled(renter):
    make_rules(renter)
    home = renter_home(renter)
    typed = BillFactory(
        owner=renter, home=home, paid_on=dt.date(2026, 3, 27), payee="City Power & Light",
        amount=D("90.00"),
    )  # fmt: skip
    result = import_file(renter, "bank-of-america.csv")

    (line,) = [line for line in result.plan.lines if line.outcome == "existing"]
    assert line.existing_bill_id == typed.pk
    assert StatementRow.objects.get(line=line.line, account__owner=renter).bill == typed
    assert Bill.objects.filter(owner=renter, payee="City Power & Light").count() == 1


def renter_home(owner):
    return owner_homes(owner)[0]


def owner_homes(owner):
    from ledger.models import Home

    return list(Home.objects.filter(owner=owner))


def test_the_inbox_classifies_a_bill_with_a_rule_ignores_and_accepts_a_refund(renter):
    make_rules(renter)
    import_everything(renter)
    inbox = {r.description[:10]: r for r in StatementRow.objects.filter(status="inbox")}

    depot = statement_row_decide(
        row=inbox["HOME DEPOT"], action="bill", payee="Home Depot", category="repairs",
        make_rule=True, user=renter,
    )  # fmt: skip
    statement_row_decide(row=inbox["AMAZON.COM"], action="ignore")
    refund = statement_row_decide(
        row=inbox["CITY POWER"], action="bill", payee="City Power & Light", category="utilities",
    )  # fmt: skip

    assert depot.rule.pattern == "HOME DEPOT" and depot.rule.category == "repairs"
    assert (depot.bill.amount, depot.bill.kind) == (D("45.12"), "payment")
    assert (refund.bill.amount, refund.bill.kind, refund.bill.paid_on) == (
        D("25.00"),
        "refund",
        dt.date(2026, 2, 26),
    )
    assert not StatementRow.objects.filter(status="inbox").exists()
    assert len(bills(renter)) == len(EXPECTED) + 1  # and the refund, as a refund
    # Utilities of 2026: the eight bills less the refund, to the cent.
    from review.page import bill_totals

    totals = bill_totals(Bill.objects.filter(owner=renter, category="utilities"))
    assert totals.total == "$918.39"  # 943.39 - 25.00


def test_a_refund_waits_for_acceptance_and_a_credit_from_a_known_payee_is_one(renter):
    make_rules(renter)
    result = import_file(renter, "checking-details-feb.csv")
    (refund,) = [line for line in result.plan.lines if line.outcome == "refund"]
    assert refund.bill.payee == "City Power & Light" and refund.rule.startswith("#10")
    assert not Bill.objects.filter(kind="refund").exists()


def test_an_import_into_a_filed_year_is_refused_whole(renter):
    make_rules(renter)
    tax_year_file(tax_year=TaxYear.objects.get(owner=renter, year=2026))
    pending = upload(renter, "checking-details-jan.csv")

    for dry_run in (True, False):
        with pytest.raises(YearFiledError) as refused:
            statement_file_import(upload=pending, dry_run=dry_run)
        assert refused.value.year == 2026

    assert not Bill.objects.filter(owner=renter).exists()
    assert not StatementRow.objects.exists() and not StatementAccount.objects.exists()
    assert StatementImport.objects.get().status == "pending"


def test_a_dry_run_previews_and_saves_nothing(renter):
    make_rules(renter)
    pending = upload(renter, "card-debit-credit.csv")

    preview = statement_file_import(upload=pending, dry_run=True)

    assert preview.dry_run and preview.created_bills == 0
    assert [line.outcome for line in preview.plan.lines] == ["bill", "ignore", "ignore", "bill"]
    assert preview.plan.account is None and preview.plan.account_name
    assert not Bill.objects.exists() and not StatementAccount.objects.exists()
    pending.refresh_from_db()
    assert pending.status == "pending"
    # The same plan, read only, is what the admin's preview page shows.
    assert [line.outcome for line in statement_plan(upload=pending).lines] == [
        "bill", "ignore", "ignore", "bill",
    ]  # fmt: skip


def test_a_layout_is_confirmed_once_and_the_next_file_asks_nothing(renter):
    first = import_file(renter, "checking-details-jan.csv", account_name="Everyday checking")
    account = first.plan.account
    assert account.name == "Everyday checking" and account.layout_confirmed
    assert account.layout.preset == "checking-details"

    pending = upload(renter, "checking-details-feb.csv")
    plan = statement_plan(upload=pending)
    assert pending.account == account and plan.layout_confirmed


def test_a_rule_without_a_home_takes_the_home_lived_in_that_day(renter):
    from tests.factories import HomeFactory

    make_rules(renter)
    HomeFactory(owner=renter, name="Old House", occupied_from=dt.date(2019, 1, 1),
                occupied_to=dt.date(2023, 12, 31))  # fmt: skip
    import_file(renter, "headerless-five.csv")
    assert {b.home.name for b in Bill.objects.filter(owner=renter)} == {"Harbor Apartment"}


def test_the_next_headerless_export_is_recognized_by_its_shape(renter):
    make_rules(renter)
    first = import_file(renter, "headerless-five.csv", account_name="Wells checking")
    data = (FIXTURES / "headerless-five.csv").read_text().replace("2026", "2025")
    pending = statement_file_upload(owner=renter, data=data.encode(), file_name="2025.csv")
    assert pending.account == first.plan.account


def test_classifying_a_line_whose_bill_was_typed_in_points_to_it(renter):
    import_file(renter, "bank-of-america.csv")  # no rules: every line waits
    home = renter_home(renter)
    typed = BillFactory(owner=renter, home=home, paid_on=dt.date(2026, 3, 25), payee="Home Depot",
                        amount=D("45.12"), category="repairs")  # fmt: skip
    row = StatementRow.objects.get(owner=renter, description__startswith="HOME DEPOT")

    done = statement_row_decide(row=row, action="bill", payee="home depot", category="repairs")

    assert done.bill == typed and Bill.objects.filter(owner=renter).count() == 1
    assert done.row.reason == f"the same bill is already in your ledger (bill {typed.pk})"
