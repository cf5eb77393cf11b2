"""A large ledger-file import in batches, with its progress told (`ledger.progress`): the counts
grow to their totals, the command shows them on stderr only, batches change neither the ledger
nor the queries (but one INSERT pair per batch), and a failure after some batches leaves nothing.
The batch is made 100 rows here so that a file of a thousand bills runs several."""

import io
import json
import math

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forms8829.filing import YearFiledError, ledger_file_import, tax_year_file
from forms8829.models import ComputedForm
from ledger.ledger_file import ledger_export
from ledger.models import Bill, Business, Home, Receipt, TaxYear, TaxYearHome
from ledger.progress import batches, counted, progress_text
from tests.factories import (
    TaxYearFactory,
    UserFactory,
    ledger_file_businesses,
    ledger_file_document,
)

pytestmark = pytest.mark.django_db

BATCH = 100
BILLS = 1_050  # ten whole batches and a shorter one


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr("ledger.progress.BATCH", BATCH)


def document(bills: int = BILLS, *, filed: bool = False) -> dict:
    data = ledger_file_businesses(ledger_file_document(bills=bills))
    data["tax_years"][0]["filed"] = filed
    return data


class Recorder:
    def __init__(self):
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, step: str, done: int, total: int | None) -> None:
        self.calls.append((step, done, total))

    def steps(self) -> list[str]:
        return list(dict.fromkeys(step for step, _, _ in self.calls))

    def counts(self, step: str) -> list[int]:
        return [done for s, done, _ in self.calls if s == step]


def everything() -> dict:
    counts = {m.__name__: m.objects.count() for m in (Business, Home, Bill, Receipt, TaxYear)}
    counts["history:Bill"] = Bill.history.count()
    counts["TaxYearHome"] = TaxYearHome.objects.count()
    counts["ComputedForm"] = ComputedForm.objects.count()
    counts["users"] = get_user_model().objects.count()
    return counts


# --- The mechanism ------------------------------------------------------------------------------


def test_batches_and_counted(small_batches):
    assert [len(b) for b in batches(list(range(250)))] == [100, 100, 50]
    assert list(batches([])) == []
    told = Recorder()
    assert list(counted(list(range(250)), "reading", told)) == list(range(250))
    assert told.calls == [("reading", 100, 250), ("reading", 200, 250)]  # whole batches only
    assert progress_text("bills", 20_000, 100_000) == "bills: 20,000 / 100,000"
    assert progress_text("bills", 3, None) == "bills: 3"


def test_progress_grows_to_the_totals_step_by_step(small_batches):
    told = Recorder()

    summary = ledger_file_import(owner=UserFactory(), data=document(filed=True), progress=told)

    assert summary.bills == BILLS
    assert told.steps() == [
        "reading bills",
        "checking bills",
        "checked",
        "businesses",
        "homes",
        "tax years",
        "office areas",
        "improvements",
        "bills",
        "home-years",
        "business shares",
        "forms",
        "years filed",
        "forms, after filing",
    ]
    whole = list(range(BATCH, BILLS, BATCH))
    assert told.counts("reading bills") == whole  # the last, shorter batch is not told
    assert told.counts("checking bills") == whole
    assert told.counts("bills") == [*whole, BILLS]
    for step in told.steps():
        calls = [(done, total) for s, done, total in told.calls if s == step]
        counts = [done for done, _ in calls]
        assert counts == sorted(set(counts)), step  # only grows
        assert all(total == calls[0][1] for _, total in calls), step
        if step not in ("reading bills", "checking bills"):
            assert calls[-1][0] == calls[-1][1], step  # ends at its total
    # The file: 2 businesses, 1 home, 2 office areas, 1 improvement, the bills, 1 tax year,
    # 1 home-year, 2 shares.
    assert ("checked", BILLS + 10, BILLS + 10) in told.calls
    assert ("years filed", 1, 1) in told.calls


# --- Batches change nothing but the number of INSERTs --------------------------------------------


def test_batches_give_the_same_ledger_as_one_insert(monkeypatch):
    data = document()
    one = UserFactory(username="one-batch")
    ledger_file_import(owner=one, data=data)  # BATCH (5,000) is more than the file's bills
    monkeypatch.setattr("ledger.progress.BATCH", BATCH)
    many = UserFactory(username="many-batches")
    ledger_file_import(owner=many, data=data)

    assert ledger_export(owner=many) == ledger_export(owner=one)
    for owner in (one, many):
        bills = Bill.objects.filter(owner=owner)
        assert bills.count() == BILLS
        history = Bill.history.filter(owner=owner)
        assert history.count() == BILLS
        assert set(history.values_list("history_type", "history_user")) == {("+", owner.pk)}
    # Inserted in the file's order, one after the other, as in one INSERT.
    ids = list(Bill.objects.filter(owner=many).order_by("id").values_list("payee", flat=True))
    assert ids == [bill["payee"] for bill in data["bills"]]
    forms = {
        owner.pk: list(
            ComputedForm.objects.filter(owner=owner).values_list(
                "year", "inputs_fingerprint", "deduction", "output"
            )
        )
        for owner in (one, many)
    }
    assert forms[one.pk] == forms[many.pk]


def import_queries(username: str, data: dict) -> list[str]:
    owner = UserFactory(username=username)
    with CaptureQueriesContext(connection) as ctx:
        ledger_file_import(owner=owner, data=data, progress=Recorder())
    return [query["sql"] for query in ctx.captured_queries]


