"""Businesses in the pure engine (docs/tax-rules.md §6a): the form their kinds call for, Pub 587's
worksheet for farmers and partners, and the deduction allocated among several businesses."""

from dataclasses import replace
from decimal import Decimal as D

import pytest

from forms8829 import businesses
from forms8829.businesses import BusinessUse
from forms8829.engine import (
    InvalidInputError,
    compute_form,
)
from forms8829.money import allocate
from tests.forms8829.test_engine_examples import PUB_587_DEDUCTION_LIMIT

# Pub 587's deduction-limit example (docs/tax-rules.md §8): 20% business use, mortgage interest
# and taxes 3,000 business part, operating expenses 800, depreciation 1,600.
PUB_587 = PUB_587_DEDUCTION_LIMIT


def one(kind: str, **fields) -> tuple[BusinessUse, ...]:
    return (BusinessUse(name="The business", kind=kind, area=D("200"), **fields),)


@pytest.mark.parametrize(
    ("kind", "goes_to"),
    [
        (businesses.FARM, 'Schedule F (Form 1040), line 32, "Business Use of Home"'),
        (businesses.PARTNER, "Schedule E (Form 1040), line 28"),
    ],
)
def test_a_farm_or_a_partner_gets_pub_587_worksheet_with_the_same_tiers(kind, goes_to):
    # The same example on the worksheet: line 4 gross income 6,000, line 11 the business's other
    # expenses 2,000, so that line 13 (the deduction limit) is Form 8829's line 15, 1,000.
    inp = replace(
        PUB_587,
        gross_income_limit=D("6000"),
        other_business_expenses=D("2000"),
        businesses=one(kind),
    )
    result = compute_form(inp)
    ws = result.as_output()["worksheet"]

    assert result.form == businesses.WORKSHEET
    assert result.as_output()["form"] == "pub587_worksheet"
    assert {n: ws[n] for n in ("1", "2", "3", "4")} == {
        "1": "200.00",
        "2": "1000.00",
        "3": "20.00",
        "4": "6000.00",
    }
    assert (ws["6b"], ws["7b"], ws["9"], ws["10"]) == ("10000.00", "5000.00", "3000.00", "3000.00")
    assert (ws["11"], ws["12"], ws["13"]) == ("2000.00", "5000.00", "1000.00")
    assert (ws["19b"], ws["22"], ws["24"], ws["25"], ws["26"]) == (
        "4000.00",
        "800.00",
        "800.00",
        "800.00",
        "200.00",
    )
    assert (ws["28"], ws["30"], ws["31"], ws["32"], ws["34"]) == (
        "1600.00",
        "1600.00",
        "200.00",
        "4000.00",
        "4000.00",
    )
    assert (ws["40"], ws["41"], ws["42"]) == ("1600.00", "0.00", "1400.00")
    # Carryovers chain as on Form 8829: lines 41/42 are the form's 43/44.
    assert result.carryover_operating_out == D("0.00")
    assert result.carryover_casualty_depreciation_out == D("1400.00")
    (part,) = result.as_output()["businesses"]
    assert part["deduction"] == "4000.00" and part["share_percent"] == "100.00"
    assert part["deduction_goes_to"].startswith(goes_to)


def test_a_schedule_c_business_keeps_form_8829_and_every_number():
    plain = compute_form(PUB_587)
    named = compute_form(replace(PUB_587, businesses=one(businesses.SOLE_PROPRIETOR)))
    assert named.form == businesses.FORM_8829
    assert named.as_output()["worksheet"] is None
    assert named.as_output_lines() == plain.as_output_lines()
    assert named.schedule_c_line_30 == plain.schedule_c_line_30 == D("4000.00")
    (part,) = named.businesses
    assert (part.deduction, part.allocated_by) == (D("4000.00"), "only business")
    assert part.destination.deduction == "Schedule C (Form 1040), line 30"


def two_schedule_c(first_share=None, second_share=None, **fields) -> tuple[BusinessUse, ...]:
    return (
        BusinessUse("Design studio", businesses.SOLE_PROPRIETOR, D("150"), first_share, **fields),
        BusinessUse("Tutoring", businesses.STATUTORY_EMPLOYEE, D("50"), second_share),
    )


