"""The filed-year rule, in one place: a filed year is frozen, and nothing but reopening thaws it.

Every write to a user's ledger is one *batch*: `ledger_write(owner=...)` around it. The batch

1. takes the user's lock (a row lock on the user, the same one filing and reopening take), so a
   write and the filing of a year never interleave: the write lands before the freeze (and is
   in the filed form) or comes after it and is refused;
2. notes what each filed year is made of (its bills, receipts, tax year and per-home inputs,
   and the engine inputs its forms were computed from);
3. runs the write, then checks once that no filed year changed and that no year was filed or
   unfiled (filing state changes only through `tax_year_file` and `tax_year_reopen`);
4. stores the open years' forms computed from the ledger as it now stands, in the same
   transaction.

A refused batch raises `YearFiledError` and, being one transaction, leaves nothing behind. The
rule is checked on what the batch did, not on how: admin forms and inlines, history reverts,
bulk actions, the API, the imports and copy-to-months all pass the same check, once.

Receipts do not change a form, but a filed year's evidence stays complete: one can be added to a
filed year's bill; none can be changed or removed.

Reads never come here: `forms8829.chain` computes without writing or locking.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from forms8829.chain import (
    FormError,
    YearForms,
    chain_compute_from_ledger,
    chain_compute_to_store,
)
from forms8829.models import ComputedForm
from forms8829.selectors import fingerprint, ledger_inputs
from forms8829.served import chain_serve_store
from ledger.bill_import import BillImportReport, bills_import_csv
from ledger.ledger_archive import ledger_archive_import
from ledger.ledger_file import ImportSummary, ledger_import
from ledger.models import Bill, BusinessShare, Receipt, TaxYear, TaxYearHome
from ledger.progress import Progress, progress_none
from ledger.receipt_files import receipt_files_discard, receipt_files_guard

T = TypeVar("T")


class YearFiledError(ValidationError):
    """A change would alter a filed year. Carries the data an edge needs to say how to reopen it:
    the year and the tax year's id (each edge makes its own reopen URL from the id)."""

    def __init__(self, message: str, *, year: int, tax_year_id: int | None):
        super().__init__(message, code="year_filed")
        self.year = year
        self.tax_year_id = tax_year_id


def _refused(year: int, tax_year_id: int | None) -> YearFiledError:
    return YearFiledError(
        f"Tax year {year} is filed, and this change would alter it (its bills, receipts, inputs "
        f"or Form 8829). Reopen {year} first, or make the change in an open year.",
        year=year,
        tax_year_id=tax_year_id,
    )


def _owner_id(owner) -> int:
    return getattr(owner, "pk", owner)


