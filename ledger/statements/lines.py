"""One transaction of a statement, and what makes two of them the same.

Amounts are signed the one way the ledger stores them: negative is money out of the account (a
payment, a purchase, a transfer out), positive is money in (a deposit, a refund, a card
payment received). A layout's sign convention is applied when a file is read, so nothing past
the readers knows how a bank wrote its signs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

# How much of a description two statements of the same transaction are sure to share: an OFX
# NAME is at most 32 characters, where the bank's CSV of the same account may write more.
KEY_DESCRIPTION_LENGTH = 32
_NOT_WORD = re.compile(r"[^0-9A-Z&]+")
_REFERENCE = re.compile(r"\b\w*\d{4,}\w*\b")  # card numbers, confirmation numbers, dates


@dataclass(frozen=True)
class StatementLine:
    """A transaction as the statement lists it."""

    line: int  # the line of the CSV (1 = first line), or the transaction's place in an OFX file
    posted_on: dt.date
    amount: Decimal  # negative: money out
    description: str
    memo: str = ""
    fitid: str = ""  # the bank's transaction id (OFX FITID); "" in a CSV
    kind: str = ""  # the bank's own type ("DEBIT", "ACH_DEBIT", "Sale", ...), shown only

    @property
    def is_charge(self) -> bool:
        return self.amount < 0

    @property
    def normalized(self) -> str:
        return normalize_description(self.description)


def normalize_description(text: str) -> str:
    """A description as it compares: capitals, no punctuation, no reference numbers (a run of
    four digits or more), single spaces. "Comcast  Cable #8771-0021 " -> "COMCAST CABLE"."""
    words = _NOT_WORD.sub(" ", (text or "").upper())
    return " ".join(_REFERENCE.sub(" ", words).split())


def line_key(posted_on: dt.date, amount: Decimal, description: str, occurrence: int) -> str:
    """What makes a line the same as one already imported into the same account, when the bank
    gives no transaction id: date, amount, normalized description and which occurrence of
    those it is in its file (two identical coffees on one day are two lines, and a statement
    that overlaps an earlier one lists them twice too)."""
    return f"{_base_key(posted_on, amount, description)}|{occurrence}"


def _base_key(posted_on: dt.date, amount: Decimal, description: str) -> str:
    described = normalize_description(description)[:KEY_DESCRIPTION_LENGTH].strip()
    return f"{posted_on.isoformat()}|{amount:.2f}|{described}"


def keyed(lines: list[StatementLine]) -> list[tuple[StatementLine, str]]:
    """Each line with its `line_key`, occurrences counted in file order."""
    seen: dict[str, int] = {}
    result = []
    for line in lines:
        base = _base_key(line.posted_on, line.amount, line.description)
        seen[base] = seen.get(base, 0) + 1
        result.append((line, f"{base}|{seen[base]}"))
    return result
