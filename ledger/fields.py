"""How each ledger field is read from outside: one reader per kind of field, for every door.

The API, the ledger file (and its archive), the CSV bill import and the admin forms all read
money, numbers, dates, choices, text and home references through the functions here, so a value
is accepted or refused the same way, with the same words, wherever it comes in
(docs/ledger-format.md states the rules for users):

- `read_decimal`: money accepts `1250`, `1,250.00` and `$1,250.00`; other numbers (areas,
  percents, hours) the same without `$`; a percent (a field of 0 to 100) also as `70%`. Never
  an exponent, NaN or Infinity, never more decimal places than the field keeps (trailing zeros
  aside), never below or above the field's limits.
  A JSON number is read from the digits as written (`JSONNumber`, see `json_loads`): `12.5` is
  12.50 and `1.25e2` is refused like the text "1.25e2". A Python float (from a program, never
  from our parsers) is read as its shortest text, `repr(value)`.
- `read_date`: ISO `YYYY-MM-DD`; where a person types (CSV, admin) also `MM/DD/YYYY`. Years
  outside DATE_MIN..DATE_MAX are refused (later date arithmetic could overflow).
- `read_statement_date`, `read_statement_amount`: a bank statement's dates in the format its
  layout names (`STATEMENT_DATE_FORMATS`), and its signed amounts (`-$2,310.45`, `(45.00)`).
- `read_choice`: a choice by its key or its label, in any letter case.
- `read_integer`, `read_text`: whole numbers (an int or its digits), text (no NUL).
- `HomeLookup`: a home among the owner's (or a ledger file's) by key, then by name (any case,
  when only one home has it), and by id where the caller allows.
- `home_key_from_name`: the one way a home's key is made from its name.

Blank values are the caller's: a DRF field, a form field or a CSV widget decides what an empty
value means for its field (not given, or required). The readers raise `FieldError`, whose
message names no field: the caller prefixes the field (`bills[17].amount: ...`, `line 3, column
amount: ...`, `{"amount": [...]}`).

Below the readers: the DRF serializer fields and the Django form fields built on them.
This module reads values only: it must not import the ledger's models, `forms8829`, `review` or
`interface`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import slugify
from rest_framework import serializers

# Money is DecimalField(max_digits=12, decimal_places=2) everywhere (house style); a decimal
# field of that shape is money, and only money may be written with a `$`.
MONEY = {"max_digits": 12, "decimal_places": 2}
MONEY_EXAMPLE = "1,250.00"
# Dates a ledger can hold. Wider than any tax year, narrow enough that date arithmetic on them
# (periods, a day after the last) cannot overflow.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
HOME_KEY_MAX_LENGTH = 50

# Numbers are written with the digits 0-9 (not any script's digits, which Python's `\d` and
# `Decimal` would take), grouped by commas in threes from a first digit that is not 0; blanks
# around them are these (the same in Python, ECMA 262 and the schema's patterns).
BLANKS = " \t\n\r\f\v"
_BLANK = r"[ \t\n\r\f\v]*"
_DIGITS = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?")
_EXPONENT = re.compile(r"(\d[\d,]*(\.\d*)?|\.\d+)[eE][+-]?\d+")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_US_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


class FieldError(ValueError):
    """A value that a field cannot take. `message` is in plain words and names no field; `code`
    says which rule refused it (`invalid`, `min_value`, `not_found`, ...), `params` its data."""

    def __init__(self, message: str, *, code: str = "invalid", **params: Any):
        super().__init__(message)
        self.message = message
        self.code = code
        self.params = params


class JSONNumber(Decimal):
    """A JSON number with a fraction or an exponent, as `json_loads` reads it: its value, and
    `text`, the digits as written, which the readers read like a quoted value."""

    text: str

    def __new__(cls, text: str):
        number = super().__new__(cls, text)
        number.text = text
        return number


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number in JSON")


# The deepest JSON any door reads: a ledger file is 5 levels deep (bills[].receipts[]); a body
# nested deeper is refused before anything walks it (it would exhaust Python's recursion).
JSON_MAX_DEPTH = 32


class JSONTooDeep(ValueError):
    def __init__(self):
        super().__init__(f"JSON nested more than {JSON_MAX_DEPTH} levels deep")


def json_depth_check(value: Any, limit: int = JSON_MAX_DEPTH) -> None:
    """Raise JSONTooDeep when lists and objects in `value` nest more than `limit` levels (a
    walk with its own stack: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise JSONTooDeep()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def json_loads(text: str) -> Any:
    """Strict JSON as every door of the ledger reads it: `NaN` and `Infinity` are refused (they
    are not JSON), a number with a fraction or an exponent is a `JSONNumber`, and nothing nests
    deeper than JSON_MAX_DEPTH. Raises `json.JSONDecodeError` (a `ValueError`), `JSONTooDeep`
    or `ValueError`."""
    try:
        value = json.loads(text, parse_float=JSONNumber, parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONTooDeep() from None
    json_depth_check(value)
    return value


def describe(value) -> str:
    """A value as the user wrote it, for messages: strings quoted, JSON words as in JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, JSONNumber):
        return value.text
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 40 else text[:36] + '..."'
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------------------------
# Numbers


def is_money(max_digits: int | None, decimal_places: int | None) -> bool:
    return (max_digits, decimal_places) == (MONEY["max_digits"], MONEY["decimal_places"])


def _plain_text(text: str, *, money: bool) -> tuple[bool, str] | None:
    """(negative, digits with at most one point) from a number as typed, or None.
    `decimal_pattern` states the same as a regular expression."""
    body = text.strip(BLANKS)
    negative = False
    if body[:1] in "+-" and body:
        negative, body = body[0] == "-", body[1:].lstrip(BLANKS)
    if money and body.startswith("$"):
        body = body[1:].lstrip(BLANKS)
        if body[:1] in "+-" and body and not negative:
            negative, body = body[0] == "-", body[1:].lstrip(BLANKS)
    if "," in body:
        if not _GROUPED.fullmatch(body):
            return None
        body = body.replace(",", "")
    if not _DIGITS.fullmatch(body):
        return None
    return negative, body


def plain_decimal(value: Decimal | None) -> str | None:
    """A number as a person writes it, without the stored places' trailing zeros (`40.00` ->
    `40`, `12.50` -> `12.5`); what `read_decimal` reads back to the same value."""
    if value is None:
        return None
    return format(value.normalize(), "f")


def read_decimal(
    value,
    *,
    max_digits: int = MONEY["max_digits"],
    decimal_places: int = MONEY["decimal_places"],
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
    money: bool | None = None,
    example: str | None = None,
) -> Decimal:
    """A decimal number of at most `max_digits` digits, `decimal_places` of them after the
    point, within [minimum, maximum]; quantized to `decimal_places`. See the module docstring.
    """
    if money is None:
        money = is_money(max_digits, decimal_places)
    example = example or (MONEY_EXAMPLE if money else "200")
    what = "an amount" if money else "a number"
    shown = describe(value)
    invalid = FieldError(f'must be {what} like "{example}", not {shown}')

    if isinstance(value, bool):
        raise invalid
    if isinstance(value, JSONNumber):
        value = value.text  # read like the same digits in quotes
    if isinstance(value, float):
        value = Decimal(repr(value))  # the shortest text that is this float: exact to 15 digits
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise invalid
        number = value
    elif isinstance(value, str):
        if _is_percent(money, minimum, maximum):
            value = _PERCENT_SIGN.sub("", value)  # "70%" is 70 in a field of percents
        number = _read_number_text(value, money=money, invalid=invalid, shown=shown)
    else:
        raise invalid

    whole_digits = max_digits - decimal_places
    if number and number.adjusted() >= whole_digits:
        raise FieldError(
            f"is too large (at most {whole_digits} digits before the decimal point)",
            code="max_whole_digits",
            max_whole_digits=whole_digits,
        )
    quantized = number.quantize(Decimal(1).scaleb(-decimal_places))
    if quantized != number:  # trailing zeros are no loss: 1.230 is 1.23
        raise FieldError(
            f"must have at most {decimal_places} decimal places",
            code="max_decimal_places",
            max_decimal_places=decimal_places,
        )
    if not quantized:
        quantized = abs(quantized)  # no "-0.00"
    if minimum is not None and quantized < minimum:
        raise FieldError(f"must be >= {minimum}", code="min_value", min_value=minimum)
    if maximum is not None and quantized > maximum:
        raise FieldError(f"must be <= {maximum}", code="max_value", max_value=maximum)
    return quantized


_PERCENT_SIGN = re.compile(_BLANK + "%" + _BLANK + r"\Z")


def _is_percent(money: bool, minimum, maximum) -> bool:
    """A field of percents (0 to 100, not money): its values may be written with a `%`."""
    return (
        not money
        and minimum is not None
        and maximum is not None
        and (minimum, maximum)
        == (
            0,
            100,
        )
    )


def _read_number_text(value: str, *, money: bool, invalid: FieldError, shown: str) -> Decimal:
    text = value.strip(BLANKS)
    bare = text.lstrip("+-$ ")
    if _EXPONENT.fullmatch(bare):
        number = Decimal(bare.replace(",", ""))
        plain = f"{number:f}" if -20 < number.adjusted() < 20 else "1250.00"
        raise FieldError(
            f'must be written without an exponent, like "{plain}", not {shown}',
            code="exponent",
        )
    read = _plain_text(text, money=money)
    if read is None:
        raise invalid
    negative, digits = read
    return -Decimal(digits) if negative else Decimal(digits)


def decimal_pattern(
    *,
    max_digits: int = MONEY["max_digits"],
    decimal_places: int = MONEY["decimal_places"],
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
    money: bool | None = None,
) -> str:
    """The text `read_decimal` accepts with these settings, limits included, as one regular
    expression that reads the same in Python and ECMA 262: what the API's schema states
    (`interface.api.schema`), tested against the reader (tests/ledger/test_fields_pattern.py).

    The limits a pattern can state here: no minimum, 0 (`-0` is still zero) or the field's
    smallest step (more than 0); no maximum or a power of ten. Others raise ValueError, so a
    field with new limits is noticed when the schema is made, never described wrongly."""
    if money is None:
        money = is_money(max_digits, decimal_places)
    places, whole = decimal_places, max_digits - decimal_places
    step = Decimal(1).scaleb(-places)
    fraction = rf"\.[0-9]{{0,{places}}}0*" if places else r"\.0*"

    def below(digits: int, *, nonzero: bool) -> list[str]:
        """Numbers under 10**digits (`nonzero`: and above 0), without a sign."""
        lead = rf"0*[1-9][0-9]{{0,{digits - 1}}}" if nonzero else rf"0*[0-9]{{1,{digits}}}"
        forms = [rf"{lead}(?:{fraction})?"]
        for head in (1, 2, 3):  # grouped: 1,250.00
            groups = (digits - head) // 3
            if groups >= 1:
                grouped = rf"[1-9][0-9]{{{head - 1}}}(?:,[0-9]{{3}}){{1,{groups}}}"
                forms.append(rf"{grouped}(?:{fraction})?")
        if nonzero:  # 0.05, .5
            forms += [rf"0*\.0{{{k}}}[1-9][0-9]{{0,{places - 1 - k}}}0*" for k in range(places)]
        elif places:
            forms.append(rf"\.[0-9]{{1,{places}}}0*")
        else:
            forms.append(r"\.0+")
        return forms

    power = None
    if maximum is not None:
        power = Decimal(maximum).adjusted()
        if Decimal(maximum) != Decimal(10) ** power or not 1 <= power < whole:
            raise ValueError(f"a pattern cannot state a maximum of {maximum}")
    if minimum is None or Decimal(minimum) == 0:
        nonzero = False
    elif Decimal(minimum) == step:
        nonzero = True
    else:
        raise ValueError(f"a pattern cannot state a minimum of {minimum}")
    magnitude = below(whole if power is None else power, nonzero=nonzero)
    if power is not None:  # the maximum itself: 100, 100.00, 1,000
        zeros = f"0{{{power}}}"
        if power >= 3:
            zeros = f"(?:{zeros}|0{{{power % 3}}}(?:,000){{{power // 3}}})"
        magnitude.append(rf"0*1{zeros}(?:\.0*)?")
    zero = r"0+(?:\.0*)?|\.0+"

    b = _BLANK
    if money:  # $5, +$5, $-5, -$5, - $ 5
        plus = rf"(?:\+{b})?(?:\${b}(?:\+{b})?)?"
        minus = rf"(?:-{b}(?:\${b})?|(?:\+{b})?\${b}-{b})"
    else:
        plus, minus = rf"(?:\+{b})?", rf"-{b}"
    signed = [rf"{plus}(?:{'|'.join(magnitude)})"]
    if minimum is None:
        signed.append(rf"{minus}(?:{'|'.join(magnitude)})")
    elif not nonzero:
        signed.append(rf"{minus}(?:{zero})")
    percent = rf"(?:{b}%)?" if _is_percent(money, minimum, maximum) else ""
    return rf"^{b}(?:{'|'.join(signed)}){percent}{b}$"


def read_integer(
    value, *, minimum: int | None = None, maximum: int | None = None, example: int = 8
) -> int:
    """A whole number: an int, or its digits as text (a form or CSV cell)."""
    invalid = FieldError(f"must be a whole number like {example}, not {describe(value)}")
    if isinstance(value, bool):
        raise invalid
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE.fullmatch(value.strip(BLANKS)) and len(value) < 40:
        number = int(value.strip(BLANKS))
    else:
        raise invalid
    limits = {"min_value": minimum, "max_value": maximum, "value": number}
    if minimum is not None and number < minimum:
        raise FieldError(f"must be >= {minimum}", code="min_value", **limits)
    if maximum is not None and number > maximum:
        raise FieldError(f"must be <= {maximum}", code="max_value", **limits)
    return number


# --------------------------------------------------------------------------------------------
# Dates, choices, text


def date_formats(*, typed: bool) -> str:
    return "YYYY-MM-DD or MM/DD/YYYY" if typed else "YYYY-MM-DD"


def date_year_pattern() -> str:
    """An ISO date of the years DATE_MIN..DATE_MAX, as a regular expression (the API's schema
    states it beside `format: date`, which rules out the days a month does not have)."""
    first, last = DATE_MIN.year, DATE_MAX.year
    if (dt.date(first, 1, 1), dt.date(last, 12, 31)) != (DATE_MIN, DATE_MAX) or first % 100:
        raise ValueError("a pattern states whole years from the start of a century")
    centuries = [f"{century}[0-9]{{2}}" for century in range(first // 100, last // 100)]
    years = [str(year) for year in range(last // 100 * 100, last + 1)]
    return rf"^(?:{'|'.join(centuries + years)})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"


def read_date(value, *, typed: bool = False) -> dt.date:
    """A date written `YYYY-MM-DD` (or, `typed`, where a person types it: `MM/DD/YYYY`)."""
    formats = date_formats(typed=typed)
    invalid = FieldError(
        f'must be a date written {formats}, like "2023-01-15", not {describe(value)}'
    )
    if isinstance(value, dt.datetime):
        raise invalid
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        iso = _ISO_DATE.fullmatch(text)
        us = _US_DATE.fullmatch(text) if typed and not iso else None
        if iso:
            year, month, day_of_month = (int(part) for part in iso.groups())
        elif us:
            month, day_of_month, year = (int(part) for part in us.groups())
        else:
            raise invalid
        try:
            day = dt.date(year, month, day_of_month)
        except ValueError:
            read_as = " (read as MM/DD/YYYY)" if us else ""
            raise FieldError(
                f"{describe(value)} is not a real date{read_as}", code="not_a_date"
            ) from None
    else:
        raise invalid
    if not DATE_MIN <= day <= DATE_MAX:
        raise FieldError(
            f"{describe(value)} is out of range: dates must be from {DATE_MIN.isoformat()} "
            f"to {DATE_MAX.isoformat()}",
            code="date_range",
        )
    return day


# Dates as bank statements write them. A statement's layout names one of these formats, and
# every date of the file is read with it (`read_statement_date`); detection tries them in this
# order, so a file whose days are all 12 or less reads as US MM/DD, never silently as DD/MM.
_MONTH_NAMES = {
    name.casefold(): number
    for number in range(1, 13)
    for name in (
        dt.date(2000, number, 1).strftime("%b"),
        dt.date(2000, number, 1).strftime("%B"),
    )
}
_MONTH_NAMES["sept"] = 9
STATEMENT_DATE_FORMATS: dict[str, tuple[re.Pattern, str, str]] = {
    # format: (pattern, the order of its groups (y, m, d; b = month name), an example)
    "YYYY-MM-DD": (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd", "2026-01-05"),
    "MM/DD/YYYY": (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "mdy", "01/05/2026"),
    "MM/DD/YY": (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2})"), "mdy", "01/05/26"),
    "MM-DD-YYYY": (re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})"), "mdy", "01-05-2026"),
    "YYYY/MM/DD": (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), "ymd", "2026/01/05"),
    "YYYYMMDD": (re.compile(r"(\d{4})(\d{2})(\d{2})"), "ymd", "20260105"),
    "MMM DD, YYYY": (re.compile(r"([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})"), "bdy", "Jan 05, 2026"),
    "DD MMM YYYY": (re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{4})"), "dby", "05 Jan 2026"),
    "DD/MM/YYYY": (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "dmy", "05/01/2026"),
    "DD.MM.YYYY": (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), "dmy", "05.01.2026"),
}
# Time of day some banks append to a date ("01/05/2026 10:32", "2026-01-05T10:32:00").
_TIME_SUFFIX = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp][Mm])?)$")


def read_statement_date(value, date_format: str) -> dt.date:
    """A date of a bank statement written in `date_format` (a key of STATEMENT_DATE_FORMATS);
    a time of day after it is ignored. Two-digit years are 2000-2069 or 1970-1999."""
    pattern, order, example = STATEMENT_DATE_FORMATS[date_format]
    invalid = FieldError(
        f'must be a date written {date_format}, like "{example}", not {describe(value)}'
    )
    if not isinstance(value, str):
        raise invalid
    text = _TIME_SUFFIX.sub("", value.strip())
    found = pattern.fullmatch(text)
    if not found:
        raise invalid
    parts = dict(zip(order, found.groups(), strict=True))
    if "b" in parts:
        month = _MONTH_NAMES.get(parts["b"].casefold())
        if month is None:
            raise invalid
    else:
        month = int(parts["m"])
    year = int(parts["y"])
    if len(parts["y"]) == 2:
        year += 2000 if year < 70 else 1900
    try:
        day = dt.date(year, month, int(parts["d"]))
    except ValueError:
        raise FieldError(
            f"{describe(value)} is not a real date (read as {date_format})", code="not_a_date"
        ) from None
    return read_date(day)


def read_statement_amount(value) -> Decimal:
    """A signed amount as a statement writes it: money as `read_decimal` reads it (`-$2,310.45`,
    `$1,250.00`), and the accountants' negatives `(2,310.45)` and `2,310.45-`."""
    if isinstance(value, str):
        text = value.strip()
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1].strip()
        elif text.endswith("-") and len(text) > 1:
            negative, text = True, text[:-1].strip()
        if negative:
            if text[:1] in "+-":
                raise FieldError(f'must be an amount like "{MONEY_EXAMPLE}", not {describe(value)}')
            return -read_decimal(text, money=True) or Decimal("0.00")
    return read_decimal(value, money=True)