def bill_inserts(sql: list[str]) -> list[str]:
    tables = [q.split()[2].strip('"') for q in sql if q.startswith("INSERT")]
    return [t for t in tables if t in ("ledger_bill", "ledger_historicalbill")]


def assert_one_insert_pair_per_batch(ten: list[str], large: list[str], bills: int, batch: int):
    """The queries of an import of 10 bills and of `bills` differ by one INSERT of bills and
    one of their history rows per further batch of `batch`, and by nothing else (the owner's
    data read once, the write batch's lock, checks and stored forms)."""
    batches_of_bills = math.ceil(bills / batch)
    assert bill_inserts(ten) == ["ledger_bill", "ledger_historicalbill"]
    assert bill_inserts(large) == ["ledger_bill", "ledger_historicalbill"] * batches_of_bills
    assert len(large) - len(ten) == 2 * (batches_of_bills - 1)


def test_the_queries_grow_by_one_insert_pair_per_batch(small_batches):
    ten = import_queries("ten", document(10))
    large = import_queries("large", document(BILLS))
    assert_one_insert_pair_per_batch(ten, large, BILLS, BATCH)


# --- All or nothing after progress ---------------------------------------------------------------


def test_a_failure_after_some_batches_leaves_nothing(small_batches):
    told = Recorder()

    def fail_in_the_fourth_batch(step, done, total):
        told(step, done, total)
        if step == "bills" and done == 3 * BATCH:
            raise KeyboardInterrupt  # as a user stopping the command with Ctrl-C

    owner = UserFactory(username="stopped")
    before = everything()
    with pytest.raises(KeyboardInterrupt):
        ledger_file_import(owner=owner, data=document(), progress=fail_in_the_fourth_batch)

    assert told.counts("bills") == [100, 200, 300]
    assert everything() == before


def test_a_filed_year_refuses_the_whole_import_after_every_batch(small_batches):
    owner = UserFactory(username="filed")
    tax_year_file(tax_year=TaxYearFactory(owner=owner, year=2024))
    before = everything()
    told = Recorder()

    # The file's 2024 conflicts with the filed one: with replace, the import deletes the
    # ledger, inserts every batch, and the write batch refuses it all at its end.
    with pytest.raises(YearFiledError):
        ledger_file_import(owner=owner, data=document(), replace=True, progress=told)

    assert told.counts("bills")[-1] == BILLS
    assert "forms" not in told.steps()
    assert everything() == before


# --- The command ---------------------------------------------------------------------------------


def run(*args, stderr=None, **options) -> tuple[str, str]:
    out, err = io.StringIO(), stderr or io.StringIO()
    call_command("import_ledger", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


SUMMARY = (
    "Imported into {user}'s ledger (new user): 1 home (2 office areas, 1 improvement), "
    f"{BILLS} bills, 1 tax year (1 home-year), 2 businesses.\n"
)


def test_the_command_shows_progress_on_stderr_and_only_the_summary_on_stdout(
    small_batches, tmp_path
):
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(document()), encoding="utf-8")

    out, err = run(str(path), "--user", "newbie")

    assert out == SUMMARY.format(user="newbie")
    lines = err.splitlines()
    assert lines[0] == "reading bills: 100 / 1,050"
    assert "checked: 1,060 / 1,060" in lines
    bills = [line for line in lines if line.startswith("bills: ")]
    assert bills == [f"bills: {n:,} / 1,050" for n in [*range(100, 1001, 100), 1050]]
    assert lines[-1] == "forms: 1 / 1"


def test_verbosity_0_hides_the_progress(small_batches, tmp_path):
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(document()), encoding="utf-8")

    out, err = run(str(path), "--user", "quiet", verbosity=0)

    assert out == SUMMARY.format(user="quiet")
    assert err == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_progress_rewrites_one_line_and_is_cleared(small_batches, tmp_path):
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(document()), encoding="utf-8")

    out, err = run(str(path), "--user", "tty", stderr=Terminal())

    assert out == SUMMARY.format(user="tty")
    assert "\n" not in err
    assert err.startswith("\rreading bills: 100 / 1,050\x1b[K\r")
    assert "\rbills: 1,050 / 1,050\x1b[K\r" in err
    assert err.endswith("\rforms: 1 / 1\x1b[K\r\x1b[K")  # the last line cleared
    assert "\x1b[31" not in err  # not styled as an error


def test_the_command_after_progress_then_an_error_changes_nothing(small_batches, tmp_path):
    data = document()
    data["bills"][BILLS - 1]["amount"] = "-1"  # found in the last batch
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = everything()
    err = Terminal()

    with pytest.raises(CommandError, match=r"^1 error in .*; nothing was imported\.$"):
        run(str(path), "--user", "newbie", stderr=err)

    # The progress line is cleared before the errors, which stand alone on their lines.
    assert err.getvalue().endswith("\r\x1b[K" + f"bills[{BILLS - 1}].amount: must be >= 0\n")
    assert everything() == before


def test_a_short_file_with_errors_shows_its_errors_alone(small_batches, tmp_path):
    data = document(BATCH - 1)
    data["bills"][0]["amount"] = "-1"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    err = io.StringIO()
    with pytest.raises(CommandError):
        run(str(path), "--user", "newbie", stderr=err)
    assert err.getvalue() == "bills[0].amount: must be >= 0\n"
