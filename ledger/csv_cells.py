"""CSV cells that a spreadsheet cannot run: the one helper every CSV export writes through.

A spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a
carriage return before one of them) as a formula: a payee `=HYPERLINK(...)` or `=cmd|'/C calc'!A0`
would run when the file is opened (OWASP "CSV injection"). `csv_cell` writes such text with a
leading `'`, which spreadsheets show as text and hide; numbers (`-12.50`) stay numbers. A text
that starts with `'` gets one more, so the bills CSV import (`csv_cell_read`) gives back exactly
the text that was exported. Must not import the ledger's models.
"""

from __future__ import annotations

import re
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value) -> str:
    """The text to write in a CSV cell for `value`: numbers as they are, formulas made text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    if _NUMBER.fullmatch(text):
        return text
    if text.startswith((*FORMULA_STARTS, ESCAPE)):
        return ESCAPE + text
    return text


def csv_row(values) -> list[str]:
    return [csv_cell(value) for value in values]


def csv_cell_read(text: str) -> str:
    """The text `csv_cell` wrote: one leading `'` before a formula start or a `'` is dropped."""
    if text.startswith(ESCAPE) and text[1:2] and text[1] in (*FORMULA_STARTS, ESCAPE):
        return text[1:]
    return text