def read_choice(value, choices: Iterable[tuple[Any, Any]]) -> str:
    """One of `choices` ((key, label) pairs) by its key or its label, in any letter case."""
    choices = [(str(key), str(label)) for key, label in choices]
    if isinstance(value, str):
        wanted = value.strip().casefold()
        for key, label in choices:
            if wanted in (key.casefold(), label.casefold()):
                return key
    listed = ", ".join(f'"{key}"' for key, _ in choices)
    raise FieldError(f"must be one of {listed}, not {describe(value)}")


# The words read as a yes or a no (Django REST framework's, without its words for null).
TRUE_WORDS = ("t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")
TRUE_WORDS += ("1",)
FALSE_WORDS = ("f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off")
FALSE_WORDS += ("OFF", "0")


def read_boolean(value) -> bool:
    """true or false: JSON's, the whole numbers 1 and 0, or one of TRUE_WORDS / FALSE_WORDS."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value in TRUE_WORDS:
        return True
    if isinstance(value, str) and value in FALSE_WORDS:
        return False
    raise FieldError(f"must be true or false, not {describe(value)}")


def read_text(value) -> str:
    """Text: a string (a number or a list is not text), without NUL characters."""
    if not isinstance(value, str):
        raise FieldError(f"must be text in quotes, not {describe(value)}")
    if "\x00" in value:
        raise FieldError("must not contain NUL characters", code="null_characters")
    return value


# --------------------------------------------------------------------------------------------
# Homes


def home_key_from_name(name: str, taken: Iterable[str] = ()) -> str:
    """The one way a home's key is made: the name's slug (`home` when that is empty), numbered
    `-2`, `-3`, ... past the keys in `taken`; at most HOME_KEY_MAX_LENGTH characters."""
    taken = set(taken)
    base = slugify(name or "")[:HOME_KEY_MAX_LENGTH].strip("-") or "home"
    key, number = base, 1
    while key in taken:
        number += 1
        suffix = f"-{number}"
        key = base[: HOME_KEY_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
    return key


def home_key_prefix(name: str) -> str:
    """What every key `home_key_from_name(name, ...)` can return starts with (for a query)."""
    return home_key_from_name(name)[: HOME_KEY_MAX_LENGTH - 10].rstrip("-")


class HomeLookup:
    """Homes found by key, then by name (any case, if only one home has it), then by id when
    `by_id`. `homes` is iterated once, on the first lookup (a queryset: one query); its items
    need `key`, `name` and (`by_id`) `pk`. `where` ends the "not found" message."""

    def __init__(self, homes: Iterable, *, where: str = "in your ledger", by_id: bool = True):
        self._homes = homes
        self.where = where
        self.by_id = by_id
        self._by_key: dict[str, Any] | None = None
        self._by_name: dict[str, list] = {}
        self._by_pk: dict[int, Any] = {}

    def _load(self) -> dict[str, Any]:
        if self._by_key is None:
            self._by_key = {}
            for home in self._homes:
                if home.key:
                    self._by_key.setdefault(home.key, home)
                if home.name:
                    self._by_name.setdefault(home.name.strip().casefold(), []).append(home)
                if self.by_id and getattr(home, "pk", None) is not None:
                    self._by_pk[home.pk] = home
        return self._by_key

    def find(self, value):
        by_key = self._load()
        what = "a home's id, key or name" if self.by_id else "a home's key or name"
        if isinstance(value, int) and not isinstance(value, bool) and self.by_id:
            return self._find_id(value)
        if not isinstance(value, str):
            raise FieldError(f"must be {what}, not {describe(value)}", code="incorrect_type")
        text = value.strip()
        if text in by_key:
            return by_key[text]
        named = self._by_name.get(text.casefold(), [])
        if len(named) == 1:
            return named[0]
        if named:
            keys = ", ".join(home.key for home in named)
            raise FieldError(
                f"{len(named)} homes are named '{text}'; use the key ({keys})", code="ambiguous"
            )
        if self.by_id and text.isdigit() and len(text) < 20:
            return self._find_id(int(text))
        raise FieldError(
            f"no home with the key or name '{text}' {self.where}", code="not_found", value=text
        )

    def _find_id(self, pk: int):
        if pk in self._by_pk:
            return self._by_pk[pk]
        raise FieldError(f"There is no home {pk} {self.where}.", code="does_not_exist", value=pk)


# --------------------------------------------------------------------------------------------
# DRF serializer fields (the API and the ledger file)

# Messages of the DRF rules that no reader above applies, in the readers' words.
TEXT_MESSAGES = {
    "required": "is required",
    "null": "is required",
    "blank": "must not be empty",
    "max_length": "must be at most {max_length} characters long",
    "min_length": "must be at least {min_length} characters long",
    "invalid": "must be text in quotes",
}


# A serializer context key: set (the ledger file), `null` or blank text where the field is not
# text means "not given"; left out (the API), a value is what it says.
NULL_IS_NOT_GIVEN = "null_is_not_given"


class ReadingField:
    """A DRF field that reads through one of the readers above (`read`).

    What `null` and blank text mean is the door's (docs/ledger-format.md):
    - in the ledger file (context `NULL_IS_NOT_GIVEN`), `null` or blank text, where the field is
      not text, means "not given": null where the field allows it, else as if the field were
      left out (its default, or "is required");
    - in the API, `null` is a value only where the field can be null (else "is required", or
      "must not be null" for an optional field: a PATCH never ignores it), and blank text in a
      field that is not text is refused ("must not be empty").
    Messages may be replaced per FieldError code through `error_messages` (formatted with its
    params)."""

    blank_is_missing = True
    default_error_messages = {
        "required": "is required",
        "null": "is required",
        "blank": "must not be empty",
    }

    def __init__(self, **kwargs):
        self.custom_messages = dict(kwargs.get("error_messages") or {})
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        blank = isinstance(data, str) and not data.strip() and self.blank_is_missing
        if data is None or blank:
            if self.context.get(NULL_IS_NOT_GIVEN):
                if self.allow_null:
                    return (True, None)
                data = serializers.empty
            elif blank and getattr(self, "allow_blank", False):
                return (True, "")  # a choice that may be left blank
            elif blank:
                self.fail("blank")
            elif self.allow_null:
                return (True, None)
            elif not self.required:
                raise serializers.ValidationError(
                    "must not be null; leave it out for its default", code="null"
                )
        return super().validate_empty_values(data)

    def read(self, data):  # pragma: no cover - every subclass has one
        raise NotImplementedError

    def to_internal_value(self, data):
        try:
            return self.read(data)
        except FieldError as exc:
            template = self.custom_messages.get(exc.code)
            message = template.format(input=describe(data), **exc.params) if template else None
            raise serializers.ValidationError(message or exc.message, code=exc.code) from None


class DecimalField(ReadingField, serializers.DecimalField):
    """Money (a MONEY-shaped field, `$` allowed) or another decimal number; see read_decimal."""

    def __init__(self, *, money: bool | None = None, example: str | None = None, **kwargs):
        self.minimum = kwargs.pop("min_value", None)
        self.maximum = kwargs.pop("max_value", None)
        super().__init__(**kwargs)
        self.money = is_money(self.max_digits, self.decimal_places) if money is None else money
        self.example = example

    def read(self, data):
        return read_decimal(
            data,
            max_digits=self.max_digits,
            decimal_places=self.decimal_places,
            minimum=self.minimum,
            maximum=self.maximum,
            money=self.money,
            example=self.example,
        )


class MoneyField(DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", MONEY["max_digits"])
        kwargs.setdefault("decimal_places", MONEY["decimal_places"])
        super().__init__(money=True, **kwargs)


class IntegerField(ReadingField, serializers.IntegerField):
    def __init__(self, *, example: int = 8, **kwargs):
        self.minimum = kwargs.pop("min_value", None)
        self.maximum = kwargs.pop("max_value", None)
        self.example = example
        super().__init__(**kwargs)

    def read(self, data):
        return read_integer(data, minimum=self.minimum, maximum=self.maximum, example=self.example)


class DateField(ReadingField, serializers.DateField):
    """ISO dates (`typed=True`: also MM/DD/YYYY, for what a person types)."""

    def __init__(self, *, typed: bool = False, **kwargs):
        self.typed = typed
        super().__init__(**kwargs)

    def read(self, data):
        return read_date(data, typed=self.typed)


class ChoiceField(ReadingField, serializers.ChoiceField):
    """A choice by key or label, any case; shown by its key."""

    def read(self, data):
        return read_choice(data, self.choices.items())


class BooleanField(ReadingField, serializers.BooleanField):
    def read(self, data):
        return read_boolean(data)


class TextField(ReadingField, serializers.CharField):
    """Text: a string, not a number or a list; no NUL characters; blank only where allowed."""

    blank_is_missing = False
    default_error_messages = TEXT_MESSAGES

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # DRF's own NUL check is replaced by read_text's message.
        self.validators = [
            v for v in self.validators if type(v).__name__ != "ProhibitNullCharactersValidator"
        ]

    def read(self, data):
        return super(ReadingField, self).to_internal_value(read_text(data))


# --------------------------------------------------------------------------------------------
# Django form fields (the admin), for what people type


class _FormReads:
    def read(self, value):  # pragma: no cover - every subclass has one
        raise NotImplementedError

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return self.read(value)
        except FieldError as exc:
            raise forms.ValidationError(exc.message[:1].upper() + exc.message[1:] + ".") from None


class DateFormField(_FormReads, forms.DateField):
    """A date typed as YYYY-MM-DD or MM/DD/YYYY."""

    def read(self, value):
        return read_date(value, typed=True)


class DecimalFormField(_FormReads, forms.DecimalField):
    """Money as `1,250.00` or `$1,250.00` (a MONEY-shaped field), other numbers without `$`.

    A text input: a browser's number input would refuse the `$` and the commas itself."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def __init__(self, *, minimum=None, maximum=None, **kwargs):
        super().__init__(**kwargs)
        self.minimum, self.maximum = minimum, maximum

    def read(self, value):
        return read_decimal(
            value,
            max_digits=self.max_digits,
            decimal_places=self.decimal_places,
            minimum=self.minimum,
            maximum=self.maximum,
        )

    def widget_attrs(self, widget):
        # No `step`/`min`/`max` attributes: they are for number inputs.
        return forms.Field.widget_attrs(self, widget)


def decimal_limits(model_field) -> dict:
    """A model DecimalField's rules as `read_decimal`'s keywords (digits, places, min, max)."""
    limits = {"max_digits": model_field.max_digits, "decimal_places": model_field.decimal_places}
    for validator in model_field.validators:
        code = getattr(validator, "code", None)
        if code == "min_value":
            limits["minimum"] = validator.limit_value
        elif code == "max_value":
            limits["maximum"] = validator.limit_value
    return limits
