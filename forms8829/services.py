"""The carryover chain: compute every year's forms in order, store them, file and reopen years.

A read recomputes the user's chain from the ledger (the engine is cheap; the ledger is read in a
constant number of queries) and writes only the forms whose inputs changed, so a corrected
earlier bill reaches every later unfiled year on the next read. A filed year is frozen: its
stored forms are used as they are, and a difference the earlier years would now make is reported
in `warnings`, never applied silently.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from forms8829 import engine
from forms8829.models import ComputedForm
from forms8829.money import ZERO, cents
from forms8829.rules import UnsupportedYearError, rules_for
from forms8829.selectors import HomeYear, chain_fingerprint, fingerprint, ledger_inputs
from ledger.models import Home, TaxYear


class FormError(ValidationError):
    """A form cannot be computed from the ledger as it stands; the message says what to fix."""


class YearFiledError(ValidationError):
    """A change would alter a filed year; `year` says which."""

    def __init__(self, message, *, year: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.year = year


@dataclass(frozen=True)
class Carry:
    """Lines 43/44 of one year, which become lines 25/31 of the next."""

    operating: Decimal = ZERO
    casualty_depreciation: Decimal = ZERO

    def __add__(self, other: Carry) -> Carry:
        return Carry(
            self.operating + other.operating,
            self.casualty_depreciation + other.casualty_depreciation,
        )


@dataclass
class YearForms:
    year: int
    tax_year: TaxYear
    forms: list[ComputedForm]
    carry_in: Carry
    carry_out: Carry
    warnings: list[str] = field(default_factory=list)
    home_years: list[HomeYear] = field(default_factory=list)  # the engine inputs, as read now

    @property
    def filed(self) -> bool:
        return self.tax_year.filed

    def form_for(self, home_name: str) -> ComputedForm | None:
        return next((f for f in self.forms if f.output["home"] == home_name), None)


def _receiver(home_years: list[HomeYear]) -> HomeYear | None:
    """Rules §5 (project rule): the carry-in goes to the chosen regular home, else the one with
    the largest line 8 (ties: the first home created)."""
    regular = [hy for hy in home_years if hy.method == engine.REGULAR]
    chosen = [hy for hy in regular if hy.receives_carryover]
    if chosen:
        return chosen[0]
    if not regular:
        return None
    return max(regular, key=lambda hy: (hy.engine_input.gross_income_limit, -hy.home.pk))


def _check_methods(year: int, home_years: list[HomeYear]) -> None:
    simplified = [hy.home.name for hy in home_years if hy.method == engine.SIMPLIFIED]
    if len(simplified) > 1:
        raise FormError(
            f"{year}: the simplified method may be used for one home only, but "
            f"{' and '.join(simplified)} both use it. Switch all but one to the regular method."
        )


def _compute(hy: HomeYear, carry: Carry | None) -> tuple[engine.FormResult, engine.HomeYearInput]:
    carry = carry or Carry()
    inp = replace(
        hy.engine_input,
        carryover_operating_in=carry.operating,
        carryover_casualty_depreciation_in=carry.casualty_depreciation,
    )
    try:
        result = engine.compute_form(inp)
    except ValueError as exc:  # InvalidInputError / UnsupportedYearError: words for the user
        raise FormError(f"{hy.year}, {hy.home.name}: {exc}") from exc
    return result, inp


def _details(result: engine.FormResult, hy: HomeYear) -> dict:
    def plain(value):
        if isinstance(value, Decimal | date):
            return str(value)
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if hasattr(value, "__dataclass_fields__"):
            return {k: plain(getattr(value, k)) for k in value.__dataclass_fields__}
        return value

    return {
        "line_11_worksheet": plain(result.line_11_worksheet),
        "improvement_statement": plain(result.improvement_statement),
        "business_days": hy.business_days,
    }


def _output(result: engine.FormResult, hy: HomeYear) -> dict:
    output = result.as_output()
    output["notes"] = [*hy.notes, *output["notes"]]
    return output


def _form_values(hy: HomeYear, result, inp, receives: bool) -> dict:
    return {
        "owner_id": hy.tax_year.owner_id,
        "tax_year": hy.tax_year,
        "home": hy.home,
        "year": hy.year,
        "method": result.method,
        "output": _output(result, hy),
        "details": _details(result, hy),
        "receives_carryover": receives,
        "carryover_operating_in": inp.carryover_operating_in,
        "carryover_casualty_depreciation_in": inp.carryover_casualty_depreciation_in,
        "carryover_operating_out": result.carryover_operating_out,
        "carryover_casualty_depreciation_out": result.carryover_casualty_depreciation_out,
        "depreciation_allowable": result.depreciation_allowable,
        "depreciation_allowed": result.depreciation_allowed,
        "deduction": result.schedule_c_line_30,
        "inputs_fingerprint": fingerprint(hy.engine_input),
        "chain_fingerprint": chain_fingerprint(inp),
    }


def _carry_out(forms: list[ComputedForm], carry_in: Carry) -> Carry:
    """Rules §5: the sum of all regular forms' lines 43/44; a year with no regular form (all
    simplified, or no home office) keeps the carryover as it came in."""
    regular = [f for f in forms if f.method == engine.REGULAR]
    if not regular:
        return carry_in
    total = Carry()
    for f in regular:
        total += Carry(f.carryover_operating_out, f.carryover_casualty_depreciation_out)
    return total


def _stored_carry_in(forms: list[ComputedForm]) -> Carry:
    total = Carry()
    for f in forms:
        if f.receives_carryover:
            total += Carry(f.carryover_operating_in, f.carryover_casualty_depreciation_in)
    return total


@transaction.atomic
def chain_refresh(*, owner, through_year: int | None = None) -> list[YearForms]:
    """Every tax year of `owner` up to `through_year`, in order, with fresh or frozen forms."""
    # One refresh at a time per user (PostgreSQL row lock; SQLite serializes writers anyway), so
    # two requests reading the same stale year do not both insert its forms.
    get_user_model().objects.select_for_update().filter(pk=getattr(owner, "pk", owner)).exists()
    tax_years = list(TaxYear.objects.owned_by(owner).order_by("year"))
    if through_year is not None:
        tax_years = [ty for ty in tax_years if ty.year <= through_year]
    years = [ty.year for ty in tax_years]
    inputs = ledger_inputs(owner=owner, years=years)
    stored: dict[int, list[ComputedForm]] = {y: [] for y in years}
    for form in ComputedForm.objects.owned_by(owner).filter(year__in=years).select_related("home"):
        stored[form.year].append(form)

    now = timezone.now()
    to_create: list[ComputedForm] = []
    to_update: list[ComputedForm] = []
    to_delete: list[int] = []
    chain: list[YearForms] = []
    carry = Carry()
    for ty in tax_years:
        home_years = inputs.get(ty.year, [])
        existing = {f.home_id: f for f in stored[ty.year]}
        warnings: list[str] = []
        if ty.filed and existing:
            forms = sorted(existing.values(), key=lambda f: f.home_id)
            warnings += _filed_year_warnings(ty, forms, home_years, carry)
        else:
            _check_methods(ty.year, home_years)
            receiver = _receiver(home_years)
            simplified_only = receiver is None
            forms = []
            for hy in home_years:
                gets_carry = hy is receiver or (simplified_only and hy.method == engine.SIMPLIFIED)
                result, inp = _compute(hy, carry if gets_carry else None)
                values = _form_values(hy, result, inp, gets_carry)
                form = existing.pop(hy.home.pk, None)
                if form is None:
                    form = ComputedForm(computed_at=now, **values)
                    to_create.append(form)
                elif form.chain_fingerprint != values["chain_fingerprint"]:
                    for name, value in values.items():
                        setattr(form, name, value)
                    form.computed_at = now
                    to_update.append(form)
                forms.append(form)
            to_delete += [f.pk for f in existing.values()]
        carry_out = _carry_out(forms, carry)
        chain.append(YearForms(ty.year, ty, forms, carry, carry_out, warnings, home_years))
        carry = carry_out

    if to_delete:
        ComputedForm.objects.filter(pk__in=to_delete).delete()
    if to_create:
        ComputedForm.objects.bulk_create(to_create)
    if to_update:
        ComputedForm.objects.bulk_update(
            to_update, [f.name for f in ComputedForm._meta.concrete_fields if not f.primary_key]
        )
    return chain


def _filed_year_warnings(
    ty: TaxYear, forms: list[ComputedForm], home_years: list[HomeYear], carry: Carry
) -> list[str]:
    warnings = []
    if any(f.method == engine.REGULAR for f in forms):
        stored_in = _stored_carry_in(forms)
        if stored_in != carry:
            warnings.append(
                f"{ty.year} is filed with carryovers in of ${stored_in.operating:,.2f} (line 25) "
                f"and ${stored_in.casualty_depreciation:,.2f} (line 31), but the earlier years "
                f"now give ${carry.operating:,.2f} and ${carry.casualty_depreciation:,.2f}. "
                f"The filed form is kept; reopen {ty.year} to apply the correction (and amend)."
            )
    fresh = {hy.home.pk: fingerprint(hy.engine_input) for hy in home_years}
    frozen = {f.home_id: f.inputs_fingerprint for f in forms}
    if fresh != frozen:
        warnings.append(
            f"The ledger data behind filed year {ty.year} differs from what was filed. "
            f"The filed form is kept; reopen {ty.year} to recompute it."
        )
    return warnings


def year_forms(*, owner, year: int) -> YearForms:
    """One year's forms, with the chain before it brought up to date."""
    _check_year(year)
    chain = chain_refresh(owner=owner, through_year=year)
    if not chain or chain[-1].year != year:
        raise FormError(
            f"There is no tax year {year} in your ledger. Add it (filing status, and each home's "
            "gross income limit) to compute its Form 8829."
        )
    return chain[-1]