def lock(owner) -> None:
    """The user's lock: a row lock on the user (PostgreSQL) for the rest of the transaction.
    SQLite has no row locks; it lets one writer at a time anyway."""
    list(
        get_user_model()
        .objects.select_for_update()
        .filter(pk=_owner_id(owner))
        .values_list("pk", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# What a filed year is made of
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    filed: dict[int, int]  # year -> tax year id
    records: dict[int, tuple]  # year -> its tax year, bills and per-home inputs, in brief
    receipts: tuple  # (largest id, {year: (count, sum of ids, last change)})
    inputs: dict[int, dict[int, str]]  # year -> {home id: engine input fingerprint}


def _digest(rows, year: str) -> dict[int, tuple]:
    """Per year: how many rows, the sum of their ids, their last change (one GROUP BY)."""
    rows = rows.values(year).annotate(n=Count("id"), ids=Sum("id"), changed=Max("updated_at"))
    return {row[year]: (row["n"], row["ids"], row["changed"]) for row in rows.order_by()}


def _records(owner_id: int, years: list[int], stamps: dict[int, object]) -> dict[int, tuple]:
    bills = _digest(Bill.objects.filter(owner_id=owner_id, tax_year__in=years), "tax_year")
    homes = _digest(
        TaxYearHome.objects.filter(owner_id=owner_id, tax_year__year__in=years), "tax_year__year"
    )
    # A home's split among its businesses is one of its inputs for the year, even a share the
    # engine leaves out (a business with no office area in the home that year).
    shares = _digest(
        BusinessShare.objects.filter(owner_id=owner_id, tax_year_home__tax_year__year__in=years),
        "tax_year_home__tax_year__year",
    )
    return {y: (stamps.get(y), bills.get(y), homes.get(y), shares.get(y)) for y in years}


def _receipts(owner_id: int, years: list[int], up_to: int | None = None) -> tuple:
    """The filed years' receipts in brief: (largest id, per year: count, sum of ids, last
    change). With `up_to`, only receipts that existed then (ids only grow): those added since
    are allowed, those changed or removed are not."""
    rows = Receipt.objects.filter(owner_id=owner_id, bill__tax_year__in=years)
    if up_to is not None:
        rows = rows.filter(id__lte=up_to)
    largest = rows.aggregate(largest=Max("id"))["largest"] or 0
    return largest, _digest(rows, "bill__tax_year")


def _fingerprints(owner_id: int, years: list[int], chain: list[YearForms] = ()) -> dict:
    known = {yf.year: yf.home_years for yf in chain if yf.brief is None}  # served: not read
    missing = [y for y in years if y not in known]
    if missing:
        known.update(ledger_inputs(owner=owner_id, years=missing))
    return {y: {hy.home.pk: fingerprint(hy.engine_input) for hy in known.get(y, [])} for y in years}


def _filed(owner_id: int) -> tuple[dict[int, int], dict[int, object]]:
    rows = TaxYear.objects.filter(owner_id=owner_id, filed=True).values_list(
        "year", "id", "updated_at"
    )
    return {y: pk for y, pk, _ in rows}, {y: stamp for y, _, stamp in rows}


def _snapshot(owner_id: int) -> _Snapshot:
    filed, stamps = _filed(owner_id)
    if not filed:
        return _Snapshot({}, {}, (0, {}), {})
    years = sorted(filed)
    return _Snapshot(
        filed,
        _records(owner_id, years, stamps),
        _receipts(owner_id, years),
        _fingerprints(owner_id, years),
    )


def _check(owner_id: int, before: _Snapshot, chain: list[YearForms]) -> None:
    """Raise YearFiledError for the first filed year the batch changed."""
    filed, stamps = _filed(owner_id)
    for year in sorted(set(filed) - set(before.filed)):
        raise YearFiledError(
            f"Tax year {year} can only be filed with File on its review (or the API's file "
            "action), which freezes its forms; nothing was changed.",
            year=year,
            tax_year_id=filed[year],
        )
    if not before.filed:
        return
    years = sorted(before.filed)
    records = _records(owner_id, years, stamps)
    _, receipts = _receipts(owner_id, years, up_to=before.receipts[0])
    inputs = _fingerprints(owner_id, years, chain)
    for year in years:
        same = (
            year in filed
            and records[year] == before.records[year]
            and receipts.get(year) == before.receipts[1].get(year)
            and inputs[year] == before.inputs[year]
        )
        if not same:
            raise _refused(year, before.filed[year])


# ---------------------------------------------------------------------------------------------
# The write batch
# ---------------------------------------------------------------------------------------------

_batch: contextvars.ContextVar[int | None] = contextvars.ContextVar("ledger_write", default=None)


def batch_owner() -> int | None:
    """The owner whose write batch is running here, if any."""
    return _batch.get()


class _DryRun(Exception):
    pass


@contextmanager
def ledger_write(
    *,
    owner,
    dry_run: bool = False,
    since_year: int | None = None,
    progress: Progress | None = None,
) -> Iterator[None]:
    """One write batch to `owner`'s ledger; see the module docstring. A batch inside a batch of
    the same owner is part of the outer one (checked once, at its end). A `dry_run` batch is
    written and checked in full, then rolled back: a preview that the filed years answer too.

    `since_year`: the caller writes bills only, none of a year before this one (before or after
    its change), so the years before it are unchanged: they are taken from what the last batch
    stored and only the years from it on are computed (`chain_compute_to_store`). The caller
    says so explicitly (the API's bill writes); every other batch computes every year.

    `progress` (`ledger.progress`) is told "forms" once the open years' forms are stored (the
    years of the chain); a batch inside a batch reports nothing of its own."""
    owner_id = _owner_id(owner)
    if _batch.get() == owner_id:
        yield
        return
    token = _batch.set(owner_id)
    try:
        # A receipt file written by a batch that rolls back is removed (ledger.receipt_files).
        with receipt_files_guard(), transaction.atomic():
            lock(owner_id)
            before = _snapshot(owner_id)
            yield
            chain = chain_compute_to_store(owner=owner_id, since_year=since_year)
            _check(owner_id, before, chain)
            chain_store(chain, owner=owner_id)
            chain_serve_store(chain, owner=owner_id)
            if progress is not None:
                progress("forms", len(chain), len(chain))
            if dry_run:
                receipt_files_discard()
                raise _DryRun
    except _DryRun:
        pass
    finally:
        _batch.reset(token)


def chain_store(chain: list[YearForms], *, owner, through_year: int | None = None) -> None:
    """Save the open years' forms of `chain` (unchanged ones are left alone) and delete the
    stored forms of open years it does not hold (a home no longer in use, a year past an error),
    up to `through_year` when the chain was computed only that far. Filed years' forms are never
    touched. Call under the user's lock."""
    to_create, to_update, kept = [], [], set()
    for year in chain:
        if year.filed:  # a filed year's forms stay as they were filed
            kept |= {f.pk for f in year.stored}
            continue
        for form in year.forms:
            if not form._state.adding:
                kept.add(form.pk)
            elif form.pk is None:
                to_create.append(form)
            else:
                to_update.append(form)
                kept.add(form.pk)
    if through_year is None and chain and chain[-1].error is None:
        # The whole chain, every tax year in it: the stale rows are among those it read.
        stale_ids = {f.pk for year in chain for f in year.stored} - kept
        if stale_ids:
            ComputedForm.objects.filter(pk__in=stale_ids).delete()
    else:
        stale = ComputedForm.objects.owned_by(owner).filter(tax_year__filed=False)
        if through_year is not None:
            stale = stale.filter(year__lte=through_year)
        stale.exclude(pk__in=kept).delete()
    if to_create:
        ComputedForm.objects.bulk_create(to_create)
    fields = [f.attname for f in ComputedForm._meta.concrete_fields if not f.primary_key]
    for form in to_update:  # a few rows (the changed year and the later ones): one UPDATE each
        ComputedForm.objects.filter(pk=form.pk).update(**{f: getattr(form, f) for f in fields})
    for form in to_create + to_update:
        form._state.adding = False


# The owner whose filings defer their whole-chain store to the end (an import filing its years).
_store_deferred: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "chain_store_deferred", default=None
)


def _store_after_filing(owner) -> None:
    """After a filing or a reopening: the later years and what reads serve, stored now, or once
    at the end of an import that files several years."""
    if _store_deferred.get() != _owner_id(owner):
        _store_whole_chain(owner)


def _store_whole_chain(owner) -> list[YearForms]:
    """Compute the whole chain from the ledger, store its open years' forms and what reads
    serve (`forms8829.served`). Under the user's lock."""
    chain = chain_compute_to_store(owner=owner)
    chain_store(chain, owner=owner)
    chain_serve_store(chain, owner=owner)
    return chain


@transaction.atomic
def chain_recompute(*, owner) -> list[YearForms]:
    """The explicit recompute: store every open year's forms from the ledger as it stands (they
    are also stored by every write; this repairs rows written by older versions or by hand)."""
    lock(owner)
    chain = _store_whole_chain(owner)
    if chain and chain[-1].error is not None:
        raise chain[-1].error
    return chain


# ---------------------------------------------------------------------------------------------
# Filing and reopening: the only ways `filed` changes
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def tax_year_file(*, tax_year: TaxYear) -> YearForms:
    """Freeze a year: under the user's lock, compute its forms (and the chain before it) from
    the ledger as it stands, store them, and mark the year filed."""
    lock(tax_year.owner_id)
    current = TaxYear.objects.get(pk=tax_year.pk)  # after the lock: a write may just have landed
    if current.filed:
        raise YearFiledError(
            f"{current.year} is already filed.", year=current.year, tax_year_id=current.pk
        )
    chain = chain_compute_from_ledger(owner=current.owner_id, through_year=current.year)
    if not chain or chain[-1].year != current.year:
        raise FormError(f"There is no tax year {current.year} in your ledger.")
    chain_store(chain, owner=current.owner_id, through_year=current.year)
    current.filed = True
    current.filed_at = timezone.now()
    _keep_history_user(tax_year, current)
    current._change_reason = "Filed"
    current.save(update_fields=["filed", "filed_at", "updated_at"])
    _copy_filing_state(current, tax_year)
    _store_after_filing(current.owner_id)
    chain[-1].tax_year = current
    return chain[-1]


@transaction.atomic
def tax_year_reopen(*, tax_year: TaxYear, reason: str) -> TaxYear:
    """Thaw a filed year; the reason is kept in the tax year's history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the year is reopened (kept in its history)."})
    lock(tax_year.owner_id)
    current = TaxYear.objects.get(pk=tax_year.pk)
    if not current.filed:
        not_filed = ValidationError(f"{current.year} is not filed.", code="not_filed")
        raise ValidationError({"filed": not_filed})
    current.filed = False
    current.filed_at = None
    _keep_history_user(tax_year, current)
    current._change_reason = f"Reopened: {reason}"[:100]
    current.save(update_fields=["filed", "filed_at", "updated_at"])
    _copy_filing_state(current, tax_year)
    _store_after_filing(current.owner_id)
    return current


def _keep_history_user(given: TaxYear, current: TaxYear) -> None:
    if hasattr(given, "_history_user"):
        current._history_user = given._history_user


def _copy_filing_state(source: TaxYear, target: TaxYear) -> None:
    target.filed, target.filed_at, target.updated_at = (
        source.filed,
        source.filed_at,
        source.updated_at,
    )


def filing_state_keep(tax_year: TaxYear) -> None:
    """Before a tax year is saved by an edit (a form, a history revert, an import): keep `filed`
    and `filed_at` as they are stored, whatever the edit carried."""
    if tax_year.pk is None:
        tax_year.filed, tax_year.filed_at = False, None
        return
    stored = TaxYear.objects.filter(pk=tax_year.pk).values("filed", "filed_at").first()
    if stored is not None:
        tax_year.filed, tax_year.filed_at = stored["filed"], stored["filed_at"]


def bills_csv_import(
    *, owner, data: bytes | str, dry_run: bool, progress: Progress | None = None
) -> BillImportReport:
    """The CSV bill import as one write batch; a dry run is the same import rolled back, so its
    preview is refused by a filed year exactly as the import itself would be.

    `progress` (`ledger.progress`): the import's own steps (rows read and checked, bills
    inserted, a batch at a time), then "forms" when the batch has stored the open years' forms;
    all in the batch's one transaction."""
    with ledger_write(owner=owner, dry_run=dry_run, progress=progress):
        report = bills_import_csv(owner=owner, data=data, dry_run=False, progress=progress)
    return replace(report, dry_run=True, created=0) if dry_run else report


