"""The carryover chain: every year's forms in order, lines 43/44 of one year becoming 25/31 of
the next, line 44's casualty and depreciation parts kept apart (docs/tax-rules.md,
carryovers); the method comparison and the depreciation ledger read from it.

Reads only. An open year is computed from the ledger as it stands (the engine is cheap; the
ledger is read in a constant number of queries), so a corrected earlier bill reaches every later
open year at once. A filed year is frozen: its stored forms are used as they are, and a
difference the earlier years would now make is reported in `warnings`, never applied silently.
Storing the forms is a write: `forms8829.filing` does it, under the user's lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from forms8829 import engine
from forms8829.models import ComputedForm
from forms8829.money import ZERO, cents
from forms8829.rules import UnsupportedYearError, rules_for
from forms8829.selectors import (
    ENGINE_VERSION,
    HomeYear,
    chain_fingerprint,
    fingerprint,
    ledger_inputs,
)
from ledger.models import Home, TaxYear


class FormError(ValidationError):
    """A form cannot be computed from the ledger as it stands; the message says what to fix."""


@dataclass(frozen=True)
class Carry:
    """Lines 43/44 of one year, which become lines 25/31 of the next. `casualty` is the casualty
    part of `casualty_depreciation` (the rest is depreciation): next year's line 33 allows it
    first, and the depreciation ledger counts only the rest."""

    operating: Decimal = ZERO
    casualty_depreciation: Decimal = ZERO
    casualty: Decimal = ZERO

    def __add__(self, other: Carry) -> Carry:
        return Carry(
            self.operating + other.operating,
            self.casualty_depreciation + other.casualty_depreciation,
            self.casualty + other.casualty,
        )

    @property
    def depreciation(self) -> Decimal:
        return self.casualty_depreciation - self.casualty


@dataclass
class YearForms:
    year: int
    tax_year: TaxYear
    forms: list[ComputedForm]
    carry_in: Carry
    carry_out: Carry
    warnings: list[str] = field(default_factory=list)
    home_years: list[HomeYear] = field(default_factory=list)  # the engine inputs, as read now
    stored: list[ComputedForm] = field(default_factory=list)  # the rows stored for the year now
    error: FormError | None = None  # why the year's forms cannot be computed (writers' mode)
    # The method comparison as the last batch stored it (forms8829.served), or why it failed.
    comparisons: list[MethodComparison] | FormError | None = None
    # The year's entry of the brief it was served from (forms8829.served), None when computed:
    # a served year has no `home_years`.
    brief: dict | None = None

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
        carryover_casualty_in=carry.casualty,
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
        "placements": plain(result.placements),
        "magi_must_be_final": result.magi_must_be_final,
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
        "carryover_casualty_in": result.carryover_casualty_in,
        "carryover_casualty_out": result.carryover_casualty_out,
        "engine_version": ENGINE_VERSION,
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
        total += Carry(
            f.carryover_operating_out,
            f.carryover_casualty_depreciation_out,
            f.carryover_casualty_out,
        )
    return total


def _stored_carry_in(forms: list[ComputedForm]) -> Carry:
    total = Carry()
    for f in forms:
        if f.receives_carryover:
            total += Carry(
                f.carryover_operating_in,
                f.carryover_casualty_depreciation_in,
                f.carryover_casualty_in,
            )
    return total


def chain_compute(*, owner, through_year: int | None = None) -> list[YearForms]:
    """Every tax year of `owner` up to `through_year`, in order: a filed year's stored forms as
    they were filed, every open year computed now from the ledger. Reads only: the open years'
    forms are unsaved `ComputedForm` objects (`filing.chain_store` saves them, under the lock).

    A year whose forms cannot be computed raises `FormError`. What the last write batch stored
    is served when it is current (`forms8829.served`: no bill is read); else computed.
    """
    from forms8829.served import chain_serve

    served = chain_serve(owner=owner, through_year=through_year)
    if served is not None:
        return served
    return chain_compute_from_ledger(owner=owner, through_year=through_year)


def chain_compute_from_ledger(*, owner, through_year: int | None = None) -> list[YearForms]:
    """`chain_compute` always computed from the ledger as it stands (the writers' read)."""
    return _chain(owner=owner, through_year=through_year, stop_at_error=False)


def chain_compute_to_store(*, owner, since_year: int | None = None) -> list[YearForms]:
    """The whole chain for a writer to store: like `chain_compute`, but a year whose forms
    cannot be computed (two simplified homes, say) ends the chain instead of refusing the
    write; the review shows its error.

    `since_year`: the batch changed nothing the years before it are computed from (only bills
    of that year or later: `filing.ledger_write` knows). Those years are then taken from what
    the last batch stored (`forms8829.served`, no bill read) when it is current, and only the
    years from `since_year` on are computed, from the carry-out of the year before."""
    if since_year is not None:
        from forms8829.served import chain_serve

        try:
            earlier = chain_serve(owner=owner, through_year=since_year - 1)
        except FormError:
            earlier = None  # the stored chain stopped before `since_year`: compute it all
        if earlier is not None:
            carry = earlier[-1].carry_out if earlier else Carry()
            later = _chain(
                owner=owner, through_year=None, stop_at_error=True, since=(since_year, carry)
            )
            return earlier + later
    return _chain(owner=owner, through_year=None, stop_at_error=True)


def _chain(
    *,
    owner,
    through_year: int | None,
    stop_at_error: bool,
    since: tuple[int, Carry] | None = None,
) -> list[YearForms]:
    """The chain computed from the ledger; `since`: only the years from that one on, the
    first taking the carry given."""
    tax_years = list(TaxYear.objects.owned_by(owner).order_by("year"))
    if through_year is not None:
        tax_years = [ty for ty in tax_years if ty.year <= through_year]
    if since is not None:
        tax_years = [ty for ty in tax_years if ty.year >= since[0]]
    years = [ty.year for ty in tax_years]
    inputs = ledger_inputs(owner=owner, years=years)
    stored: dict[int, list[ComputedForm]] = {y: [] for y in years}
    for form in ComputedForm.objects.owned_by(owner).filter(year__in=years).select_related("home"):
        stored[form.year].append(form)

    now = timezone.now()
    chain: list[YearForms] = []
    carry = since[1] if since is not None else Carry()
    for ty in tax_years:
        home_years = inputs.get(ty.year, [])
        existing = {f.home_id: f for f in stored[ty.year]}
        warnings: list[str] = []
        if ty.filed and existing:
            forms = sorted(existing.values(), key=lambda f: f.home_id)
            warnings += _filed_year_warnings(ty, forms, home_years, carry)
        else:
            try:
                forms = _open_year_forms(ty, home_years, carry, existing, now)
            except FormError as exc:
                if not stop_at_error:
                    raise
                chain.append(
                    YearForms(
                        ty.year,
                        ty,
                        [],
                        carry,
                        carry,
                        home_years=home_years,
                        stored=list(existing.values()),
                        error=exc,
                    )
                )
                break
        carry_out = _carry_out(forms, carry)
        chain.append(
            YearForms(
                ty.year,
                ty,
                forms,
                carry,
                carry_out,
                warnings,
                home_years,
                stored=list(existing.values()),
            )
        )
        carry = carry_out
    return chain


def _open_year_forms(ty, home_years, carry, existing, now) -> list[ComputedForm]:
    """The open year's forms, computed now. A stored form whose chain fingerprint is unchanged is
    reused as it is (it is what the engine gives); any other is a new unsaved object."""
    _check_methods(ty.year, home_years)
    receiver = _receiver(home_years)
    simplified_only = receiver is None
    forms = []
    for hy in home_years:
        gets_carry = hy is receiver or (simplified_only and hy.method == engine.SIMPLIFIED)
        result, inp = _compute(hy, carry if gets_carry else None)
        values = _form_values(hy, result, inp, gets_carry)
        form = existing.get(hy.home.pk)
        if form is None or form.chain_fingerprint != values["chain_fingerprint"]:
            form = ComputedForm(pk=form.pk if form else None, computed_at=now, **values)
        forms.append(form)
    return forms


def _filed_year_warnings(
    ty: TaxYear, forms: list[ComputedForm], home_years: list[HomeYear], carry: Carry
) -> list[str]:
    warnings = []
    current_rules = all(f.engine_version == ENGINE_VERSION for f in forms)
    if any(f.method == engine.REGULAR for f in forms):
        stored_in = _stored_carry_in(forms)
        totals = (stored_in.operating, stored_in.casualty_depreciation)
        same = totals == (carry.operating, carry.casualty_depreciation)
        # Forms filed under earlier rules have no casualty part of line 31 to compare.
        if not same or (current_rules and stored_in.casualty != carry.casualty):
            warnings.append(
                f"{ty.year} is filed with carryovers in of ${stored_in.operating:,.2f} (line 25) "
                f"and ${stored_in.casualty_depreciation:,.2f} (line 31, of it "
                f"${stored_in.casualty:,.2f} casualty losses), but the earlier years now give "
                f"${carry.operating:,.2f} and ${carry.casualty_depreciation:,.2f} (of it "
                f"${carry.casualty:,.2f}). The filed form is kept; reopen {ty.year} to apply "
                "the correction (and amend)."
            )
    by_home = {hy.home.pk: hy for hy in home_years}
    if set(by_home) != {f.home_id for f in forms}:
        changed = True
    else:
        changed = any(
            f.engine_version == ENGINE_VERSION
            and f.inputs_fingerprint != fingerprint(by_home[f.home_id].engine_input)
            for f in forms
        )
    if changed:
        warnings.append(
            f"The ledger data behind filed year {ty.year} differs from what was filed. "
            f"The filed form is kept; reopen {ty.year} to recompute it."
        )
        return warnings
    for form in forms:
        if form.engine_version == ENGINE_VERSION:
            continue
        differ = _differs_under_current_rules(form, by_home[form.home_id])
        if differ:
            warnings.append(
                f"{ty.year} ({form.output['home']}) was filed under earlier rules; under the "
                "current ones (the form's notes say which rule applies) "
                f"{', '.join(differ)} would differ. The filed form is kept; reopen {ty.year} to "
                "recompute it (and amend if needed)."
            )
    return warnings


def _differs_under_current_rules(form: ComputedForm, hy: HomeYear) -> list[str]:
    """The places of a form filed under earlier rules that the current rules, given the same
    ledger data and the same carry-ins, would change."""
    carry = Carry(form.carryover_operating_in, form.carryover_casualty_depreciation_in)
    try:
        result, _ = _compute(hy, carry)
    except FormError:
        return ["the whole form (it can no longer be computed)"]
    fresh, filed = result.as_output(), form.output
    if fresh["method"] != filed.get("method"):
        return ["the method"]
    differ = [
        f"line {key}"
        for key, value in (fresh["lines"] or {}).items()
        if value != (filed.get("lines") or {}).get(key)
    ]
    differ += [
        f"worksheet line {key}"
        for key, value in (fresh["simplified_worksheet"] or {}).items()
        if value != (filed.get("simplified_worksheet") or {}).get(key)
    ]
    if not differ and fresh["schedule_c_line_30"] != filed.get("schedule_c_line_30"):
        differ.append("Schedule C line 30")
    return differ


def year_forms(*, owner, year: int) -> YearForms:
    """One year's forms, computed with the chain of the years before it (reads only)."""
    from forms8829.served import chain_serve

    _check_year(year)
    chain = chain_serve(owner=owner, through_year=year, last_only=True)
    if chain is None:
        chain = chain_compute_from_ledger(owner=owner, through_year=year)
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
    with the chain's actual carry-in (docs/tax-rules.md §5, §6). `current`: the year as the
    caller already read it from the chain."""
    current = current or year_forms(owner=owner, year=year)
    if isinstance(current.comparisons, FormError):
        raise current.comparisons
    if current.comparisons is not None:
        return current.comparisons
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
class PlacementRow:
    """The home's own depreciation (line 40 x line 41) of one placing in service in a year."""

    placed_in_service: date
    restart: bool
    table: str
    allowable: Decimal


@dataclass(frozen=True)
class DepreciationRow:
    year: int
    method: str
    allowable: Decimal
    allowed: Decimal  # the depreciation part of line 33 only, never casualty losses
    cumulative_allowable: Decimal
    cumulative_allowed: Decimal
    # Each placing in service apart (a restart after a gap is a new one with its own basis).
    placements: tuple[PlacementRow, ...] = ()


@dataclass(frozen=True)
class DepreciationLedger:
    home: Home
    rows: list[DepreciationRow]
    total_allowable: Decimal
    total_allowed: Decimal
    # Depreciation after May 6, 1997 cannot be excluded under section 121 on a sale (Pub 587,
    # business use of home, sale; unrecaptured section 1250 gain).
    after_may_6_1997: Decimal


def _placement_rows(form: ComputedForm) -> tuple[PlacementRow, ...]:
    return tuple(
        PlacementRow(
            placed_in_service=date.fromisoformat(p["placed_in_service"]),
            restart=p["restart"],
            table=p["table"],
            allowable=Decimal(p["depreciation"]),
        )
        for p in (form.details or {}).get("placements") or []
    )


def depreciation_ledger(*, owner, home: Home) -> DepreciationLedger:
    """Per year: line 42 (allowable) and what line 33 deducted of it (allowed: its depreciation
    part, casualty losses aside); simplified years count zero. The sale figure is the larger of
    the two sums (allowed or allowable)."""
    chain = chain_compute(owner=owner)
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
                _placement_rows(form),
            )
        )
    return DepreciationLedger(
        home=home,
        rows=rows,
        total_allowable=cents(allowable),
        total_allowed=cents(allowed),
        after_may_6_1997=cents(max(allowable, allowed)),
    )