def _check_year(year: int) -> None:
    try:
        rules_for(year)
    except UnsupportedYearError as exc:
        raise FormError(str(exc)) from exc


# ---------------------------------------------------------------------------------------------
# Filing and reopening
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def tax_year_file(*, tax_year: TaxYear) -> YearForms:
    """Lock a year: compute its forms one last time and freeze them."""
    if tax_year.filed:
        raise YearFiledError(f"{tax_year.year} is already filed.", year=tax_year.year)
    forms = year_forms(owner=tax_year.owner, year=tax_year.year)
    tax_year.filed = True
    tax_year.filed_at = timezone.now()
    tax_year._change_reason = "Filed"
    tax_year.save(update_fields=["filed", "filed_at", "updated_at"])
    forms.tax_year = tax_year
    return forms


@transaction.atomic
def tax_year_reopen(*, tax_year: TaxYear, reason: str) -> TaxYear:
    """Unlock a filed year; the reason is kept in the tax year's history."""
    if not tax_year.filed:
        raise ValidationError({"filed": f"{tax_year.year} is not filed."})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the year is reopened (kept in its history)."})
    tax_year.filed = False
    tax_year.filed_at = None
    tax_year._change_reason = f"Reopened: {reason}"[:100]
    tax_year.save(update_fields=["filed", "filed_at", "updated_at"])
    return tax_year


