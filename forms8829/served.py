"""Reads served from what the last write stored, in a constant handful of queries.

Every write batch (`forms8829.filing`: `ledger_write`, filing, reopening, recompute) computes the
chain from the ledger and stores the open years' forms; `chain_serve_store` then writes, in the
same transaction, a brief of that chain (`ServedChain`): per tax year its id and filing state,
its forms' ids and chain fingerprints, carry-in, carry-out, warnings and method comparison, and
where the chain stopped on an error. A read (`chain_serve`) takes that row, the tax years and
the stored forms (three queries, no bill read) and serves them when they agree with the brief;
otherwise it returns None and the caller computes from the ledger (read only, as before).

The brief is current exactly when no ledger record changed since the batch that wrote it:

- inside a batch nothing needs doing (the batch writes a new brief at its end, or rolls back);
- a ledger record saved or deleted outside a batch (a shell, a test's factory, code that forgot
  its batch) deletes the owner's brief (`post_save`/`post_delete` of the engine's models), so
  reads compute until the next batch. Bulk writes outside a batch (`bulk_create`, `update()`)
  send no signal: they must run in a batch, as every edge's writes do;
- a concurrent batch that commits between the read's queries changes the forms or tax years it
  reads, which then disagree with the brief: that read computes.
- rules changed (`ENGINE_VERSION`) make every brief of older rules unused.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from functools import cache

from django.apps import apps
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from forms8829.models import ComputedForm, ServedChain
from forms8829.rules import UnsupportedYearError, rules_for
from forms8829.selectors import ENGINE_VERSION
from ledger.models import TaxYear


def _owner_id(owner) -> int:
    return getattr(owner, "pk", owner)


def _carry(carry) -> list[str]:
    return [str(carry.operating), str(carry.casualty_depreciation), str(carry.casualty)]


def _option(option) -> dict:
    return {
        "method": option.method,
        "deduction": str(option.deduction),
        "carryover_operating_out": str(option.carryover_operating_out),
        "carryover_casualty_depreciation_out": str(option.carryover_casualty_depreciation_out),
    }


def _form_brief(form: ComputedForm) -> list:
    """What tells a stored form apart from any other version of it."""
    return [form.pk, form.chain_fingerprint, form.inputs_fingerprint, form.engine_version]


def _comparison_key(yf) -> str:
    """What a year's method comparison is computed from: its homes' engine inputs, its
    carry-in, the rules."""
    inputs = [
        (hy.home.pk, hy.home.name, hy.receives_carryover, hy.engine_input) for hy in yf.home_years
    ]
    return hashlib.sha256(f"{ENGINE_VERSION}:{inputs!r}:{yf.carry_in!r}".encode()).hexdigest()


def _comparisons(owner_id: int, yf, before: dict | None) -> dict:
    """The year's method comparison (two engine runs a home), or the one the last brief holds
    when it was computed from the same inputs."""
    from forms8829.chain import FormError, method_comparison

    key = _comparison_key(yf)
    if before is not None and before.get("comparison_key") == key:
        kept = {k: before[k] for k in ("comparisons", "comparison_error") if k in before}
        return {"comparison_key": key, **kept}
    try:
        comparisons = method_comparison(owner=owner_id, year=yf.year, current=yf)
    except FormError as exc:
        return {"comparison_key": key, "comparison_error": " ".join(exc.messages)}
    return {
        "comparison_key": key,
        "comparisons": [
            {
                "home": c.home_name,
                "regular": _option(c.regular),
                "simplified": _option(c.simplified),
                "better": c.better,
            }
            for c in comparisons
        ],
    }


def chain_serve_store(chain, *, owner) -> None:
    """Write the brief of `chain` (the whole chain, as `chain_compute_to_store` gives it, its
    forms just stored by `chain_store`). Call under the user's lock, in the batch's
    transaction."""
    owner_id = _owner_id(owner)
    years, error = [], None
    previous = ServedChain.objects.filter(owner_id=owner_id).values_list("summary", flat=True)
    before = {y["year"]: y for y in (previous.first() or {}).get("years", ())}
    for yf in chain:
        if yf.error is not None:
            error = {"year": yf.year, "message": " ".join(yf.error.messages)}
            break
        if yf.brief is not None:  # served from the last brief, unchanged since
            years.append(yf.brief)
            continue
        years.append(
            {
                "year": yf.year,
                "forms": [_form_brief(f) for f in yf.forms],
                "carry_in": _carry(yf.carry_in),
                "carry_out": _carry(yf.carry_out),
                "warnings": list(yf.warnings),
                **_comparisons(owner_id, yf, before.get(yf.year)),
            }
        )
    tax_years = list(
        TaxYear.objects.filter(owner_id=owner_id)
        .order_by("year")
        .values_list("year", "id", "filed")
    )
    summary = {"tax_years": [list(t) for t in tax_years], "years": years, "error": error}
    values = {"engine_version": ENGINE_VERSION, "summary": summary, "stored_at": timezone.now()}
    if not ServedChain.objects.filter(owner_id=owner_id).update(**values):
        ServedChain.objects.create(owner_id=owner_id, **values)


def chain_serve(*, owner, through_year: int | None, last_only: bool = False):
    """The chain up to `through_year` (all of it when None) as the last batch stored it, or None
    when what was stored is not current (the caller then computes). Three queries, none of the
    bills. Raises `FormError` where the stored chain stopped on one, as computing would.
    `last_only`: only the last year of it (one year's forms read, not every year's)."""
    from forms8829.chain import (
        Carry,
        FormError,
        MethodComparison,
        MethodOption,
        YearForms,
    )

    owner_id = _owner_id(owner)
    served = ServedChain.objects.filter(owner_id=owner_id).first()
    if served is None or served.engine_version != ENGINE_VERSION:
        return None
    summary = served.summary
    tax_years = list(TaxYear.objects.filter(owner_id=owner_id).order_by("year"))
    if [[ty.year, ty.pk, ty.filed] for ty in tax_years] != summary["tax_years"]:
        return None
    error = summary["error"]
    if error is not None and (through_year is None or error["year"] <= through_year):
        raise FormError(error["message"])
    if through_year is not None:
        tax_years = [ty for ty in tax_years if ty.year <= through_year]
    if last_only:
        tax_years = tax_years[-1:]
    briefs = {brief["year"]: brief for brief in summary["years"]}
    forms: dict[int, list[ComputedForm]] = {ty.year: [] for ty in tax_years}
    rows = ComputedForm.objects.filter(owner_id=owner_id, year__in=list(forms))
    for form in rows.select_related("home").order_by("year", "home_id"):
        forms[form.year].append(form)

    def carry(values) -> Carry:
        return Carry(*(Decimal(v) for v in values))

    def option(values) -> MethodOption:
        return MethodOption(**{k: v if k == "method" else Decimal(v) for k, v in values.items()})

    chain = []
    for ty in tax_years:
        brief = briefs.get(ty.year)
        year_forms = forms[ty.year]
        if brief is None or [_form_brief(f) for f in year_forms] != brief["forms"]:
            return None  # a batch landed between the queries (or a row changed by hand)
        comparisons = [
            MethodComparison(
                ty.year, c["home"], option(c["regular"]), option(c["simplified"]), c["better"]
            )
            for c in brief.get("comparisons", ())
        ]
        comparison_error = brief.get("comparison_error")
        chain.append(
            YearForms(
                ty.year,
                ty,
                year_forms,
                carry(brief["carry_in"]),
                carry(brief["carry_out"]),
                list(brief["warnings"]),
                stored=list(year_forms),
                comparisons=FormError(comparison_error) if comparison_error else comparisons,
                brief=brief,
            )
        )
    return chain


@cache
def _year_forms_sql() -> str:
    """The brief and one year's stored forms, in one query (names from the models' meta)."""
    served, form = ServedChain._meta, ComputedForm._meta

    def col(name: str) -> str:
        return f'f."{form.get_field(name).column}"'

    columns = ", ".join(
        col(name)
        for name in ("id", "chain_fingerprint", "inputs_fingerprint", "engine_version", "output")
    )
    # Table and column names from the models; the values are parameters.
    return (
        f'SELECT s."{served.get_field("engine_version").column}", '  # noqa: S608
        f's."{served.get_field("summary").column}", {columns} '
        f'FROM "{served.db_table}" s LEFT JOIN "{form.db_table}" f '
        f'ON {col("owner")} = s."{served.get_field("owner").column}" AND {col("year")} = %s '
        f'WHERE s."{served.get_field("owner").column}" = %s ORDER BY {col("home")}'
    )


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def year_forms_served(*, owner, year: int) -> tuple[list[dict], list[str]] | None:
    """One year's forms as the last batch stored it, for the API's form endpoint: each form's
    output and the year's warnings, in one query (the brief joined to the year's forms, read
    as plain rows: this is the API's most requested read) and no model built; None when what
    was stored is not current, or the year is not in it or not computed (the caller then
    reads as `chain.year_forms` does, and answers the 404 or the error)."""
    try:
        rules_for(year)
    except UnsupportedYearError:
        return None  # no form of that year (the caller says which years are)
    with connection.cursor() as cursor:
        cursor.execute(_year_forms_sql(), [year, _owner_id(owner)])
        rows = cursor.fetchall()
    if not rows or rows[0][0] != ENGINE_VERSION:
        return None
    summary = _json(rows[0][1])
    error = summary["error"]
    if error is not None and error["year"] <= year:
        return None
    brief = next((b for b in summary["years"] if b["year"] == year), None)
    if brief is None or all(t[0] != year for t in summary["tax_years"]):
        return None
    forms = [row[2:] for row in rows if row[2] is not None]
    if [list(form[:4]) for form in forms] != brief["forms"]:
        return None  # a batch landed between the queries (or a row changed by hand)
    return [_json(form[4]) for form in forms], list(brief["warnings"])


def served_chain_forget(owner_id: int) -> None:
    """The owner's stored forms no longer reflect the ledger: reads compute until a batch."""
    ServedChain.objects.filter(owner_id=owner_id).delete()


def _ledger_record_written(sender, instance, **kwargs) -> None:
    """A ledger record saved or deleted outside its owner's write batch: the stored forms may
    no longer reflect the ledger, so reads compute until the next batch. (A batch stores the
    brief itself.)"""
    from forms8829.filing import batch_owner

    owner_id = getattr(instance, "owner_id", None)
    if owner_id is not None and batch_owner() != owner_id:
        served_chain_forget(owner_id)


def watched_models() -> list[type]:
    """Every owned record of the ledger app (ledger.models, ledger.statement_models): the forms
    are computed from some, and the review shows the rest beside them (receipts, bill schedules;
    `review.page_cache` keeps pages by the brief). A save of one outside a batch makes the
    owner's brief unservable until the next batch."""
    from ledger.models import Owned

    return [
        model for model in apps.get_app_config("ledger").get_models() if issubclass(model, Owned)
    ]


def connect_signals() -> None:
    for model in watched_models():
        uid = f"forms8829.served.{model.__name__}"
        post_save.connect(_ledger_record_written, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_ledger_record_written, sender=model, dispatch_uid=uid + ".delete")
