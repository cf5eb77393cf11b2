"""`ledger.fields`: how each ledger field is read from outside, accepted and refused inputs."""

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework import serializers
from rest_framework.fields import SkipField

from ledger import fields
from ledger.fields import (
    FieldError,
    HomeLookup,
    JSONNumber,
    decimal_limits,
    home_key_from_name,
    json_loads,
    read_choice,
    read_date,
    read_decimal,
    read_integer,
    read_text,
)
from ledger.models import Bill, Home

D = Decimal

MONEY_READ = [
    ("1250", D("1250.00")),
    ("1,250.00", D("1250.00")),
    ("$1,250.00", D("1250.00")),
    (" $1,250 ", D("1250.00")),
    ("12.5", D("12.50")),
    (".5", D("0.50")),
    ("1.230", D("1.23")),  # trailing zeros lose nothing
    ("0", D("0.00")),
    ("-0", D("0.00")),
    (1250, D("1250.00")),
    (D("180.10"), D("180.10")),
    (JSONNumber("12.5"), D("12.50")),
    (12.5, D("12.50")),  # a Python float: its shortest text
    ("9999999999.99", D("9999999999.99")),
]

MONEY_REFUSED = [
    ("ten", 'must be an amount like "1,250.00", not "ten"'),
    ("12,50", 'must be an amount like "1,250.00", not "12,50"'),
    ("1,2500", 'must be an amount like "1,250.00", not "1,2500"'),
    ("NaN", 'must be an amount like "1,250.00", not "NaN"'),
    ("Infinity", 'must be an amount like "1,250.00", not "Infinity"'),
    ("", 'must be an amount like "1,250.00", not ""'),
    ("$", 'must be an amount like "1,250.00", not "$"'),
    ("1.25e2", 'must be written without an exponent, like "125", not "1.25e2"'),
    (JSONNumber("1.25e2"), 'must be written without an exponent, like "125", not 1.25e2'),
    ("1E+3", 'must be written without an exponent, like "1000", not "1E+3"'),
    ("12.345", "must have at most 2 decimal places"),
    (JSONNumber("12.345"), "must have at most 2 decimal places"),
    (0.001, "must have at most 2 decimal places"),
    ("12345678901", "is too large (at most 10 digits before the decimal point)"),
    (10**30, "is too large (at most 10 digits before the decimal point)"),
    ("-5", "must be >= 0"),
    ("-$5.00", "must be >= 0"),
    (D("NaN"), 'must be an amount like "1,250.00", not NaN'),
    (True, 'must be an amount like "1,250.00", not true'),
    (None, 'must be an amount like "1,250.00", not null'),
    ([1], 'must be an amount like "1,250.00", not a list'),
    ({"value": 1}, 'must be an amount like "1,250.00", not an object'),
]


@pytest.mark.parametrize(("raw", "value"), MONEY_READ)
def test_money_accepted(raw, value):
    read = read_decimal(raw, minimum=0)
    assert read == value and read.as_tuple().exponent == -2


@pytest.mark.parametrize(("raw", "message"), MONEY_REFUSED)
def test_money_refused(raw, message):
    with pytest.raises(FieldError) as exc_info:
        read_decimal(raw, minimum=0)
    assert exc_info.value.message == message


@pytest.mark.parametrize(
    ("raw", "limits", "expected"),
    [
        ("2,000", {"max_digits": 10}, D("2000.00")),
        ("50.5", {"max_digits": 5, "maximum": 100}, D("50.50")),
        ("$200", {"max_digits": 10}, 'must be a number like "200", not "$200"'),
        ("100.01", {"max_digits": 5, "maximum": 100}, "must be <= 100"),
    ],
)
def test_other_numbers_take_no_dollar_sign(raw, limits, expected):
    if isinstance(expected, Decimal):
        assert read_decimal(raw, **limits) == expected
    else:
        with pytest.raises(FieldError) as exc_info:
            read_decimal(raw, **limits)
        assert exc_info.value.message == expected