# ---------------------------------------------------------------------------------------------
# The filed-year guard: a write that would change a filed year's own inputs is refused.
# ---------------------------------------------------------------------------------------------

_deferred: contextvars.ContextVar[set | None] = contextvars.ContextVar("guard", default=None)


@contextmanager
def filed_years_guard_deferred():
    """Bulk writes (an import) check the filed years once at the end instead of per row."""
    owners: set = set()
    token = _deferred.set(owners)
    try:
        yield
    finally:
        _deferred.reset(token)
    for owner_id in owners:
        filed_years_guard(owner_id=owner_id)


def filed_years_guard(*, owner_id) -> None:
    """Raise YearFiledError if the ledger as it now stands would change a filed year's form."""
    deferred = _deferred.get()
    if deferred is not None:
        deferred.add(owner_id)
        return
    filed = list(
        ComputedForm.objects.filter(owner_id=owner_id, tax_year__filed=True).values_list(
            "year", "home_id", "inputs_fingerprint"
        )
    )
    if not filed:
        return
    years = sorted({y for y, _, _ in filed})
    fresh = ledger_inputs(owner=owner_id, years=years)
    for year in years:
        frozen = {home: fp for y, home, fp in filed if y == year}
        now = {hy.home.pk: fingerprint(hy.engine_input) for hy in fresh.get(year, [])}
        if now != frozen:
            raise YearFiledError(
                f"Tax year {year} is filed, and this change would alter its Form 8829. "
                f"Reopen {year} first (Tax years → {year} → Reopen), or make the change in "
                "an open year.",
                year=year,
            )


