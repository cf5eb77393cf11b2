"""Statement files read without the database: every preset layout, detection of unknown layouts,
OFX 1.x and 2.x, and the readers they share with the rest of the ledger (`ledger.fields`)."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.fields import FieldError, read_statement_amount, read_statement_date
from ledger.statements.layouts import (
    NEGATIVE,
    POSITIVE,
    PRESETS,
    Layout,
    LayoutError,
    detect_layout,
    read_csv,
)
from ledger.statements.lines import keyed, normalize_description
from ledger.statements.reader import read_statement

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str, layout=None):
    return read_statement((FIXTURES / name).read_bytes(), layout=layout)


@pytest.mark.parametrize(
    ("name", "preset", "count", "first"),
    [
        ("checking-details-jan.csv", "checking-details", 10, ("2026-01-30", "3200.00")),
        ("bank-of-america.csv", "bank-of-america", 6, ("2026-03-02", "-2150.00")),
        ("card-debit-credit.csv", "card-debit-credit", 4, ("2026-04-12", "-1180.00")),
        ("card-charges-positive.csv", "card-charges-positive", 5, ("2026-05-02", "-23.99")),
        ("headerless-five.csv", "headerless-five", 5, ("2026-06-01", "-2150.00")),
        ("card-charges-negative.csv", "card-charges-negative", 5, ("2026-09-25", "-64.61")),
    ],
)
def test_every_preset_is_recognized_and_read_with_charges_negative(name, preset, count, first):
    statement = read(name)
    assert statement.ok, statement.problems
    assert statement.layout.preset == preset
    assert len(statement.lines) == count
    line = statement.lines[0]
    assert (line.posted_on.isoformat(), str(line.amount)) == first


def test_every_preset_has_a_fixture():
    names = {read(f.name).layout.preset for f in FIXTURES.glob("*.csv")}
    assert names == {p.key for p in PRESETS}


def test_a_preamble_and_balance_lines_are_reported_not_dropped():
    statement = read("bank-of-america.csv")
    reasons = [s.reason for s in statement.skipped]
    assert reasons[0].startswith("lines 1-5: the statement's summary")
    assert "no amount" in reasons[1] and "Beginning balance" in reasons[1]


def test_separate_debit_and_credit_columns_with_dollars_and_thousands():
    amounts = [line.amount for line in read("card-debit-credit.csv").lines]
    assert amounts == [
        Decimal("-1180.00"),
        Decimal("500.00"),
        Decimal("-15.49"),
        Decimal("-101.10"),
    ]


def test_an_unknown_layout_is_detected_from_its_column_names_and_content():
    # An American Express-like export: charges positive, a payment negative.
    data = (
        "Date,Description,Card Member,Amount\n"
        "01/03/2026,UBER TRIP,DANA RIVERA,23.10\n"
        '01/09/2026,STAPLES 00123,DANA RIVERA,"1,045.00"\n'
        "01/20/2026,ONLINE PAYMENT - THANK YOU,DANA RIVERA,-500.00\n"
    )
    detection = detect_layout(data)
    layout = detection.layout
    assert (layout.date, layout.description, layout.amount) == (0, 1, 3)
    assert layout.charges == POSITIVE and layout.preset == ""
    assert layout.date_format == "MM/DD/YYYY"
    assert any("2 of 3 amounts" in note for note in detection.notes)
    lines = read_csv(data, layout).lines
    assert [line.amount for line in lines] == [
        Decimal("-23.10"),
        Decimal("-1045.00"),
        Decimal("500.00"),
    ]


def test_semicolons_iso_dates_and_a_bom():
    data = "\ufeffBooking date;Payee;Amount\n2026-02-01;City Water;-40,00\n".replace(
        "-40,00", "-40.00"
    )
    data = data.replace("Booking date", "Posted Date")
    layout = detect_layout(data).layout
    assert layout.date_format == "YYYY-MM-DD" and layout.charges == NEGATIVE
    (line,) = read_csv(data.encode("utf-8"), layout).lines
    assert (line.posted_on, line.amount, line.description) == (
        dt.date(2026, 2, 1),
        Decimal("-40.00"),
        "City Water",
    )


def test_days_up_to_twelve_read_as_us_dates_and_say_so():
    data = "Date,Description,Amount\n01/02/2026,A,-1.00\n03/04/2026,B,-2.00\n"
    detection = detect_layout(data)
    assert detection.layout.date_format == "MM/DD/YYYY"
    assert any("another format too" in note for note in detection.notes)


def test_windows_1252_text_is_read():
    data = "Date,Description,Amount\n01/02/2026,CAF\xc9 LUMI\xc8RE,-4.00\n".encode("cp1252")
    (line,) = read_statement(data).lines
    assert line.description == "CAFÉ LUMIÈRE"


def test_a_cell_that_cannot_be_read_is_named_by_line_and_column_and_nothing_is_read():
    layout = read("checking-details-jan.csv").layout
    data = (FIXTURES / "checking-details-jan.csv").read_text().replace("01/15/2026", "01/35/2026")
    data = data.replace("-63.20", "-63.2x")
    statement = read_statement(data.encode(), layout=layout)
    assert [str(p) for p in statement.problems] == [
        'line 9, column 2: Posting Date: "01/35/2026" is not a real date (read as MM/DD/YYYY)',
        'line 10, column 4: Amount: must be an amount like "1,250.00", not "-63.2x"',
    ]


def test_a_file_of_another_account_is_refused_by_the_saved_layout():
    layout = read("checking-details-jan.csv").layout
    statement = read("bank-of-america.csv", layout=layout)
    assert "is not in the file" in statement.problems[0].message


def test_a_layout_is_checked_and_round_trips():
    layout = read("card-debit-credit.csv").layout
    assert Layout.from_dict(layout.to_dict()) == layout
    with pytest.raises(LayoutError, match="two roles"):
        Layout(width=3, date=0, description=0, amount=2).check()
    with pytest.raises(LayoutError, match="amount column"):
        Layout(width=3, date=0, description=1).check()
    with pytest.raises(LayoutError, match="not in the file"):
        Layout(width=3, date=0, description=1, amount=5).check()


def test_a_headerless_file_of_another_shape_is_read_by_content():
    data = "2026-03-01,Coffee shop,-3.50\n2026-03-02,City Water Dept,-41.00\n"
    layout = detect_layout(data).layout
    assert (layout.date, layout.amount, layout.description, layout.header) == (0, 2, 1, ())


# --- OFX --------------------------------------------------------------------------------------


def test_ofx_1_sgml_and_ofx_2_xml_of_one_account():
    v1, v2 = read("checking-v1.qfx"), read("checking-v2.ofx")
    assert v1.format == v2.format == "ofx"
    assert v1.ofx_account == v2.ofx_account
    assert v1.ofx_account.key == "121000248:000111222333"
    assert [line.fitid for line in v1.lines][-2:] == [line.fitid for line in v2.lines][:2]
    first = v1.lines[0]
    assert (first.posted_on, first.amount, first.description, first.memo) == (
        dt.date(2026, 7, 1),
        Decimal("-2150.00"),
        "OAK STREET PROPERTIES",
        "WEB PMT 7781",
    )


def test_an_evening_payment_keeps_the_day_written_in_the_file():
    assert read("checking-v2.ofx").lines[-1].posted_on == dt.date(2026, 8, 27)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BROKEN>", "is not a readable OFX file"),
        (b"\x00\x01PK garbage", "is not a CSV or OFX file"),
    ],
)
def test_unreadable_files_are_refused_in_words(data, message):
    assert message in read_statement(data).problems[0].message


# --- lines and readers ------------------------------------------------------------------------


def test_descriptions_normalize_without_reference_numbers():
    assert normalize_description("Comcast  Cable #8771-0021 ") == "COMCAST CABLE"
    assert normalize_description("TRADER JOE'S #552") == "TRADER JOE S 552"


def test_identical_lines_of_one_file_are_two_occurrences():
    lines = read("checking-details-jan.csv").lines
    keys = [key for _, key in keyed(lines)]
    assert len(set(keys)) == len(keys)
    assert keys[1].endswith("|1") and keys[2].endswith("|2")


@pytest.mark.parametrize(
    ("text", "date_format", "day"),
    [
        ("1/5/2026", "MM/DD/YYYY", dt.date(2026, 1, 5)),
        ("01/05/26", "MM/DD/YY", dt.date(2026, 1, 5)),
        ("Jan 5, 2026", "MMM DD, YYYY", dt.date(2026, 1, 5)),
        ("05-Jan-2026", "DD MMM YYYY", dt.date(2026, 1, 5)),
        ("20260105", "YYYYMMDD", dt.date(2026, 1, 5)),
        ("2026-01-05T10:00:00", "YYYY-MM-DD", dt.date(2026, 1, 5)),
        ("01/05/2026 10:32 AM", "MM/DD/YYYY", dt.date(2026, 1, 5)),
    ],
)
def test_statement_dates(text, date_format, day):
    assert read_statement_date(text, date_format) == day


def test_statement_dates_refused_in_words():
    with pytest.raises(FieldError, match=r'must be a date written MM/DD/YYYY, like "01/05/2026"'):
        read_statement_date("2026-01-05", "MM/DD/YYYY")
    with pytest.raises(FieldError, match="not a real date"):
        read_statement_date("02/30/2026", "MM/DD/YYYY")


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("-$2,310.45", "-2310.45"),
        ("$-2,310.45", "-2310.45"),
        ("(45.00)", "-45.00"),
        ("45.00-", "-45.00"),
        ("1,250", "1250.00"),
        ("0.00-", "0.00"),
    ],
)
def test_statement_amounts(text, amount):
    assert read_statement_amount(text) == Decimal(amount)


def test_statement_amounts_refused_like_every_amount():
    with pytest.raises(FieldError, match="at most 2 decimal places"):
        read_statement_amount("12.345")
    with pytest.raises(FieldError, match=r'must be an amount like "1,250\.00"'):
        read_statement_amount("(-4.00)")