DATES = [
    # raw, typed (a person types it), date or message
    ("2023-01-15", False, dt.date(2023, 1, 15)),
    (" 2023-01-15 ", False, dt.date(2023, 1, 15)),
    (dt.date(2023, 1, 15), False, dt.date(2023, 1, 15)),
    ("01/15/2023", True, dt.date(2023, 1, 15)),
    ("1/5/2023", True, dt.date(2023, 1, 5)),
    ("01/15/2023", False, 'must be a date written YYYY-MM-DD, like "2023-01-15", not "01/15/2023"'),
    (
        "soon",
        True,
        'must be a date written YYYY-MM-DD or MM/DD/YYYY, like "2023-01-15", not "soon"',
    ),
    ("20230115", False, 'must be a date written YYYY-MM-DD, like "2023-01-15", not "20230115"'),
    ("2023-W01-1", False, 'must be a date written YYYY-MM-DD, like "2023-01-15", not "2023-W01-1"'),
    (20230115, False, 'must be a date written YYYY-MM-DD, like "2023-01-15", not 20230115'),
    (
        dt.datetime(2023, 1, 15, 8),
        False,
        'must be a date written YYYY-MM-DD, like "2023-01-15", not 2023-01-15T08:00:00',
    ),
    ("2023-02-30", False, '"2023-02-30" is not a real date'),
    ("15/01/2023", True, '"15/01/2023" is not a real date (read as MM/DD/YYYY)'),
    (
        "9999-12-31",
        False,
        '"9999-12-31" is out of range: dates must be from 1900-01-01 to 2100-12-31',
    ),
    ("0001-01-01", False, '"0001-01-01" is out of range'),
]


@pytest.mark.parametrize(("raw", "typed", "expected"), DATES)
def test_dates(raw, typed, expected):
    if isinstance(expected, dt.date):
        assert read_date(raw, typed=typed) == expected
    else:
        with pytest.raises(FieldError) as exc_info:
            read_date(raw, typed=typed)
        assert exc_info.value.message.startswith(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("utilities", "utilities"),
        ("UTILITIES", "utilities"),
        (" Repairs and maintenance ", "repairs"),
        ("internet (schedule c)", "internet"),
        ("groceries", None),
        (3, None),
        (["utilities"], None),
    ],
)
def test_choices_by_key_or_label(raw, expected):
    if expected:
        assert read_choice(raw, Bill.Category.choices) == expected
    else:
        with pytest.raises(FieldError, match=r'^must be one of "mortgage_interest", .*, not '):
            read_choice(raw, Bill.Category.choices)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (8, 8),
        ("8", 8),
        (" -2 ", -2),
        ("8.5", 'must be a whole number like 8, not "8.5"'),
        (8.0, "must be a whole number like 8, not 8.0"),
        (True, "must be a whole number like 8, not true"),
        ("9" * 50, "must be a whole number like 8"),
    ],
)
def test_integers(raw, expected):
    if isinstance(expected, int):
        assert read_integer(raw) == expected
    else:
        with pytest.raises(FieldError, match=expected):
            read_integer(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [(3, "must be text in quotes, not 3"), ("a\x00b", "must not contain NUL characters")],
)
def test_text(raw, message):
    assert read_text("City Power") == "City Power"
    with pytest.raises(FieldError, match=message):
        read_text(raw)


# --- Homes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "taken", "key"),
    [
        ("12 Elm St", set(), "12-elm-st"),
        ("12 Elm St", {"12-elm-st"}, "12-elm-st-2"),
        ("12 Elm St", {"12-elm-st", "12-elm-st-2"}, "12-elm-st-3"),
        ("", set(), "home"),
        ("!!!", {"home"}, "home-2"),
        ("Café Olé", set(), "cafe-ole"),
        ("x" * 80, {"x" * 50}, "x" * 48 + "-2"),
    ],
)
def test_home_keys_are_made_one_way(name, taken, key):
    assert home_key_from_name(name, taken) == key
    assert len(key) <= fields.HOME_KEY_MAX_LENGTH


