"""Early checks: what to tell a person while they enter a record, before the year-end review.

Two kinds, each message naming the fix:

- *errors* (`office_area_entry_errors`): the record cannot be right as typed; the admin form
  refuses it under the field to fix. (A phone or internet bill without its business-use percent
  is refused by `Bill.clean`, so at every door: admin, API, CSV, ledger file, statements.)
- *warnings* (`bill_warnings`, `home_warnings`, `year_warnings`): it may be right (rent paid the
  week before moving in), so it is saved and the admin says what to check; the review lists the
  same items under "What is missing".

Reads only (a query or two per record); imports nothing of the tax package, the review or the
edges.
"""

from __future__ import annotations

from ledger.models import Bill, Home, OfficeArea

C = Bill.Category
# The bills almost every owner pays: a year with none of them is likely missing some.
USUAL_OWNER_CATEGORIES = (C.MORTGAGE_INTEREST, C.REAL_ESTATE_TAX, C.INSURANCE)


def _date(day) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def bill_warnings(bill: Bill) -> list[str]:
    """What to check about a saved bill (it may still be right)."""
    warnings = []
    home = bill.home if bill.home_id else None
    if home is None or bill.paid_on is None:
        return warnings
    if bill.category == C.RENT and home.occupied_from and bill.paid_on < home.occupied_from:
        warnings.append(
            f"Rent to {bill.payee} is dated {_date(bill.paid_on)}, before you moved into "
            f"{home.name} on {_date(home.occupied_from)}. If it was a deposit or paid early, "
            "it is fine; otherwise correct the payment date or the home's move-in date."
        )
    if home.occupied_to and bill.paid_on > home.occupied_to and bill.category == C.RENT:
        warnings.append(
            f"Rent to {bill.payee} is dated {_date(bill.paid_on)}, after you moved out of "
            f"{home.name} on {_date(home.occupied_to)}; check the date or the home."
        )
    return warnings


def office_area_entry_errors(area: OfficeArea, home: Home | None = None) -> dict[str, str]:
    """An office cannot be used for business before its home was lived in."""
    home = home if home is not None else (area.home if area.home_id else None)
    if home is None or area.start is None or home.occupied_from is None:
        return {}
    if area.start < home.occupied_from:
        return {
            "start": f"The office starts on {_date(area.start)}, before you moved into "
            f"{home.name} on {_date(home.occupied_from)}. Type the first day you used it "
            "for business (on or after the move-in date), or correct the home's move-in date."
        }
    return {}


def home_warnings(home: Home) -> list[str]:
    """An owned home with an office but no fair market value at first business use."""
    if not home.is_owned or home.pk is None:
        return []
    has_office = home.office_areas.exists()
    if has_office and home.fmv_at_first_business_use is None:
        return [
            f"{home.name} is owned and has an office, but no fair market value at first "
            "business use: Form 8829 line 37 needs the smaller of the basis and that value. "
            "Type it under Basis (an appraisal or your property tax assessment near that date)."
        ]
    return []


def year_warnings(
    *, owner, year: int, homes=None, bills: dict[int, set[str]] | None = None
) -> list[tuple[Home, str]]:
    """Owned homes lived in during `year` with none of the usual owner's bills (mortgage
    interest, real estate taxes, insurance) entered for it. One query for the homes (unless
    given) and one for the bills (unless given: home id -> the categories of its bills of the
    year)."""
    if homes is None:
        homes = Home.objects.owned_by(owner).filter(ownership=Home.Ownership.OWN)
    homes = [
        home
        for home in sorted(homes, key=lambda home: (home.name, home.pk))
        if home.ownership == Home.Ownership.OWN
        and (home.occupied_from is None or home.occupied_from.year <= year)
        and (home.occupied_to is None or home.occupied_to.year >= year)
    ]
    if not homes:
        return []
    if bills is not None:
        with_bills = {
            home.pk for home in homes if bills.get(home.pk, set()) & set(USUAL_OWNER_CATEGORIES)
        }
    else:
        with_bills = set(
            Bill.objects.owned_by(owner)
            .filter(tax_year=year, category__in=USUAL_OWNER_CATEGORIES, home__in=homes)
            .values_list("home_id", flat=True)
        )
    return [
        (
            home,
            f"{home.name} has no mortgage interest, real estate tax or insurance bill in {year}. "
            "If you paid any, enter them (a year grid does all twelve months at once); if the "
            "home has no mortgage, you can ignore this.",
        )
        for home in homes
        if home.pk not in with_bills
    ]
