"""`ledger.fields.decimal_pattern` (what the API's schema states for a decimal) says exactly what
`read_decimal` accepts, for the shapes of the ledger's decimal fields: the same text is matched
and read, or neither."""

import random
import re
from decimal import Decimal

import pytest

from ledger.fields import FieldError, decimal_pattern, read_decimal

SHAPES = {
    "money >= 0": {"max_digits": 12, "decimal_places": 2, "minimum": Decimal(0)},
    "money": {"max_digits": 12, "decimal_places": 2},
    "percent": {"max_digits": 5, "decimal_places": 2, "minimum": 0, "maximum": Decimal(100)},
    "area > 0": {"max_digits": 10, "decimal_places": 2, "minimum": Decimal("0.01")},
    "hours": {"max_digits": 7, "decimal_places": 2, "minimum": Decimal(0)},
}
BLANKS = ["", "", " ", "\t", "\n", "\x1c", "\u00a0"]
WHOLE = ["", "0", "00", "1", "12", "100", "101", "1000", "1234567", "1234567890", "12345678901"]
FRACTIONS = ["", "0", "00", "000", "5", "05", "50", "500", "123", "01", "001"]


def candidate(rng: random.Random) -> str:
    """Text near the numbers people write: signs, `$`, blanks, commas, places, `%`, oddities."""
    text = rng.choice(BLANKS)
    for _ in range(rng.randint(0, 2)):
        text += rng.choice("+-$") + rng.choice(BLANKS)
    whole = rng.choice([*WHOLE, "\u0663", "0,500"])
    if rng.random() < 0.3 and len(whole) > 3 and whole.isdigit():
        digits, groups = whole.lstrip("0") or "0", []
        while len(digits) > 3:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        whole = ",".join([digits, *groups])
        if rng.random() < 0.2:
            whole = whole.replace(",", "", 1)
    text += whole
    if rng.random() < 0.6:
        text += "." + rng.choice(FRACTIONS)
    if rng.random() < 0.2:
        text += rng.choice(BLANKS) + "%"
    if rng.random() < 0.05:
        text += "e2"
    return text + rng.choice(BLANKS)


def reads(text: str, shape: dict) -> bool:
    try:
        read_decimal(text, **shape)
    except FieldError:
        return False
    return True


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_the_pattern_matches_exactly_what_the_reader_reads(shape):
    pattern = re.compile(decimal_pattern(**shape))
    rng = random.Random(8829)
    texts = {candidate(rng) for _ in range(20000)}
    texts |= {"1,250.00", "$1,250.00", "-$0", "$-5", "+$+5", "70 %", "100.00", "100.01", "0.05"}

    disagree = {text for text in texts if bool(pattern.search(text)) != reads(text, shape)}

    assert not disagree
    assert sum(reads(text, shape) for text in texts) > 500  # both sides were exercised


def test_limits_the_pattern_cannot_state_are_refused_when_the_schema_is_made():
    with pytest.raises(ValueError, match="maximum of 250"):
        decimal_pattern(max_digits=5, decimal_places=2, maximum=250)
    with pytest.raises(ValueError, match="minimum of 5"):
        decimal_pattern(max_digits=5, decimal_places=2, minimum=5)