def _home(pk, key, name):
    return SimpleNamespace(pk=pk, key=key, name=name)


HOMES = [_home(1, "elm", "12 Elm St"), _home(2, "oak", "Cabin"), _home(3, "oak-2", "Cabin")]


@pytest.mark.parametrize(
    ("raw", "pk_or_message"),
    [
        ("elm", 1),
        (" 12 elm st ", 1),
        (1, 1),
        ("3", 3),
        ("Cabin", "2 homes are named 'Cabin'; use the key (oak, oak-2)"),
        ("barn", "no home with the key or name 'barn' in your ledger"),
        (7, "There is no home 7 in your ledger."),
        (True, "must be a home's id, key or name, not true"),
    ],
)
def test_homes_by_key_name_or_id(raw, pk_or_message):
    lookup = HomeLookup(HOMES)
    if isinstance(pk_or_message, int):
        assert lookup.find(raw).pk == pk_or_message
    else:
        with pytest.raises(FieldError) as exc_info:
            lookup.find(raw)
        assert exc_info.value.message == pk_or_message


def test_a_home_lookup_without_ids_reads_its_homes_once():
    reads = []

    def homes():
        reads.append(1)
        yield from HOMES

    lookup = HomeLookup(homes(), where="in this file", by_id=False)
    assert lookup.find("elm").pk == 1
    with pytest.raises(FieldError, match="must be a home's key or name, not 1"):
        lookup.find(1)
    with pytest.raises(FieldError, match="no home with the key or name '1' in this file"):
        lookup.find("1")
    assert reads == [1]


# --- JSON --------------------------------------------------------------------------------------


def test_json_numbers_keep_their_text():
    data = json_loads('{"a": 12.50, "b": 1.25e2, "c": 7}')
    assert isinstance(data["a"], JSONNumber) and data["a"].text == "12.50"
    assert data["b"].text == "1.25e2" and data["b"] == 125
    assert data["c"] == 7 and type(data["c"]) is int


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}'])
def test_json_has_no_nan_or_infinity(text):
    with pytest.raises(ValueError, match="is not a number in JSON"):
        json_loads(text)


def test_json_syntax_errors_say_where():
    with pytest.raises(json.JSONDecodeError) as exc_info:
        json_loads('{"a": }')
    assert (exc_info.value.lineno, exc_info.value.colno) == (1, 7)


# --- DRF fields: the readers, with DRF's empty values --------------------------------------------


class Refused:
    def __init__(self, message: str):
        self.message = message


def run(field, data):
    field.bind("value", serializers.Serializer())
    return field.run_validation(data)


@pytest.mark.parametrize(
    ("field", "data", "expected"),
    [
        (fields.MoneyField(), "$1,250.00", D("1250.00")),
        (fields.MoneyField(min_value=0), "-1", Refused("must be >= 0")),
        (fields.MoneyField(), None, Refused("is required")),
        (fields.MoneyField(), "  ", Refused("must not be empty")),
        (fields.MoneyField(allow_null=True, required=False), "", Refused("must not be empty")),
        (fields.MoneyField(allow_null=True, required=False), None, None),
        (fields.MoneyField(required=False), None, Refused("must not be null")),
        (fields.DateField(), "2024-01-15", dt.date(2024, 1, 15)),
        (fields.DateField(), "01/15/2024", Refused("must be a date written YYYY-MM-DD")),
        (fields.DateField(typed=True), "01/15/2024", dt.date(2024, 1, 15)),
        (fields.ChoiceField(choices=Home.Ownership.choices), "Rented", "rent"),
        (fields.BooleanField(), "maybe", Refused('must be true or false, not "maybe"')),
        (fields.TextField(max_length=3), "abcd", Refused("must be at most 3 characters long")),
        (fields.TextField(), "", Refused("must not be empty")),
        (fields.TextField(), 5, Refused("must be text in quotes, not 5")),
        (
            fields.IntegerField(
                min_value=2018, error_messages={"min_value": "{value} < {min_value}"}
            ),
            "2017",
            Refused("2017 < 2018"),
        ),
    ],
)
def test_drf_fields_read_through_the_readers(field, data, expected):
    if isinstance(expected, Refused):
        with pytest.raises(serializers.ValidationError) as exc_info:
            run(field, data)
        assert str(exc_info.value.detail[0]).startswith(expected.message)
    else:
        assert run(field, data) == expected