def ledger_file_import(*, owner, progress: Progress | None = None, **options) -> ImportSummary:
    """`ledger.ledger_file.ledger_import` as one write batch, filing the years the file marks
    filed (see `ledger_import_batch`). The API, the command and the demo all come here."""
    return ledger_import_batch(
        owner=owner,
        run=lambda: ledger_import(owner=owner, progress=progress, **options),
        progress=progress,
    )


def ledger_archive_restore(
    *, owner, data, replace: bool = False, progress: Progress | None = None
) -> ImportSummary:
    """`ledger.ledger_archive.ledger_archive_import` (the file with its receipts) likewise."""
    return ledger_import_batch(
        owner=owner,
        run=lambda: ledger_archive_import(
            owner=owner, data=data, replace=replace, progress=progress
        ),
        progress=progress,
    )


def ledger_import_batch(*, owner, run: Callable[[], T], progress: Progress | None = None) -> T:
    """An import (ledger file, archive) as one write batch, then the years the file marks filed
    are filed, in order, in the same transaction: all of it lands, or none of it.

    `progress` (`ledger.progress`), after the import's own steps: "forms" when the batch has
    stored the open years' forms, "years filed" after each year filed, and "forms, after
    filing" when the whole chain is stored again after the last."""
    progress = progress or progress_none
    with receipt_files_guard(), transaction.atomic():
        with ledger_write(owner=owner, progress=progress):
            summary = run()
        years = getattr(summary, "years_to_file", ())
        if years:
            token = _store_deferred.set(_owner_id(owner))
            try:
                for done, year in enumerate(years, start=1):
                    tax_year_file(tax_year=TaxYear.objects.get(owner=owner, year=year))
                    progress("years filed", done, len(years))
            finally:
                _store_deferred.reset(token)
            chain = _store_whole_chain(owner)  # once, after the last filing
            progress("forms, after filing", len(chain), len(chain))
    return summary