def test_two_schedule_c_businesses_share_one_form_by_area():
    result = compute_form(replace(PUB_587, businesses=two_schedule_c()))
    design, tutoring = result.businesses
    assert result.line_36_allowable_expenses == D("4000.00")
    assert (design.deduction, tutoring.deduction) == (D("3000.00"), D("1000.00"))
    assert (design.share_percent, tutoring.share_percent) == (D("75.00"), D("25.00"))
    assert design.allocated_by == tutoring.allocated_by == "area"
    assert tutoring.destination.deduction == "Schedule C (Form 1040), line 30"


def test_the_user_may_set_the_shares():
    result = compute_form(replace(PUB_587, businesses=two_schedule_c(D("60"), D("40"))))
    design, tutoring = result.businesses
    assert (design.deduction, tutoring.deduction) == (D("2400.00"), D("1600.00"))
    assert design.allocated_by == "user"


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        ("0.05", ["150", "50"]),
        ("100.00", ["1", "1", "1"]),
        ("1234.57", ["33.33", "33.33", "33.34"]),
        ("-0.07", ["1", "1"]),
        ("0.00", ["0", "0"]),
    ],
)
def test_allocation_adds_up_to_the_cent(total, weights):
    parts = allocate(D(total), [D(w) for w in weights])
    assert sum(parts) == D(total)
    assert all(p == p.quantize(D("0.01")) for p in parts)
    # Each part is within a cent of its exact proportion.
    whole = sum(D(w) for w in weights) or len(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = D(total) * (D(weight) if sum(D(w) for w in weights) else 1) / whole
        assert abs(part - exact) < D("0.01")


@pytest.mark.parametrize(
    ("uses", "message"),
    [
        (
            (
                BusinessUse("Studio", businesses.SOLE_PROPRIETOR, D("100")),
                BusinessUse("Orchard", businesses.FARM, D("100")),
            ),
            "figure the deduction on different forms",
        ),
        (two_schedule_c(D("60")), "leave out Tutoring"),
        (two_schedule_c(D("60"), D("30")), "add up to 90%, not 100%"),
        (one(businesses.EMPLOYEE), "employee"),
    ],
)
def test_businesses_that_cannot_share_a_form_are_refused_in_words(uses, message):
    with pytest.raises(InvalidInputError, match=message):
        compute_form(replace(PUB_587, businesses=uses))


def test_internet_and_phone_stay_with_their_business():
    uses = (
        BusinessUse("Studio", businesses.SOLE_PROPRIETOR, D("150"), internet=D("300")),
        BusinessUse("Orchard", businesses.SOLE_PROPRIETOR, D("50"), phone=D("120")),
    )
    inp = replace(PUB_587, businesses=uses, internet_business=D("300"), phone_business=D("120"))
    studio, orchard = compute_form(inp).businesses
    assert (studio.internet, studio.phone, orchard.internet, orchard.phone) == (
        D("300.00"),
        D("0.00"),
        D("0.00"),
        D("120.00"),
    )
    with pytest.raises(InvalidInputError, match="internet shares add up"):
        compute_form(replace(inp, internet_business=D("299")))


def test_a_simplified_farm_year_goes_to_schedule_f():
    inp = replace(
        PUB_587,
        method="simplified",
        simplified_monthly_areas=(D("200"),) * 12,
        gross_income_limit=D("6000"),
        other_business_expenses=D("5500"),
        businesses=one(businesses.FARM),
    )
    result = compute_form(inp)
    # Worksheet line 1 (the limit) is the gross income less the other business expenses.
    assert result.simplified_worksheet.line_1_gross_income_limit == D("500")
    assert result.schedule_c_line_30 == D("500.00")
    assert result.businesses[0].destination.deduction.startswith("Schedule F")


def test_other_business_expenses_are_not_used_on_form_8829():
    result = compute_form(replace(PUB_587, other_business_expenses=D("2000")))
    assert result.line_8_gross_income_limit == D("4000")
    assert any("not used" in note for note in result.notes)


def test_kinds_are_those_of_the_ledger():
    from ledger.models import Business

    assert set(businesses.KINDS) == set(Business.Kind.values)
    assert set(businesses.DESTINATIONS) == set(businesses.KINDS) - {businesses.EMPLOYEE}