@pytest.mark.parametrize(
    ("field", "data", "expected"),
    [
        (fields.MoneyField(), "  ", Refused("is required")),
        (fields.MoneyField(allow_null=True, required=False), "", None),
        (fields.MoneyField(allow_null=True, required=False), None, None),
    ],
)
def test_in_a_ledger_file_null_and_blank_are_not_given(field, data, expected):
    field.bind("value", serializers.Serializer(context={fields.NULL_IS_NOT_GIVEN: True}))
    if isinstance(expected, Refused):
        with pytest.raises(serializers.ValidationError) as exc_info:
            field.run_validation(data)
        assert str(exc_info.value.detail[0]).startswith(expected.message)
    else:
        assert field.run_validation(data) == expected


def test_an_optional_field_left_null_in_a_ledger_file_is_left_out():
    field = fields.MoneyField(required=False)
    field.bind("value", serializers.Serializer(context={fields.NULL_IS_NOT_GIVEN: True}))
    with pytest.raises(SkipField):
        field.run_validation(None)


# --- Form fields (the admin) -------------------------------------------------------------------


def test_form_fields_read_what_people_type():
    from django import forms

    money = fields.DecimalFormField(max_digits=12, decimal_places=2, required=False)
    assert money.clean("$1,250.00") == D("1250.00")
    assert money.clean("") is None
    with pytest.raises(forms.ValidationError, match="Must be written without an exponent"):
        money.clean("1e3")
    area = fields.DecimalFormField(max_digits=10, decimal_places=2)
    with pytest.raises(forms.ValidationError, match=r'Must be a number like "200", not "\$5"\.'):
        area.clean("$5")
    day = fields.DateFormField()
    assert day.clean("01/15/2024") == day.clean("2024-01-15") == dt.date(2024, 1, 15)
    with pytest.raises(forms.ValidationError, match="YYYY-MM-DD or MM/DD/YYYY"):
        day.clean("15.01.2024")


PERCENT = {"max_digits": 5, "minimum": 0, "maximum": 100}


@pytest.mark.parametrize(
    ("raw", "limits", "expected"),
    [
        ("70%", PERCENT, D("70.00")),
        (" 12.5 % ", PERCENT, D("12.50")),
        ("70", PERCENT, D("70.00")),
        ("170%", PERCENT, "must be <= 100"),
        ("70%", {"max_digits": 10}, 'must be a number like "200", not "70%"'),  # not a percent
        ("$70%", PERCENT, 'must be a number like "200", not "$70%"'),
    ],
)
def test_a_percent_may_be_written_with_its_sign(raw, limits, expected):
    """A bank's or a person's "70%" in a field of percents (0 to 100) is 70; elsewhere a `%`
    is refused like any other stray character."""
    if isinstance(expected, Decimal):
        assert read_decimal(raw, **limits) == expected
    else:
        with pytest.raises(FieldError) as exc_info:
            read_decimal(raw, **limits)
        assert exc_info.value.message == expected


def test_a_bills_business_use_percent_is_a_percent():
    field = Bill._meta.get_field("business_use_percent")
    assert read_decimal("70%", **decimal_limits(field)) == D("70.00")