def filed_years(*, owner) -> set[int]:
    return set(TaxYear.objects.owned_by(owner).filter(filed=True).values_list("year", flat=True))


# ---------------------------------------------------------------------------------------------
# Views on the chain: method comparison, depreciation ledger
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodOption:
    method: str
    deduction: Decimal
    carryover_operating_out: Decimal
    carryover_casualty_depreciation_out: Decimal


@dataclass(frozen=True)
class MethodComparison:
    year: int
    home_name: str
    regular: MethodOption
    simplified: MethodOption
    better: str  # the method with the larger deduction this year (regular on a tie)


def method_comparison(
    *, owner, year: int, current: YearForms | None = None
) -> list[MethodComparison]:
    """For each home of the year: this year's deduction and the carryovers each method leaves,
    with the chain's actual carry-in (rules §5, §6). `current`: the year as the caller already
    read it from the chain."""
    current = current or year_forms(owner=owner, year=year)
    home_years = current.home_years
    receiver = _receiver(home_years)
    comparisons = []
    for hy in home_years:
        gets_carry = hy is receiver or receiver is None
        carry = current.carry_in if gets_carry else Carry()
        options = {}
        for method in (engine.REGULAR, engine.SIMPLIFIED):
            candidate = replace(hy, engine_input=replace(hy.engine_input, method=method))
            result, _ = _compute(candidate, carry)
            options[method] = MethodOption(
                method=method,
                deduction=result.schedule_c_line_30,
                carryover_operating_out=result.carryover_operating_out,
                carryover_casualty_depreciation_out=result.carryover_casualty_depreciation_out,
            )
        better = (
            engine.SIMPLIFIED
            if options[engine.SIMPLIFIED].deduction > options[engine.REGULAR].deduction
            else engine.REGULAR
        )
        comparisons.append(
            MethodComparison(
                year, hy.home.name, options[engine.REGULAR], options[engine.SIMPLIFIED], better
            )
        )
    return comparisons


@dataclass(frozen=True)
class DepreciationRow:
    year: int
    method: str
    allowable: Decimal
    allowed: Decimal
    cumulative_allowable: Decimal
    cumulative_allowed: Decimal


@dataclass(frozen=True)
class DepreciationLedger:
    home: Home
    rows: list[DepreciationRow]
    total_allowable: Decimal
    total_allowed: Decimal
    # Rules §4: depreciation after May 6, 1997 cannot be excluded under section 121 on a sale.
    after_may_6_1997: Decimal


def depreciation_ledger(*, owner, home: Home) -> DepreciationLedger:
    """Per year: line 42 (allowable) and what line 33 deducted of it (allowed); simplified
    years count zero. The sale figure is the larger of the two sums (allowed or allowable)."""
    chain = chain_refresh(owner=owner)
    rows, allowable, allowed = [], ZERO, ZERO
    for year in chain:
        form = next((f for f in year.forms if f.home_id == home.pk), None)
        if form is None:
            continue
        allowable += form.depreciation_allowable
        allowed += form.depreciation_allowed
        rows.append(
            DepreciationRow(
                form.year,
                form.method,
                form.depreciation_allowable,
                form.depreciation_allowed,
                allowable,
                allowed,
            )
        )
    return DepreciationLedger(
        home=home,
        rows=rows,
        total_allowable=cents(allowable),
        total_allowed=cents(allowed),
        after_may_6_1997=cents(max(allowable, allowed)),
    )
