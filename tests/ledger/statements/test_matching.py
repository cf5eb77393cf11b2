"""Payee rules matched without the database."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from ledger.statements.matching import PatternError, check_pattern, first_match, pattern_for


@dataclass
class Rule:
    match: str
    pattern: str
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    account_id: int | None = None


def match(rules, description, amount="-10.00", account_id=None):
    return first_match(
        rules, description=description, amount=Decimal(amount), account_id=account_id
    )


def test_contains_and_starts_with_compare_whole_words_of_normalized_text():
    power = Rule("contains", "city power")
    assert match([power], "CITY POWER & LIGHT BILLPAY 0012345") is power
    assert match([power], "ELECTRICITY POWERS") is None
    starts = Rule("starts_with", "Comcast")
    assert match([starts], "COMCAST CABLE COMM") is starts
    assert match([starts], "PAYMENT TO COMCAST") is None


def test_regex_searches_the_description_as_written_in_any_case():
    personal = Rule("regex", r"safeway|trader joe")
    assert match([personal], "TRADER JOE'S #552") is personal
    with pytest.raises(PatternError, match="not a valid regular expression"):
        check_pattern("regex", "(unclosed")
    with pytest.raises(PatternError, match="letter or a digit"):
        check_pattern("contains", " - ")


def test_amount_range_is_on_the_size_of_the_amount_and_the_account_is_checked():
    small = Rule("contains", "amazon", amount_max=Decimal("50"))
    card = Rule("contains", "amazon", account_id=7)
    assert match([small, card], "AMAZON.COM", "-23.99") is small
    assert match([small, card], "AMAZON.COM", "-123.99", account_id=7) is card
    assert match([small, card], "AMAZON.COM", "-123.99", account_id=8) is None


def test_the_first_rule_in_order_decides():
    insurance = Rule("contains", "state farm")
    transfers = Rule("regex", "autopay|transfer")
    assert match([insurance, transfers], "STATE FARM INSURANCE DES:AUTOPAY") is insurance
    assert match([transfers, insurance], "STATE FARM INSURANCE DES:AUTOPAY") is transfers


@pytest.mark.parametrize(
    ("description", "pattern"),
    [
        ("COMCAST CABLE COMM 800-266-2278 WA", "COMCAST CABLE"),
        ("POS DEBIT SAFEWAY #1234 SEATTLE", "SAFEWAY SEATTLE"),
        ("OAK STREET PROPERTIES DES:WEB PMT ID:XXXXX8812", "OAK STREET"),
        ("HOME DEPOT #4711 SEATTLE WA", "HOME DEPOT"),
    ],
)
def test_a_rule_made_from_a_line_matches_it(description, pattern):
    assert pattern_for(description) == pattern
    assert match([Rule("contains", pattern)], description) is not None
