"""The CSV bill import in batches, with its progress told (`ledger.progress`, as the ledger file):
the counts grow to their totals, batches change neither the ledger nor the queries (but one
INSERT pair per batch), and a failure after some batches leaves nothing. The batch is made 100
rows here so that a file of a thousand bills runs several."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms8829.filing import YearFiledError, bills_csv_import, tax_year_file
from forms8829.models import ComputedForm
from ledger.models import Bill
from tests.factories import (
    HomeFactory,
    OfficeAreaFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
    UserFactory,
)
from tests.ledger.test_progress import Recorder, assert_one_insert_pair_per_batch

pytestmark = pytest.mark.django_db

BATCH = 100
BILLS = 1_050  # ten whole batches and a shorter one
HEADER = "home,paid_on,payee,category,amount,scope,business_use_percent,note\n"


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr("ledger.progress.BATCH", BATCH)


def owner_with_home(username: str):
    """A user with the home `elm` in use in 2024, so that the import stores a form."""
    owner = UserFactory(username=username)
    home = HomeFactory(owner=owner, name="Elm", key="elm")
    OfficeAreaFactory(home=home)
    TaxYearHomeFactory(tax_year=TaxYearFactory(owner=owner, year=2024), home=home)
    return owner


def bills_csv(count: int = BILLS, year: int = 2024, *, repeat_every: int = 0) -> str:
    """`count` bills of `year`; with `repeat_every`, each such line repeats the one before."""
    lines = []
    for i in range(count):
        n = i - 1 if repeat_every and i and i % repeat_every == 0 else i
        lines.append(
            f"elm,{year}-{1 + n % 12:02d}-{1 + n % 28:02d},Payee {n},utilities,{n % 900 + 1}.25,"
            f"{'indirect' if n % 3 else 'direct'},{'' if n % 3 else '60'},note {n}\n"
        )
    return HEADER + "".join(lines)


def test_progress_grows_to_the_totals_step_by_step(small_batches):
    told = Recorder()

    report = bills_csv_import(
        owner=owner_with_home("told"), data=bills_csv(), dry_run=False, progress=told
    )

    assert report.ok and report.created == BILLS
    assert told.steps() == ["reading bills", "checking bills", "bills", "forms"]
    whole = list(range(BATCH, BILLS, BATCH))
    assert told.counts("reading bills") == whole  # the last, shorter batch is not told
    assert told.counts("checking bills") == whole
    assert told.counts("bills") == [*whole, BILLS]
    assert {total for step, _, total in told.calls if step != "forms"} == {BILLS}
    assert told.calls[-1] == ("forms", 1, 1)  # the year stored


def test_the_bills_told_are_those_inserted_repeats_left_out(small_batches):
    told = Recorder()
    report = bills_csv_import(
        owner=owner_with_home("repeats"),
        data=bills_csv(repeat_every=10),
        dry_run=False,
        progress=told,
    )
    assert len(report.duplicates) == 104 and report.created == BILLS - 104
    assert told.counts("checking bills")[-1] == 1_000  # every row checked, repeats too
    assert told.counts("bills")[-1] == report.created
    assert {total for step, _, total in told.calls if step == "bills"} == {report.created}


def test_a_preview_tells_the_same_steps_and_saves_nothing(small_batches):
    told = Recorder()
    report = bills_csv_import(
        owner=owner_with_home("preview"), data=bills_csv(), dry_run=True, progress=told
    )
    assert report.ok and report.dry_run and len(report.rows) == BILLS
    assert told.steps() == ["reading bills", "checking bills", "bills", "forms"]
    assert not Bill.objects.exists() and not Bill.history.exists()


def ledger_of(owner) -> dict:
    fields = ("paid_on", "payee", "category", "amount", "scope", "business_use_percent", "note")
    return {
        "bills": list(Bill.objects.filter(owner=owner).order_by("id").values_list(*fields)),
        "history": list(
            Bill.history.filter(owner=owner)
            .order_by("history_id")
            .values_list("history_type", "history_user", "history_change_reason", *fields)
        ),
        "forms": list(
            ComputedForm.objects.filter(owner=owner).values_list(
                "year", "inputs_fingerprint", "deduction", "output"
            )
        ),
    }


def test_batches_give_the_same_ledger_as_one_insert(monkeypatch):
    data = bills_csv(repeat_every=7)
    one = owner_with_home("one-batch")
    bills_csv_import(owner=one, data=data, dry_run=False)  # BATCH (5,000) is more than the file
    monkeypatch.setattr("ledger.progress.BATCH", BATCH)
    many = owner_with_home("many-batches")
    bills_csv_import(owner=many, data=data, dry_run=False)

    a, b = ledger_of(one), ledger_of(many)
    assert len(a["bills"]) == BILLS - (BILLS - 1) // 7 and len(a["forms"]) == 1
    assert {row[:2] for row in a["history"]} == {("+", one.pk)}
    assert {row[:2] for row in b["history"]} == {("+", many.pk)}
    assert [row[2:] for row in a["history"]] == [row[2:] for row in b["history"]]
    assert (a["bills"], a["forms"]) == (b["bills"], b["forms"])
    # In the file's order, one after the other, as in one INSERT.
    payees = [row[1] for row in b["bills"]]
    assert payees == sorted(payees, key=lambda payee: int(payee.split()[1]))


def import_queries(username: str, data: str) -> list[str]:
    owner = owner_with_home(username)
    tax_year_file(tax_year=TaxYearFactory(owner=owner, year=2022))  # a filed year to check
    with CaptureQueriesContext(connection) as ctx:
        assert bills_csv_import(owner=owner, data=data, dry_run=False, progress=Recorder()).ok
    return [query["sql"] for query in ctx.captured_queries]


def test_the_queries_grow_by_one_insert_pair_per_batch(small_batches):
    ten = import_queries("ten", bills_csv(10))
    large = import_queries("large", bills_csv())
    # The homes and repeats read once, whatever the file's length.
    assert_one_insert_pair_per_batch(ten, large, BILLS, BATCH)


def test_a_failure_in_a_late_batch_leaves_nothing(small_batches):
    told = Recorder()

    def fail_in_the_eleventh_batch(step, done, total):
        told(step, done, total)
        if step == "bills" and done == 10 * BATCH:
            raise RuntimeError("the database went away")

    owner = owner_with_home("stopped")
    with pytest.raises(RuntimeError):
        bills_csv_import(
            owner=owner, data=bills_csv(), dry_run=False, progress=fail_in_the_eleventh_batch
        )
    assert told.counts("bills") == list(range(BATCH, 10 * BATCH + 1, BATCH))
    assert not Bill.objects.exists() and not Bill.history.exists()
    assert not ComputedForm.objects.filter(owner=owner).exists()


def test_a_filed_year_refuses_the_whole_import_after_every_batch(small_batches):
    owner = owner_with_home("filed")
    tax_year_file(tax_year=TaxYearFactory(owner=owner, year=2023))
    forms = list(ComputedForm.objects.filter(owner=owner).values_list("pk", "output"))
    told = Recorder()
    data = bills_csv() + "elm,2023-03-01,Late,utilities,5,indirect,,\n"  # in the filed year

    with pytest.raises(YearFiledError, match="2023"):
        bills_csv_import(owner=owner, data=data, dry_run=False, progress=told)

    assert told.counts("bills")[-1] == BILLS + 1
    assert "forms" not in told.steps()
    assert not Bill.objects.exists() and not Bill.history.exists()
    assert list(ComputedForm.objects.filter(owner=owner).values_list("pk", "output")) == forms
